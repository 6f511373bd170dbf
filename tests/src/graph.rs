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

/// A message the page sent a buyer through the Send API.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub account: String,
    pub recipient: String,
    pub text: String,
}

#[derive(Default)]
struct GraphState {
    messages: Vec<Message>,
    /// Public replies: (comment id, text).
    public: Vec<(String, String)>,
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
        let app = Router::new()
            .route("/v21.0/{account}/messages", post(messages))
            .route("/v21.0/{comment}/comments", post(comments))
            .with_state(state.clone());
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
    /// Public replies posted under comments, in order: (comment id, text).
    pub fn public_replies(&self) -> Vec<(String, String)> {
        self.lock().public.clone()
    }
    /// Messages sent to buyers (not private replies).
    pub fn messages(&self) -> Vec<Message> {
        self.lock().messages.clone()
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
    // The Send API to a buyer's messaging id (inside their 24-hour window, `messaging_type: RESPONSE`).
    let to_buyer = parsed.as_ref().and_then(|v| v.pointer("/recipient/id")).and_then(Value::as_str).map(str::to_string);
    if let (None, Some(recipient), Some(text)) = (&comment, to_buyer, text.clone().filter(|t| !t.is_empty())) {
        let kind = parsed.as_ref().and_then(|v| v.get("messaging_type")).and_then(Value::as_str).unwrap_or_default().to_string();
        if kind != "RESPONSE" {
            s.malformed.push(body);
            return graph_error(400, 100, None, "(#100) messaging_type is required");
        }
        let n = s.messages.len();
        s.messages.push(Message { account, recipient: recipient.clone(), text });
        return (StatusCode::OK, Json(json!({"recipient_id": recipient, "message_id": format!("m_dm_{n}")}))).into_response();
    }
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
    // The buyer's page-scoped id, as Meta names the recipient of a private reply.
    let recipient = format!("psid-{comment_id}");
    s.replies.push(Reply { account, comment_id, text });
    (StatusCode::OK, Json(json!({"recipient_id": recipient, "message_id": format!("m_{n}")}))).into_response()
}

/// `POST /{comment-id}/comments` with `message`: a public reply under the comment.
async fn comments(State(state): State<Arc<Mutex<GraphState>>>, Path(comment): Path<String>, headers: HeaderMap, body: String) -> Response {
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if auth != format!("Bearer {}", s.token) {
        return graph_error(400, 190, Some(460), "Error validating access token");
    }
    let text = serde_json::from_str::<Value>(&body).ok().and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string));
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        s.malformed.push(body);
        return graph_error(400, 100, None, "(#100) The parameter message is required");
    };
    let n = s.public.len();
    s.public.push((comment.clone(), text));
    (StatusCode::OK, Json(json!({"id": format!("{comment}_{n}")}))).into_response()
}
