//! The real binary end to end: `livesell serve` on a free port with real PostgreSQL + Redis (and on
//! the embedded default), signed webhooks in, the database and the Graph API stand-in checked.
mod common;

use common::*;
use std::collections::HashSet;
use std::time::Duration;
use testkit::graph::FakeGraph;

fn claim_comment(i: usize) -> String {
    testkit::fb_webhook(PAGE, POST, 1_764_097_200 + i as i64, &[(&format!("C{i}"), &format!("U{i}"), "quiero A12 talla M")])
}

#[test]
fn serve_refuses_to_start_without_its_secrets() {
    let out = std::process::Command::new(BIN).arg("serve").env_clear().output().expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("META_APP_SECRET, META_VERIFY_TOKEN, LIVESELL_API_TOKEN must be set"), "{err}");
}

#[test]
fn bad_configuration_names_the_variable() {
    let out = std::process::Command::new(BIN).arg("serve").env_clear().env("DATABASE_URL", "mysql://x").output().expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL is invalid"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pipeline_runs_end_to_end_on_postgres_and_redis() {
    let graph = FakeGraph::start("EAAB-test").await;
    let env = Env::new(&testkit::pg_schema_url().await, Some(&testkit::redis_url()), &graph.base_url);
    let catalog = catalog_file();
    env.prepare(&catalog.0);
    let mut server = Server::start(&env).await;
    let http = reqwest::Client::new();

    // The handshake, and refusals that queue nothing.
    let ok = http
        .get(format!("{}/webhooks/meta?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=4242", server.base))
        .send()
        .await
        .expect("get");
    assert_eq!((ok.status().as_u16(), ok.text().await.expect("body")), (200, "4242".to_string()));
    let wrong = http
        .get(format!("{}/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1", server.base))
        .send()
        .await
        .expect("get");
    assert_eq!(wrong.status().as_u16(), 403);
    let body = claim_comment(1);
    let unsigned = http.post(format!("{}/webhooks/meta", server.base)).body(body.clone()).send().await.expect("post");
    assert_eq!(unsigned.status().as_u16(), 401);
    let forged = http
        .post(format!("{}/webhooks/meta", server.base))
        .header("x-hub-signature-256", shared::domain::signature::sign(b"other-secret", body.as_bytes()))
        .body(body.clone())
        .send()
        .await
        .expect("post");
    assert_eq!(forged.status().as_u16(), 401);
    assert_eq!(server.post_webhook("{not json").await.status().as_u16(), 400);
    assert_eq!(server.post_webhook(&"x".repeat(1024 * 1024 + 1)).await.status().as_u16(), 413);
    let no_token = http.get(format!("{}/v1/pages/{PAGE}/claims", server.base)).send().await.expect("get");
    assert_eq!(no_token.status().as_u16(), 401);

    // A claim, its redelivery, noise, an unknown product, a question, a cancellation.
    assert_eq!(server.post_webhook(&body).await.status().as_u16(), 200);
    assert_eq!(server.post_webhook(&body).await.status().as_u16(), 200, "Meta redelivers");
    let batch = testkit::fb_webhook(
        PAGE,
        POST,
        1_764_097_300,
        &[("C2", "U2", "2 B5 porfa"), ("C3", "U3", "hola desde Lima 👋"), ("C4", "U4", "quiero Z9"), ("C5", "U5", "precio del A12?")],
    );
    assert_eq!(server.post_webhook(&batch).await.status().as_u16(), 200);
    let claims = server.wait_for(&format!("/v1/pages/{PAGE}/claims"), 30, |c| c.as_array().is_some_and(|a| a.len() >= 3)).await;
    let by_comment = |id: &str| claims.as_array().and_then(|a| a.iter().find(|c| c["comment_id"] == id)).cloned().expect("claim");
    assert_eq!((by_comment("C1")["sku"].as_str(), by_comment("C1")["status"].as_str()), (Some("A12-M"), Some("reserved")));
    assert_eq!((by_comment("C2")["sku"].as_str(), by_comment("C2")["qty"].as_u64()), (Some("B5"), Some(2)));
    assert_eq!(by_comment("C4")["status"], "rejected");
    for key in ["claim_id", "comment_id", "code", "sku", "qty", "status"] {
        assert!(by_comment("C1").get(key).is_some(), "claims carry {key}");
    }
    let cancel = testkit::fb_webhook(PAGE, POST, 1_764_097_400, &[("C6", "U1", "cancela el A12")]);
    server.post_webhook(&cancel).await;
    server.wait_for(&format!("/v1/pages/{PAGE}/claims"), 30, |c| count_status(c, "cancelled") == 1).await;
    let stock = server.api(&format!("/v1/pages/{PAGE}/stock")).await;
    let a12m = stock.as_array().and_then(|s| s.iter().find(|l| l["sku"] == "A12-M")).cloned().expect("A12-M");
    assert_eq!(a12m["available"], 20, "the cancellation gave the unit back");

    // One private reply per actionable comment (C1, C2, C4, C6) and the price question (C5), none to noise.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while graph.replies().len() < 5 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let replied: HashSet<String> = graph.replies().into_iter().map(|r| r.comment_id).collect();
    assert_eq!(replied, ["C1", "C2", "C4", "C5", "C6"].into_iter().map(String::from).collect());
    assert_eq!(graph.replies().len(), 5, "exactly one reply per comment");
    let c5 = graph.replies().into_iter().find(|r| r.comment_id == "C5").expect("answer");
    assert!(c5.text.contains("A12 Polera básica cuesta $12.990 CLP"), "{}", c5.text);
    assert!(graph.malformed().is_empty());
    let c1 = graph.replies().into_iter().find(|r| r.comment_id == "C1").expect("reply");
    assert!(c1.text.contains("A12") && c1.text.contains("$12.990 CLP") && c1.text.contains("Banco Test"), "{}", c1.text);

    // The seller marks the order paid; the current product changes.
    let orders = server.api(&format!("/v1/pages/{PAGE}/orders")).await;
    let order_id = orders.as_array().and_then(|o| o.iter().find(|o| o["buyer_id"] == "U2")).map(|o| o["order_id"].clone()).expect("order");
    let paid = http.post(format!("{}/v1/orders/{order_id}/paid", server.base)).bearer_auth(API_TOKEN).send().await.expect("paid");
    assert_eq!(paid.status().as_u16(), 200);
    assert_eq!(paid.json::<serde_json::Value>().await.expect("json")["status"], "paid");
    let put = http
        .put(format!("{}/v1/pages/{PAGE}/current-product", server.base))
        .bearer_auth(API_TOKEN)
        .json(&serde_json::json!({"code": "a12"}))
        .send()
        .await
        .expect("put");
    assert_eq!(put.json::<serde_json::Value>().await.expect("json")["current_product"], "A12");
    let bad = http
        .put(format!("{}/v1/pages/{PAGE}/current-product", server.base))
        .bearer_auth(API_TOKEN)
        .json(&serde_json::json!({"code": "Z9"}))
        .send()
        .await
        .expect("put");
    assert_eq!(bad.status().as_u16(), 422);

    // Health: a real round trip to both, and the backlog.
    let health: serde_json::Value = http.get(format!("{}/health", server.base)).send().await.expect("health").json().await.expect("json");
    assert_eq!(
        (health["ok"].as_bool(), health["store"]["backend"].as_str(), health["stream"]["backend"].as_str()),
        (Some(true), Some("postgres"), Some("redis"))
    );
    assert!(health["backlog"]["reserve"]["pending"].is_u64());
    let counts_dup = graph.refused_second();
    assert_eq!(counts_dup, 0);
    assert!(server.terminate().success(), "SIGTERM stops cleanly");
}

/// Posts `before` claims, kills the server with SIGKILL while replies are in flight, restarts it,
/// posts the rest, and checks nothing was lost or reserved twice.
async fn crash_and_recover(env: Env, graph: FakeGraph) {
    let catalog = catalog_file();
    env.prepare(&catalog.0);
    graph.set_delay(Duration::from_millis(40));
    let (before, total) = (60, 80);
    let mut server = Server::start(&env).await;
    for i in 0..before {
        assert_eq!(server.post_webhook(&claim_comment(i)).await.status().as_u16(), 200);
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while graph.replies().len() < 5 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill9();
    let at_kill = graph.replies().len();
    assert!(at_kill < before, "the kill happened mid-stream ({at_kill} of {before} replied)");

    let server = Server::start(&env).await;
    for i in before..total {
        assert_eq!(server.post_webhook(&claim_comment(i)).await.status().as_u16(), 200);
    }
    let claims = server.wait_for(&format!("/v1/pages/{PAGE}/claims"), 60, |c| c.as_array().is_some_and(|a| a.len() >= total)).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while graph.replies().len() < total && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let claims = claims.as_array().cloned().unwrap_or_default();
    let comments: HashSet<&str> = claims.iter().filter_map(|c| c["comment_id"].as_str()).collect();
    assert_eq!((claims.len(), comments.len()), (total, total), "every comment has exactly one claim");
    assert_eq!((count_status(&claims.clone().into(), "reserved"), count_status(&claims.into(), "waitlisted")), (20, total - 20));
    let stock = server.api(&format!("/v1/pages/{PAGE}/stock")).await;
    let a12m = stock.as_array().and_then(|s| s.iter().find(|l| l["sku"] == "A12-M")).cloned().expect("A12-M");
    assert_eq!((a12m["reserved"].as_i64(), a12m["available"].as_i64()), (Some(20), Some(0)));
    let replies = graph.replies();
    let replied: HashSet<&str> = replies.iter().map(|r| r.comment_id.as_str()).collect();
    assert_eq!((replies.len(), replied.len()), (total, total), "one reply per comment, none twice");
    eprintln!("crash test: killed after {at_kill}/{before} replies; second-reply attempts refused by Meta: {}", graph.refused_second());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_nothing_and_reserves_nothing_twice_on_postgres_and_redis() {
    let graph = FakeGraph::start("EAAB-test").await;
    let env = Env::new(&testkit::pg_schema_url().await, Some(&testkit::redis_url()), &graph.base_url);
    crash_and_recover(env, graph).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_nothing_and_reserves_nothing_twice_on_the_embedded_default() {
    let graph = FakeGraph::start("EAAB-test").await;
    let db = testkit::TempFile::new("db");
    let env = Env::new(&db.sqlite_url(), None, &graph.base_url);
    crash_and_recover(env, graph).await;
}

async fn two_hundred_buyers_at_once(env: Env, graph: FakeGraph) {
    let catalog = catalog_file();
    env.prepare(&catalog.0);
    let server = Server::start(&env.set("LIVESELL_WORKERS", "4")).await;
    let posts = (0..200).map(|i| {
        let body = claim_comment(i);
        let server = &server;
        async move { server.post_webhook(&body).await.status().as_u16() }
    });
    let statuses = futures::future::join_all(posts).await;
    assert!(statuses.iter().all(|s| *s == 200));
    let claims = server.wait_for(&format!("/v1/pages/{PAGE}/claims"), 90, |c| c.as_array().is_some_and(|a| a.len() >= 200)).await;
    assert_eq!((count_status(&claims, "reserved"), count_status(&claims, "waitlisted")), (20, 180));
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while graph.replies().len() < 200 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(graph.replies().len(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_claims_on_twenty_units_end_to_end_on_postgres_and_redis() {
    let graph = FakeGraph::start("EAAB-test").await;
    let env = Env::new(&testkit::pg_schema_url().await, Some(&testkit::redis_url()), &graph.base_url);
    two_hundred_buyers_at_once(env, graph).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_claims_on_twenty_units_end_to_end_on_the_embedded_default() {
    let graph = FakeGraph::start("EAAB-test").await;
    let db = testkit::TempFile::new("db");
    two_hundred_buyers_at_once(Env::new(&db.sqlite_url(), None, &graph.base_url), graph).await;
}

#[test]
fn the_replay_of_the_example_live_prints_its_summary_as_json() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::process::Command::new(BIN)
        .args(["replay", "--json", "--gateways", "mercadopago,flow", "--catalog"])
        .arg(root.join("examples/catalog.json"))
        .arg(root.join("examples/live-rayen.jsonl"))
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .env_remove("MERCADOPAGO_BASE_URL")
        .env_remove("FLOW_BASE_URL")
        .env("LIVESELL_LOG", "error")
        .output()
        .expect("replay");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object on stdout");
    for key in ["comments", "duplicates", "filtered_out", "reserved", "waitlisted", "rejected", "replies", "stock"] {
        assert!(v.get(key).is_some(), "summary has {key}");
    }
    assert_eq!(v["comments"], 364);
    assert!(v["duplicates"].as_u64().unwrap_or(0) >= 27);
    let catalog: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("examples/catalog.json")).expect("catalog")).expect("json");
    let keys: usize =
        catalog["products"].as_array().map(|p| p.iter().map(|p| p["stock"].as_object().map_or(0, |s| s.len())).sum()).unwrap_or(0);
    assert_eq!(v["stock"].as_object().map(|s| s.len()), Some(keys), "one stock entry per catalog stock key");
    // The gateways are unreachable from the replay (offline by design): every claim's reply
    // offers the bank transfer, none a link.
    assert_eq!(v["gateways"], serde_json::json!(["mercadopago", "flow"]));
    let methods = v["payments_by_method"].as_object().expect("payments_by_method");
    assert!(methods.get("transfer").and_then(|n| n.as_u64()).unwrap_or(0) > 0, "{methods:?}");
    assert!(methods.keys().all(|k| k == "transfer" || k == "none"), "{methods:?}");
}
