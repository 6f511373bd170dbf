//! The store contract: every test runs against SQLite (the embedded default) and PostgreSQL (a
//! schema of its own on the real server), so both backends mean the same thing.
use chrono::{DateTime, Duration, TimeZone, Utc};
use shared::domain::comment::Comment;
use shared::domain::ids::{CommentId, LiveId, PageId, Platform, UserId};
use shared::domain::intent::{Classification, Intent, Lang};
use shared::domain::money::{Currency, Money};
use shared::domain::reservation::*;
use shared::domain::secret::SecretString;
use shared::ports::*;
use std::sync::Arc;

const PAGE: &str = "P1";
const TTL: i64 = 900;

fn t0() -> DateTime<Utc> {
    Utc.timestamp_opt(1_764_097_200, 0).single().expect("time")
}

fn page() -> PageId {
    PageId::parse(PAGE).expect("page")
}

fn comment(id: &str, buyer: &str, text: &str) -> Comment {
    Comment {
        platform: Platform::Facebook,
        page_id: page(),
        comment_id: CommentId::parse(id).expect("id"),
        live_id: LiveId::parse("LIVE1").expect("live"),
        author_id: UserId::parse(buyer).expect("buyer"),
        author_name: format!("Buyer {buyer}"),
        text: text.into(),
        created_at: t0(),
    }
}

fn cls(intent: Intent) -> Classification {
    Classification { intent, claims: vec![], lang: Lang::Es, confidence: 1.0, filtered: None, about: vec![], unclear: false, review: None }
}

async fn setup(store: &Arc<dyn Store>) {
    store.import_catalog(&page(), Some(&PageId::parse("IG1").expect("ig")), &testkit::catalog(), t0()).await.expect("import");
}

/// Records, classifies and returns the claim origin of a new comment.
async fn new_comment(store: &Arc<dyn Store>, id: &str, buyer: &str, intent: Intent) -> ClaimOrigin {
    let c = comment(id, buyer, "quiero");
    assert_eq!(store.record(&c, Some(&page()), &format!("e-{id}")).await.expect("record"), Recorded::New);
    assert!(store.save_classification(&c.key(), &c.text, &cls(intent)).await.expect("classify"));
    ClaimOrigin { comment: c.key(), page: page(), live: c.live_id.clone(), buyer: c.author_id.clone(), buyer_name: c.author_name.clone() }
}

fn reserve_req(origin: &ClaimOrigin, idx: u32, sku: &str, qty: u32, now: DateTime<Utc>) -> ReserveRequest {
    let code = sku.split('-').next().unwrap_or(sku).to_string();
    ReserveRequest {
        origin: origin.clone(),
        idx,
        code,
        sku: sku.into(),
        qty: Quantity::new(qty).expect("qty"),
        unit_price: Money::new(12990, Currency::parse("CLP").expect("clp")).expect("money"),
        now,
        ttl_secs: TTL,
    }
}

async fn available(store: &Arc<dyn Store>, sku: &str) -> i64 {
    store.stock(&page()).await.expect("stock").into_iter().find(|l| l.sku == sku).map(|l| l.available).expect("sku")
}

// ───────────────────────────── the contract ─────────────────────────────

async fn a_comment_is_recorded_once_and_redeliveries_are_counted(store: Arc<dyn Store>) {
    setup(&store).await;
    let c = comment("C1", "U1", "A12 M");
    assert_eq!(store.record(&c, Some(&page()), "1-0").await.expect("record"), Recorded::New);
    assert_eq!(store.record(&c, Some(&page()), "1-0").await.expect("record"), Recorded::Retry, "same entry again is a stage retry");
    assert_eq!(store.record(&c, Some(&page()), "2-0").await.expect("record"), Recorded::Duplicate);
    assert_eq!(store.record(&c, Some(&page()), "3-0").await.expect("record"), Recorded::Duplicate);
    let counts = store.counts(Some(&page())).await.expect("counts");
    assert_eq!((counts.comments, counts.duplicates), (1, 2));
    let stored = store.load(&c.key()).await.expect("load").expect("exists");
    assert_eq!((stored.state, stored.comment.text.as_str()), (CommentState::Received, "A12 M"));
}

async fn an_edit_before_processing_changes_the_text_and_after_is_only_recorded(store: Arc<dyn Store>) {
    setup(&store).await;
    let c = comment("C1", "U1", "A12 M");
    store.record(&c, Some(&page()), "1-0").await.expect("record");
    let edited = Comment { text: "A12 S".into(), ..c.clone() };
    assert_eq!(store.apply_edit(&edited).await.expect("edit"), EditOutcome::Applied);
    assert!(!store.save_classification(&c.key(), "A12 M", &cls(Intent::Purchase)).await.expect("save"), "stale text is refused");
    assert!(store.save_classification(&c.key(), "A12 S", &cls(Intent::Purchase)).await.expect("save"));
    let late = Comment { text: "A12 L".into(), ..c.clone() };
    assert_eq!(store.apply_edit(&late).await.expect("edit"), EditOutcome::RecordedOnly);
    let stored = store.load(&c.key()).await.expect("load").expect("exists");
    assert_eq!(stored.comment.text, "A12 S");
    assert_eq!(stored.classification.map(|c| c.intent), Some(Intent::Purchase));
    let unknown = comment("C9", "U9", "x");
    assert_eq!(store.apply_edit(&unknown).await.expect("edit"), EditOutcome::Unknown);
    assert_eq!(store.counts(Some(&page())).await.expect("counts").edits, 2);
}

async fn reserving_takes_stock_and_groups_a_buyers_claims_in_one_order(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let b = new_comment(&store, "C2", "U1", Intent::Purchase).await;
    let r1 = store.reserve(&reserve_req(&a, 0, "A12-M", 2, t0())).await.expect("reserve");
    let r2 = store.reserve(&reserve_req(&b, 0, "B5", 1, t0())).await.expect("reserve");
    assert_eq!((r1.status, r2.status), (ClaimStatus::Reserved, ClaimStatus::Reserved));
    assert_eq!(r1.order_id, r2.order_id, "one open order per buyer and live");
    assert_eq!(r1.expires_at, Some(t0() + Duration::seconds(TTL)));
    assert_eq!(available(&store, "A12-M").await, 18);
    let order = store.order(r1.order_id.expect("order")).await.expect("order").expect("exists");
    assert_eq!((order.total_minor, order.items.len(), order.status), (3 * 12990, 2, OrderStatus::Open));
    let pay = PaymentInstructions::Transfer { instructions: "Banco".into() };
    store.set_order_payment(order.order_id, &pay).await.expect("payment");
    assert_eq!(store.order(order.order_id).await.expect("order").expect("exists").payment, Some(pay));
}

async fn reserve_is_idempotent_per_comment_and_claim_index(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let first = store.reserve(&reserve_req(&a, 0, "A12-S", 1, t0())).await.expect("reserve");
    let again = store.reserve(&reserve_req(&a, 0, "A12-S", 1, t0())).await.expect("reserve");
    assert_eq!(first, again);
    assert_eq!(available(&store, "A12-S").await, 2, "stock taken once");
    let second = store.reserve(&reserve_req(&a, 1, "A12-S", 1, t0())).await.expect("reserve");
    assert_ne!(second.claim_id, first.claim_id);
    assert_eq!(store.claims_for_comment(&a.comment).await.expect("claims").len(), 2);
}

async fn sold_out_claims_wait_and_are_promoted_in_order_when_units_come_back(store: Arc<dyn Store>) {
    setup(&store).await;
    let mut claims = Vec::new();
    for i in 0..4 {
        let o = new_comment(&store, &format!("C{i}"), &format!("U{i}"), Intent::Purchase).await;
        claims.push((o.clone(), store.reserve(&reserve_req(&o, 0, "B3-38-NEGRO", 1, t0())).await.expect("reserve")));
    }
    let statuses: Vec<_> = claims.iter().map(|(_, c)| c.status).collect();
    assert_eq!(statuses, [ClaimStatus::Reserved, ClaimStatus::Reserved, ClaimStatus::Waitlisted, ClaimStatus::Waitlisted]);
    assert_eq!(available(&store, "B3-38-NEGRO").await, 0);
    // U0 cancels: the oldest waiting claim (U2) gets the unit, the seller is told.
    let cancel = new_comment(&store, "X0", "U0", Intent::Cancel).await;
    let req = CancelRequest { origin: cancel, targets: vec![CancelTarget::Latest], now: t0(), ttl_secs: TTL };
    let cancelled = store.cancel(&req).await.expect("cancel");
    assert_eq!(cancelled.iter().map(|c| c.claim_id).collect::<Vec<_>>(), vec![claims[0].1.claim_id]);
    let all = store.claims(&page()).await.expect("claims");
    let status_of = |id: i64| all.iter().find(|c| c.claim_id == id).map(|c| c.status);
    assert_eq!(status_of(claims[2].1.claim_id), Some(ClaimStatus::Reserved));
    assert_eq!(status_of(claims[3].1.claim_id), Some(ClaimStatus::Waitlisted));
    assert_eq!(available(&store, "B3-38-NEGRO").await, 0);
    let notices = store.notices(&page()).await.expect("notices");
    assert!(notices.iter().any(|n| n.kind == "waitlist_promoted" && n.claim_id == Some(claims[2].1.claim_id)), "{notices:?}");
}

async fn a_cancellation_applies_once_even_when_run_again(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let b = new_comment(&store, "C2", "U1", Intent::Purchase).await;
    store.reserve(&reserve_req(&a, 0, "A12-M", 1, t0())).await.expect("reserve");
    store.reserve(&reserve_req(&b, 0, "A12-M", 1, t0())).await.expect("reserve");
    let x = new_comment(&store, "X1", "U1", Intent::Cancel).await;
    let req = CancelRequest { origin: x.clone(), targets: vec![CancelTarget::Latest], now: t0(), ttl_secs: TTL };
    let first = store.cancel(&req).await.expect("cancel");
    let again = store.cancel(&req).await.expect("cancel again");
    assert_eq!(first.len(), 1);
    assert_eq!(first, again);
    assert_eq!(available(&store, "A12-M").await, 19, "only the latest claim was released, once");
    assert_eq!(store.load(&x.comment).await.expect("load").expect("exists").state, CommentState::Acted);
}

async fn a_partial_cancellation_keeps_the_rest_of_the_claim(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let claim = store.reserve(&reserve_req(&a, 0, "A12-M", 3, t0())).await.expect("reserve");
    let x = new_comment(&store, "X1", "U1", Intent::Cancel).await;
    let target = CancelTarget::Product { code: "A12".into(), skus: Some(vec!["A12-M".into()]), qty: Some(1) };
    let cancelled = store.cancel(&CancelRequest { origin: x, targets: vec![target], now: t0(), ttl_secs: TTL }).await.expect("cancel");
    assert_eq!(cancelled.len(), 1);
    assert_eq!((cancelled[0].qty, cancelled[0].status), (1, ClaimStatus::Cancelled));
    let kept = store.claims(&page()).await.expect("claims").into_iter().find(|c| c.claim_id == claim.claim_id).expect("claim");
    assert_eq!((kept.qty, kept.status), (2, ClaimStatus::Reserved));
    assert_eq!(available(&store, "A12-M").await, 18);
    // A cancel naming another product finds nothing.
    let y = new_comment(&store, "X2", "U1", Intent::Cancel).await;
    let none = CancelTarget::Product { code: "B5".into(), skus: None, qty: None };
    assert!(store.cancel(&CancelRequest { origin: y, targets: vec![none], now: t0(), ttl_secs: TTL }).await.expect("cancel").is_empty());
}

async fn unpaid_reservations_expire_and_paid_ones_never_do(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let b = new_comment(&store, "C2", "U2", Intent::Purchase).await;
    let w = new_comment(&store, "C3", "U3", Intent::Purchase).await;
    let ra = store.reserve(&reserve_req(&a, 0, "B3-38-NEGRO", 1, t0())).await.expect("reserve");
    let rb = store.reserve(&reserve_req(&b, 0, "B3-38-NEGRO", 1, t0())).await.expect("reserve");
    let rw = store.reserve(&reserve_req(&w, 0, "B3-38-NEGRO", 1, t0())).await.expect("reserve");
    assert_eq!(rw.status, ClaimStatus::Waitlisted);
    let paid = store.mark_paid(ra.order_id.expect("order"), t0() + Duration::seconds(60)).await.expect("paid").expect("exists");
    assert_eq!(paid.status, OrderStatus::Paid);
    assert!(store.mark_paid(ra.order_id.expect("order"), t0()).await.expect("paid again").is_some(), "paying twice is harmless");
    assert!(store.expire_due(t0() + Duration::seconds(TTL - 1), TTL).await.expect("sweep").is_empty(), "nothing is due yet");
    let later = t0() + Duration::seconds(TTL);
    let expired = store.expire_due(later, TTL).await.expect("sweep");
    assert_eq!(expired.iter().map(|c| c.claim_id).collect::<Vec<_>>(), vec![rb.claim_id]);
    let all = store.claims(&page()).await.expect("claims");
    let status_of = |id: i64| all.iter().find(|c| c.claim_id == id).map(|c| c.status);
    assert_eq!(status_of(ra.claim_id), Some(ClaimStatus::Paid));
    assert_eq!(status_of(rw.claim_id), Some(ClaimStatus::Reserved), "the waitlist got the expired unit");
    let level = store.stock(&page()).await.expect("stock").into_iter().find(|l| l.sku == "B3-38-NEGRO").expect("sku");
    assert_eq!((level.on_hand, level.reserved, level.available), (1, 1, 0), "the paid unit left the stock");
    assert!(store.expire_due(later + Duration::days(30), TTL).await.expect("sweep").iter().all(|c| c.claim_id != ra.claim_id));
    assert!(store.mark_paid(999_999, t0()).await.expect("paid").is_none());
}

async fn removing_a_comment_cancels_its_unpaid_claims(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    store.reserve(&reserve_req(&a, 0, "A12-S", 2, t0())).await.expect("reserve");
    let removed = store.remove(&a.comment, t0(), TTL).await.expect("remove");
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].status, ClaimStatus::Cancelled);
    assert_eq!(available(&store, "A12-S").await, 3);
    assert!(store.remove(&a.comment, t0(), TTL).await.expect("remove again").is_empty());
    // A claim arriving after the removal (a retry racing it) is stored cancelled, not reserved.
    let late = store.reserve(&reserve_req(&a, 1, "A12-S", 1, t0())).await.expect("reserve");
    assert_eq!(late.status, ClaimStatus::Cancelled);
    assert_eq!(available(&store, "A12-S").await, 3);
    assert_eq!(store.load(&a.comment).await.expect("load").expect("exists").state, CommentState::Removed);
}

async fn rejected_claims_and_unknown_skus_are_recorded_without_touching_stock(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let req = RejectRequest {
        origin: a.clone(),
        idx: 0,
        code: Some("Z9".into()),
        qty: Quantity::new(1).expect("q"),
        reason: "unknown_code".into(),
        now: t0(),
    };
    let r = store.reject(&req).await.expect("reject");
    assert_eq!((r.status, r.reason.as_deref()), (ClaimStatus::Rejected, Some("unknown_code")));
    assert_eq!(store.reject(&req).await.expect("again").claim_id, r.claim_id);
    let ghost = store.reserve(&reserve_req(&a, 1, "A12-XXL", 1, t0())).await.expect("reserve");
    assert_eq!(ghost.status, ClaimStatus::Rejected);
    let counts = store.counts(Some(&page())).await.expect("counts");
    assert_eq!(counts.claims.get("rejected"), Some(&2));
}

async fn two_hundred_concurrent_claims_on_twenty_units_reserve_exactly_twenty(store: Arc<dyn Store>) {
    setup(&store).await;
    let mut origins = Vec::new();
    for i in 0..200 {
        origins.push(new_comment(&store, &format!("C{i}"), &format!("U{i}"), Intent::Purchase).await);
    }
    let tasks: Vec<_> = origins
        .into_iter()
        .map(|o| {
            let store = store.clone();
            tokio::spawn(async move {
                // Transient lock conflicts are retried, as the stream would redeliver them.
                for _ in 0..20 {
                    match store.reserve(&reserve_req(&o, 0, "A12-M", 1, t0())).await {
                        Ok(c) => return c.status,
                        Err(e) if e.is_transient() => tokio::time::sleep(std::time::Duration::from_millis(5)).await,
                        Err(e) => panic!("reserve failed: {e}"),
                    }
                }
                panic!("reserve kept failing")
            })
        })
        .collect();
    let statuses: Vec<ClaimStatus> = futures::future::join_all(tasks).await.into_iter().map(|r| r.expect("task")).collect();
    let reserved = statuses.iter().filter(|s| **s == ClaimStatus::Reserved).count();
    let waitlisted = statuses.iter().filter(|s| **s == ClaimStatus::Waitlisted).count();
    assert_eq!((reserved, waitlisted), (20, 180));
    let level = store.stock(&page()).await.expect("stock").into_iter().find(|l| l.sku == "A12-M").expect("sku");
    assert_eq!((level.reserved, level.available), (20, 0));
}

async fn a_reply_is_queued_once_per_comment_and_sent_once(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let id = store.enqueue_reply(&a.comment, "hola").await.expect("enqueue");
    assert_eq!(store.enqueue_reply(&a.comment, "otro texto").await.expect("enqueue again"), id);
    let msg = store.begin_send(id).await.expect("begin").expect("pending");
    assert_eq!((msg.text.as_str(), msg.attempts, msg.account_id.as_str()), ("hola", 1, PAGE));
    store.finish_send(id, &SendOutcome::Retry { code: Some(2), error: "temporary".into() }).await.expect("retry");
    assert_eq!(store.begin_send(id).await.expect("begin").expect("pending again").attempts, 2);
    store.finish_send(id, &SendOutcome::Sent { meta_message_id: Some("m_1".into()) }).await.expect("sent");
    assert!(store.begin_send(id).await.expect("begin").is_none(), "a sent reply is never started again");
    store.finish_send(id, &SendOutcome::Failed { code: None, error: "late".into() }).await.expect("finish");
    let replies = store.replies(&page()).await.expect("replies");
    assert_eq!((replies[0].status, replies[0].meta_message_id.as_deref()), (MessageStatus::Sent, Some("m_1")));
    // Paused replies come back when a token is set again.
    let b = new_comment(&store, "C2", "U2", Intent::Purchase).await;
    let id2 = store.enqueue_reply(&b.comment, "chao").await.expect("enqueue");
    store.begin_send(id2).await.expect("begin");
    store.finish_send(id2, &SendOutcome::Paused { code: Some(190), error: "token".into() }).await.expect("pause");
    assert_eq!(store.resume_paused(&page()).await.expect("resume"), vec![id2]);
}

async fn pages_resolve_from_instagram_accounts_and_keep_tokens_and_the_current_product(store: Arc<dyn Store>) {
    setup(&store).await;
    let ig = PageId::parse("IG1").expect("ig");
    let p = store.page_for_account(Platform::Instagram, &ig).await.expect("lookup").expect("page");
    assert_eq!((p.page_id.as_str(), p.current_product.as_deref(), p.catalog_version), (PAGE, Some("B3"), 1));
    assert!(store.page_for_account(Platform::Facebook, &ig).await.expect("lookup").is_none());
    assert!(store.set_current_product(&page(), Some("A12")).await.expect("set"));
    assert!(!store.set_current_product(&PageId::parse("nope").expect("id"), None).await.expect("set"));
    let (_, catalog) = store.catalog(&page()).await.expect("catalog").expect("exists");
    assert_eq!(catalog.current_product.as_deref(), Some("A12"));
    assert!(store.page_token(&page()).await.expect("token").is_none());
    store.set_page_token(&page(), &SecretString::new("EAAB")).await.expect("token");
    store.invalidate_page_token(&page()).await.expect("invalidate");
    let (t, valid) = store.page_token(&page()).await.expect("token").expect("exists");
    assert_eq!((t.expose(), valid), ("EAAB", false));
}

async fn reimporting_a_catalog_resets_stock_and_ends_active_claims(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let claim = store.reserve(&reserve_req(&a, 0, "A12-S", 2, t0())).await.expect("reserve");
    let mut catalog = testkit::catalog();
    catalog.products[0].stock.insert("A12-S".into(), 7);
    let v = store.import_catalog(&page(), None, &catalog, t0()).await.expect("import");
    assert_eq!(v, 2);
    assert_eq!(available(&store, "A12-S").await, 7);
    let c = store.claims(&page()).await.expect("claims").into_iter().find(|c| c.claim_id == claim.claim_id).expect("claim");
    assert_eq!((c.status, c.reason.as_deref()), (ClaimStatus::Cancelled, Some("catalog_reimported")));
    let p = store.page_for_account(Platform::Instagram, &PageId::parse("IG1").expect("ig")).await.expect("lookup");
    assert!(p.is_some(), "a re-import without --ig-user-id keeps the linked account");
    let mut bad = testkit::catalog();
    bad.products[0].stock.insert("NOPE".into(), 1);
    assert!(matches!(store.import_catalog(&page(), None, &bad, t0()).await, Err(PortError::Rejected { .. })));
}

async fn the_store_answers_a_ping(store: Arc<dyn Store>) {
    store.ping().await.expect("ping");
    let counts = store.counts(None).await.expect("counts");
    assert_eq!(counts.comments, 0);
    assert_eq!(counts.claims.len(), ClaimStatus::ALL.len());
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let (store, _file) = testkit::sqlite_store().await;
                    super::$name(std::sync::Arc::new(store)).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let store = testkit::postgres_store(8).await;
                    let pool = store.pool().clone();
                    super::$name(std::sync::Arc::new(store)).await;
                    pool.close().await;
                }
            )*
        }
    };
}

contract!(
    a_comment_is_recorded_once_and_redeliveries_are_counted,
    an_edit_before_processing_changes_the_text_and_after_is_only_recorded,
    reserving_takes_stock_and_groups_a_buyers_claims_in_one_order,
    reserve_is_idempotent_per_comment_and_claim_index,
    sold_out_claims_wait_and_are_promoted_in_order_when_units_come_back,
    a_cancellation_applies_once_even_when_run_again,
    a_partial_cancellation_keeps_the_rest_of_the_claim,
    unpaid_reservations_expire_and_paid_ones_never_do,
    removing_a_comment_cancels_its_unpaid_claims,
    rejected_claims_and_unknown_skus_are_recorded_without_touching_stock,
    two_hundred_concurrent_claims_on_twenty_units_reserve_exactly_twenty,
    a_reply_is_queued_once_per_comment_and_sent_once,
    pages_resolve_from_instagram_accounts_and_keep_tokens_and_the_current_product,
    reimporting_a_catalog_resets_stock_and_ends_active_claims,
    the_store_answers_a_ping,
);
