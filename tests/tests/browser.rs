//! The buyer's return page (`/pay/return/{order_id}`) in a real browser: Debian's chromium,
//! headless, driven by playwright-core (both installed by `infra/install-tools.sh`), on a phone-sized
//! viewport, before and after the payment; screenshots land in `target/browser/`.
use axum::body::Body;
use axum::http::{Request, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use shared::adapters::payments::mercadopago::MercadoPago;
use shared::adapters::payments::{PageCheckout, Urls};
use shared::domain::payment::Credentials;
use shared::domain::reservation::PaymentInstructions;
use shared::ports::CheckoutProvider;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use testkit::gateways::FakeGateways;
use testkit::harness::{comment, harness_paying, Backend};
use tower::ServiceExt;

fn tools() -> PathBuf {
    PathBuf::from(std::env::var("LIVESELL_TOOLS").unwrap_or_else(|_| "/opt/livesell-tools".into()))
}

/// Runs the browser script; its JSON line, or the reason it failed.
async fn open(url: &str, heading: &str, pay: &str, png: &PathBuf) -> String {
    let modules = tools().join("node/node_modules");
    assert!(
        modules.join("playwright-core").exists() && std::path::Path::new("/usr/bin/chromium").exists(),
        "playwright-core or Debian's chromium is missing: run `bash infra/install-tools.sh` (scripts/test.sh does)"
    );
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser/return_page.cjs");
    let out = tokio::process::Command::new("node")
        .arg(&script)
        .args([url, heading, pay])
        .arg(png)
        .env("NODE_PATH", &modules)
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_return_page_tells_the_buyer_in_their_language_before_and_after_paying() {
    let fake = FakeGateways::start("APP_USR-token", "flow-secret", "pp", "pp-secret").await;
    let base = fake.url("mp");
    let h = harness_paying(
        Backend::Embedded,
        |_| {},
        move |store| {
            let mp: Arc<dyn CheckoutProvider> = Arc::new(MercadoPago::new(&base, Urls::new("https://live.example.com")).expect("mp"));
            Arc::new(PageCheckout::new(store, vec![mp], Duration::from_secs(3)))
        },
    )
    .await;
    let creds = Credentials::MercadoPago { access_token: "APP_USR-token".into(), webhook_secret: "whsec".into() };
    shared::ports::GatewayStore::set_gateway(h.deps.store.as_ref(), &h.page(), 0, &creds).await.expect("set");
    h.post(&comment("C1", "U1", "eu quero o A12 tamanho M")).await;
    h.settle().await;
    let order = h.deps.store.orders(&h.page()).await.expect("orders").pop().expect("order");
    let Some(PaymentInstructions::Link { reference, .. }) = &order.payment else { panic!("no link: {order:?}") };

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = h.app.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/browser");
    std::fs::create_dir_all(&dir).expect("dir");
    let url = format!("http://{addr}/pay/return/{}", order.order_id);

    let before = open(&url, "Ainda não recebemos seu pagamento.", "pay", &dir.join("return-waiting.png")).await;
    assert!(before.contains("\"lang\":\"pt\""), "{before}");

    // The buyer pays; Mercado Pago's notification arrives.
    let payment = fake.mp_pay(reference, "approved", None);
    let (ts, req_id) = ("1742505638", "req-1");
    let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec").expect("key");
    mac.update(format!("id:{payment};request-id:{req_id};ts:{ts};").as_bytes());
    let notify = Request::post(format!("/payments/mercadopago/P1?data.id={payment}&type=payment"))
        .header("x-request-id", req_id)
        .header("x-signature", format!("ts={ts},v1={}", hex::encode(mac.finalize().into_bytes())))
        .body(Body::from(json!({"type": "payment", "data": {"id": payment.to_string()}}).to_string()))
        .expect("request");
    assert_eq!(h.app.clone().oneshot(notify).await.expect("response").status(), StatusCode::OK);

    let after = open(&url, "Pagamento recebido! Seu pedido está confirmado.", "nopay", &dir.join("return-paid.png")).await;
    println!("return page before: {before}after: {after}screenshots in {}", dir.display());
    h.stop().await;
}
