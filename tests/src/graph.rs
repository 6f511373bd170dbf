//! A local stand-in for the Graph API private-reply endpoint. It checks what Meta checks (Bearer
//! page token, `recipient.comment_id`, `message.text`), answers in Meta's shapes, and like Meta
//! refuses a second reply to the same comment with error 10900. Failures can be scripted.
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One private reply Meta accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub account: String,
    pub comment_id: String,
    pub text: String,
}

/// What the next call gets instead of the normal behaviour.
#[derive(Debug, Clone)]
pub enum Scripted {
    /// An HTTP status with a Graph error `code`.
    Error { status: u16, code: i64, subcode: Option<i64>, retry_after: Option<u64> },
    /// The reply is delivered, but the caller sees a 500 (as if the connection broke after Meta
    /// acted): its retry must then treat 10900 as delivered.
    DeliverThenFail,
    /// Answer normally after a pause.
    Delay(Duration),
}

#[derive(Default)]
struct GraphState {
    token: String,
    replies: Vec<Reply>,
    replied: HashSet<String>,
    refused_second: usize,
    malformed: Vec<String>,
    calls: usize,
    script: VecDeque<Scripted>,
    delay: Duration,
}

#[derive(Clone)]
pub struct FakeGraph {
    pub base_url: String,
    state: Arc<Mutex<GraphState>>,
}

impl FakeGraph {
    /// Serves on a free loopback port; `token` is the page token it accepts.
    pub async fn start(token: &str) -> FakeGraph {
        let state = Arc::new(Mutex::new(GraphState { token: token.to_string(), ..Default::default() }));
        let app = Router::new().route("/v21.0/{account}/messages", post(messages)).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind fake graph");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeGraph { base_url: format!("http://{addr}/v21.0"), state }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, GraphState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn script(&self, steps: impl IntoIterator<Item = Scripted>) {
        self.lock().script.extend(steps);
    }
    /// Every call waits this long before answering (a slow Graph API; widens crash windows).
    pub fn set_delay(&self, d: Duration) {
        self.lock().delay = d;
    }
    pub fn replies(&self) -> Vec<Reply> {
        self.lock().replies.clone()
    }
    pub fn refused_second(&self) -> usize {
        self.lock().refused_second
    }
    pub fn malformed(&self) -> Vec<String> {
        self.lock().malformed.clone()
    }
    pub fn calls(&self) -> usize {
        self.lock().calls
    }
}

fn graph_error(status: u16, code: i64, subcode: Option<i64>, message: &str) -> Response {
    let mut err = json!({"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEfGh123"});
    if let Some(s) = subcode {
        err["error_subcode"] = s.into();
    }
    (StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), Json(json!({ "error": err }))).into_response()
}

async fn messages(State(state): State<Arc<Mutex<GraphState>>>, Path(account): Path<String>, headers: HeaderMap, body: String) -> Response {
    let step = {
        let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
        s.calls += 1;
        let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
        if auth != format!("Bearer {}", s.token) {
            return graph_error(400, 190, Some(460), "Error validating access token");
        }
        (s.script.pop_front(), s.delay)
    };
    let (step, delay) = step;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(Scripted::Delay(d)) = &step {
        tokio::time::sleep(*d).await;
    }
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    let parsed: Option<Value> = serde_json::from_str(&body).ok();
    let comment = parsed.as_ref().and_then(|v| v.pointer("/recipient/comment_id")).and_then(Value::as_str).map(str::to_string);
    let text = parsed.as_ref().and_then(|v| v.pointer("/message/text")).and_then(Value::as_str).map(str::to_string);
    let (Some(comment_id), Some(text)) = (comment, text.filter(|t| !t.is_empty())) else {
        s.malformed.push(body);
        return graph_error(400, 100, None, "(#100) The parameter recipient is required");
    };
    match step {
        Some(Scripted::Error { status, code, subcode, retry_after }) => {
            let mut resp = graph_error(status, code, subcode, "scripted failure");
            if let Some(r) = retry_after {
                resp.headers_mut().insert("retry-after", r.into());
            }
            return resp;
        }
        Some(Scripted::DeliverThenFail) => {
            if s.replied.insert(comment_id.clone()) {
                s.replies.push(Reply { account, comment_id, text });
            }
            return (StatusCode::INTERNAL_SERVER_ERROR, "upstream connection reset").into_response();
        }
        Some(Scripted::Delay(_)) | None => {}
    }
    if !s.replied.insert(comment_id.clone()) {
        s.refused_second += 1;
        return graph_error(400, 10900, None, "(#10900) Activity already replied to");
    }
    let n = s.replies.len();
    s.replies.push(Reply { account, comment_id, text });
    (StatusCode::OK, Json(json!({"recipient_id": format!("PSID{n}"), "message_id": format!("m_{n}")}))).into_response()
}
