//! Links and payments: a payment pays exactly its link's claims, once, whatever the order and
//! number of deliveries; a wrong amount is flagged; an expired hold is taken again or refunded.
use super::*;
use shared::domain::payment::Gateway;
use shared::domain::settlement::{NewLink, PaymentState, ProviderPayment, Settlement, SupersededLink};

fn clp(minor: i64) -> Money {
    Money::new(minor, Currency::parse("CLP").expect("clp")).expect("money")
}

fn link(order_id: i64, external: &str, minor: i64, claims: &[i64], now: DateTime<Utc>) -> NewLink {
    NewLink {
        order_id,
        page: page(),
        gateway: Gateway::MercadoPago,
        external_ref: external.into(),
        provider_ref: format!("pref-{external}"),
        url: format!("https://mp.example/{external}"),
        amount: clp(minor),
        shipping_minor: 0,
        claim_ids: claims.to_vec(),
        expires_at: now + Duration::seconds(TTL),
        now,
    }
}

fn payment(id: &str, external: &str, state: PaymentState, minor: Option<i64>) -> ProviderPayment {
    ProviderPayment {
        page: page(),
        gateway: Gateway::MercadoPago,
        payment_ref: id.into(),
        external_ref: external.into(),
        state,
        amount_minor: minor,
        currency: "CLP".into(),
        delivery_address: None,
    }
}

async fn level(store: &Arc<dyn Store>, sku: &str) -> (i64, i64) {
    let l = store.stock(&page()).await.expect("stock").into_iter().find(|l| l.sku == sku).expect("sku");
    (l.on_hand, l.reserved)
}

async fn status_of(store: &Arc<dyn Store>, claim: i64) -> ClaimStatus {
    store.claims(&page()).await.expect("claims").into_iter().find(|c| c.claim_id == claim).map(|c| c.status).expect("claim")
}

async fn kinds(store: &Arc<dyn Store>) -> Vec<String> {
    store.notices(&page()).await.expect("notices").into_iter().map(|n| n.kind).collect()
}

/// Two comments of one buyer: one order, one hold, two links (the second for the grown total).
async fn grown_order(store: &Arc<dyn Store>) -> (i64, ClaimRecord, ClaimRecord) {
    setup(store).await;
    let a = new_comment(store, "C1", "U1", Intent::Purchase).await;
    let b = new_comment(store, "C2", "U1", Intent::Purchase).await;
    let r1 = store.reserve(&reserve_req(&a, 0, "A12-M", 1, t0())).await.expect("reserve");
    let order = r1.order_id.expect("order");
    assert!(store.record_link(&link(order, "L1", 12990, &[r1.claim_id], t0())).await.expect("link").is_empty());
    let later = t0() + Duration::seconds(60);
    let r2 = store.reserve(&reserve_req(&b, 0, "B5", 1, later)).await.expect("reserve");
    assert_eq!(r2.order_id, Some(order));
    let superseded = store.record_link(&link(order, "L2", 25980, &[r1.claim_id, r2.claim_id], later)).await.expect("link");
    assert_eq!(superseded, vec![SupersededLink { gateway: Gateway::MercadoPago, provider_ref: "pref-L1".into() }]);
    (order, r1, r2)
}

pub async fn an_order_has_one_hold_that_a_new_claim_moves(store: Arc<dyn Store>) {
    let (order, r1, r2) = grown_order(&store).await;
    let held = store.claims(&page()).await.expect("claims");
    let until = t0() + Duration::seconds(60 + TTL);
    for id in [r1.claim_id, r2.claim_id] {
        assert_eq!(held.iter().find(|c| c.claim_id == id).and_then(|c| c.expires_at), Some(until), "claim {id}");
    }
    let o = store.order(order).await.expect("order").expect("exists");
    assert_eq!((o.hold_until, o.due_minor), (Some(until), 25980));
    assert!(matches!(o.payment, Some(PaymentInstructions::Link { ref reference, amount_minor: 25980, .. }) if reference == "pref-L2"));
    // The first claim no longer expires at its own time.
    assert!(store.expire_due(t0() + Duration::seconds(TTL), TTL).await.expect("sweep").is_empty());
}

pub async fn a_payment_sells_its_links_claims_once_however_often_it_is_told(store: Arc<dyn Store>) {
    let (order, r1, r2) = grown_order(&store).await;
    let now = t0() + Duration::seconds(120);
    let p = payment("901", "L2", PaymentState::Approved, Some(25980));
    // Three deliveries at once, and one more later: one sale.
    let (a, b, c) = tokio::join!(store.settle(&p, now), store.settle(&p, now), store.settle(&p, now));
    let outcomes = [a.expect("settle"), b.expect("settle"), c.expect("settle")];
    let paid = outcomes.iter().filter(|o| matches!(o, Settlement::Paid { re_reserved: 0, refund_minor: 0, .. })).count();
    assert_eq!(paid, 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| **o == Settlement::Repeat { order_id: Some(order) }).count(), 2);
    assert_eq!(store.settle(&p, now).await.expect("again"), Settlement::Repeat { order_id: Some(order) });
    assert_eq!((status_of(&store, r1.claim_id).await, status_of(&store, r2.claim_id).await), (ClaimStatus::Paid, ClaimStatus::Paid));
    assert_eq!((level(&store, "A12-M").await, level(&store, "B5").await), ((19, 0), (9, 0)), "sold once");
    let o = store.order(order).await.expect("order").expect("exists");
    assert_eq!((o.status, o.payment_state.as_deref()), (OrderStatus::Paid, Some("approved")));
    // A late "pending" of the same payment never takes it back; a refund afterwards is news.
    let pending = payment("901", "L2", PaymentState::Pending, Some(25980));
    assert_eq!(store.settle(&pending, now).await.expect("late"), Settlement::Repeat { order_id: Some(order) });
    assert_eq!(status_of(&store, r1.claim_id).await, ClaimStatus::Paid);
    let refunded = payment("901", "L2", PaymentState::Refunded, Some(25980));
    store.settle(&refunded, now).await.expect("refund");
    store.settle(&refunded, now).await.expect("refund again");
    let k = kinds(&store).await;
    assert_eq!(k.iter().filter(|k| *k == "paid").count(), 1, "{k:?}");
    assert_eq!(k.iter().filter(|k| *k == "payment_refunded").count(), 1, "{k:?}");
    // The superseded link paid as well: its claim is sold already, so that money is refunded.
    let twice = payment("902", "L1", PaymentState::Approved, Some(12990));
    assert_eq!(store.settle(&twice, now).await.expect("twice"), Settlement::RefundNeeded { order_id: order, refund_minor: 12990 });
    assert!(kinds(&store).await.contains(&"refund_needed".to_string()));
    assert_eq!(level(&store, "A12-M").await, (19, 0), "nothing sold twice");
}

pub async fn a_superseded_links_payment_pays_its_own_claims(store: Arc<dyn Store>) {
    let (order, r1, r2) = grown_order(&store).await;
    let now = t0() + Duration::seconds(120);
    let p = payment("903", "L1", PaymentState::Approved, Some(12990));
    assert_eq!(store.settle(&p, now).await.expect("settle"), Settlement::Paid { order_id: order, re_reserved: 0, refund_minor: 0 });
    assert_eq!((status_of(&store, r1.claim_id).await, status_of(&store, r2.claim_id).await), (ClaimStatus::Paid, ClaimStatus::Reserved));
    let o = store.order(order).await.expect("order").expect("exists");
    assert_eq!((o.status, o.payment_state.as_deref(), o.due_minor), (OrderStatus::Open, Some("partly_paid"), 12990));
}

pub async fn an_amount_that_matches_no_link_is_flagged_and_pays_nothing(store: Arc<dyn Store>) {
    let (order, r1, _) = grown_order(&store).await;
    let now = t0() + Duration::seconds(120);
    for (id, minor) in [("904", Some(12000)), ("905", None)] {
        assert_eq!(
            store.settle(&payment(id, "L2", PaymentState::Approved, minor), now).await.expect("settle"),
            Settlement::Flagged { order_id: order }
        );
    }
    let mut usd = payment("906", "L2", PaymentState::Approved, Some(25980));
    usd.currency = "USD".into();
    assert_eq!(store.settle(&usd, now).await.expect("settle"), Settlement::Flagged { order_id: order }, "the currency counts");
    assert_eq!(status_of(&store, r1.claim_id).await, ClaimStatus::Reserved);
    assert_eq!(kinds(&store).await.iter().filter(|k| *k == "payment_flagged").count(), 3);
    let o = store.order(order).await.expect("order").expect("exists");
    assert_eq!(o.payment_state.as_deref(), Some("flagged"));
    // The right amount afterwards still pays.
    let right = payment("907", "L2", PaymentState::Approved, Some(25980));
    assert!(matches!(store.settle(&right, now).await.expect("settle"), Settlement::Paid { .. }));
}

pub async fn rejected_or_pending_payments_change_only_the_payment_state(store: Arc<dyn Store>) {
    let (order, r1, _) = grown_order(&store).await;
    let now = t0() + Duration::seconds(120);
    for (state, word) in [(PaymentState::Pending, "pending"), (PaymentState::Rejected, "rejected"), (PaymentState::Cancelled, "cancelled")]
    {
        let got = store.settle(&payment("908", "L2", state, Some(25980)), now).await.expect("settle");
        assert_eq!(got, Settlement::NotPaid { order_id: order, state });
        assert_eq!(store.order(order).await.expect("order").expect("exists").payment_state.as_deref(), Some(word));
    }
    assert_eq!(status_of(&store, r1.claim_id).await, ClaimStatus::Reserved);
    assert_eq!(level(&store, "A12-M").await, (20, 1));
    // Approved at last (the same payment, out of order or not): sold.
    assert!(matches!(
        store.settle(&payment("908", "L2", PaymentState::Approved, Some(25980)), now).await.expect("settle"),
        Settlement::Paid { .. }
    ));
}

pub async fn a_payment_after_the_hold_expired_takes_the_units_again_or_asks_for_a_refund(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let b = new_comment(&store, "C2", "U1", Intent::Purchase).await;
    let r1 = store.reserve(&reserve_req(&a, 0, "A12-S", 3, t0())).await.expect("reserve");
    let r2 = store.reserve(&reserve_req(&b, 0, "B5", 1, t0())).await.expect("reserve");
    let order = r1.order_id.expect("order");
    store.record_link(&link(order, "L1", 4 * 12990, &[r1.claim_id, r2.claim_id], t0())).await.expect("link");
    let after = t0() + Duration::seconds(TTL + 1);
    assert_eq!(store.expire_due(after, TTL).await.expect("sweep").len(), 2);
    // Someone else takes the three A12-S meanwhile; B5 is still free.
    let other = new_comment(&store, "C3", "U2", Intent::Purchase).await;
    assert_eq!(store.reserve(&reserve_req(&other, 0, "A12-S", 3, after)).await.expect("reserve").status, ClaimStatus::Reserved);
    let p = payment("909", "L1", PaymentState::Approved, Some(4 * 12990));
    assert_eq!(
        store.settle(&p, after).await.expect("settle"),
        Settlement::Paid { order_id: order, re_reserved: 1, refund_minor: 3 * 12990 }
    );
    assert_eq!((status_of(&store, r1.claim_id).await, status_of(&store, r2.claim_id).await), (ClaimStatus::Expired, ClaimStatus::Paid));
    assert_eq!((level(&store, "A12-S").await, level(&store, "B5").await), ((3, 3), (9, 0)), "never oversold");
    assert!(kinds(&store).await.contains(&"refund_needed".to_string()));
}

pub async fn a_payment_for_no_known_link_is_kept_until_its_link_is(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let r1 = store.reserve(&reserve_req(&a, 0, "A12-M", 1, t0())).await.expect("reserve");
    let p = payment("910", "L9", PaymentState::Approved, Some(12990));
    assert_eq!(store.settle(&p, t0()).await.expect("settle"), Settlement::Unmatched);
    assert_eq!(store.settle(&p, t0()).await.expect("settle"), Settlement::Unmatched);
    assert_eq!(kinds(&store).await.iter().filter(|k| *k == "payment_unmatched").count(), 1, "told once");
    // Another page's notification URL never pays this page's link.
    let order = r1.order_id.expect("order");
    store.record_link(&link(order, "L9", 12990, &[r1.claim_id], t0())).await.expect("link");
    let mut elsewhere = payment("911", "L9", PaymentState::Approved, Some(12990));
    elsewhere.page = PageId::parse("P2").expect("page");
    assert_eq!(store.settle(&elsewhere, t0()).await.expect("settle"), Settlement::Unmatched);
    assert_eq!(store.settle(&p, t0()).await.expect("settle"), Settlement::Paid { order_id: order, re_reserved: 0, refund_minor: 0 });
    // The same link recorded again (a retried stage) changes nothing.
    assert!(store.record_link(&link(order, "L9", 12990, &[r1.claim_id], t0())).await.expect("link").is_empty());
}

pub async fn shipping_paid_through_a_link_is_not_charged_again_and_the_address_is_kept(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let r1 = store.reserve(&reserve_req(&a, 0, "A12-M", 1, t0())).await.expect("reserve");
    let order = r1.order_id.expect("order");
    let mut l = link(order, "L1", 12990 + 3990, &[r1.claim_id], t0());
    l.shipping_minor = 3990;
    store.record_link(&l).await.expect("link");
    assert_eq!(store.order(order).await.expect("order").expect("exists").shipping_paid_minor, 0, "not paid yet");
    let mut p = payment("920", "L1", PaymentState::Approved, Some(16980));
    p.delivery_address = Some("Av. Siempre Viva 742, Santiago, CL".into());
    assert!(matches!(store.settle(&p, t0()).await.expect("settle"), Settlement::Paid { .. }));
    let o = store.order(order).await.expect("order").expect("exists");
    assert_eq!((o.shipping_paid_minor, o.delivery_address.as_deref()), (3990, Some("Av. Siempre Viva 742, Santiago, CL")));
}

pub async fn first_paid_claims_hold_nothing_and_the_first_payment_wins(store: Arc<dyn Store>) {
    let mut catalog = serde_json::to_value(testkit::catalog()).expect("catalog");
    catalog["first_paid_first_served"] = serde_json::json!(true);
    let catalog = serde_json::from_value(catalog).expect("catalog");
    store.import_catalog(&page(), None, &catalog, t0(), TTL).await.expect("import");
    let (a, b) = (new_comment(&store, "C1", "U1", Intent::Purchase).await, new_comment(&store, "C2", "U2", Intent::Purchase).await);
    // One pair of sandals, two claims: both get an order (and a link), neither holds the unit.
    let r1 = store.reserve(&reserve_req(&a, 0, "B3-39-BEIGE", 1, t0())).await.expect("reserve");
    let r2 = store.reserve(&reserve_req(&b, 0, "B3-39-BEIGE", 1, t0())).await.expect("reserve");
    assert_eq!((r1.status, r2.status), (ClaimStatus::Reserved, ClaimStatus::Reserved));
    assert_eq!(level(&store, "B3-39-BEIGE").await, (1, 0), "nothing held before a payment");
    store.record_link(&link(r1.order_id.expect("order"), "L1", 12990, &[r1.claim_id], t0())).await.expect("link");
    store.record_link(&link(r2.order_id.expect("order"), "L2", 12990, &[r2.claim_id], t0())).await.expect("link");
    // U2 pays first and gets it; U1's later payment is for a sold-out variant: refund.
    let later = t0() + Duration::seconds(30);
    assert!(matches!(
        store.settle(&payment("930", "L2", PaymentState::Approved, Some(12990)), later).await.expect("settle"),
        Settlement::Paid { .. }
    ));
    assert_eq!(
        store.settle(&payment("931", "L1", PaymentState::Approved, Some(12990)), later).await.expect("settle"),
        Settlement::RefundNeeded { order_id: r1.order_id.expect("order"), refund_minor: 12990 }
    );
    assert_eq!(level(&store, "B3-39-BEIGE").await, (0, 0), "sold once");
    // Sold out now: a new claim waits; U1's unpaid claim expires without touching the stock.
    let c = new_comment(&store, "C3", "U3", Intent::Purchase).await;
    assert_eq!(store.reserve(&reserve_req(&c, 0, "B3-39-BEIGE", 1, later)).await.expect("reserve").status, ClaimStatus::Waitlisted);
    store.expire_due(t0() + Duration::seconds(TTL), TTL).await.expect("sweep");
    assert_eq!(status_of(&store, r1.claim_id).await, ClaimStatus::Expired);
    assert_eq!(level(&store, "B3-39-BEIGE").await, (0, 0), "never below zero");
}
