//! Local stand-ins for the three payment gateways, each speaking its provider's wire format and
//! checking what the provider checks: Mercado Pago's Bearer token and preference fields, Flow's
//! form and `s` signature, PayPal's Basic-auth token and Bearer order with `PayPal-Request-Id`.
//! Answers can be scripted per provider: an error status with the provider's error body, or a hang.
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a provider answers next instead of the normal behaviour.
#[derive(Debug, Clone)]
pub enum Script {
    Status(u16),
    Hang,
}

#[derive(Default)]
struct St {
    mp_token: String,
    flow_secret: String,
    paypal: (String, String),
    issued: Vec<String>,
    /// provider → requests it accepted (the JSON body, or the form as JSON)
    seen: HashMap<&'static str, Vec<Value>>,
    script: HashMap<&'static str, VecDeque<Script>>,
    paypal_orders: HashMap<String, String>,
}

#[derive(Clone)]
pub struct FakeGateways {
    pub base: String,
    st: Arc<Mutex<St>>,
}

impl FakeGateways {
    /// Serves on a free port; the credentials each provider accepts.
    pub async fn start(mp_token: &str, flow_secret: &str, paypal_id: &str, paypal_secret: &str) -> FakeGateways {
        let st = Arc::new(Mutex::new(St {
            mp_token: mp_token.into(),
            flow_secret: flow_secret.into(),
            paypal: (paypal_id.into(), paypal_secret.into()),
            ..St::default()
        }));
        let app = Router::new()
            .route("/mp/checkout/preferences", post(mp_preference))
            .route("/flow/payment/create", post(flow_create))
            .route("/paypal/v1/oauth2/token", post(paypal_token))
            .route("/paypal/v2/checkout/orders", post(paypal_order))
            .with_state(st.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeGateways { base, st }
    }

    pub fn url(&self, provider: &str) -> String {
        format!("{}/{provider}", self.base)
    }

    pub fn script(&self, provider: &'static str, s: Script) {
        self.st.lock().expect("lock").script.entry(provider).or_default().push_back(s);
    }

    /// The requests a provider accepted.
    pub fn seen(&self, provider: &'static str) -> Vec<Value> {
        self.st.lock().expect("lock").seen.get(provider).cloned().unwrap_or_default()
    }
}

/// The scripted answer, if any (a hang never answers).
async fn scripted(st: &Arc<Mutex<St>>, provider: &'static str, error_body: Value) -> Option<Response> {
    let next = st.lock().expect("lock").script.get_mut(provider).and_then(VecDeque::pop_front);
    match next? {
        Script::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            None
        }
        Script::Status(code) => {
            Some((StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), Json(error_body)).into_response())
        }
    }
}

fn bad(provider: &str, why: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"provider": provider, "message": why, "error": "bad_request", "status": 400}))).into_response()
}

async fn mp_preference(State(st): State<Arc<Mutex<St>>>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let error = json!({"message": "internal error", "error": "internal_server_error", "status": 500, "cause": []});
    if let Some(r) = scripted(&st, "mercadopago", error).await {
        return r;
    }
    let token = st.lock().expect("lock").mp_token.clone();
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Bearer {token}")) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "invalid access token", "error": "unauthorized", "status": 401, "cause": []})),
        )
            .into_response();
    }
    if headers.get("x-idempotency-key").is_none() {
        return bad("mercadopago", "X-Idempotency-Key missing");
    }
    let item = &body["items"][0];
    if !item["unit_price"].is_number() || !item["quantity"].is_u64() || item["currency_id"].as_str().is_none_or(|c| c.len() != 3) {
        return bad("mercadopago", "currency_id needed/invalid or unit_price not a number");
    }
    let to = body["expiration_date_to"].as_str().unwrap_or_default();
    if body["expires"] != json!(true) || chrono::DateTime::parse_from_rfc3339(to).is_err() || body["notification_url"].as_str().is_none() {
        return bad("mercadopago", "expires, expiration_date_to and notification_url are expected");
    }
    let mut s = st.lock().expect("lock");
    let id = format!("pref-{}", s.seen.get("mercadopago").map_or(0, Vec::len) + 1);
    s.seen.entry("mercadopago").or_default().push(body);
    (StatusCode::CREATED, Json(json!({"id": id, "init_point": format!("https://www.mercadopago.cl/checkout/v1/redirect?pref_id={id}")})))
        .into_response()
}

async fn flow_create(State(st): State<Arc<Mutex<St>>>, Form(form): Form<HashMap<String, String>>) -> Response {
    if let Some(r) = scripted(&st, "flow", json!({"code": 500, "message": "Internal error"})).await {
        return r;
    }
    let secret = st.lock().expect("lock").flow_secret.clone();
    let params: Vec<(&str, String)> = form.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    if form.get("s").map(String::as_str) != Some(shared::adapters::payments::flow::sign(&params, &secret).as_str()) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"code": 108, "message": "Invalid signature"}))).into_response();
    }
    for required in ["apiKey", "commerceOrder", "subject", "amount", "email", "urlConfirmation", "urlReturn"] {
        if form.get(required).is_none_or(String::is_empty) {
            return (StatusCode::BAD_REQUEST, Json(json!({"code": 1605, "message": format!("{required} is required")}))).into_response();
        }
    }
    let mut s = st.lock().expect("lock");
    let n = s.seen.get("flow").map_or(0, Vec::len) + 1;
    s.seen.entry("flow").or_default().push(json!(form));
    Json(json!({"url": "https://www.flow.cl/app/web/pay.php", "token": format!("TOK{n}"), "flowOrder": 1000 + n})).into_response()
}

async fn paypal_token(State(st): State<Arc<Mutex<St>>>, headers: HeaderMap, Form(form): Form<HashMap<String, String>>) -> Response {
    use base64::Engine;
    let (id, secret) = st.lock().expect("lock").paypal.clone();
    let expected = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")));
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&expected)
        || form.get("grant_type").map(String::as_str) != Some("client_credentials")
    {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_client", "error_description": "Client Authentication failed"})))
            .into_response();
    }
    let token = format!("A21AA{}", shared::domain::ids::random_token());
    st.lock().expect("lock").issued.push(token.clone());
    Json(json!({"scope": "https://uri.paypal.com/services/payments/payment", "access_token": token, "token_type": "Bearer", "expires_in": 32400}))
        .into_response()
}

async fn paypal_order(State(st): State<Arc<Mutex<St>>>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let error = json!({"name": "INTERNAL_SERVER_ERROR", "message": "An internal server error occurred.", "debug_id": "abc", "details": []});
    if let Some(r) = scripted(&st, "paypal", error).await {
        return r;
    }
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let mut s = st.lock().expect("lock");
    if !s.issued.iter().any(|t| auth == format!("Bearer {t}")) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"error": "invalid_token", "error_description": "Token signature verification failed"})),
        )
            .into_response();
    }
    let Some(request_id) = headers.get("paypal-request-id").and_then(|v| v.to_str().ok()).map(str::to_string) else {
        return bad("paypal", "PayPal-Request-Id missing");
    };
    let amount = &body["purchase_units"][0]["amount"];
    let value_ok = amount["value"].as_str().is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'));
    if body["intent"] != "CAPTURE" || !value_ok || amount["currency_code"].as_str().is_none() {
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"name": "UNPROCESSABLE_ENTITY", "message": "The requested action could not be performed", "details": [{"issue": "INVALID_PARAMETER_VALUE"}]})))
            .into_response();
    }
    // A repeated PayPal-Request-Id returns the order it made before.
    let n = s.paypal_orders.len() + 1;
    let id = s.paypal_orders.entry(request_id).or_insert_with(|| format!("5O190127TN36471{n:02}")).clone();
    s.seen.entry("paypal").or_default().push(body);
    (
        StatusCode::CREATED,
        Json(json!({"id": id, "status": "PAYER_ACTION_REQUIRED", "links": [
        {"href": format!("https://api-m.paypal.com/v2/checkout/orders/{id}"), "rel": "self", "method": "GET"},
        {"href": format!("https://www.paypal.com/checkoutnow?token={id}"), "rel": "payer-action", "method": "GET"}]})),
    )
        .into_response()
}
