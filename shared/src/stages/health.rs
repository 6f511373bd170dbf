//! The deep health check: a real round trip to the store and to the stream, the backlog of each
//! stage and its dead letters. Each check has its own deadline (`health_timeout`), so a backend
//! that accepts connections and never answers makes `/health` say so quickly instead of hanging.
use crate::pipeline::{Deps, Stage};
use crate::ports::{Backlog, PortError};
use serde::Serialize;
use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub ok: bool,
    pub backend: &'static str,
    pub latency_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HealthReport {
    pub ok: bool,
    pub store: Check,
    pub stream: Check,
    pub backlog: BTreeMap<&'static str, Backlog>,
    pub dead_letters: BTreeMap<&'static str, usize>,
    /// Hit rates of this process's caches since it started (ai, catalog, token, session).
    pub caches: BTreeMap<String, crate::pipeline::caches::HitRate>,
    /// The LLM model for unclear comments; absent: rules only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub llm: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failing: Vec<String>,
}

fn ms(start: Instant) -> f64 {
    (start.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0
}

/// The call's answer, or a timeout error naming the backend.
async fn within<T>(limit: Duration, backend: &'static str, call: impl Future<Output = Result<T, PortError>>) -> Result<T, PortError> {
    match tokio::time::timeout(limit, call).await {
        Ok(r) => r,
        Err(_) => Err(PortError::Unavailable { backend, message: format!("no answer within {} ms", limit.as_millis()) }),
    }
}

async fn timed(limit: Duration, backend: &'static str, call: impl Future<Output = Result<(), PortError>>) -> Check {
    let t = Instant::now();
    let r = within(limit, backend, call).await;
    Check { ok: r.is_ok(), backend, latency_ms: ms(t), error: r.err().map(|e| e.to_string()) }
}

pub async fn check(deps: &Deps) -> HealthReport {
    let limit = deps.settings.health_timeout;
    // Both round trips at once: a hung store must not delay the stream's answer.
    let (store, stream) =
        tokio::join!(timed(limit, deps.store.backend(), deps.store.ping()), timed(limit, deps.stream.backend(), deps.stream.ping()));
    let mut backlog = BTreeMap::new();
    let mut dead_letters = BTreeMap::new();
    let mut failing = Vec::new();
    if stream.ok {
        for stage in Stage::ALL {
            let key = deps.settings.streams.key(stage);
            match within(limit, deps.stream.backend(), deps.stream.backlog(&key, stage.name())).await {
                Ok(b) => {
                    backlog.insert(stage.name(), b);
                }
                Err(e) => failing.push(format!("backlog of {}: {e}", stage.name())),
            }
            match within(limit, deps.stream.backend(), deps.stream.dead_letters(&key, 10_000)).await {
                Ok(d) => {
                    dead_letters.insert(stage.name(), d.len());
                }
                Err(e) => failing.push(format!("dead letters of {}: {e}", stage.name())),
            }
        }
    }
    if !store.ok {
        failing.insert(0, format!("store ({})", store.backend));
    }
    if !stream.ok {
        failing.insert(0, format!("stream ({})", stream.backend));
    }
    HealthReport {
        ok: store.ok && stream.ok && failing.is_empty(),
        store,
        stream,
        backlog,
        dead_letters,
        caches: deps.caches.stats(),
        llm: deps.llm.as_ref().map(|l| l.model().to_string()),
        failing,
    }
}

#[cfg(all(test, feature = "embedded"))]
mod tests {
    use super::*;
    use crate::stages::testing::Bench;

    #[tokio::test]
    async fn a_call_that_never_answers_fails_within_the_deadline_naming_the_backend() {
        let started = Instant::now();
        let r: Result<(), PortError> = within(Duration::from_millis(50), "postgres", std::future::pending()).await;
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(r.expect_err("timed out").to_string().starts_with("postgres is unavailable: no answer within 50 ms"));
    }

    #[tokio::test]
    async fn a_healthy_embedded_default_reports_every_stage() {
        let b = Bench::new().await;
        let report = check(&b.deps).await;
        assert!(report.ok, "{:?}", report.failing);
        assert_eq!(report.backlog.len(), Stage::ALL.len());
        assert_eq!(report.store.backend, "sqlite");
    }
}
