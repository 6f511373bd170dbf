//! The whole pipeline in one process (the router and every stage) on either backend — SQLite +
//! the embedded stream, or PostgreSQL + Redis — with the Graph API stand-in: what the pipeline and
//! behaviour suites stand on.
use crate::graph::FakeGraph;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use shared::adapters::clock::SystemClock;
use shared::adapters::embedded_stream::EmbeddedStream;
use shared::adapters::meta_graph::MetaMessenger;
use shared::adapters::payments::{FallbackPayments, TransferPayments};
use shared::adapters::redis_streams::RedisEventStream;
use shared::adapters::sql::SqlStore;
use shared::config::{ServeSecrets, Settings};
use shared::domain::ids::PageId;
use shared::domain::secret::SecretString;
use shared::domain::signature;
use shared::http::{router, AppState};
use shared::pipeline::{Deps, Streams};
use shared::ports::{EventStream, Store};
use shared::runtime::local::{wait_idle, LocalPipeline};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

pub const PAGE: &str = "P1";
pub const POST: &str = "P1_LIVE";
pub const SECRET: &str = "app-secret";
pub const TOKEN: &str = "EAAB-page";

pub struct Harness {
    pub deps: Arc<Deps>,
    pub app: axum::Router,
    pub graph: FakeGraph,
    /// The store itself, for looking at what it keeps (sealed tokens, hashed sessions).
    pub sql: SqlStore,
    pipeline: Option<LocalPipeline>,
    _file: Option<crate::TempFile>,
}

#[derive(Clone, Copy)]
pub enum Backend {
    Embedded,
    PostgresRedis,
}

pub async fn harness(backend: Backend) -> Harness {
    harness_with(backend, |_| {}).await
}

/// A harness whose settings `tune` adjusts first.
pub async fn harness_with(backend: Backend, tune: impl FnOnce(&mut Settings)) -> Harness {
    harness_paying(backend, tune, |_| Arc::new(FallbackPayments::new(vec![Arc::new(TransferPayments)]))).await
}

/// A harness whose payment links come from `payments` (given the store, for a page's gateways).
pub async fn harness_paying(
    backend: Backend,
    tune: impl FnOnce(&mut Settings),
    payments: impl FnOnce(Arc<dyn Store>) -> Arc<dyn shared::ports::Payments>,
) -> Harness {
    let graph = FakeGraph::start(TOKEN).await;
    let (sql, stream, file): (SqlStore, Arc<dyn EventStream>, _) = match backend {
        Backend::Embedded => {
            let (s, f) = crate::sqlite_store().await;
            let stream = EmbeddedStream::new(s.sqlite_pool().expect("sqlite").clone());
            (s, Arc::new(stream), Some(f))
        }
        Backend::PostgresRedis => {
            let s = SqlStore::connect_postgres(&crate::pg_schema_url().await, 5).await.expect("postgres").with_sealer(crate::sealer());
            (s, Arc::new(RedisEventStream::connect(&crate::redis_url()).await.expect("redis")), None)
        }
    };
    let store: Arc<dyn Store> = Arc::new(sql.clone());
    let settings = Settings {
        streams: Streams::new(&crate::unique("pl")),
        reclaim_idle: Duration::from_millis(200),
        max_deliveries: 3,
        send_attempts: 3,
        send_backoff: Duration::from_millis(5),
        outage_backoff_max: Duration::from_millis(100),
        ..Settings::default()
    };
    let mut settings = settings;
    tune(&mut settings);
    let messenger = MetaMessenger::new(&graph.base_url, Duration::from_secs(2)).expect("messenger");
    let payments = payments(store.clone());
    let deps = Arc::new(Deps::new(store, stream, Arc::new(messenger), payments, Arc::new(SystemClock), settings));
    let page = PageId::parse(PAGE).expect("page");
    deps.store.import_catalog(&page, None, &crate::catalog(), chrono::Utc::now(), 900).await.expect("catalog");
    deps.store.set_page_token(&page, &SecretString::new(TOKEN)).await.expect("token");
    let secrets = ServeSecrets {
        app_secret: SecretString::new(SECRET),
        verify_token: SecretString::new("v"),
        api_token: SecretString::new(crate::API_TOKEN),
    };
    let app = router(AppState { deps: deps.clone(), secrets: Arc::new(secrets) });
    let pipeline = Some(LocalPipeline::spawn(deps.clone(), "test", 2, None));
    Harness { deps, app, graph, sql, pipeline, _file: file }
}

impl Harness {
    pub async fn post(&self, body: &str) -> StatusCode {
        let req = Request::post("/webhooks/meta")
            .header("x-hub-signature-256", signature::sign(SECRET.as_bytes(), body.as_bytes()))
            .body(Body::from(body.to_string()))
            .expect("request");
        self.app.clone().oneshot(req).await.expect("response").status()
    }

    pub async fn settle(&self) {
        assert!(wait_idle(&self.deps, Duration::from_secs(30)).await, "pipeline did not settle");
    }

    pub async fn stop(mut self) {
        if let Some(p) = self.pipeline.take() {
            p.stop().await;
        }
    }

    pub fn page(&self) -> PageId {
        PageId::parse(PAGE).expect("page")
    }
}

/// A Facebook comment webhook body for the harness's page and live.
pub fn comment(id: &str, buyer: &str, text: &str) -> String {
    crate::fb_webhook(PAGE, POST, chrono::Utc::now().timestamp(), &[(id, buyer, text)])
}

/// Runs each listed `async fn name(backend: Backend)` on both backends, as `embedded::name` and
/// `postgres_redis::name`.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name($crate::harness::Backend::Embedded).await; } )*
        }
        mod postgres_redis {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name($crate::harness::Backend::PostgresRedis).await; } )*
        }
    };
}
