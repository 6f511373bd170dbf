//! Cross-function end to end: ingest, filter, intent, reserve and respond as five separate
//! processes (the `functions/*` binaries), chained through real Redis streams, on PostgreSQL.
//! `scripts/test.sh` builds the binaries first (`cargo build --workspace --bins`).
use shared::adapters::sql::SqlStore;
use shared::domain::ids::PageId;
use shared::domain::secret::SecretString;
use shared::domain::signature;
use shared::ports::{SellerStore, Store};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use testkit::graph::FakeGraph;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_comment_crosses_five_functions_through_redis_streams() {
    let graph = FakeGraph::start("EAAB").await;
    let db = testkit::pg_schema_url().await;
    let store = SqlStore::connect_postgres(&db, 2).await.expect("store").with_sealer(testkit::sealer());
    let page = PageId::parse("P9").expect("page");
    store.import_catalog(&page, None, &testkit::catalog(), chrono::Utc::now(), 900).await.expect("catalog");
    store.set_page_token(&page, &SecretString::new("EAAB")).await.expect("token");
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    let env = [
        ("DATABASE_URL", db.clone()),
        ("LIVESELL_SECRETS_KEY", testkit::SECRETS_KEY.into()),
        ("REDIS_URL", testkit::redis_url()),
        ("LIVESELL_STREAM_PREFIX", testkit::unique("fn")),
        ("META_APP_SECRET", "s3cret".into()),
        ("META_VERIFY_TOKEN", "v".into()),
        ("LIVESELL_API_TOKEN", testkit::API_TOKEN.into()),
        ("META_GRAPH_URL", graph.base_url.clone()),
        ("LIVESELL_ADDR", format!("127.0.0.1:{port}")),
        ("DATABASE_MAX_CONNECTIONS", "3".into()),
        ("LIVESELL_WORKERS", "1".into()),
        ("LIVESELL_LOG", "warn".into()),
    ];
    let mut procs = testkit::Procs(Vec::new());
    for name in ["ingest", "filter", "intent", "reserve", "respond"] {
        let child = Command::new(testkit::workspace_binary(name))
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn");
        procs.0.push(child);
    }
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !http.get(format!("{base}/health")).send().await.is_ok_and(|r| r.status().is_success()) {
        assert!(Instant::now() < deadline, "ingest did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let body = testkit::fb_webhook("P9", "P9_L", chrono::Utc::now().timestamp(), &[("C1", "U1", "quiero 2 B5")]);
    let sig = signature::sign(b"s3cret", body.as_bytes());
    let resp = http.post(format!("{base}/webhooks/meta")).header("x-hub-signature-256", sig).body(body).send().await.expect("post");
    assert_eq!(resp.status().as_u16(), 200);
    let deadline = Instant::now() + Duration::from_secs(30);
    while graph.replies().is_empty() {
        assert!(Instant::now() < deadline, "no reply reached the Graph API");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let reply = &graph.replies()[0];
    assert_eq!((reply.account.as_str(), reply.comment_id.as_str()), ("P9", "C1"));
    assert!(reply.text.contains("2× B5"), "{}", reply.text);
    let store: &dyn Store = &store;
    let claims = store.claims(&page).await.expect("claims");
    assert_eq!((claims.len(), claims[0].qty), (1, 2));
}
