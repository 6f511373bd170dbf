//! AWS Lambda hosting. HTTP functions serve the shared axum router through `lambda_http`; stream
//! stages (and the expiry sweep) run under `lambda_runtime`, invoked by an EventBridge schedule
//! or by a kick on their function URL, and drain their stream until little time is left.
use super::consumer::{drain, DrainReport};
use super::local::RuntimeError;
use crate::domain::secret::SecretString;
use crate::pipeline::{Deps, Stage};
use crate::stages::sweep;
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// Real Lambda and `cargo lambda watch` both set this.
pub fn on_lambda() -> bool {
    std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()
}

/// Stop draining this long before the invocation's deadline: enough to ack, kick and answer.
const SAFETY_MARGIN: Duration = Duration::from_millis(1500);

/// What invoked a stage function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// EventBridge (`source: aws.events`, `detail-type: Scheduled Event`).
    Scheduled,
    /// A function URL request (payload format 2.0) — a kick — with the kick header if present.
    Kick { secret: Option<String> },
    /// Anything else (a direct `aws lambda invoke`, a test): drained like a schedule.
    Direct,
}

pub fn classify(event: &Value) -> Invocation {
    if event.pointer("/requestContext/http").is_some() {
        let secret = event
            .get("headers")
            .and_then(Value::as_object)
            .and_then(|h| h.iter().find(|(k, _)| k.eq_ignore_ascii_case(crate::adapters::kick::KICK_HEADER)))
            .and_then(|(_, v)| v.as_str())
            .map(str::to_string);
        return Invocation::Kick { secret };
    }
    if event.get("source").and_then(Value::as_str) == Some("aws.events") {
        return Invocation::Scheduled;
    }
    Invocation::Direct
}

fn url_response(status: u16, body: &Value) -> Value {
    // `cookies` is part of the payload-2.0 response shape; strict parsers reject its absence.
    json!({ "statusCode": status, "headers": { "content-type": "application/json" }, "body": body.to_string(),
            "isBase64Encoded": false, "cookies": [] })
}

/// Checks a kick's secret; a kick URL without the right secret does nothing.
fn authorised(expected: Option<&SecretString>, given: Option<&str>) -> bool {
    match (expected, given) {
        (Some(e), Some(g)) => bool::from(e.expose().as_bytes().ct_eq(g.as_bytes())),
        _ => false,
    }
}

fn consumer_name() -> String {
    // Unique per execution environment: a frozen sandbox's pending entries are reclaimed by others.
    std::env::var("AWS_LAMBDA_LOG_STREAM_NAME").unwrap_or_else(|_| format!("lambda-{}", crate::domain::ids::random_token()))
}

/// When an invocation without a usable deadline (an emulator sends a fixed, past one) stops.
const FALLBACK_BUDGET: Duration = Duration::from_secs(20);

fn deadline_of(ctx: &lambda_runtime::Context) -> tokio::time::Instant {
    let now_ms = chrono::Utc::now().timestamp_millis().max(0) as u64;
    let left = if ctx.deadline > now_ms { Duration::from_millis(ctx.deadline - now_ms) } else { FALLBACK_BUDGET };
    tokio::time::Instant::now() + left.saturating_sub(SAFETY_MARGIN)
}

async fn invocation(
    deps: &Deps,
    stage: Stage,
    kick_secret: Option<&SecretString>,
    consumer: &str,
    event: LambdaEvent<Value>,
) -> Result<Value, lambda_runtime::Error> {
    let (payload, ctx) = event.into_parts();
    let how = classify(&payload);
    if let Invocation::Kick { secret } = &how {
        if !authorised(kick_secret, secret.as_deref()) {
            tracing::warn!(stage = stage.name(), "kick refused: missing or wrong kick secret");
            return Ok(url_response(401, &json!({ "error": "missing or wrong kick secret" })));
        }
    }
    let report: DrainReport = drain(deps, stage, consumer, deadline_of(&ctx)).await?;
    tracing::info!(stage = stage.name(), invoked_by = ?how, ?report, "drained");
    let body = json!({ "stage": stage.name(), "report": report });
    Ok(match how {
        Invocation::Kick { .. } => url_response(200, &body),
        Invocation::Scheduled | Invocation::Direct => body,
    })
}

/// A stream stage as a Lambda function.
pub async fn run_stage(deps: Arc<Deps>, stage: Stage, kick_secret: Option<SecretString>) -> Result<(), RuntimeError> {
    let consumer = consumer_name();
    let handler = service_fn(move |event: LambdaEvent<Value>| {
        let (deps, secret, consumer) = (deps.clone(), kick_secret.clone(), consumer.clone());
        async move { invocation(&deps, stage, secret.as_ref(), &consumer, event).await }
    });
    lambda_runtime::run(handler).await.map_err(|e| RuntimeError::Lambda(e.to_string()))
}

/// The expiry sweep as a Lambda function (EventBridge, every minute).
pub async fn run_sweep(deps: Arc<Deps>) -> Result<(), RuntimeError> {
    let handler = service_fn(move |_event: LambdaEvent<Value>| {
        let deps = deps.clone();
        async move {
            let swept = sweep::run(&deps).await?;
            Ok::<Value, lambda_runtime::Error>(json!(swept))
        }
    });
    lambda_runtime::run(handler).await.map_err(|e| RuntimeError::Lambda(e.to_string()))
}

/// An HTTP function (ingest, the seller API, /health): the shared router behind a function URL.
pub async fn serve_http(app: axum::Router) -> Result<(), RuntimeError> {
    lambda_http::run(app).await.map_err(|e| RuntimeError::Lambda(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_url_requests_are_kicks_and_carry_the_secret_header() {
        let url = json!({"version": "2.0", "rawPath": "/", "headers": {"X-Livesell-Kick": "k1"},
            "requestContext": {"http": {"method": "POST", "path": "/"}}, "body": "{}", "isBase64Encoded": false});
        assert_eq!(classify(&url), Invocation::Kick { secret: Some("k1".into()) });
        let scheduled = json!({"version": "0", "source": "aws.events", "detail-type": "Scheduled Event", "detail": {}});
        assert_eq!(classify(&scheduled), Invocation::Scheduled);
        assert_eq!(classify(&json!({})), Invocation::Direct);
    }

    #[test]
    fn a_kick_needs_the_configured_secret() {
        let s = SecretString::new("k1");
        assert!(authorised(Some(&s), Some("k1")));
        assert!(!authorised(Some(&s), Some("k2")));
        assert!(!authorised(Some(&s), None));
        assert!(!authorised(None, Some("k1")), "no secret configured: kicks are refused");
    }
}
