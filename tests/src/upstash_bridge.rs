//! A local stand-in for Upstash's Redis REST API in front of a real redis-server: `POST /` with a
//! JSON command array, `POST /pipeline` and `POST /multi-exec` with arrays of them, Bearer token
//! auth, `{"result": …}` / `{"error": …}` answers — Upstash's wire format, Redis's behaviour.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use redis::aio::MultiplexedConnection;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

struct Bridge {
    conn: MultiplexedConnection,
    token: String,
    requests: AtomicUsize,
}

/// A running bridge.
#[derive(Clone)]
pub struct UpstashBridge {
    pub url: String,
    pub token: String,
    state: Arc<Bridge>,
}

impl UpstashBridge {
    /// Serves on `addr` (use "127.0.0.1:0" for a free port) in front of the Redis at `redis_url`.
    pub async fn start(redis_url: &str, token: &str, addr: &str) -> UpstashBridge {
        let client = redis::Client::open(redis_url).expect("redis url");
        let conn = client.get_multiplexed_async_connection().await.expect("redis for the bridge");
        let state = Arc::new(Bridge { conn, token: token.to_string(), requests: AtomicUsize::new(0) });
        let app = Router::new()
            .route("/", post(single))
            .route("/pipeline", post(pipeline))
            .route("/multi-exec", post(multi_exec))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind(addr).await.expect("bind bridge");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        UpstashBridge { url, token: token.to_string(), state }
    }

    /// HTTP requests served so far.
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }
}

fn to_json(v: redis::Value) -> Result<Value, String> {
    Ok(match v {
        redis::Value::Nil => Value::Null,
        redis::Value::Int(i) => json!(i),
        redis::Value::BulkString(b) => Value::String(String::from_utf8_lossy(&b).into_owned()),
        redis::Value::SimpleString(s) => Value::String(s),
        redis::Value::Okay => json!("OK"),
        redis::Value::Double(d) => json!(d),
        redis::Value::Boolean(b) => json!(b),
        redis::Value::Array(items) | redis::Value::Set(items) => Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?),
        redis::Value::Map(pairs) => Value::Array(pairs.into_iter().flat_map(|(k, v)| [to_json(k), to_json(v)]).collect::<Result<_, _>>()?),
        redis::Value::ServerError(e) => return Err(e.to_string()),
        other => Value::String(format!("{other:?}")),
    })
}

fn command(args: &Value) -> Result<redis::Cmd, String> {
    let parts = args.as_array().filter(|a| !a.is_empty()).ok_or("ERR a command is a non-empty JSON array")?;
    let word = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(format!("ERR unsupported argument {other}")),
    };
    let mut cmd = redis::cmd(&word(&parts[0])?);
    for p in &parts[1..] {
        cmd.arg(word(p)?);
    }
    Ok(cmd)
}

fn authorised(state: &Bridge, headers: &HeaderMap) -> bool {
    state.requests.fetch_add(1, Ordering::SeqCst);
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bearer {}", state.token))
}

fn unauthorised() -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({"error": "Unauthorized"}))).into_response()
}

async fn run(state: &Bridge, args: &Value) -> Value {
    let cmd = match command(args) {
        Ok(c) => c,
        Err(e) => return json!({ "error": e }),
    };
    match cmd.query_async::<redis::Value>(&mut state.conn.clone()).await.map_err(|e| e.to_string()).and_then(to_json) {
        Ok(v) => json!({ "result": v }),
        Err(e) => json!({ "error": e }),
    }
}

async fn single(State(state): State<Arc<Bridge>>, headers: HeaderMap, Json(args): Json<Value>) -> Response {
    if !authorised(&state, &headers) {
        return unauthorised();
    }
    let out = run(&state, &args).await;
    let status = if out.get("error").is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    (status, Json(out)).into_response()
}

async fn pipeline(State(state): State<Arc<Bridge>>, headers: HeaderMap, Json(cmds): Json<Value>) -> Response {
    if !authorised(&state, &headers) {
        return unauthorised();
    }
    let mut out = Vec::new();
    for c in cmds.as_array().into_iter().flatten() {
        out.push(run(&state, c).await);
    }
    Json(Value::Array(out)).into_response()
}

async fn multi_exec(State(state): State<Arc<Bridge>>, headers: HeaderMap, Json(cmds): Json<Value>) -> Response {
    if !authorised(&state, &headers) {
        return unauthorised();
    }
    let mut pipe = redis::pipe();
    pipe.atomic();
    for c in cmds.as_array().into_iter().flatten() {
        match command(c) {
            Ok(cmd) => {
                pipe.add_command(cmd);
            }
            Err(e) => return (StatusCode::BAD_REQUEST, Json(json!({ "error": e }))).into_response(),
        }
    }
    match pipe.query_async::<Vec<redis::Value>>(&mut state.conn.clone()).await {
        Ok(values) => Json(Value::Array(
            values
                .into_iter()
                .map(|v| match to_json(v) {
                    Ok(v) => json!({ "result": v }),
                    Err(e) => json!({ "error": e }),
                })
                .collect(),
        ))
        .into_response(),
        Err(e) => (StatusCode::BAD_REQUEST, Json(json!({ "error": e.to_string() }))).into_response(),
    }
}
