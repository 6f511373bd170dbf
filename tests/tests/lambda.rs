//! Every Lambda function under `cargo lambda watch --only-lambda-apis` (the local Lambda runtime
//! API), driving the prebuilt `functions/*` binaries: a signed Meta webhook through the ingest
//! function URL, kicks chaining the stages through their function URLs, EventBridge scheduled
//! events for a stage and the sweep, and `/health` — on real PostgreSQL and Redis.
use shared::adapters::redis_streams::RedisEventStream;
use shared::adapters::sql::SqlStore;
use shared::domain::ids::PageId;
use shared::domain::secret::SecretString;
use shared::domain::signature;
use shared::ports::{EventStream, SellerStore, Store};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use testkit::graph::FakeGraph;

const FUNCTIONS: [&str; 7] = ["ingest", "filter", "intent", "reserve", "respond", "sweep", "health"];
const KICK: &str = "kick-secret";
const APP_SECRET: &str = "s3cret";

fn tools_path() -> String {
    let tools = std::env::var("LIVESELL_TOOLS").unwrap_or_else(|_| "/opt/livesell-tools".into());
    let bin = format!("{tools}/bin");
    assert!(
        std::path::Path::new(&format!("{bin}/cargo-lambda")).exists(),
        "cargo-lambda is not installed under {bin}: run `bash infra/install-tools.sh` (scripts/test.sh does)"
    );
    format!("{bin}:{}", std::env::var("PATH").unwrap_or_default())
}

async fn wait_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(Instant::now() < deadline, "the Lambda emulator did not open port {port}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_until(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn scheduled_event() -> serde_json::Value {
    serde_json::json!({"version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "Scheduled Event",
        "source": "aws.events", "account": "123456789012", "time": "2026-11-25T16:53:06Z", "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/livesell-every-minute"], "detail": {}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_function_runs_under_the_lambda_runtime_emulator() {
    let path = tools_path();
    let graph = FakeGraph::start("EAAB").await;
    let db = testkit::pg_schema_url().await;
    let store = SqlStore::connect_postgres(&db, 2).await.expect("store").with_sealer(testkit::sealer());
    let page = PageId::parse("P7").expect("page");
    store.import_catalog(&page, None, &testkit::catalog(), chrono::Utc::now(), 900).await.expect("catalog");
    store.set_page_token(&page, &SecretString::new("EAAB")).await.expect("token");
    let prefix = testkit::unique("lam");

    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    let mut procs = testkit::Procs(Vec::new());
    procs.0.push(
        Command::new("cargo")
            .args(["lambda", "watch", "--only-lambda-apis", "-A", "127.0.0.1", "-P", &port.to_string()])
            .current_dir(testkit::repo_root())
            .env("PATH", &path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cargo lambda watch"),
    );
    wait_port(port).await;
    let emu = format!("http://127.0.0.1:{port}");
    let url = |f: &str| format!("{emu}/lambda-url/{f}/");
    for name in FUNCTIONS {
        let child = Command::new(testkit::workspace_binary(name))
            .env_clear()
            .env("PATH", &path)
            .env("AWS_LAMBDA_RUNTIME_API", format!("{emu}/.rt/{name}"))
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", format!("2026/11/25/[1]{name}"))
            .env("DATABASE_URL", &db)
            .env("LIVESELL_SECRETS_KEY", testkit::SECRETS_KEY)
            .env("DATABASE_MAX_CONNECTIONS", "2")
            .env("REDIS_URL", testkit::redis_url())
            .env("LIVESELL_STREAM_PREFIX", &prefix)
            .env("META_APP_SECRET", APP_SECRET)
            .env("META_VERIFY_TOKEN", "verify")
            .env("LIVESELL_API_TOKEN", testkit::API_TOKEN)
            .env("META_GRAPH_URL", &graph.base_url)
            .env("LIVESELL_RESERVATION_TTL_SECS", "2")
            .env("LIVESELL_KICK_SECRET", KICK)
            .env("LIVESELL_KICK_URL_FILTER", url("filter"))
            .env("LIVESELL_KICK_URL_INTENT", url("intent"))
            .env("LIVESELL_KICK_URL_RESERVE", url("reserve"))
            .env("LIVESELL_KICK_URL_RESPOND", url("respond"))
            .env("LIVESELL_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn function");
        procs.0.push(child);
    }
    let http = reqwest::Client::new();

    // 1. A signed webhook through the ingest function URL; the kicks carry it to the reply.
    let body = testkit::fb_webhook("P7", "P7_L", chrono::Utc::now().timestamp(), &[("C1", "U1", "A12 talla S")]);
    let resp = http
        .post(format!("{emu}/lambda-url/ingest/webhooks/meta"))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature::sign(APP_SECRET.as_bytes(), body.as_bytes()))
        .body(body.clone())
        .send()
        .await
        .expect("post to ingest");
    assert_eq!(resp.status().as_u16(), 200, "{:?}", resp.text().await);
    wait_until("the reply through four kicked functions", 60, || graph.replies().len() == 1).await;
    assert!(graph.replies()[0].text.contains("A12"), "{}", graph.replies()[0].text);
    let unsigned = http.post(format!("{emu}/lambda-url/ingest/webhooks/meta")).body(body).send().await.expect("post");
    assert_eq!(unsigned.status().as_u16(), 401);

    // 2. A kick without the secret does nothing.
    let refused = http.post(url("filter")).json(&serde_json::json!({"stream": "comments"})).send().await.expect("kick");
    assert_eq!(refused.status().as_u16(), 401);

    // 3. A lost kick: work queued behind the stages' backs is drained by the scheduled event.
    let redis = RedisEventStream::connect(&testkit::redis_url()).await.expect("redis");
    let late = testkit::fb_webhook("P7", "P7_L", chrono::Utc::now().timestamp(), &[("C2", "U2", "quiero B5")]);
    let event = shared::domain::webhook::parse(late.as_bytes()).expect("parse").events.remove(0);
    redis.append(&format!("{prefix}:comments"), &serde_json::to_string(&event).expect("json")).await.expect("append");
    let drained: serde_json::Value = http
        .post(format!("{emu}/2015-03-31/functions/filter/invocations"))
        .json(&scheduled_event())
        .send()
        .await
        .expect("invoke filter")
        .json()
        .await
        .expect("json");
    assert_eq!((drained["stage"].as_str(), drained["report"]["acked"].as_u64()), (Some("filter"), Some(1)), "{drained}");
    wait_until("the second reply", 60, || graph.replies().len() == 2).await;

    // 4. The sweep on its schedule: both reservations (TTL 2 s) expire.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let swept: serde_json::Value = http
        .post(format!("{emu}/2015-03-31/functions/sweep/invocations"))
        .json(&scheduled_event())
        .send()
        .await
        .expect("invoke sweep")
        .json()
        .await
        .expect("json");
    assert_eq!(swept["expired"].as_u64(), Some(2), "{swept}");
    let store: &dyn Store = &store;
    let claims = store.claims(&page).await.expect("claims");
    assert!(claims.iter().all(|c| c.status == shared::domain::reservation::ClaimStatus::Expired), "{claims:?}");

    // 5. /health through the health function URL: a real round trip to both backends.
    let health: serde_json::Value =
        http.get(format!("{emu}/lambda-url/health/health")).send().await.expect("health").json().await.expect("json");
    assert_eq!(
        (health["ok"].as_bool(), health["store"]["backend"].as_str(), health["stream"]["backend"].as_str()),
        (Some(true), Some("postgres"), Some("redis"))
    );
}
