//! The deep health check: a real round trip to the store and to the stream, the backlog of each
//! stage and its dead letters.
use super::{Deps, Stage};
use crate::ports::Backlog;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;

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
    pub caches: BTreeMap<String, super::caches::HitRate>,
    /// The LLM model for unclear comments; absent: rules only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub llm: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failing: Vec<String>,
}

fn ms(start: Instant) -> f64 {
    (start.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0
}

pub async fn check(deps: &Deps) -> HealthReport {
    let t = Instant::now();
    let store = deps.store.ping().await;
    let store = Check { ok: store.is_ok(), backend: deps.store.backend(), latency_ms: ms(t), error: store.err().map(|e| e.to_string()) };
    let t = Instant::now();
    let stream = deps.stream.ping().await;
    let stream =
        Check { ok: stream.is_ok(), backend: deps.stream.backend(), latency_ms: ms(t), error: stream.err().map(|e| e.to_string()) };
    let mut backlog = BTreeMap::new();
    let mut dead_letters = BTreeMap::new();
    let mut failing = Vec::new();
    if stream.ok {
        for stage in Stage::ALL {
            let key = deps.settings.streams.key(stage);
            match deps.stream.backlog(&key, stage.name()).await {
                Ok(b) => {
                    backlog.insert(stage.name(), b);
                }
                Err(e) => failing.push(format!("backlog of {}: {e}", stage.name())),
            }
            match deps.stream.dead_letters(&key, 10_000).await {
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
