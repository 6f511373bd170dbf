//! Payment notifications end to end, on both backends: a comment becomes a reserved claim with a
//! link (the gateways' stand-ins speak each provider's wire format), the buyer pays at the
//! stand-in, the provider's notification reaches `/payments/{gateway}/{page_id}` through the
//! router, and the reservation becomes a sale exactly once — delivered three times, before the
//! reply is sent, forged, or answered FAILURE by PayPal's verification.
use axum::body::Body;
use axum::http::{Request, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use shared::adapters::payments::flow::Flow;
use shared::adapters::payments::mercadopago::MercadoPago;
use shared::adapters::payments::paypal::Paypal;
use shared::adapters::payments::{PageCheckout, Urls};
use shared::domain::ids::PageId;
use shared::domain::payment::Credentials;
use shared::domain::reservation::{ClaimStatus, Order, OrderStatus, PaymentInstructions};
use shared::domain::secret::SecretString;
use shared::ports::CheckoutProvider;
use std::sync::Arc;
use std::time::Duration;
use testkit::gateways::{paypal_signature, FakeGateways};
use testkit::harness::{comment, harness_paying, Backend, Harness};
use tower::ServiceExt;

const MP: &str = "APP_USR-token";
const MP_SECRET: &str = "whsec-mp";
const FLOW_SECRET: &str = "flow-secret";
const PP: (&str, &str) = ("pp-client", "pp-secret");

async fn rig(backend: Backend) -> (Harness, FakeGateways) {
    rig_with(backend, |_| {}).await
}

async fn rig_with(backend: Backend, tune: impl FnOnce(&mut shared::config::Settings)) -> (Harness, FakeGateways) {
    let fake = FakeGateways::start(MP, FLOW_SECRET, PP.0, PP.1).await;
    let f = fake.clone();
    let h = harness_paying(backend, tune, move |store| {
        let urls = Urls::new("https://live.example.com");
        let providers: Vec<Arc<dyn CheckoutProvider>> = vec![
            Arc::new(Flow::new(&f.url("flow"), urls.clone()).expect("flow")),
            Arc::new(MercadoPago::new(&f.url("mp"), urls.clone()).expect("mp")),
            Arc::new(Paypal::new(&f.url("paypal"), urls).expect("paypal")),
        ];
        Arc::new(PageCheckout::new(store, providers, Duration::from_secs(3)))
    })
    .await;
    (h, fake)
}

fn mp() -> Credentials {
    Credentials::MercadoPago { access_token: MP.into(), webhook_secret: MP_SECRET.into() }
}

async fn send(h: &Harness, req: Request<Body>) -> (StatusCode, String) {
    let resp = h.app.clone().oneshot(req).await.expect("response");
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20).await.expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The one order of the harness's page, and its link's provider reference.
async fn only_order(h: &Harness, page: &PageId) -> Order {
    let orders = h.deps.store.orders(page).await.expect("orders");
    assert_eq!(orders.len(), 1, "{orders:?}");
    orders.into_iter().next().expect("order")
}

fn reference(o: &Order) -> String {
    match &o.payment {
        Some(PaymentInstructions::Link { reference, .. }) => reference.clone(),
        other => panic!("the order has no link: {other:?}"),
    }
}

/// Mercado Pago's notification for a payment, signed with `secret` as Mercado Pago signs it.
fn mp_notification(payment_id: u64, secret: &str, request_id: &str) -> Request<Body> {
    let ts = chrono::Utc::now().timestamp().to_string();
    let manifest = format!("id:{payment_id};request-id:{request_id};ts:{ts};");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(manifest.as_bytes());
    let v1 = hex::encode(mac.finalize().into_bytes());
    let body = json!({"id": 12345, "live_mode": true, "type": "payment", "date_created": "2026-11-29T12:00:00Z", "user_id": 44444,
        "api_version": "v1", "action": "payment.created", "data": {"id": payment_id.to_string()}});
    Request::post(format!("/payments/mercadopago/P1?data.id={payment_id}&type=payment&source_news=webhooks"))
        .header("content-type", "application/json")
        .header("x-request-id", request_id)
        .header("x-signature", format!("ts={ts},v1={v1}"))
        .body(Body::from(body.to_string()))
        .expect("request")
}

async fn sold(h: &Harness, page: &PageId, sku: &str) -> (i64, i64) {
    let l = h.deps.store.stock(page).await.expect("stock").into_iter().find(|l| l.sku == sku).expect("sku");
    (l.on_hand, l.reserved)
}

async fn notice_count(h: &Harness, page: &PageId, kind: &str) -> usize {
    h.deps.store.notices(page).await.expect("notices").iter().filter(|n| n.kind == kind).count()
}

async fn mercadopago_notified_three_times_sells_once_and_a_forgery_changes_nothing(backend: Backend) {
    let (h, fake) = rig(backend).await;
    let page = h.page();
    h.deps.store.set_gateway(&page, 0, &mp()).await.expect("set");
    // A slow Graph API: the payment is notified before the private reply is out.
    h.graph.set_delay(Duration::from_millis(1500));
    assert_eq!(h.post(&comment("C1", "U1", "quiero A12 talla M")).await, StatusCode::OK);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let order = loop {
        let orders = h.deps.store.orders(&page).await.expect("orders");
        if let Some(o) = orders.into_iter().find(|o| o.payment.is_some()) {
            break o;
        }
        assert!(std::time::Instant::now() < deadline, "no link was made");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let payment = fake.mp_pay(&reference(&order), "approved", None);
    // A forged signature (another secret) and one for another payment id: 401, nothing read.
    assert_eq!(send(&h, mp_notification(payment, "not-the-secret", "r-0")).await.0, StatusCode::UNAUTHORIZED);
    let mut other_id = mp_notification(payment + 1, MP_SECRET, "r-0");
    *other_id.uri_mut() = format!("/payments/mercadopago/P1?data.id={payment}&type=payment").parse().expect("uri");
    assert_eq!(send(&h, other_id).await.0, StatusCode::UNAUTHORIZED, "a hash for another id");
    let unsigned = Request::post(format!("/payments/mercadopago/P1?data.id={payment}&type=payment")).body(Body::empty()).expect("req");
    assert_eq!(send(&h, unsigned).await.0, StatusCode::UNAUTHORIZED);
    assert!(fake.seen("mercadopago_reads").is_empty(), "nothing is fetched for a forged notification");
    assert_eq!(only_order(&h, &page).await.status, OrderStatus::Open);
    assert!(h.graph.replies().is_empty(), "the reply is still on its way");
    // Three genuine deliveries at once: one sale.
    let (a, b, c) = tokio::join!(
        send(&h, mp_notification(payment, MP_SECRET, "r-1")),
        send(&h, mp_notification(payment, MP_SECRET, "r-2")),
        send(&h, mp_notification(payment, MP_SECRET, "r-3"))
    );
    for (status, body) in [&a, &b, &c] {
        assert_eq!(*status, StatusCode::OK, "{body}");
    }
    let bodies = [a.1, b.1, c.1];
    assert_eq!(bodies.iter().filter(|b| b.contains("\"outcome\":\"paid\"")).count(), 1, "{bodies:?}");
    let o = only_order(&h, &page).await;
    assert_eq!((o.status, o.items[0].status), (OrderStatus::Paid, ClaimStatus::Paid));
    assert_eq!(sold(&h, &page, "A12-M").await, (19, 0));
    assert_eq!(notice_count(&h, &page, "paid").await, 1);
    h.settle().await;
    let replies = h.graph.replies();
    assert_eq!(replies.len(), 1);
    assert!(replies[0].text.contains("pref_id=pref-1"), "{}", replies[0].text);
    // The buyer back from the checkout sees it, in their language.
    let (status, page_html) = send(&h, Request::get(format!("/pay/return/{}", o.order_id)).body(Body::empty()).expect("req")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page_html.contains("¡Pago recibido!"), "{page_html}");
    let (status, _) = send(&h, Request::get("/pay/return/999999").body(Body::empty()).expect("req")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    h.stop().await;
}

async fn flow_is_confirmed_by_its_status_and_the_return_page_settles_too(backend: Backend) {
    let (h, fake) = rig(backend).await;
    let page = h.page();
    let flow = Credentials::Flow { api_key: "flow-key".into(), secret_key: FLOW_SECRET.into(), payer_email: "pagos@tienda.cl".into() };
    h.deps.store.set_gateway(&page, 0, &flow).await.expect("set");
    h.post(&comment("C1", "U1", "quiero A12 talla M")).await;
    h.post(&comment("C2", "U2", "quiero B5")).await;
    h.settle().await;
    let orders = h.deps.store.orders(&page).await.expect("orders");
    let tokens: Vec<String> = orders.iter().map(reference).collect();
    let form = |t: &str| {
        Request::post("/payments/flow/P1")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("token={t}")))
            .expect("request")
    };
    // Still pending at Flow: nothing changes but the order's payment state.
    let (status, body) = send(&h, form(&tokens[0])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("not_paid") && body.contains("pending"), "{body}");
    let (_, waiting) = send(&h, Request::get(format!("/pay/return/{}", orders[0].order_id)).body(Body::empty()).expect("req")).await;
    assert!(waiting.contains("Tu pago está en proceso"), "{waiting}");
    fake.flow_pay(&tokens[0], 2);
    assert!(send(&h, form(&tokens[0])).await.1.contains("\"outcome\":\"paid\""));
    assert!(send(&h, form(&tokens[0])).await.1.contains("\"outcome\":\"repeat\""));
    // An unknown token is refused by Flow's getStatus: nothing changes.
    assert_eq!(send(&h, form("TOK-forged")).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(send(&h, Request::post("/payments/flow/P1").body(Body::empty()).expect("req")).await.0, StatusCode::BAD_REQUEST);
    // A token that can't be Flow's (NUL, spaces, 10 KB) is refused before Flow is asked.
    for junk in ["token=%00%01", "token=a%20b", &format!("token={}", "A".repeat(10_000))] {
        let r = Request::post("/payments/flow/P1").body(Body::from(junk.to_string())).expect("req");
        assert_eq!(send(&h, r).await.0, StatusCode::BAD_REQUEST, "{}", &junk[..junk.len().min(20)]);
    }
    // The second buyer comes back through Flow's POST to urlReturn before any confirmation.
    fake.flow_pay(&tokens[1], 2);
    let back = Request::post(format!("/pay/return/{}", orders[1].order_id))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("token={}", tokens[1])))
        .expect("request");
    let (status, html) = send(&h, back).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("¡Pago recibido!"), "{html}");
    assert!(h.deps.store.orders(&page).await.expect("orders").iter().all(|o| o.status == OrderStatus::Paid));
    assert_eq!((sold(&h, &page, "A12-M").await, sold(&h, &page, "B5").await), ((19, 0), (9, 0)));
    h.stop().await;
}

/// PayPal needs a currency it can charge: a second page selling in USD.
async fn usd_page(h: &Harness) -> PageId {
    let page = PageId::parse("P2").expect("page");
    let mut catalog = serde_json::to_value(testkit::catalog()).expect("catalog");
    catalog["currency"] = json!("USD");
    catalog["shipping"] = json!({"per_item_cents": 500, "cap_cents": 1500});
    let catalog = serde_json::from_value(catalog).expect("catalog");
    h.deps.store.import_catalog(&page, None, &catalog, chrono::Utc::now(), 900).await.expect("import");
    h.deps.store.set_page_token(&page, &SecretString::new(testkit::harness::TOKEN)).await.expect("token");
    page
}

fn paypal_event(event_type: &str, resource: Value, transmission_id: &str, sig: &str) -> Request<Body> {
    let body = json!({"id": format!("WH-{transmission_id}"), "create_time": "2026-11-29T12:00:00Z", "resource_type": "checkout-order",
        "event_type": event_type, "summary": "event", "resource": resource, "event_version": "1.0", "resource_version": "2.0"});
    Request::post("/payments/paypal/P2")
        .header("content-type", "application/json")
        .header("paypal-auth-algo", "SHA256withRSA")
        .header("paypal-cert-url", "https://api.paypal.com/v1/notifications/certs/CERT-360caa42")
        .header("paypal-transmission-id", transmission_id)
        .header("paypal-transmission-sig", sig)
        .header("paypal-transmission-time", "2026-11-29T12:00:00Z")
        .body(Body::from(body.to_string()))
        .expect("request")
}

async fn paypal_is_verified_then_captured_once(backend: Backend) {
    let (h, fake) = rig(backend).await;
    let page = usd_page(&h).await;
    let creds = Credentials::Paypal { client_id: PP.0.into(), client_secret: PP.1.into(), webhook_id: "WH-1".into() };
    h.deps.store.set_gateway(&page, 0, &creds).await.expect("set");
    let body = testkit::fb_webhook("P2", "P2_LIVE", chrono::Utc::now().timestamp(), &[("C9", "U9", "quiero B5")]);
    assert_eq!(h.post(&body).await, StatusCode::OK);
    h.settle().await;
    let order = only_order(&h, &page).await;
    let paypal_order = reference(&order);
    fake.paypal_approve(&paypal_order);
    let approved = json!({"id": paypal_order, "status": "APPROVED", "intent": "CAPTURE"});
    // Verification answers FAILURE: 401, nothing captured, nothing sold.
    let forged = paypal_event("CHECKOUT.ORDER.APPROVED", approved.clone(), "t-1", "forged-signature");
    assert_eq!(send(&h, forged).await.0, StatusCode::UNAUTHORIZED);
    assert!(fake.paypal_capture_of(&paypal_order).is_none(), "a forged event captures nothing");
    assert_eq!(only_order(&h, &page).await.status, OrderStatus::Open);
    // Genuine: captured, sold; the same event again and the capture's own event change nothing.
    let genuine = || paypal_event("CHECKOUT.ORDER.APPROVED", approved.clone(), "t-2", &paypal_signature("t-2"));
    let (status, body) = send(&h, genuine()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("\"outcome\":\"paid\""), "{body}");
    assert!(send(&h, genuine()).await.1.contains("\"outcome\":\"repeat\""));
    let capture = fake.paypal_capture_of(&paypal_order).expect("captured");
    let completed = paypal_event("PAYMENT.CAPTURE.COMPLETED", capture, "t-3", &paypal_signature("t-3"));
    assert!(send(&h, completed).await.1.contains("\"outcome\":\"repeat\""));
    let o = only_order(&h, &page).await;
    assert_eq!((o.status, o.items[0].status), (OrderStatus::Paid, ClaimStatus::Paid));
    assert_eq!(sold(&h, &page, "B5").await, (9, 0));
    // $129.90 and $5.00 shipping: PayPal's breakdown, and the address its checkout collected.
    let sent = &fake.seen("paypal")[0];
    assert_eq!(sent["purchase_units"][0]["amount"]["value"], "134.90");
    assert_eq!(sent["purchase_units"][0]["amount"]["breakdown"]["shipping"]["value"], "5.00");
    assert_eq!(sent["payment_source"]["paypal"]["experience_context"]["shipping_preference"], "GET_FROM_FILE");
    assert_eq!(o.delivery_address.as_deref(), Some("Av. Providencia 1234, Santiago, RM, 7500000, CL"));
    assert_eq!(o.shipping_paid_minor, 500);
    // An event PayPal sends that livesell doesn't settle is acknowledged.
    let other = paypal_event("CUSTOMER.DISPUTE.CREATED", json!({"id": "D1"}), "t-4", &paypal_signature("t-4"));
    assert!(send(&h, other).await.1.contains("ignored"));
    h.stop().await;
}

async fn notifications_for_unknown_pages_or_gateways_find_nothing(backend: Backend) {
    let (h, _fake) = rig(backend).await;
    for uri in ["/payments/stripe/P1", "/payments/mercadopago/P1", "/payments/flow/NOPE", "/payments/paypal/P1%00"] {
        let (status, body) = send(&h, Request::post(uri).body(Body::from("token=x")).expect("req")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}: {body}");
    }
    let big = Request::post("/payments/flow/P1").body(Body::from(vec![b'a'; 70 * 1024])).expect("req");
    let (status, body) = send(&h, big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(serde_json::from_str::<Value>(&body).is_ok_and(|v| v["error"].is_string()), "a JSON error: {body}");
    h.stop().await;
}

/// A buyer's message on the page (Messenger `messaging`), as Meta posts it to the same webhook.
fn buyer_message(sender: &str, mid: &str, text: &str) -> String {
    json!({"object": "page", "entry": [{"id": "P1", "time": chrono::Utc::now().timestamp_millis(), "messaging": [{
        "sender": {"id": sender}, "recipient": {"id": "P1"}, "timestamp": chrono::Utc::now().timestamp_millis(),
        "message": {"mid": mid, "text": text}}]}]})
    .to_string()
}

/// Pays the order of the page's buyer through Mercado Pago, notified once.
async fn pay(h: &Harness, fake: &FakeGateways, buyer: &str, request_id: &str) {
    let orders = h.deps.store.orders(&h.page()).await.expect("orders");
    let order = orders.iter().find(|o| o.buyer_id.as_str() == buyer).expect("the buyer's order");
    let payment = fake.mp_pay(&reference(order), "approved", None);
    let (status, body) = send(h, mp_notification(payment, MP_SECRET, request_id)).await;
    assert!(status == StatusCode::OK && body.contains("\"outcome\":\"paid\""), "{status} {body}");
}

async fn buyers_are_messaged_only_inside_the_window_they_opened(backend: Backend) {
    // Holds of 15 minutes, reminders 20 minutes ahead: every hold is due a reminder at once.
    let (h, fake) = rig_with(backend, |s| s.reminder_before = Duration::from_secs(20 * 60)).await;
    let page = h.page();
    h.deps.store.set_gateway(&page, 0, &mp()).await.expect("set");
    for (c, u, text) in [("C1", "U1", "quiero A12 talla M"), ("C2", "U2", "quiero B5"), ("C3", "U3", "quiero A12 talla S")] {
        h.post(&comment(c, u, text)).await;
    }
    h.settle().await;
    // U1 and U3 answer their private reply (Meta names them psid-<comment> in the stand-in);
    // U1 says they paid, twice (Meta redelivers): one notice, nothing marked paid.
    for _ in 0..2 {
        h.post(&buyer_message("psid-C1", "m_in_1", "hola, ya pagué!")).await;
    }
    h.post(&buyer_message("psid-C3", "m_in_3", "cancelar por favor")).await;
    h.post(&buyer_message("psid-stranger", "m_in_9", "pagado")).await;
    h.settle().await;
    assert_eq!(notice_count(&h, &page, "buyer_says_paid").await, 1);
    assert_eq!(notice_count(&h, &page, "message_unmatched").await, 1);
    assert_eq!(only_status(&h, "U1").await, OrderStatus::Open, "a message never marks anything paid");
    let u3 = h.deps.store.claims(&page).await.expect("claims").into_iter().find(|c| c.buyer_id.as_str() == "U3").expect("claim");
    assert_eq!((u3.status, u3.reason.as_deref()), (ClaimStatus::Cancelled, Some("cancelled_by_message")));
    assert_eq!(sold(&h, &page, "A12-S").await, (3, 0), "the cancelled unit is back");
    // U1 (window open) and U2 (never wrote) pay.
    pay(&h, &fake, "U1", "r-1").await;
    pay(&h, &fake, "U2", "r-2").await;
    let swept = shared::stages::sweep::run(&h.deps).await.expect("sweep");
    let again = shared::stages::sweep::run(&h.deps).await.expect("sweep");
    let messages = h.graph.messages();
    let to = |r: &str| messages.iter().filter(|m| m.recipient == r).map(|m| m.text.clone()).collect::<Vec<_>>();
    assert_eq!(to("psid-C1").len(), 1, "{messages:?}");
    assert!(to("psid-C1")[0].starts_with("¡Pago recibido! Tu pedido #"), "{messages:?}");
    assert_eq!(to("psid-C3").len(), 1, "{messages:?}");
    assert!(to("psid-C3")[0].starts_with("Listo, cancelamos tu reserva de 1× A12-S"), "{messages:?}");
    assert!(to("psid-C2").is_empty(), "outside a window nothing is sent");
    assert_eq!(notice_count(&h, &page, "buyer_window_closed").await, 1, "U2's payment message became a notice");
    assert_eq!((swept.messages_sent, again.messages_sent, again.reminders), (2, 0, 0), "each sent once");
    h.stop().await;
}

async fn only_status(h: &Harness, buyer: &str) -> OrderStatus {
    let orders = h.deps.store.orders(&h.page()).await.expect("orders");
    orders.into_iter().find(|o| o.buyer_id.as_str() == buyer).map(|o| o.status).expect("order")
}

async fn a_hold_about_to_end_is_reminded_once_with_its_link(backend: Backend) {
    let (h, _fake) = rig_with(backend, |s| s.reminder_before = Duration::from_secs(20 * 60)).await;
    let page = h.page();
    h.deps.store.set_gateway(&page, 0, &mp()).await.expect("set");
    h.post(&comment("C1", "U1", "quiero B5")).await;
    h.post(&comment("C2", "U2", "quiero A12 talla M")).await;
    h.settle().await;
    h.post(&buyer_message("psid-C1", "m_in_1", "ok gracias")).await;
    h.settle().await;
    let first = shared::stages::sweep::run(&h.deps).await.expect("sweep");
    let second = shared::stages::sweep::run(&h.deps).await.expect("sweep");
    assert_eq!((first.reminders, second.reminders), (2, 0), "one reminder per order and hold");
    let messages = h.graph.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].text.contains("vence en") && messages[0].text.contains("Paga aquí: https://www.mercadopago.cl/"), "{messages:?}");
    assert_eq!(notice_count(&h, &page, "buyer_window_closed").await, 1, "U2 never wrote: the seller is told instead");
    h.stop().await;
}

async fn a_buyer_promoted_from_the_waitlist_is_messaged_with_a_link(backend: Backend) {
    let (h, fake) = rig(backend).await;
    let page = h.page();
    h.deps.store.set_gateway(&page, 0, &mp()).await.expect("set");
    h.post(&comment("C1", "U1", "quiero B3 39 beige")).await; // the last unit
    h.settle().await;
    h.post(&comment("C2", "U2", "quiero B3 39 beige")).await; // waits
    h.settle().await;
    h.post(&buyer_message("psid-C2", "m_in_2", "ok, espero")).await;
    h.post(&buyer_message("psid-C1", "m_in_1", "mejor cancelar")).await;
    h.settle().await;
    let swept = shared::stages::sweep::run(&h.deps).await.expect("sweep");
    assert_eq!(swept.messages_sent, 2, "U1's cancellation and U2's promotion");
    let messages = h.graph.messages();
    let to = |r: &str| messages.iter().find(|m| m.recipient == r).map(|m| m.text.clone()).unwrap_or_default();
    assert!(to("psid-C2").starts_with("¡Buenas noticias! Se liberó 1× B3-39-BEIGE"), "{messages:?}");
    assert!(to("psid-C2").contains("Paga aquí: https://www.mercadopago.cl/checkout/v1/redirect?pref_id=pref-2"), "{messages:?}");
    assert!(to("psid-C1").starts_with("Listo, cancelamos tu reserva"), "{messages:?}");
    let prices: Vec<i64> = fake.seen("mercadopago").iter().map(|p| p["items"][0]["unit_price"].as_i64().unwrap_or(0)).collect();
    assert_eq!(prices, [27990, 27990], "U2's own link for the sandals");
    assert_eq!(shared::stages::sweep::run(&h.deps).await.expect("sweep").messages_sent, 0, "sent once");
    h.stop().await;
}

testkit::both!(
    a_buyer_promoted_from_the_waitlist_is_messaged_with_a_link,
    buyers_are_messaged_only_inside_the_window_they_opened,
    a_hold_about_to_end_is_reminded_once_with_its_link,
    mercadopago_notified_three_times_sells_once_and_a_forgery_changes_nothing,
    flow_is_confirmed_by_its_status_and_the_return_page_settles_too,
    paypal_is_verified_then_captured_once,
    notifications_for_unknown_pages_or_gateways_find_nothing,
);
