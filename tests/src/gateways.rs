//! Local stand-ins for the three payment gateways, each speaking its provider's wire format and
//! checking what the provider checks: Mercado Pago's Bearer token and preference fields, Flow's
//! form and `s` signature, PayPal's Basic-auth token and Bearer order with `PayPal-Request-Id`.
//! Answers can be scripted per provider: an error status with the provider's error body, or a hang.
//! A test plays the buyer (`flow_pay`, `mp_pay`, `paypal_approve`), and the stand-ins then answer
//! the status reads each provider offers: Flow's signed `payment/getStatus`, Mercado Pago's
//! `GET /v1/payments/{id}`, PayPal's webhook verification, capture and order read.
use axum::extract::State;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
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
    /// Flow token → (commerceOrder, amount, currency, status)
    flow_links: HashMap<String, (String, String, String, i64)>,
    /// Mercado Pago preference id → (external_reference, unit_price, currency)
    mp_prefs: HashMap<String, (String, Value, String)>,
    /// Mercado Pago preference ids expired by an update
    mp_expired: Vec<String>,
    /// Mercado Pago payment id → the payment as `GET /v1/payments/{id}` answers it
    mp_payments: HashMap<u64, Value>,
    /// PayPal order id → (custom_id, amount, approved, capture)
    pp_orders: HashMap<String, (String, Value, bool, Option<Value>)>,
    /// PayPal orders whose buyer gave a delivery address (`shipping_preference: GET_FROM_FILE`)
    pp_ships: std::collections::HashSet<String>,
    /// Capture requests by PayPal-Request-Id (a repeat answers the same)
    pp_captures: HashMap<String, Value>,
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
            .route("/flow/payment/getStatus", get(flow_status))
            .route("/mp/v1/payments/{id}", get(mp_payment))
            .route("/mp/checkout/preferences/{id}", axum::routing::put(mp_update_preference))
            .route("/paypal/v1/notifications/verify-webhook-signature", post(paypal_verify))
            .route("/paypal/v2/checkout/orders/{id}/capture", post(paypal_capture))
            .route("/paypal/v2/checkout/orders/{id}", get(paypal_get_order))
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

    /// The buyer's payment on a Flow link reaches `status` (1 pending, 2 paid, 3 rejected, 4 cancelled).
    pub fn flow_pay(&self, token: &str, status: i64) {
        let mut s = self.st.lock().expect("lock");
        s.flow_links.get_mut(token).expect("a Flow link with that token").3 = status;
    }

    /// The buyer pays a Mercado Pago preference: a payment with `status`, for `amount` (the
    /// preference's price when None). Returns the payment id.
    pub fn mp_pay(&self, pref_id: &str, status: &str, amount: Option<Value>) -> u64 {
        let mut s = self.st.lock().expect("lock");
        let (reference, price, currency) = s.mp_prefs.get(pref_id).cloned().expect("a preference with that id");
        let id = 90_000_000_000 + s.mp_payments.len() as u64 + 1;
        let payment = json!({"id": id, "status": status, "status_detail": "accredited", "transaction_amount": amount.unwrap_or(price),
            "currency_id": currency, "external_reference": reference, "order": {"id": 1234, "type": "mercadopago"}, "live_mode": true});
        s.mp_payments.insert(id, payment);
        id
    }

    /// Preferences expired through `PUT /checkout/preferences/{id}`.
    pub fn mp_expired(&self) -> Vec<String> {
        self.st.lock().expect("lock").mp_expired.clone()
    }

    /// A payment changes status (a refund, a later approval).
    pub fn mp_set_status(&self, payment_id: u64, status: &str) {
        self.st.lock().expect("lock").mp_payments.get_mut(&payment_id).expect("payment")["status"] = json!(status);
    }

    /// The buyer approves a PayPal order (it can be captured now).
    pub fn paypal_approve(&self, order_id: &str) {
        self.st.lock().expect("lock").pp_orders.get_mut(order_id).expect("a PayPal order with that id").2 = true;
    }

    /// The capture of an order, once captured (what a `PAYMENT.CAPTURE.COMPLETED` event carries).
    pub fn paypal_capture_of(&self, order_id: &str) -> Option<Value> {
        self.st.lock().expect("lock").pp_orders.get(order_id).and_then(|o| o.3.clone())
    }
}

/// The transmission signature the PayPal stand-in takes as genuine for a transmission id: PayPal
/// checks a certificate chain; the stand-in only needs to tell genuine from forged.
pub fn paypal_signature(transmission_id: &str) -> String {
    format!("genuine-{transmission_id}")
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
    let reference = body["external_reference"].as_str().unwrap_or_default().to_string();
    s.mp_prefs.insert(id.clone(), (reference, item["unit_price"].clone(), item["currency_id"].as_str().unwrap_or_default().into()));
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
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    s.flow_links.insert(format!("TOK{n}"), (field("commerceOrder"), field("amount"), field("currency"), 1));
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
    let unit = &body["purchase_units"][0];
    let custom = unit["custom_id"].as_str().unwrap_or_default().to_string();
    s.pp_orders.entry(id.clone()).or_insert((custom, unit["amount"].clone(), false, None));
    if body["payment_source"]["paypal"]["experience_context"]["shipping_preference"] == "GET_FROM_FILE" {
        s.pp_ships.insert(id.clone());
    }
    s.seen.entry("paypal").or_default().push(body);
    (
        StatusCode::CREATED,
        Json(json!({"id": id, "status": "PAYER_ACTION_REQUIRED", "links": [
        {"href": format!("https://api-m.paypal.com/v2/checkout/orders/{id}"), "rel": "self", "method": "GET"},
        {"href": format!("https://www.paypal.com/checkoutnow?token={id}"), "rel": "payer-action", "method": "GET"}]})),
    )
        .into_response()
}

async fn flow_status(State(st): State<Arc<Mutex<St>>>, Query(q): Query<HashMap<String, String>>) -> Response {
    if let Some(r) = scripted(&st, "flow", json!({"code": 500, "message": "Internal error"})).await {
        return r;
    }
    let s = st.lock().expect("lock");
    let params: Vec<(&str, String)> = q.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    if q.get("s").map(String::as_str) != Some(shared::adapters::payments::flow::sign(&params, &s.flow_secret).as_str()) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"code": 108, "message": "Invalid signature"}))).into_response();
    }
    let token = q.get("token").cloned().unwrap_or_default();
    let Some((order, amount, currency, status)) = s.flow_links.get(&token).cloned() else {
        return (StatusCode::BAD_REQUEST, Json(json!({"code": 105, "message": "Invalid token"}))).into_response();
    };
    let flow_order = 1000 + token.trim_start_matches("TOK").parse::<i64>().unwrap_or(0);
    // Flow writes the amount as a number; extra fields as the API adds them.
    let amount: Value = serde_json::from_str(&amount).unwrap_or(Value::Null);
    Json(json!({"flowOrder": flow_order, "commerceOrder": order, "requestDate": "2026-11-29 12:00:00", "status": status,
        "subject": "Pedido", "currency": currency, "amount": amount, "payer": "pagos@tienda.cl", "optional": null,
        "pending_info": {"media": null, "date": null}, "paymentData": {"date": null, "media": "webpay", "fee": 390}, "merchantId": null}))
    .into_response()
}

async fn mp_payment(State(st): State<Arc<Mutex<St>>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let error = json!({"message": "internal error", "error": "internal_server_error", "status": 500, "cause": []});
    if let Some(r) = scripted(&st, "mercadopago", error).await {
        return r;
    }
    let mut s = st.lock().expect("lock");
    s.seen.entry("mercadopago_reads").or_default().push(json!(id));
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Bearer {}", s.mp_token)) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "invalid access token", "error": "unauthorized", "status": 401, "cause": []})),
        )
            .into_response();
    }
    let payment = id.parse::<u64>().ok().and_then(|id| s.mp_payments.get(&id).cloned());
    match payment {
        Some(p) => Json(p).into_response(),
        None => (StatusCode::NOT_FOUND, Json(json!({"message": "Payment not found", "error": "not_found", "status": 404, "cause": []})))
            .into_response(),
    }
}

fn paypal_authorized(s: &St, headers: &HeaderMap) -> bool {
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    s.issued.iter().any(|t| auth == format!("Bearer {t}"))
}

fn paypal_unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_token", "error_description": "Token signature verification failed"})))
        .into_response()
}

async fn paypal_verify(State(st): State<Arc<Mutex<St>>>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let s = st.lock().expect("lock");
    if !paypal_authorized(&s, &headers) {
        return paypal_unauthorized();
    }
    let fields = ["auth_algo", "cert_url", "transmission_id", "transmission_sig", "transmission_time", "webhook_id"];
    if fields.iter().any(|f| body[f].as_str().is_none_or(str::is_empty)) || !body["webhook_event"].is_object() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"name": "VALIDATION_ERROR", "message": "Invalid request - see details", "debug_id": "d1", "details": []})),
        )
            .into_response();
    }
    let genuine = body["webhook_id"] == "WH-1"
        && body["transmission_sig"].as_str() == Some(paypal_signature(body["transmission_id"].as_str().unwrap_or_default()).as_str());
    Json(json!({"verification_status": if genuine { "SUCCESS" } else { "FAILURE" }})).into_response()
}

fn paypal_order_json(id: &str, custom: &str, amount: &Value, capture: Option<&Value>, ships: bool) -> Value {
    let payments = capture.map(|c| json!({"captures": [c]}));
    // The address the buyer picked in PayPal's checkout, when the order asked for one.
    let shipping = ships.then(|| {
        json!({"name": {"full_name": "Ana Pérez"}, "address": {"address_line_1": "Av. Providencia 1234",
        "admin_area_2": "Santiago", "admin_area_1": "RM", "postal_code": "7500000", "country_code": "CL"}})
    });
    json!({"id": id, "status": if capture.is_some() { "COMPLETED" } else { "APPROVED" }, "intent": "CAPTURE",
        "purchase_units": [{"reference_id": "default", "custom_id": custom, "amount": amount, "payments": payments, "shipping": shipping}],
        "links": [{"href": format!("https://api-m.paypal.com/v2/checkout/orders/{id}"), "rel": "self", "method": "GET"}]})
}

async fn paypal_capture(State(st): State<Arc<Mutex<St>>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let error = json!({"name": "INTERNAL_SERVER_ERROR", "message": "An internal server error occurred.", "debug_id": "abc", "details": []});
    if let Some(r) = scripted(&st, "paypal", error).await {
        return r;
    }
    let mut s = st.lock().expect("lock");
    if !paypal_authorized(&s, &headers) {
        return paypal_unauthorized();
    }
    let request_id = headers.get("paypal-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    if let Some(done) = s.pp_captures.get(&request_id).filter(|_| !request_id.is_empty()) {
        return (StatusCode::CREATED, Json(done.clone())).into_response();
    }
    let unprocessable = |issue: &str| {
        (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"name": "UNPROCESSABLE_ENTITY", "message": "The requested action could not be performed, semantically incorrect, or failed business validation.", "debug_id": "d2", "details": [{"issue": issue}]})))
            .into_response()
    };
    let Some((custom, amount, approved, captured)) = s.pp_orders.get(&id).cloned() else {
        return (
            StatusCode::NOT_FOUND,
            Json(
                json!({"name": "RESOURCE_NOT_FOUND", "message": "The specified resource does not exist.", "debug_id": "d3", "details": []}),
            ),
        )
            .into_response();
    };
    if captured.is_some() {
        return unprocessable("ORDER_ALREADY_CAPTURED");
    }
    if !approved {
        return unprocessable("ORDER_NOT_APPROVED");
    }
    let capture = json!({"id": format!("CAP{}", s.pp_captures.len() + 1), "status": "COMPLETED", "amount": amount, "custom_id": custom,
        "final_capture": true, "supplementary_data": {"related_ids": {"order_id": id}}});
    s.pp_orders.insert(id.clone(), (custom.clone(), amount.clone(), true, Some(capture.clone())));
    let order = paypal_order_json(&id, &custom, &amount, Some(&capture), s.pp_ships.contains(&id));
    s.pp_captures.insert(request_id, order.clone());
    (StatusCode::CREATED, Json(order)).into_response()
}

async fn paypal_get_order(State(st): State<Arc<Mutex<St>>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let s = st.lock().expect("lock");
    if !paypal_authorized(&s, &headers) {
        return paypal_unauthorized();
    }
    match s.pp_orders.get(&id) {
        Some((custom, amount, _, capture)) => {
            Json(paypal_order_json(&id, custom, amount, capture.as_ref(), s.pp_ships.contains(&id))).into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            Json(
                json!({"name": "RESOURCE_NOT_FOUND", "message": "The specified resource does not exist.", "debug_id": "d3", "details": []}),
            ),
        )
            .into_response(),
    }
}

async fn mp_update_preference(
    State(st): State<Arc<Mutex<St>>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut s = st.lock().expect("lock");
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(&format!("Bearer {}", s.mp_token)) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"message": "invalid access token", "error": "unauthorized", "status": 401, "cause": []})),
        )
            .into_response();
    }
    if !s.mp_prefs.contains_key(&id) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"message": "preference_id not found", "error": "invalid_id", "status": 400, "cause": []})),
        )
            .into_response();
    }
    let to = body["expiration_date_to"].as_str().unwrap_or_default();
    if body["expires"] != json!(true) || chrono::DateTime::parse_from_rfc3339(to).is_err() {
        return bad("mercadopago", "expiration_date_to invalid");
    }
    s.mp_expired.push(id.clone());
    Json(json!({"id": id, "expires": true, "expiration_date_to": to})).into_response()
}
