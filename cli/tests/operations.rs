//! What an on-call engineer and a seller run into, through the real binary: a database that hangs,
//! clients that stall, a short API token, replacing a page token, re-importing a catalog while
//! selling, and the embedded default's files and key.
mod common;

use common::{catalog_file, Env, Server, PAGE, POST};
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};
use testkit::graph::FakeGraph;
use testkit::proxy::FreezableProxy;

/// The database URL with its host and port swapped for the proxy's.
fn through(url: &str, proxy: &FreezableProxy) -> String {
    let at = url.find('@').map_or(url.find("://").map_or(0, |i| i + 3), |i| i + 1);
    let end = url[at..].find('/').map_or(url.len(), |i| at + i);
    format!("{}{}{}", &url[..at], proxy.addr, &url[end..])
}

fn comment(id: &str, buyer: &str, text: &str) -> String {
    testkit::fb_webhook(PAGE, POST, chrono::Utc::now().timestamp(), &[(id, buyer, text)])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_503_within_its_deadline_when_the_database_hangs() {
    let graph = FakeGraph::start("EAAB-test").await;
    let direct = testkit::pg_schema_url().await;
    let pg = testkit::pg_url();
    let upstream = pg.split('@').nth(1).and_then(|h| h.split('/').next()).unwrap_or("127.0.0.1:5432");
    let proxy = FreezableProxy::start(upstream).await;
    let env = Env::new(&through(&direct, &proxy), Some(&testkit::redis_url()), &graph.base_url);
    env.prepare(&catalog_file().0);
    let server = Server::start(&env).await;
    proxy.freeze();
    let started = Instant::now();
    let resp = reqwest::get(format!("{}/health", server.base)).await.expect("health");
    let took = started.elapsed();
    let status = resp.status().as_u16();
    let body: serde_json::Value = resp.json().await.expect("json");
    println!("/health with a hung database: {status} in {} ms", took.as_millis());
    assert_eq!(status, 503, "{body}");
    assert!(took < Duration::from_secs(3), "answered in {took:?}, the deadline is 1 s");
    assert_eq!(body["failing"][0], "store (postgres)", "{body}");
    assert_eq!(body["stream"]["ok"], true, "Redis is fine: {body}");
    proxy.thaw();
    let back = reqwest::get(format!("{}/health", server.base)).await.expect("health");
    assert_eq!(back.status().as_u16(), 200, "healthy again once the database answers");
}

/// Reads until the server closes the connection; how long that took.
fn closed_after(mut s: std::net::TcpStream, limit: Duration) -> Duration {
    s.set_read_timeout(Some(limit)).expect("timeout");
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return started.elapsed(),
            Ok(_) => continue,
            Err(e) => panic!("still open after {limit:?}: {e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_clients_are_cut_off_by_the_header_and_idle_timeouts() {
    let graph = FakeGraph::start("EAAB-test").await;
    let db = testkit::TempFile::new("db");
    let env = Env::new(&db.sqlite_url(), None, &graph.base_url)
        .set("LIVESELL_HTTP_HEADER_TIMEOUT_MS", "300")
        .set("LIVESELL_HTTP_IDLE_TIMEOUT_MS", "600");
    env.prepare(&catalog_file().0);
    let server = Server::start(&env).await;
    let addr = server.base.trim_start_matches("http://").to_string();
    // Connects and sends nothing; sends half a header; sends a body that never ends.
    let silent = std::net::TcpStream::connect(&addr).expect("connect");
    println!("silent client closed after {:?}", closed_after(silent, Duration::from_secs(5)));
    let mut half = std::net::TcpStream::connect(&addr).expect("connect");
    half.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n").expect("write");
    println!("half a header closed after {:?}", closed_after(half, Duration::from_secs(5)));
    let mut stalled = std::net::TcpStream::connect(&addr).expect("connect");
    let head = format!(
        "POST /webhooks/meta HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nX-Hub-Signature-256: sha256={}\r\n\r\n{{\"obj",
        "0".repeat(64)
    );
    stalled.write_all(head.as_bytes()).expect("write");
    println!("stalled body closed after {:?}", closed_after(stalled, Duration::from_secs(5)));
    // A normal request still works.
    assert_eq!(reqwest::get(format!("{}/health", server.base)).await.expect("health").status().as_u16(), 200);
}

#[test]
fn serve_refuses_an_api_token_shorter_than_32_characters() {
    let env = Env::new("sqlite://unused.db", None, "http://127.0.0.1:9").set("LIVESELL_API_TOKEN", "short-token");
    let out = env.run(&["serve"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("LIVESELL_API_TOKEN is invalid: too short"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalog_re_import_and_a_new_token_while_selling_keep_every_cart() {
    let graph = FakeGraph::start("EAAB-new").await;
    let db = testkit::TempFile::new("db");
    let env = Env::new(&db.sqlite_url(), None, &graph.base_url);
    let catalog = catalog_file();
    env.prepare(&catalog.0);
    // The key file the embedded default made for the page token, and the database: owner only.
    for path in [format!("{}.key", db.0.display()), db.0.display().to_string()] {
        let mode = std::fs::metadata(&path).expect("exists").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{path}");
    }
    let server = Server::start(&env).await;
    // The token set by `prepare` is refused by Meta: replies pause.
    server.post_webhook(&comment("C1", "U1", "quiero A12 talla S")).await;
    server.wait_for(&format!("/v1/pages/{PAGE}/replies"), 20, |v| v[0]["status"] == "paused").await;
    // Mid-live: the seller raises stock and adds a product (the file), and sets the new token.
    let mut c = testkit::catalog();
    c.products[0].stock.insert("A12-S".into(), 9);
    c.products.push(
        serde_json::from_value(serde_json::json!({"code": "D1", "name": "Gorro", "price_cents": 5990, "stock": {"D1": 4}})).expect("p"),
    );
    std::fs::write(&catalog.0, serde_json::to_vec(&c).expect("json")).expect("write");
    let out = env.run(&["catalog", "import", "--page-id", PAGE, &catalog.0.display().to_string()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported catalog v2"));
    let out = env.clone().set("NEW_TOKEN", "EAAB-new").run(&["pages", "token", "--page-id", PAGE, "--page-token-env", "NEW_TOKEN"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 paused replies queued again"), "{}", String::from_utf8_lossy(&out.stdout));
    server.wait_for(&format!("/v1/pages/{PAGE}/replies"), 20, |v| v[0]["status"] == "sent").await;
    let claims = server.api(&format!("/v1/pages/{PAGE}/claims")).await;
    assert_eq!(claims[0]["status"], "reserved", "the cart made before the import is still there: {claims}");
    let stock = server.api(&format!("/v1/pages/{PAGE}/stock")).await;
    let a12s = stock.as_array().expect("array").iter().find(|l| l["sku"] == "A12-S").cloned().expect("sku");
    assert_eq!((a12s["on_hand"].as_i64(), a12s["reserved"].as_i64(), a12s["available"].as_i64()), (Some(9), Some(1), Some(8)));
    // The new product is on sale straight away (the import invalidated the running server's cache).
    server.post_webhook(&comment("C2", "U2", "quiero D1")).await;
    server.wait_for(&format!("/v1/pages/{PAGE}/claims"), 20, |v| v.as_array().is_some_and(|a| a.len() == 2)).await;
    let claims = server.api(&format!("/v1/pages/{PAGE}/claims")).await;
    assert_eq!((claims[1]["sku"].as_str(), claims[1]["status"].as_str()), (Some("D1"), Some("reserved")), "{claims}");
    // Unknown page: a clear error.
    let out = env.clone().set("NEW_TOKEN", "x").run(&["pages", "token", "--page-id", "NOPE", "--page-token-env", "NEW_TOKEN"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("has no catalog yet"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_longer_than_the_delivery_budget_loses_nothing_and_dead_letters_nothing() {
    let graph = FakeGraph::start("EAAB-test").await;
    let pg = testkit::pg_url();
    let upstream = pg.split('@').nth(1).and_then(|h| h.split('/').next()).unwrap_or("127.0.0.1:5432");
    let proxy = FreezableProxy::start(upstream).await;
    // Reclaim after 500 ms and 2 deliveries at most: the outage lasts several times that budget.
    let env = Env::new(&through(&testkit::pg_schema_url().await, &proxy), Some(&testkit::redis_url()), &graph.base_url)
        .set("LIVESELL_MAX_DELIVERIES", "2")
        .set("LIVESELL_OUTAGE_BACKOFF_MAX_MS", "200");
    env.prepare(&catalog_file().0);
    let server = Server::start(&env).await;
    proxy.freeze();
    for (id, buyer) in [("C1", "U1"), ("C2", "U2"), ("C3", "U3")] {
        assert_eq!(server.post_webhook(&comment(id, buyer, "quiero B5")).await.status().as_u16(), 200, "ingest needs only the stream");
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    proxy.thaw();
    server
        .wait_for(&format!("/v1/pages/{PAGE}/replies"), 30, |v| {
            v.as_array().is_some_and(|a| a.len() == 3 && a.iter().all(|m| m["status"] == "sent"))
        })
        .await;
    let dead = reqwest::Client::new()
        .get(format!("{}/v1/dead-letters", server.base))
        .bearer_auth(common::API_TOKEN)
        .send()
        .await
        .expect("dead letters")
        .json::<serde_json::Value>()
        .await
        .expect("json");
    assert_eq!(dead, serde_json::json!([]), "an outage is never a dead letter");
    let mut sent: Vec<String> = graph.replies().into_iter().map(|r| r.comment_id).collect();
    sent.sort();
    assert_eq!(sent, ["C1", "C2", "C3"], "each reply exactly once");
    let claims = server.api(&format!("/v1/pages/{PAGE}/claims")).await;
    assert_eq!(claims.as_array().map(Vec::len), Some(3), "each claim once: {claims}");
}

#[test]
fn payment_gateways_are_set_from_the_environment_listed_without_secrets_and_removed() {
    let db = testkit::TempFile::new("db");
    let env = Env::new(&db.sqlite_url(), None, "http://127.0.0.1:9");
    env.prepare(&catalog_file().0);
    let run = |e: &Env, args: &[&str]| {
        let out = e.run(args);
        (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string(), String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (ok, _, err) = run(&env, &["payments", "set", "--page-id", PAGE, "--gateway", "mercadopago"]);
    assert!(!ok && err.contains("MERCADOPAGO_ACCESS_TOKEN must be set"), "{err}");
    let mp = env.clone().set("MERCADOPAGO_ACCESS_TOKEN", "APP_USR-very-secret").set("MERCADOPAGO_WEBHOOK_SECRET", "whsec-secret");
    let (ok, out, err) = run(&mp, &["payments", "set", "--page-id", PAGE, "--gateway", "mercadopago", "--priority", "2"]);
    assert!(ok, "{err}");
    assert!(out.contains("mercadopago set") && !out.contains("very-secret"), "{out}");
    let flow = env.clone().set("FLOW_API_KEY", "flow-key").set("FLOW_SECRET_KEY", "flow-secret");
    let (ok, _, err) = run(&flow, &["payments", "set", "--page-id", PAGE, "--gateway", "flow"]);
    assert!(!ok && err.contains("--payer-email"), "{err}");
    let (ok, _, err) =
        run(&flow, &["payments", "set", "--page-id", PAGE, "--gateway", "flow", "--priority", "1", "--payer-email", "pagos@tienda.cl"]);
    assert!(ok, "{err}");
    let (ok, out, _) = run(&env, &["payments", "list", "--page-id", PAGE]);
    assert!(ok);
    assert_eq!(out.lines().collect::<Vec<_>>(), [r#"{"gateway":"flow","priority":1}"#, r#"{"gateway":"mercadopago","priority":2}"#]);
    for suffix in ["", "-wal"] {
        let raw = std::fs::read(format!("{}{suffix}", db.0.display())).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&raw).contains("very-secret"), "sealed in the file{suffix}");
    }
    let (ok, _, _) = run(&env, &["payments", "remove", "--page-id", PAGE, "--gateway", "flow"]);
    assert!(ok);
    let (ok, _, err) = run(&env, &["payments", "remove", "--page-id", PAGE, "--gateway", "flow"]);
    assert!(!ok && err.contains("has no flow gateway"), "{err}");
    let (ok, _, err) = run(&env, &["payments", "set", "--page-id", PAGE, "--gateway", "stripe"]);
    assert!(!ok && err.contains("unknown gateway"), "{err}");
}
