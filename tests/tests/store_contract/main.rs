//! The store contract: every test runs against SQLite (the embedded default) and PostgreSQL (a
//! schema of its own on the real server), so both backends mean the same thing.
pub use chrono::{DateTime, Duration, TimeZone, Utc};
pub use shared::domain::comment::Comment;
pub use shared::domain::ids::{CommentId, LiveId, PageId, Platform, UserId};
pub use shared::domain::intent::{Classification, Intent, Lang};
pub use shared::domain::ledger::*;
pub use shared::domain::money::{Currency, Money};
pub use shared::domain::outbound::*;
pub use shared::domain::reservation::*;
pub use shared::domain::secret::SecretString;
pub use shared::ports::*;
pub use std::sync::Arc;

mod ledger;
mod pages;
mod payments;
mod reservations;

pub const PAGE: &str = "P1";
pub const TTL: i64 = 900;

pub fn t0() -> DateTime<Utc> {
    Utc.timestamp_opt(1_764_097_200, 0).single().expect("time")
}

pub fn page() -> PageId {
    PageId::parse(PAGE).expect("page")
}

pub fn comment(id: &str, buyer: &str, text: &str) -> Comment {
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

pub fn cls(intent: Intent) -> Classification {
    Classification { intent, claims: vec![], lang: Lang::Es, confidence: 1.0, filtered: None, about: vec![], unclear: false, review: None }
}

pub async fn setup(store: &Arc<dyn Store>) {
    store.import_catalog(&page(), Some(&PageId::parse("IG1").expect("ig")), &testkit::catalog(), t0(), TTL).await.expect("import");
}

/// Records, classifies and returns the claim origin of a new comment.
pub async fn new_comment(store: &Arc<dyn Store>, id: &str, buyer: &str, intent: Intent) -> ClaimOrigin {
    let c = comment(id, buyer, "quiero");
    assert_eq!(store.record(&c, Some(&page()), &format!("e-{id}")).await.expect("record"), Recorded::New);
    assert!(store.save_classification(&c.key(), &c.text, &cls(intent)).await.expect("classify"));
    ClaimOrigin { comment: c.key(), page: page(), live: c.live_id.clone(), buyer: c.author_id.clone(), buyer_name: c.author_name.clone() }
}

pub fn reserve_req(origin: &ClaimOrigin, idx: u32, sku: &str, qty: u32, now: DateTime<Utc>) -> ReserveRequest {
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

pub async fn available(store: &Arc<dyn Store>, sku: &str) -> i64 {
    store.stock(&page()).await.expect("stock").into_iter().find(|l| l.sku == sku).map(|l| l.available).expect("sku")
}

macro_rules! contract {
    ($($m:ident::$name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let (store, _file) = testkit::sqlite_store().await;
                    super::$m::$name(std::sync::Arc::new(store)).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let store = testkit::postgres_store(8).await;
                    let closer = store.clone();
                    super::$m::$name(std::sync::Arc::new(store)).await;
                    closer.close().await;
                }
            )*
        }
    };
}

contract!(
    ledger::a_comment_is_recorded_once_and_redeliveries_are_counted,
    ledger::an_edit_changes_the_text_and_reopens_a_classified_comment,
    ledger::an_edit_reopens_a_claimed_comment_but_not_one_whose_claims_are_over,
    ledger::a_removal_that_arrives_first_holds_the_comment_back,
    ledger::removing_a_comment_cancels_its_unpaid_claims,
    reservations::reserving_takes_stock_and_groups_a_buyers_claims_in_one_order,
    reservations::reserve_is_idempotent_per_comment_and_claim_index,
    reservations::sold_out_claims_wait_and_are_promoted_in_order_when_units_come_back,
    reservations::a_cancellation_applies_once_even_when_run_again,
    reservations::a_partial_cancellation_keeps_the_rest_of_the_claim,
    reservations::unpaid_reservations_expire_and_paid_ones_never_do,
    reservations::rejected_claims_and_unknown_skus_are_recorded_without_touching_stock,
    reservations::two_hundred_concurrent_claims_on_twenty_units_reserve_exactly_twenty,
    reservations::an_edit_decides_the_claims_again_and_the_held_units_go_to_the_new_claim_first,
    reservations::an_edit_that_wants_nothing_any_more_frees_the_units_for_the_waitlist,
    reservations::paying_an_order_whose_reservations_expired_pays_nothing,
    reservations::a_freed_unit_skips_a_waiting_buyer_at_the_pages_cap,
    reservations::a_claim_past_the_cap_keeps_what_fits_and_the_rest_waits_on_its_own_claim,
    pages::a_reply_is_queued_once_per_comment_and_sent_once,
    pages::pages_resolve_from_instagram_accounts_and_keep_tokens_and_the_current_product,
    pages::reimporting_keeps_every_claim_and_updates_the_catalog_in_place,
    pages::stock_set_below_what_is_reserved_is_kept_at_the_reserved_count,
    pages::raising_stock_through_an_import_promotes_the_waitlist,
    pages::a_product_removed_from_the_file_is_hidden_not_deleted,
    pages::no_unit_reserved_or_sold_is_offered_again_through_an_import,
    pages::sessions_are_found_by_their_id_and_end_when_deleted,
    pages::a_pages_gateways_are_kept_in_priority_order_with_their_credentials,
    pages::the_store_answers_a_ping,
    payments::an_order_has_one_hold_that_a_new_claim_moves,
    payments::a_payment_sells_its_links_claims_once_however_often_it_is_told,
    payments::a_superseded_links_payment_pays_its_own_claims,
    payments::an_amount_that_matches_no_link_is_flagged_and_pays_nothing,
    payments::rejected_or_pending_payments_change_only_the_payment_state,
    payments::a_payment_after_the_hold_expired_takes_the_units_again_or_asks_for_a_refund,
    payments::a_payment_for_no_known_link_is_kept_until_its_link_is,
    payments::shipping_paid_through_a_link_is_not_charged_again_and_the_address_is_kept,
    payments::first_paid_claims_hold_nothing_and_the_first_payment_wins,
);
