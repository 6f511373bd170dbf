//! The payment gateways' clients against local stand-ins that speak each provider's wire format,
//! through `PageCheckout` (a page's gateways in its order, one deadline, then bank transfer), with
//! the page's gateways kept in the real store on both databases.
use shared::adapters::payments::flow::Flow;
use shared::adapters::payments::mercadopago::MercadoPago;
use shared::adapters::payments::paypal::Paypal;
use shared::adapters::payments::{PageCheckout, Urls};
use shared::adapters::sql::SqlStore;
use shared::domain::ids::PageId;
use shared::domain::money::{Currency, Money};
use shared::domain::payment::{Credentials, Gateway};
use shared::domain::reservation::{PaymentInstructions, PaymentRequest};
use shared::ports::{GatewayStore, Payments, SellerStore};
use std::sync::Arc;
use std::time::{Duration, Instant};
use testkit::gateways::{FakeGateways, Script};

const MP: &str = "APP_USR-token";
const FLOW_SECRET: &str = "flow-secret";
const PP: (&str, &str) = ("pp-client", "pp-secret");

struct Rig {
    store: SqlStore,
    checkout: PageCheckout,
    fake: FakeGateways,
    _file: Option<testkit::TempFile>,
}

#[derive(Clone, Copy)]
enum Db {
    Sqlite,
    Postgres,
}

async fn rig(db: Db, deadline: Duration) -> Rig {
    let (store, file) = match db {
        Db::Sqlite => {
            let (s, f) = testkit::sqlite_store().await;
            (s, Some(f))
        }
        Db::Postgres => (testkit::postgres_store(3).await, None),
    };
    store.import_catalog(&page(), None, &testkit::catalog(), chrono::Utc::now(), 900).await.expect("catalog");
    let fake = FakeGateways::start(MP, FLOW_SECRET, PP.0, PP.1).await;
    let urls = Urls::new("https://live.example.com");
    let providers: Vec<Arc<dyn shared::ports::CheckoutProvider>> = vec![
        Arc::new(Flow::new(&fake.url("flow"), urls.clone()).expect("flow")),
        Arc::new(MercadoPago::new(&fake.url("mp"), urls.clone()).expect("mp")),
        Arc::new(Paypal::new(&fake.url("paypal"), urls).expect("paypal")),
    ];
    let checkout = PageCheckout::new(Arc::new(store.clone()), providers, deadline);
    Rig { store, checkout, fake, _file: file }
}

fn page() -> PageId {
    PageId::parse("P1").expect("page")
}

fn order(minor: i64, currency: &str) -> PaymentRequest {
    PaymentRequest {
        order_id: 7,
        page_id: page(),
        buyer_name: "Ana".into(),
        total: Money::new(minor, Currency::parse(currency).expect("currency")).expect("money"),
        shipping: 0,
        description: "Pedido 7: 1x A12-M".into(),
        transfer_instructions: Some("Banco Test, cuenta 123".into()),
        expires_at: chrono::Utc::now() + chrono::Duration::minutes(15),
        now: chrono::Utc::now(),
    }
}

fn mp() -> Credentials {
    Credentials::MercadoPago { access_token: MP.into(), webhook_secret: "whsec".into() }
}
fn flow() -> Credentials {
    Credentials::Flow { api_key: "flow-key".into(), secret_key: FLOW_SECRET.into(), payer_email: "pagos@tienda.cl".into() }
}
fn paypal() -> Credentials {
    Credentials::Paypal { client_id: PP.0.into(), client_secret: PP.1.into(), webhook_id: "WH-1".into() }
}

fn link(p: &PaymentInstructions) -> (&str, &str) {
    match p {
        PaymentInstructions::Link { provider, url, .. } => (provider.as_str(), url.as_str()),
        PaymentInstructions::Transfer { .. } => ("transfer", ""),
    }
}

async fn each_gateway_makes_a_link_in_its_own_wire_format(db: Db) {
    let r = rig(db, Duration::from_secs(3)).await;
    r.store.set_gateway(&page(), 1, &mp()).await.expect("set");
    let req = order(12990, "CLP");
    let got = r.checkout.create(&req).await.expect("link");
    assert_eq!(link(&got), ("mercadopago", "https://www.mercadopago.cl/checkout/v1/redirect?pref_id=pref-1"));
    let sent = &r.fake.seen("mercadopago")[0];
    assert_eq!(
        (sent["items"][0]["unit_price"].as_i64(), sent["items"][0]["currency_id"].as_str()),
        (Some(12990), Some("CLP")),
        "no decimals in CLP"
    );
    assert_eq!(sent["notification_url"], "https://live.example.com/payments/mercadopago/P1?source_news=webhooks");
    assert_eq!(sent["external_reference"], req.reference(), "how a payment finds its link");
    assert_eq!(sent["back_urls"]["success"], "https://live.example.com/pay/return/7");
    let to = chrono::DateTime::parse_from_rfc3339(sent["expiration_date_to"].as_str().expect("to")).expect("date");
    assert!((to.timestamp() - req.expires_at.timestamp()).abs() <= 1, "the link ends with the hold");
    // Flow first: a signed form (the stand-in checks `s`), the buyer pays at url?token=.
    r.store.set_gateway(&page(), 0, &flow()).await.expect("set");
    let got = r.checkout.create(&req).await.expect("link");
    assert_eq!(link(&got), ("flow", "https://www.flow.cl/app/web/pay.php?token=TOK1"));
    let form = &r.fake.seen("flow")[0];
    assert_eq!(
        (form["amount"].as_str(), form["currency"].as_str(), form["email"].as_str()),
        (Some("12990"), Some("CLP"), Some("pagos@tienda.cl"))
    );
    let timeout: i64 = form["timeout"].as_str().and_then(|t| t.parse().ok()).expect("timeout");
    assert!((890..=900).contains(&timeout), "timeout = the hold's remaining seconds: {timeout}");
    // PayPal can't charge CLP: skipped, never converted; a USD order gets its payer-action link.
    r.store.remove_gateway(&page(), Gateway::Flow).await.expect("remove");
    r.store.remove_gateway(&page(), Gateway::MercadoPago).await.expect("remove");
    r.store.set_gateway(&page(), 0, &paypal()).await.expect("set");
    assert_eq!(link(&r.checkout.create(&req).await.expect("transfer")).0, "transfer");
    let usd = order(2599, "USD");
    let got = r.checkout.create(&usd).await.expect("link");
    assert_eq!(link(&got).0, "paypal");
    assert!(link(&got).1.starts_with("https://www.paypal.com/checkoutnow?token="), "{got:?}");
    let sent = &r.fake.seen("paypal")[0];
    assert_eq!(sent["purchase_units"][0]["amount"], serde_json::json!({"currency_code": "USD", "value": "25.99"}));
    // The same order, total and hold again: PayPal-Request-Id makes it the same order, not a second.
    assert_eq!(r.checkout.create(&usd).await.expect("link"), got);
}

async fn a_failing_or_hanging_gateway_falls_through_to_the_next_then_to_transfer(db: Db) {
    let r = rig(db, Duration::from_millis(700)).await;
    r.store.set_gateway(&page(), 0, &mp()).await.expect("set");
    r.store.set_gateway(&page(), 1, &flow()).await.expect("set");
    let req = order(12990, "CLP");
    r.fake.script("mercadopago", Script::Status(500));
    assert_eq!(link(&r.checkout.create(&req).await.expect("link")).0, "flow", "a 5xx moves on");
    r.fake.script("mercadopago", Script::Status(429));
    r.fake.script("flow", Script::Status(500));
    assert_eq!(link(&r.checkout.create(&req).await.expect("transfer")).0, "transfer", "both down: bank transfer");
    // Wrong credentials are a refusal of this gateway: the next one answers.
    r.store
        .set_gateway(&page(), 0, &Credentials::MercadoPago { access_token: "wrong".into(), webhook_secret: "w".into() })
        .await
        .expect("set");
    assert_eq!(link(&r.checkout.create(&req).await.expect("link")).0, "flow");
    // A gateway that never answers costs at most the chain's deadline.
    r.store.set_gateway(&page(), 0, &mp()).await.expect("set");
    r.fake.script("mercadopago", Script::Hang);
    let started = Instant::now();
    let got = r.checkout.create(&req).await.expect("transfer");
    let took = started.elapsed();
    assert_eq!(link(&got).0, "transfer", "the deadline covers the whole chain");
    assert!(took < Duration::from_millis(1500), "took {took:?} with a 700 ms deadline");
    println!("hanging gateway: bank transfer after {} ms (deadline 700 ms)", took.as_millis());
}

async fn gateways_set_or_removed_apply_to_the_next_order(db: Db) {
    let r = rig(db, Duration::from_secs(3)).await;
    let req = order(12990, "CLP");
    assert_eq!(link(&r.checkout.create(&req).await.expect("transfer")).0, "transfer");
    r.store.set_gateway(&page(), 0, &mp()).await.expect("set");
    assert_eq!(link(&r.checkout.create(&req).await.expect("link")).0, "mercadopago");
    r.store.remove_gateway(&page(), Gateway::MercadoPago).await.expect("remove");
    assert_eq!(link(&r.checkout.create(&req).await.expect("transfer")).0, "transfer");
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(super::Db::Sqlite).await; } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name(super::Db::Postgres).await; } )*
        }
    };
}

both!(
    each_gateway_makes_a_link_in_its_own_wire_format,
    a_failing_or_hanging_gateway_falls_through_to_the_next_then_to_transfer,
    gateways_set_or_removed_apply_to_the_next_order,
);

/// The whole pipeline with Mercado Pago's stand-in as the page's gateway chain.
async fn mercadopago_harness(backend: testkit::harness::Backend) -> (testkit::harness::Harness, FakeGateways) {
    let fake = FakeGateways::start(MP, FLOW_SECRET, PP.0, PP.1).await;
    let base = fake.url("mp");
    let h = testkit::harness::harness_paying(
        backend,
        |_| {},
        move |store| {
            let urls = Urls::new("https://live.example.com");
            let mp: Arc<dyn shared::ports::CheckoutProvider> = Arc::new(MercadoPago::new(&base, urls).expect("mp"));
            Arc::new(PageCheckout::new(store, vec![mp], Duration::from_secs(3)))
        },
    )
    .await;
    (h, fake)
}

/// Through the whole pipeline: the private reply carries the provider's checkout URL, and a second
/// comment that grows the order gets a link for the new total.
async fn the_private_reply_carries_the_checkout_link_for_the_orders_total(backend: testkit::harness::Backend) {
    let (h, fake) = mercadopago_harness(backend).await;
    h.deps.store.set_gateway(&h.page(), 0, &mp()).await.expect("set");
    h.post(&testkit::harness::comment("C1", "U1", "quiero A12 talla M")).await;
    h.settle().await;
    h.post(&testkit::harness::comment("C2", "U1", "y también B5")).await;
    h.settle().await;
    let replies = h.graph.replies();
    let text = |id: &str| replies.iter().find(|r| r.comment_id == id).map(|r| r.text.clone()).unwrap_or_default();
    assert!(text("C1").contains("Paga aquí: https://www.mercadopago.cl/checkout/v1/redirect?pref_id=pref-1"), "{}", text("C1"));
    assert!(text("C2").contains("pref_id=pref-2") && text("C2").contains("$25.980 CLP"), "the grown order's link: {}", text("C2"));
    let prices: Vec<i64> = fake.seen("mercadopago").iter().map(|p| p["items"][0]["unit_price"].as_i64().unwrap_or(0)).collect();
    assert_eq!(prices, [12990, 25980], "each link charges the order's total at the time");
    assert_eq!(fake.mp_expired(), ["pref-1"], "the superseded link is expired at Mercado Pago");
    // One hold: both claims now end when the second one's hold does.
    let order = h.deps.store.orders(&h.page()).await.expect("orders").pop().expect("order");
    let holds: Vec<_> = h
        .deps
        .store
        .claims(&h.page())
        .await
        .expect("claims")
        .into_iter()
        .filter(|c| c.order_id == Some(order.order_id))
        .map(|c| c.expires_at)
        .collect();
    assert_eq!(holds.len(), 2);
    assert!(holds.iter().all(|e| *e == order.hold_until && e.is_some()), "{holds:?}");
    let to = chrono::DateTime::parse_from_rfc3339(fake.seen("mercadopago")[1]["expiration_date_to"].as_str().expect("to")).expect("date");
    assert_eq!(to.timestamp(), order.hold_until.expect("hold").timestamp(), "the link ends with the order's hold");
    h.stop().await;
}

/// Shipping is charged once per order: on the first link, and not again when the order grows.
async fn shipping_is_charged_once_per_order(backend: testkit::harness::Backend) {
    let (h, fake) = mercadopago_harness(backend).await;
    let mut catalog = serde_json::to_value(testkit::catalog()).expect("catalog");
    catalog["shipping"] = serde_json::json!({"flat_cents": 3990, "pickup": true});
    let catalog = serde_json::from_value(catalog).expect("catalog");
    h.deps.store.import_catalog(&h.page(), None, &catalog, chrono::Utc::now(), 900).await.expect("import");
    h.deps.store.set_gateway(&h.page(), 0, &mp()).await.expect("set");
    h.post(&testkit::harness::comment("C1", "U1", "quiero A12 talla M")).await;
    h.settle().await;
    h.post(&testkit::harness::comment("C2", "U1", "y también B5")).await;
    h.settle().await;
    let replies = h.graph.replies();
    let text = |id: &str| replies.iter().find(|r| r.comment_id == id).map(|r| r.text.clone()).unwrap_or_default();
    assert!(text("C1").contains("Total de tu pedido: $16.980 CLP. Incluye envío: $3.990 CLP (o retiro gratis"), "{}", text("C1"));
    assert!(text("C2").contains("Total de tu pedido: $29.970 CLP. Incluye envío: $3.990 CLP"), "{}", text("C2"));
    let sent = fake.seen("mercadopago");
    let items = |i: usize| -> Vec<(String, i64)> {
        sent[i]["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|it| (it["id"].as_str().unwrap_or_default().to_string(), it["unit_price"].as_i64().unwrap_or(0)))
            .collect()
    };
    let order_id = h.deps.store.orders(&h.page()).await.expect("orders")[0].order_id;
    let order_item = |p: i64| (format!("order-{order_id}"), p);
    assert_eq!(items(0), [order_item(12990), ("shipping".to_string(), 3990)]);
    assert_eq!(items(1), [order_item(25980), ("shipping".to_string(), 3990)], "shipping once, however the order grew");
    h.stop().await;
}

testkit::both!(the_private_reply_carries_the_checkout_link_for_the_orders_total, shipping_is_charged_once_per_order);
