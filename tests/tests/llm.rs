//! The LLM path, against a local server speaking OpenAI's chat-completions wire format: the
//! adapter's request shape and retries, and the pipeline's fallbacks (deadline, 429, 500,
//! malformed, answers outside the catalog, the circuit breaker), the answer cache, and a hanging
//! call for one seller not delaying another seller's reply. Also: answers to questions.
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use shared::adapters::cache::SqliteCache;
use shared::adapters::clock::SystemClock;
use shared::adapters::embedded_stream::EmbeddedStream;
use shared::adapters::llm_guard::{GuardSettings, GuardedLlm};
use shared::adapters::meta_graph::MetaMessenger;
use shared::adapters::openai::OpenAiLlm;
use shared::adapters::payments::{FallbackPayments, TransferPayments};
use shared::config::ServeSecrets;
use shared::config::Settings;
use shared::domain::ids::{CommentId, PageId};
use shared::domain::intent::Intent;
use shared::domain::llm::{CandidateProduct, LlmError, LlmRequest};
use shared::domain::secret::SecretString;
use shared::domain::signature;
use shared::http::{router, AppState};
use shared::pipeline::caches::Caches;
use shared::pipeline::{Deps, Streams};
use shared::ports::Llm;
use shared::runtime::local::{wait_idle, LocalPipeline};
use std::sync::Arc;
use std::time::{Duration, Instant};
use testkit::graph::FakeGraph;
use testkit::openai::{FakeLlm, Step};
use tower::ServiceExt;

const KEY: &str = "sk-test";
const SECRET: &str = "app-secret";

fn request(text: &str) -> LlmRequest {
    LlmRequest {
        page: PageId::parse("P1").expect("page"),
        comment_id: CommentId::parse("C1").expect("comment"),
        text: text.into(),
        candidates: vec![CandidateProduct {
            code: "A12".into(),
            name: "Polera".into(),
            sizes: vec!["S".into(), "M".into()],
            colors: vec![],
        }],
        current_product: Some("B3".into()),
    }
}

fn client(fake: &FakeLlm, deadline: Duration) -> OpenAiLlm {
    OpenAiLlm::new(&fake.base_url, SecretString::new(KEY), "fake-model", deadline).expect("client")
}

#[tokio::test]
async fn the_adapter_asks_for_a_strict_json_schema_answer_with_only_the_candidates() {
    let fake = FakeLlm::start(KEY).await;
    fake.on(
        "quiero la de algodón",
        vec![Step::Answer(json!({"intent": "purchase", "claims": [{"code": "A12", "qty": 2, "size": "M", "color": null}]}))],
    );
    let answer = client(&fake, Duration::from_secs(5)).classify(&request("quiero la de algodón en M x2")).await.expect("answer");
    assert_eq!((answer.intent, answer.claims.len(), answer.tokens_in, answer.tokens_out), (Intent::Purchase, 1, 321, 17));
    assert_eq!(answer.claims[0].qty, Some(2));
    let body = &fake.requests()[0];
    assert_eq!(body["model"], "fake-model");
    assert_eq!(
        body["response_format"]["json_schema"]["schema"]["properties"]["intent"]["enum"],
        json!(["purchase", "cancel", "question", "other"])
    );
    let prompt = &fake.prompts()[0];
    assert_eq!(prompt["candidates"].as_array().map(Vec::len), Some(1), "only the candidates travel");
    assert_eq!(prompt["current_product"], "B3");
}

#[tokio::test]
async fn a_429_is_retried_after_its_retry_after_inside_the_deadline() {
    let fake = FakeLlm::start(KEY).await;
    fake.on("x", vec![Step::RateLimit(1), Step::Answer(json!({"intent": "other", "claims": []}))]);
    let started = Instant::now();
    let answer = client(&fake, Duration::from_secs(5)).classify(&request("x")).await;
    assert!(answer.is_ok(), "{answer:?}");
    assert!(started.elapsed() >= Duration::from_secs(1), "waited for Retry-After");
    assert_eq!(fake.requests().len(), 2);
    // A Retry-After longer than what is left of the deadline is not waited for.
    let fake = FakeLlm::start(KEY).await;
    fake.on("x", vec![Step::RateLimit(30)]);
    let started = Instant::now();
    assert_eq!(client(&fake, Duration::from_secs(2)).classify(&request("x")).await, Err(LlmError::RateLimited));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn server_errors_are_retried_with_backoff_until_the_deadline() {
    let fake = FakeLlm::start(KEY).await;
    fake.on("x", vec![Step::ServerError, Step::ServerError, Step::Answer(json!({"intent": "question", "claims": []}))]);
    assert_eq!(client(&fake, Duration::from_secs(5)).classify(&request("x")).await.map(|a| a.intent), Ok(Intent::Question));
    let fake = FakeLlm::start(KEY).await;
    fake.on("x", vec![Step::ServerError]);
    let started = Instant::now();
    let got = client(&fake, Duration::from_millis(1500)).classify(&request("x")).await;
    assert!(matches!(got, Err(LlmError::Unavailable(_))), "{got:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn malformed_answers_and_hangs_are_errors_not_waits() {
    let fake = FakeLlm::start(KEY).await;
    fake.on("bad", vec![Step::Malformed]);
    fake.on("slow", vec![Step::Hang(Duration::from_secs(30), json!({"intent": "other", "claims": []}))]);
    assert!(matches!(client(&fake, Duration::from_secs(5)).classify(&request("bad")).await, Err(LlmError::Malformed(_))));
    let started = Instant::now();
    assert_eq!(client(&fake, Duration::from_millis(800)).classify(&request("slow")).await, Err(LlmError::Timeout));
    assert!(started.elapsed() < Duration::from_secs(2), "a 30 s hang is cut at the deadline");
}

// ───────────────────────────── the pipeline with an LLM ─────────────────────────────

struct Harness {
    deps: Arc<Deps>,
    app: axum::Router,
    graph: FakeGraph,
    fake: FakeLlm,
    pipeline: Option<LocalPipeline>,
    _file: testkit::TempFile,
}

/// Text the rules are unsure of (a code with a word they don't know): it goes to the LLM.
const UNCLEAR: &str = "A12 blorp";

async fn harness(guard: GuardSettings) -> Harness {
    let graph = FakeGraph::start("EAAB").await;
    let fake = FakeLlm::start(KEY).await;
    let (store, file) = testkit::sqlite_store().await;
    let settings = Settings { streams: Streams::new(&testkit::unique("llm")), ..Settings::default() };
    let llm: Arc<dyn Llm> = Arc::new(GuardedLlm::new(
        Arc::new(OpenAiLlm::new(&fake.base_url, SecretString::new(KEY), "fake-model", guard.deadline).expect("llm")),
        guard,
    ));
    let caches = Caches::new(Arc::new(SqliteCache::new(store.sqlite_pool().expect("sqlite").clone())), settings.streams.prefix())
        .with_sealer(store.sealer());
    let deps = Deps::new(
        Arc::new(store.clone()),
        Arc::new(EmbeddedStream::new(store.sqlite_pool().expect("sqlite").clone())),
        Arc::new(MetaMessenger::new(&graph.base_url, Duration::from_secs(2)).expect("messenger")),
        Arc::new(FallbackPayments::new(vec![Arc::new(TransferPayments)])),
        Arc::new(SystemClock),
        settings,
    )
    .with_caches(caches)
    .with_llm(Some(llm));
    let deps = Arc::new(deps);
    for page in ["PA", "PB"] {
        let p = PageId::parse(page).expect("page");
        deps.store.import_catalog(&p, None, &testkit::catalog(), chrono::Utc::now(), 900).await.expect("catalog");
        deps.store.set_page_token(&p, &SecretString::new("EAAB")).await.expect("token");
    }
    let secrets = ServeSecrets {
        app_secret: SecretString::new(SECRET),
        verify_token: SecretString::new("v"),
        api_token: SecretString::new(testkit::API_TOKEN),
    };
    let app = router(AppState { deps: deps.clone(), secrets: Arc::new(secrets) });
    let pipeline = Some(LocalPipeline::spawn(deps.clone(), "llm", 2, None));
    Harness { deps, app, graph, fake, pipeline, _file: file }
}

impl Harness {
    async fn comment(&self, page: &str, id: &str, buyer: &str, text: &str) {
        let body = testkit::fb_webhook(page, &format!("{page}_L"), chrono::Utc::now().timestamp(), &[(id, buyer, text)]);
        let req = Request::post("/webhooks/meta")
            .header("x-hub-signature-256", signature::sign(SECRET.as_bytes(), body.as_bytes()))
            .body(Body::from(body))
            .expect("request");
        assert_eq!(self.app.clone().oneshot(req).await.expect("response").status(), StatusCode::OK);
    }

    async fn settle(&self) {
        assert!(wait_idle(&self.deps, Duration::from_secs(30)).await, "pipeline did not settle");
    }

    fn reply(&self, comment: &str) -> Option<String> {
        self.graph.replies().into_iter().find(|r| r.comment_id == comment).map(|r| r.text)
    }

    async fn api(&self, method: &str, path: &str, token: &str, body: Option<serde_json::Value>) -> (StatusCode, serde_json::Value) {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
            .expect("request");
        let resp = self.app.clone().oneshot(req).await.expect("response");
        let status = resp.status();
        let bytes = http_body_util::BodyExt::collect(resp.into_body()).await.map(|b| b.to_bytes()).unwrap_or_default();
        (status, serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null))
    }

    async fn stop(mut self) {
        if let Some(p) = self.pipeline.take() {
            p.stop().await;
        }
    }
}

fn page(p: &str) -> PageId {
    PageId::parse(p).expect("page")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unclear_comments_go_to_the_llm_once_and_the_answer_is_cached() {
    let h = harness(GuardSettings { deadline: Duration::from_secs(5), ..Default::default() }).await;
    h.fake
        .on(UNCLEAR, vec![Step::Answer(json!({"intent": "purchase", "claims": [{"code": "A12", "qty": 1, "size": "S", "color": null}]}))]);
    h.comment("PA", "C1", "U1", UNCLEAR).await;
    h.comment("PA", "C2", "U2", "A12 talla M").await; // clear: rules only
    h.settle().await;
    h.comment("PA", "C3", "U3", &format!("  {}  ", UNCLEAR.to_uppercase())).await; // same text, normalised: cached
    h.settle().await;
    assert_eq!(h.fake.requests().len(), 1, "one LLM call: the clear comment and the repeat did not call it");
    let claims = h.deps.store.claims(&page("PA")).await.expect("claims");
    let sku = |c: &str| claims.iter().find(|x| x.comment_id.as_str() == c).and_then(|x| x.sku.clone());
    assert_eq!((sku("C1"), sku("C2"), sku("C3")), (Some("A12-S".into()), Some("A12-M".into()), Some("A12-S".into())));
    let calls = h.deps.store.ai_calls(&page("PA")).await.expect("ai_logs");
    let outcomes: Vec<(&str, bool, u32)> = calls.iter().map(|c| (c.outcome.as_str(), c.cached, c.tokens_in)).collect();
    assert_eq!(outcomes, vec![("ok", false, 321), ("cache_hit", true, 0)]);
    assert_eq!(calls[0].model, "fake-model");
    let stats = h.deps.caches.stats();
    assert_eq!(stats.get("ai").map(|r| (r.hits, r.misses)), Some((1, 1)));
    assert!(stats.get("catalog").is_some_and(|r| r.hits > 0), "the catalog is served from the cache: {stats:?}");
    assert!(stats.get("token").is_some_and(|r| r.hits > 0), "the page token is served from the cache: {stats:?}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_naming_something_outside_the_catalog_is_not_trusted() {
    let h = harness(GuardSettings { deadline: Duration::from_secs(5), ..Default::default() }).await;
    h.fake.on(
        UNCLEAR,
        vec![Step::Answer(json!({"intent": "purchase", "claims": [{"code": "Z99", "qty": 1, "size": "XXL", "color": null}]}))],
    );
    h.comment("PA", "C1", "U1", UNCLEAR).await;
    h.settle().await;
    let calls = h.deps.store.ai_calls(&page("PA")).await.expect("ai_logs");
    assert_eq!(
        (calls[0].outcome.as_str(), calls[0].fallback_reason.as_deref()),
        ("invalid_answer", Some("code Z99 is not in the catalog"))
    );
    let claims = h.deps.store.claims(&page("PA")).await.expect("claims");
    assert!(claims.iter().all(|c| c.code.as_deref() != Some("Z99")), "nothing invented reached the store");
    let notices = h.deps.store.notices(&page("PA")).await.expect("notices");
    assert!(notices.iter().any(|n| n.kind == "review" && n.message.contains("Z99")), "{notices:?}");
    assert_eq!(h.deps.caches.stats().get("ai").map(|r| r.hits), Some(0));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_llm_leaves_the_rules_in_charge_and_the_seller_told() {
    let h = harness(GuardSettings { deadline: Duration::from_millis(800), failures_to_open: 3, ..Default::default() }).await;
    h.fake.on("hang", vec![Step::Hang(Duration::from_secs(30), json!({"intent": "other", "claims": []}))]);
    h.fake.on("boom", vec![Step::ServerError]);
    h.fake.on("garbled", vec![Step::Malformed]);
    h.comment("PA", "C1", "U1", "A12 hang").await;
    h.comment("PA", "C2", "U2", "A12 boom").await;
    h.comment("PA", "C3", "U3", "A12 garbled").await;
    h.settle().await;
    let outcomes: Vec<String> = h.deps.store.ai_calls(&page("PA")).await.expect("ai_logs").into_iter().map(|c| c.outcome).collect();
    let mut sorted = outcomes.clone();
    sorted.sort();
    assert_eq!(sorted, ["malformed", "timeout", "unavailable"]);
    // Every one got the rules' decision (A12, no size given: the buyer is asked which one).
    for c in ["C1", "C2", "C3"] {
        assert!(h.reply(c).is_some_and(|t| t.contains("A12")), "{c}: {:?}", h.reply(c));
    }
    assert_eq!(h.deps.store.notices(&page("PA")).await.expect("notices").iter().filter(|n| n.kind == "review").count(), 3);
    // Three failures in a row opened the circuit: the next unclear comment doesn't call the LLM.
    let before = h.fake.requests().len();
    h.comment("PA", "C4", "U4", "A12 blorp").await;
    h.settle().await;
    assert_eq!(h.fake.requests().len(), before, "circuit open: no call");
    let last = h.deps.store.ai_calls(&page("PA")).await.expect("ai_logs").pop().expect("a row");
    assert_eq!(last.outcome, "circuit_open");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seller_b_is_answered_while_seller_as_llm_call_still_hangs() {
    let h = harness(GuardSettings { deadline: Duration::from_secs(6), ..Default::default() }).await;
    h.fake.on("A12 hang", vec![Step::Hang(Duration::from_secs(30), json!({"intent": "other", "claims": []}))]);
    h.fake.on(
        "A12 blorp",
        vec![Step::Answer(json!({"intent": "purchase", "claims": [{"code": "A12", "qty": 1, "size": "M", "color": null}]}))],
    );
    h.comment("PA", "CA", "UA", "A12 hang").await;
    tokio::time::sleep(Duration::from_millis(200)).await; // A's call is in flight
    let started = Instant::now();
    h.comment("PB", "CB", "UB", "A12 blorp").await;
    while h.reply("CB").is_none() {
        assert!(started.elapsed() < Duration::from_secs(4), "seller B waited on seller A's LLM call");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(h.reply("CA").is_none(), "A's call is still hanging when B is answered");
    assert!(h.reply("CB").is_some_and(|t| t.contains("A12")));
    // A is decided by the rules at its deadline.
    h.settle().await;
    assert!(h.reply("CA").is_some());
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_about_price_sizes_and_stock_are_answered_from_the_catalog() {
    let h = harness(GuardSettings::default()).await;
    h.comment("PA", "Q1", "U1", "cuánto cuesta el A12?").await;
    h.comment("PA", "Q2", "U2", "which sizes does the A12 come in?").await;
    h.comment("PA", "Q3", "U3", "ainda tem B5?").await;
    h.comment("PA", "Q4", "U4", "hacen envíos a Temuco?").await;
    h.settle().await;
    assert!(h.reply("Q1").is_some_and(|t| t.contains("A12 Polera básica cuesta $12.990 CLP")), "{:?}", h.reply("Q1"));
    assert!(h.reply("Q2").is_some_and(|t| t.starts_with("Hi Buyer!") && t.contains("comes in size S, M")), "{:?}", h.reply("Q2"));
    assert!(h.reply("Q3").is_some_and(|t| t.contains("Sim, ainda tem B5 Aros de plata")), "{:?}", h.reply("Q3"));
    assert_eq!(h.reply("Q4"), None, "shipping is for the seller to answer");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seller_sessions_are_written_through_and_scoped_to_their_page() {
    let h = harness(GuardSettings::default()).await;
    let (status, s) = h.api("POST", "/v1/sessions", testkit::API_TOKEN, Some(json!({"page_id": "PA"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    let sid = s["session_id"].as_str().expect("id").to_string();
    assert_eq!(h.api("GET", "/v1/pages/PA/stock", &sid, None).await.0, StatusCode::OK);
    assert_eq!(h.api("GET", "/v1/pages/PB/stock", &sid, None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(h.api("POST", "/v1/sessions", &sid, Some(json!({"page_id": "PA"}))).await.0, StatusCode::FORBIDDEN);
    assert!(h.deps.caches.stats().get("session").is_some_and(|r| r.hits >= 1), "served from the cache it was written to");
    assert_eq!(h.api("DELETE", &format!("/v1/sessions/{sid}"), &sid, None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(h.api("GET", "/v1/pages/PA/stock", &sid, None).await.0, StatusCode::UNAUTHORIZED);
    h.stop().await;
}
