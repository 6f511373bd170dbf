//! A local stand-in for an OpenAI-compatible chat-completions API: it checks the request shape
//! (Bearer key, model, messages, a strict JSON-schema `response_format`) and answers in the real
//! wire format. Behaviour is scripted per comment: answers, hangs, 429 with Retry-After, 500s,
//! malformed bodies.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone)]
pub enum Step {
    /// Answer with this decision (`{"intent": …, "claims": […]}`).
    Answer(Value),
    /// Wait, then answer with the decision.
    Hang(Duration, Value),
    /// 429 with `Retry-After` seconds.
    RateLimit(u64),
    ServerError,
    /// 200 whose message content is not the schema.
    Malformed,
}

struct Rule {
    contains: String,
    steps: Vec<Step>,
    used: usize,
}

#[derive(Default)]
struct State_ {
    key: String,
    rules: Vec<Rule>,
    requests: Vec<Value>,
}

#[derive(Clone)]
pub struct FakeLlm {
    pub base_url: String,
    state: Arc<Mutex<State_>>,
}

impl FakeLlm {
    pub async fn start(key: &str) -> FakeLlm {
        let state = Arc::new(Mutex::new(State_ { key: key.to_string(), ..Default::default() }));
        let app = Router::new().route("/v1/chat/completions", post(complete)).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind fake llm");
        let base_url = format!("http://{}/v1", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeLlm { base_url, state }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State_> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Comments containing `contains` get these steps in turn (the last one repeats).
    pub fn on(&self, contains: &str, steps: Vec<Step>) {
        self.lock().rules.push(Rule { contains: contains.to_string(), steps, used: 0 });
    }

    /// Request bodies received, in order.
    pub fn requests(&self) -> Vec<Value> {
        self.lock().requests.clone()
    }

    /// The user message of each request, parsed (comment, current_product, candidates).
    pub fn prompts(&self) -> Vec<Value> {
        self.requests()
            .iter()
            .filter_map(|r| r.pointer("/messages/1/content").and_then(Value::as_str).and_then(|c| serde_json::from_str(c).ok()))
            .collect()
    }
}

fn completion(decision: &Value) -> Response {
    Json(json!({
        "id": "chatcmpl-local", "object": "chat.completion", "created": 1_764_097_200, "model": "fake-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": decision.to_string(), "refusal": null}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 321, "completion_tokens": 17, "total_tokens": 338}
    }))
    .into_response()
}

fn error(status: StatusCode, kind: &str) -> Response {
    (status, Json(json!({"error": {"message": kind, "type": kind, "param": null, "code": kind}}))).into_response()
}

async fn complete(State(state): State<Arc<Mutex<State_>>>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let step = {
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        s.requests.push(body.clone());
        if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Bearer {}", s.key)) {
            return error(StatusCode::UNAUTHORIZED, "invalid_api_key");
        }
        let shaped = body.get("model").and_then(Value::as_str).is_some()
            && body.pointer("/messages/0/role").and_then(Value::as_str) == Some("system")
            && body.pointer("/response_format/type").and_then(Value::as_str) == Some("json_schema")
            && body.pointer("/response_format/json_schema/strict") == Some(&Value::Bool(true));
        if !shaped {
            return error(StatusCode::BAD_REQUEST, "invalid_request_error");
        }
        let comment = body
            .pointer("/messages/1/content")
            .and_then(Value::as_str)
            .and_then(|c| serde_json::from_str::<Value>(c).ok())
            .and_then(|u| u.get("comment").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_default();
        let rule = s.rules.iter_mut().find(|r| comment.contains(&r.contains));
        match rule {
            Some(r) => {
                let i = r.used.min(r.steps.len().saturating_sub(1));
                r.used += 1;
                r.steps.get(i).cloned()
            }
            None => None,
        }
    };
    match step {
        None => completion(&json!({"intent": "other", "claims": []})),
        Some(Step::Answer(d)) => completion(&d),
        Some(Step::Hang(d, decision)) => {
            tokio::time::sleep(d).await;
            completion(&decision)
        }
        Some(Step::RateLimit(secs)) => {
            let mut r = error(StatusCode::TOO_MANY_REQUESTS, "rate_limit_exceeded");
            r.headers_mut().insert("retry-after", secs.into());
            r
        }
        Some(Step::ServerError) => error(StatusCode::INTERNAL_SERVER_ERROR, "server_error"),
        Some(Step::Malformed) => completion(&json!("sure! the buyer wants the red one")),
    }
}
