use super::*;

pub async fn reserving_takes_stock_and_groups_a_buyers_claims_in_one_order(store: Arc<dyn Store>) {
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

pub async fn reserve_is_idempotent_per_comment_and_claim_index(store: Arc<dyn Store>) {
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

pub async fn sold_out_claims_wait_and_are_promoted_in_order_when_units_come_back(store: Arc<dyn Store>) {
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

pub async fn a_cancellation_applies_once_even_when_run_again(store: Arc<dyn Store>) {
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

pub async fn a_partial_cancellation_keeps_the_rest_of_the_claim(store: Arc<dyn Store>) {
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

pub async fn unpaid_reservations_expire_and_paid_ones_never_do(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let b = new_comment(&store, "C2", "U2", Intent::Purchase).await;
    let w = new_comment(&store, "C3", "U3", Intent::Purchase).await;
    let ra = store.reserve(&reserve_req(&a, 0, "B3-38-NEGRO", 1, t0())).await.expect("reserve");
    let rb = store.reserve(&reserve_req(&b, 0, "B3-38-NEGRO", 1, t0())).await.expect("reserve");
    let rw = store.reserve(&reserve_req(&w, 0, "B3-38-NEGRO", 1, t0())).await.expect("reserve");
    assert_eq!(rw.status, ClaimStatus::Waitlisted);
    let PaidOutcome::Paid(paid) = store.mark_paid(ra.order_id.expect("order"), t0() + Duration::seconds(60)).await.expect("paid") else {
        panic!("the order holds a reservation")
    };
    assert_eq!(paid.status, OrderStatus::Paid);
    assert!(
        matches!(store.mark_paid(ra.order_id.expect("order"), t0()).await.expect("paid again"), PaidOutcome::AlreadyPaid(_)),
        "paying twice is harmless"
    );
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
    assert_eq!(store.mark_paid(999_999, t0()).await.expect("paid"), PaidOutcome::NotFound);
}

pub async fn rejected_claims_and_unknown_skus_are_recorded_without_touching_stock(store: Arc<dyn Store>) {
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

pub async fn two_hundred_concurrent_claims_on_twenty_units_reserve_exactly_twenty(store: Arc<dyn Store>) {
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

fn redecide(origin: &ClaimOrigin, revision: u32, claims: Vec<NewClaim>, now: DateTime<Utc>) -> RedecideRequest {
    RedecideRequest { origin: origin.clone(), revision, claims, now, ttl_secs: TTL }
}

pub async fn an_edit_decides_the_claims_again_and_the_held_units_go_to_the_new_claim_first(store: Arc<dyn Store>) {
    setup(&store).await;
    // Both B3-38 units: U1 holds one, U2 the other; U3 waits.
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let held = store.reserve(&reserve_req(&a, 0, "B3-38-NEGRO", 1, t0())).await.expect("reserve");
    store.mark_acted(&a.comment).await.expect("acted");
    let b = new_comment(&store, "C2", "U2", Intent::Purchase).await;
    store.reserve(&reserve_req(&b, 0, "B3-38-NEGRO", 1, t0())).await.expect("reserve");
    let w = new_comment(&store, "C3", "U3", Intent::Purchase).await;
    let waiting = store.reserve(&reserve_req(&w, 0, "B3-38-NEGRO", 1, t0())).await.expect("reserve");
    assert_eq!(waiting.status, ClaimStatus::Waitlisted);
    // U1 edits "B3 38 negro" into "B3 38 negro y B5": the unit U1 held stays U1's (U3, waiting
    // longer, does not get it in between), and B5 is added.
    let edit = Comment { text: "B3 38 negro y B5".into(), ..comment("C1", "U1", "") };
    assert_eq!(store.apply_edit(&edit).await.expect("edit"), EditOutcome::Reopened);
    let later = t0() + Duration::seconds(30);
    let claims = vec![
        NewClaim::Reserve(reserve_req(&a, 1000, "B3-38-NEGRO", 1, later)),
        NewClaim::Reserve(ReserveRequest { code: "B5".into(), ..reserve_req(&a, 1001, "B5", 1, later) }),
    ];
    let decided = store.redecide(&redecide(&a, 1, claims.clone(), later)).await.expect("redecide");
    let status: Vec<(String, ClaimStatus)> = decided.iter().map(|c| (c.sku.clone().unwrap_or_default(), c.status)).collect();
    assert_eq!(status, [("B3-38-NEGRO".to_string(), ClaimStatus::Reserved), ("B5".to_string(), ClaimStatus::Reserved)]);
    let all = store.claims(&page()).await.expect("claims");
    let status_of = |id: i64| all.iter().find(|c| c.claim_id == id).map(|c| (c.status, c.reason.clone()));
    assert_eq!(status_of(held.claim_id), Some((ClaimStatus::Cancelled, Some("edited".into()))));
    assert_eq!(status_of(waiting.claim_id), Some((ClaimStatus::Waitlisted, None)), "U3 still waits");
    assert_eq!(available(&store, "B3-38-NEGRO").await, 0);
    assert_eq!(available(&store, "B5").await, 9);
    // Applied once per revision: a retry returns the same claims and changes nothing.
    assert_eq!(store.redecide(&redecide(&a, 1, claims, later)).await.expect("again"), decided);
    let stored = store.load(&a.comment).await.expect("load").expect("exists");
    assert_eq!((stored.state, stored.acted_revision), (CommentState::Acted, Some(1)));
}

pub async fn an_edit_that_wants_nothing_any_more_frees_the_units_for_the_waitlist(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    store.reserve(&reserve_req(&a, 0, "B3-39-BEIGE", 1, t0())).await.expect("reserve");
    store.mark_acted(&a.comment).await.expect("acted");
    let w = new_comment(&store, "C2", "U2", Intent::Purchase).await;
    let waiting = store.reserve(&reserve_req(&w, 0, "B3-39-BEIGE", 1, t0())).await.expect("reserve");
    store.apply_edit(&Comment { text: "ya no lo quiero".into(), ..comment("C1", "U1", "") }).await.expect("edit");
    assert!(store.redecide(&redecide(&a, 1, vec![], t0())).await.expect("redecide").is_empty());
    let promoted = store.claims(&page()).await.expect("claims").into_iter().find(|c| c.claim_id == waiting.claim_id).expect("claim");
    assert_eq!(promoted.status, ClaimStatus::Reserved, "the waitlist got the unit");
}

pub async fn paying_an_order_whose_reservations_expired_pays_nothing(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let r = store.reserve(&reserve_req(&a, 0, "A12-S", 1, t0())).await.expect("reserve");
    let order = r.order_id.expect("order");
    store.expire_due(t0() + Duration::seconds(TTL), TTL).await.expect("sweep");
    let before = store.stock(&page()).await.expect("stock");
    match store.mark_paid(order, t0() + Duration::seconds(TTL + 60)).await.expect("paid") {
        PaidOutcome::NothingReserved(o) => assert_eq!((o.status, o.total_minor), (OrderStatus::Open, 0)),
        other => panic!("an expired order must not be paid: {other:?}"),
    }
    assert_eq!(store.stock(&page()).await.expect("stock"), before, "no unit left the stock");
    // A new claim by the same buyer joins the same open order, which can then be paid.
    let b = new_comment(&store, "C2", "U1", Intent::Purchase).await;
    let again = store.reserve(&reserve_req(&b, 0, "A12-S", 1, t0() + Duration::seconds(TTL + 90))).await.expect("reserve");
    assert_eq!(again.order_id, Some(order));
    assert!(
        matches!(store.mark_paid(order, t0() + Duration::seconds(TTL + 100)).await.expect("paid"), PaidOutcome::Paid(o) if o.total_minor == 12990)
    );
}

pub async fn a_freed_unit_skips_a_waiting_buyer_at_the_pages_cap(store: Arc<dyn Store>) {
    let mut catalog = serde_json::to_value(testkit::catalog()).expect("catalog");
    catalog["max_units_per_buyer"] = serde_json::json!(1);
    let catalog = serde_json::from_value(catalog).expect("catalog");
    store.import_catalog(&page(), None, &catalog, t0(), TTL).await.expect("import");
    let (u1a, u1b) = (new_comment(&store, "C1", "U1", Intent::Purchase).await, new_comment(&store, "C2", "U1", Intent::Purchase).await);
    let u2 = new_comment(&store, "C3", "U2", Intent::Purchase).await;
    let u3 = new_comment(&store, "C4", "U3", Intent::Purchase).await;
    let held = store.reserve(&reserve_req(&u2, 0, "B3-39-BEIGE", 1, t0())).await.expect("reserve");
    assert_eq!(store.reserve(&reserve_req(&u1a, 0, "A12-M", 1, t0())).await.expect("reserve").status, ClaimStatus::Reserved);
    let capped = store.reserve(&reserve_req(&u1b, 0, "B3-39-BEIGE", 1, t0())).await.expect("reserve");
    assert_eq!((capped.status, capped.reason.as_deref()), (ClaimStatus::Waitlisted, Some("buyer_cap")));
    let later = t0() + Duration::seconds(1);
    let waiting = store.reserve(&reserve_req(&u3, 0, "B3-39-BEIGE", 1, later)).await.expect("reserve");
    assert_eq!((waiting.status, waiting.reason), (ClaimStatus::Waitlisted, None));
    // U2's unit expires: U1 is older in the queue but at the cap, so U3 gets it.
    store.expire_due(t0() + Duration::seconds(TTL), TTL).await.expect("sweep");
    let claims = store.claims(&page()).await.expect("claims");
    let status = |id: i64| claims.iter().find(|c| c.claim_id == id).map(|c| c.status);
    assert_eq!(status(held.claim_id), Some(ClaimStatus::Expired));
    assert_eq!(status(capped.claim_id), Some(ClaimStatus::Waitlisted));
    assert_eq!(status(waiting.claim_id), Some(ClaimStatus::Reserved));
}

pub async fn a_claim_past_the_cap_keeps_what_fits_and_the_rest_waits_on_its_own_claim(store: Arc<dyn Store>) {
    let mut catalog = serde_json::to_value(testkit::catalog()).expect("catalog");
    catalog["max_units_per_buyer"] = serde_json::json!(3);
    let catalog = serde_json::from_value(catalog).expect("catalog");
    store.import_catalog(&page(), None, &catalog, t0(), TTL).await.expect("import");
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let r = store.reserve(&reserve_req(&a, 0, "B5", 5, t0())).await.expect("reserve");
    assert_eq!((r.status, r.qty), (ClaimStatus::Reserved, 3));
    let all = store.claims_for_comment(&a.comment).await.expect("claims");
    let split: Vec<_> = all.iter().filter(|c| c.claim_id != r.claim_id).map(|c| (c.idx, c.qty, c.status, c.reason.clone())).collect();
    assert_eq!(split, [(CAP_SPLIT_IDX, 2, ClaimStatus::Waitlisted, Some("buyer_cap".to_string()))]);
    assert_eq!(available(&store, "B5").await, 7);
    // A retry of the same claim changes nothing.
    assert_eq!(store.reserve(&reserve_req(&a, 0, "B5", 5, t0())).await.expect("again").claim_id, r.claim_id);
    assert_eq!(store.claims_for_comment(&a.comment).await.expect("claims").len(), 2);
}
