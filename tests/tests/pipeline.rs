//! The whole pipeline in one process (router + every stage), on both backends: SQLite + embedded
//! stream, and PostgreSQL + Redis. Meta's Graph API is the local stand-in; failures are scripted.
use axum::body::Body;
use axum::http::{Request, StatusCode};
use shared::adapters::clock::SystemClock;
use shared::adapters::embedded_stream::EmbeddedStream;
use shared::config::ServeSecrets;
use shared::config::Settings;
use shared::domain::outbound::MessageStatus;
use shared::domain::secret::SecretString;
use shared::http::{router, AppState};
use shared::pipeline::{Deps, Stage};
use shared::runtime::local::{wait_idle, LocalPipeline};
use shared::stages::health;
use std::sync::Arc;
use std::time::Duration;
use testkit::graph::Scripted;
use tower::ServiceExt;

use testkit::harness::{comment, harness, Backend, PAGE, POST, TOKEN};

async fn a_reply_delivered_before_a_crash_is_not_sent_again(backend: Backend) {
    let h = harness(backend).await;
    // Meta takes the reply, but the connection breaks before we hear so: the retry gets 10900.
    h.graph.script([Scripted::DeliverThenFail]);
    assert_eq!(h.post(&comment("C1", "U1", "A12 talla M")).await, StatusCode::OK);
    h.settle().await;
    assert_eq!(h.graph.replies().len(), 1);
    assert_eq!(h.graph.refused_second(), 1, "the retry was refused by Meta as already replied");
    let replies = h.deps.store.replies(&h.page()).await.expect("replies");
    assert_eq!((replies[0].status, replies[0].attempts), (MessageStatus::Sent, 1));
    h.stop().await;
}

async fn throttling_and_temporary_errors_are_retried_until_delivered(backend: Backend) {
    let h = harness(backend).await;
    h.graph.script([
        Scripted::Error { status: 400, code: 613, subcode: None, retry_after: None },
        Scripted::Error { status: 500, code: 2, subcode: None, retry_after: None },
    ]);
    h.post(&comment("C1", "U1", "quiero 2 B5")).await;
    h.settle().await;
    assert_eq!(h.graph.calls(), 3);
    assert_eq!(h.graph.replies().len(), 1);
    assert!(h.graph.replies()[0].text.contains("2× B5"), "{}", h.graph.replies()[0].text);
    h.stop().await;
}

async fn a_final_graph_error_is_recorded_for_the_seller_and_not_retried(backend: Backend) {
    let h = harness(backend).await;
    h.graph.script([Scripted::Error { status: 400, code: 10903, subcode: None, retry_after: None }]);
    h.post(&comment("C1", "U1", "A12 talla S")).await;
    h.settle().await;
    assert_eq!(h.graph.calls(), 1);
    let replies = h.deps.store.replies(&h.page()).await.expect("replies");
    assert_eq!((replies[0].status, replies[0].error_code), (MessageStatus::Failed, Some(10903)));
    let notices = h.deps.store.notices(&h.page()).await.expect("notices");
    assert!(notices.iter().any(|n| n.kind == "reply_failed"), "{notices:?}");
    h.stop().await;
}

async fn an_invalid_token_pauses_the_pages_replies_until_a_new_one(backend: Backend) {
    let h = harness(backend).await;
    h.graph.script([Scripted::Error { status: 400, code: 190, subcode: Some(463), retry_after: None }]);
    h.post(&comment("C1", "U1", "A12 talla S")).await;
    h.settle().await;
    h.post(&comment("C2", "U2", "A12 talla M")).await;
    h.settle().await;
    assert_eq!(h.graph.calls(), 1, "the second reply waits without calling Meta");
    let statuses: Vec<_> = h.deps.store.replies(&h.page()).await.expect("replies").iter().map(|m| m.status).collect();
    assert_eq!(statuses, [MessageStatus::Paused, MessageStatus::Paused]);
    // A new token (catalog import does this) resumes them.
    h.deps.store.set_page_token(&h.page(), &SecretString::new(TOKEN)).await.expect("token");
    for id in h.deps.store.resume_paused(&h.page()).await.expect("resume") {
        h.deps.stream.append(&h.deps.settings.streams.key(Stage::Respond), &format!("{{\"message_id\":{id}}}")).await.expect("append");
    }
    h.settle().await;
    assert_eq!(h.graph.replies().len(), 2);
    h.stop().await;
}

async fn poison_entries_end_in_the_dead_letter_stream_and_health_reports_them(backend: Backend) {
    let h = harness(backend).await;
    let key = h.deps.settings.streams.key(Stage::Filter);
    h.deps.stream.append(&key, "{this is not an event").await.expect("append");
    h.deps
        .stream
        .append(&h.deps.settings.streams.key(Stage::Reserve), "{\"platform\":\"facebook\",\"comment_id\":\"ghost\"}")
        .await
        .expect("append");
    h.settle().await;
    let report = health::check(&h.deps).await;
    assert!(report.ok, "{report:?}");
    assert_eq!(report.dead_letters.get("filter"), Some(&1));
    assert_eq!(report.dead_letters.get("reserve"), Some(&1));
    let dead = h.deps.stream.dead_letters(&key, 10).await.expect("dead");
    assert!(dead[0].error.contains("undecodable"), "{:?}", dead[0]);
    // The pipeline carries on with the next comment.
    h.post(&comment("C1", "U1", "B5 para mí")).await;
    h.settle().await;
    assert_eq!(h.graph.replies().len(), 1);
    h.stop().await;
}

async fn a_graph_outage_longer_than_the_delivery_budget_is_waited_out_and_every_reply_goes_once(backend: Backend) {
    let h = harness(backend).await;
    // Down for 40 calls: far more than max_deliveries (3) × send_attempts (3) used to allow.
    let fail = || Scripted::Error { status: 503, code: 2, subcode: None, retry_after: None };
    h.graph.script((0..40).map(|_| fail()));
    for (id, buyer) in [("C1", "U1"), ("C2", "U2"), ("C3", "U3")] {
        h.post(&comment(id, buyer, "A12 talla M")).await;
    }
    assert!(wait_idle(&h.deps, Duration::from_secs(60)).await, "held until the Graph API came back");
    assert!(h.graph.calls() > 40, "{} calls", h.graph.calls());
    let dead = h.deps.stream.dead_letters(&h.deps.settings.streams.key(Stage::Respond), 10).await.expect("dead");
    assert!(dead.is_empty(), "an outage is never a dead letter: {dead:?}");
    let mut delivered: Vec<String> = h.graph.replies().into_iter().map(|r| r.comment_id).collect();
    delivered.sort();
    assert_eq!(delivered, ["C1", "C2", "C3"], "each reply exactly once");
    assert_eq!(h.graph.refused_second(), 0);
    let statuses: Vec<_> = h.deps.store.replies(&h.page()).await.expect("replies").iter().map(|m| m.status).collect();
    assert_eq!(statuses, [MessageStatus::Sent; 3]);
    h.stop().await;
}

async fn edits_and_removals_follow_the_comment(backend: Backend) {
    let h = harness(backend).await;
    let edited = |text: &str, verb: &str| {
        serde_json::json!({"object": "page", "entry": [{"id": PAGE, "time": 1, "changes": [{"field": "feed", "value": {
            "from": {"id": "U1", "name": "Ana"}, "post_id": POST, "comment_id": "C1", "created_time": chrono::Utc::now().timestamp(),
            "item": "comment", "verb": verb, "message": text}}]}]})
        .to_string()
    };
    h.post(&comment("C1", "U1", "A12 talla S")).await;
    h.settle().await;
    h.post(&edited("A12 talla M", "edited")).await; // after it was acted on: decided again
    h.settle().await;
    use shared::domain::reservation::ClaimStatus::{Cancelled, Reserved};
    let claims = h.deps.store.claims(&h.page()).await.expect("claims");
    let now: Vec<_> = claims.iter().map(|c| (c.sku.clone().unwrap_or_default(), c.status, c.reason.clone())).collect();
    assert_eq!(now, [("A12-S".into(), Cancelled, Some("edited".into())), ("A12-M".into(), Reserved, None)]);
    assert_eq!(h.graph.replies().len(), 1, "one private reply per comment");
    h.post(&edited("", "remove")).await;
    h.settle().await;
    let claims = h.deps.store.claims(&h.page()).await.expect("claims");
    assert_eq!((claims[1].status, claims[1].reason.as_deref()), (Cancelled, Some("comment_removed")));
    let stock = h.deps.store.stock(&h.page()).await.expect("stock");
    assert_eq!(stock.iter().find(|l| l.sku == "A12-S").map(|l| l.available), Some(3));
    assert_eq!(stock.iter().find(|l| l.sku == "A12-M").map(|l| l.available), Some(20));
    let counts = h.deps.store.counts(Some(&h.page())).await.expect("counts");
    assert_eq!((counts.edits, counts.removed), (1, 1));
    h.stop().await;
}

async fn a_claim_without_a_product_on_screen_gets_a_clear_reply(backend: Backend) {
    let h = harness(backend).await;
    h.deps.store.set_current_product(&h.page(), None).await.expect("clear current product");
    h.post(&comment("C1", "U1", "mío!!")).await;
    h.post(&comment("C2", "U2", "quiero A12 talla XXL")).await;
    h.post(&comment("C3", "U3", "quiero el Z9")).await;
    h.settle().await;
    let text = |id: &str| h.graph.replies().into_iter().find(|r| r.comment_id == id).map(|r| r.text).unwrap_or_default();
    assert!(text("C1").contains("No entendimos qué producto"), "{}", text("C1"));
    // The classifier drops a size the product doesn't have, so the buyer is asked to pick one.
    assert!(text("C2").contains("Para reservar A12 dinos talla (S, M)"), "{}", text("C2"));
    assert!(text("C3").contains("Z9 no está"), "{}", text("C3"));
    h.stop().await;
}

#[tokio::test]
async fn health_is_503_and_names_the_store_when_it_is_gone() {
    let h = harness(Backend::Embedded).await;
    let pipeline = LocalPipeline::spawn(h.deps.clone(), "x", 1, None);
    pipeline.stop().await;
    // Close the SQLite pool under the running app: both the store and the stream fail.
    let (s, _f) = testkit::sqlite_store().await;
    s.close().await;
    let broken = Deps::new(
        Arc::new(s.clone()),
        Arc::new(EmbeddedStream::new(s.sqlite_pool().expect("sqlite").clone())),
        h.deps.messenger.clone(),
        h.deps.payments.clone(),
        Arc::new(SystemClock),
        Settings::default(),
    );
    let report = health::check(&broken).await;
    assert!(!report.ok);
    assert!(report.failing.iter().any(|f| f.contains("store (sqlite)")), "{:?}", report.failing);
    let secrets = ServeSecrets {
        app_secret: SecretString::new("a"),
        verify_token: SecretString::new("v"),
        api_token: SecretString::new(testkit::API_TOKEN),
    };
    let app = router(AppState { deps: Arc::new(broken), secrets: Arc::new(secrets) });
    let resp = app.oneshot(Request::get("/health").body(Body::empty()).expect("req")).await.expect("resp");
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    h.stop().await;
}

testkit::both!(
    a_reply_delivered_before_a_crash_is_not_sent_again,
    throttling_and_temporary_errors_are_retried_until_delivered,
    a_final_graph_error_is_recorded_for_the_seller_and_not_retried,
    an_invalid_token_pauses_the_pages_replies_until_a_new_one,
    poison_entries_end_in_the_dead_letter_stream_and_health_reports_them,
    a_graph_outage_longer_than_the_delivery_budget_is_waited_out_and_every_reply_goes_once,
    edits_and_removals_follow_the_comment,
    a_claim_without_a_product_on_screen_gets_a_clear_reply,
);
