use super::*;

pub async fn a_reply_is_queued_once_per_comment_and_sent_once(store: Arc<dyn Store>) {
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

pub async fn pages_resolve_from_instagram_accounts_and_keep_tokens_and_the_current_product(store: Arc<dyn Store>) {
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

async fn reimport(
    store: &Arc<dyn Store>,
    edit: impl FnOnce(&mut shared::domain::catalog::Catalog),
) -> shared::domain::catalog::ImportSummary {
    let mut catalog = testkit::catalog();
    edit(&mut catalog);
    store.import_catalog(&page(), None, &catalog, t0(), TTL).await.expect("import")
}

fn stock_of(catalog: &mut shared::domain::catalog::Catalog, sku: &str, n: i64) {
    for p in &mut catalog.products {
        if let Some(v) = p.stock.get_mut(sku) {
            *v = n;
        }
    }
}

async fn level(store: &Arc<dyn Store>, sku: &str) -> Option<StockLevel> {
    store.stock(&page()).await.expect("stock").into_iter().find(|l| l.sku == sku)
}

pub async fn reimporting_keeps_every_claim_and_updates_the_catalog_in_place(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let claim = store.reserve(&reserve_req(&a, 0, "A12-S", 2, t0())).await.expect("reserve");
    let s = reimport(&store, |c| {
        stock_of(c, "A12-S", 7);
        c.products[0].price_cents = 9990;
        c.products[0].name = "Polera básica algodón".into();
    })
    .await;
    assert_eq!((s.version, s.short.len(), s.hidden.len()), (2, 0, 0));
    let kept = store.claims(&page()).await.expect("claims").into_iter().find(|c| c.claim_id == claim.claim_id).expect("claim");
    assert_eq!((kept.status, kept.qty), (ClaimStatus::Reserved, 2), "the cart survives the import");
    let l = level(&store, "A12-S").await.expect("sku");
    assert_eq!((l.on_hand, l.reserved, l.available), (7, 2, 5), "7 for sale, 2 of them reserved");
    let (_, catalog) = store.catalog(&page()).await.expect("catalog").expect("exists");
    assert_eq!(catalog.products[0].price_cents, 9990);
    let p = store.page_for_account(Platform::Instagram, &PageId::parse("IG1").expect("ig")).await.expect("lookup");
    assert!(p.is_some(), "a re-import without --ig-user-id keeps the linked account");
    let mut bad = testkit::catalog();
    bad.products[0].stock.insert("NOPE".into(), 1);
    assert!(matches!(store.import_catalog(&page(), None, &bad, t0(), TTL).await, Err(PortError::Rejected { .. })));
}

pub async fn stock_set_below_what_is_reserved_is_kept_at_the_reserved_count(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    store.reserve(&reserve_req(&a, 0, "A12-S", 3, t0())).await.expect("reserve");
    let s = reimport(&store, |c| stock_of(c, "A12-S", 1)).await;
    assert_eq!(s.short.len(), 1);
    assert_eq!((s.short[0].asked, s.short[0].reserved), (1, 3));
    let l = level(&store, "A12-S").await.expect("sku");
    assert_eq!((l.on_hand, l.reserved, l.available), (3, 3, 0));
    let b = new_comment(&store, "C2", "U2", Intent::Purchase).await;
    assert_eq!(store.reserve(&reserve_req(&b, 0, "A12-S", 1, t0())).await.expect("reserve").status, ClaimStatus::Waitlisted);
    let notices = store.notices(&page()).await.expect("notices");
    assert!(notices.iter().any(|n| n.kind == "stock_below_reserved" && n.message.contains("A12-S")), "{notices:?}");
}

pub async fn raising_stock_through_an_import_promotes_the_waitlist(store: Arc<dyn Store>) {
    setup(&store).await;
    let mut waiting = Vec::new();
    for i in 0..3 {
        let o = new_comment(&store, &format!("C{i}"), &format!("U{i}"), Intent::Purchase).await;
        waiting.push(store.reserve(&reserve_req(&o, 0, "B3-39-BEIGE", 1, t0())).await.expect("reserve"));
    }
    assert_eq!(waiting.iter().filter(|c| c.status == ClaimStatus::Waitlisted).count(), 2);
    let s = reimport(&store, |c| stock_of(c, "B3-39-BEIGE", 2)).await;
    assert_eq!(s.promoted, 1, "one more unit: the oldest waiting claim gets it");
    let all = store.claims(&page()).await.expect("claims");
    let status_of = |id: i64| all.iter().find(|c| c.claim_id == id).map(|c| c.status);
    assert_eq!(status_of(waiting[1].claim_id), Some(ClaimStatus::Reserved));
    assert_eq!(status_of(waiting[2].claim_id), Some(ClaimStatus::Waitlisted));
}

pub async fn a_product_removed_from_the_file_is_hidden_not_deleted(store: Arc<dyn Store>) {
    setup(&store).await;
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let claim = store.reserve(&reserve_req(&a, 0, "B5", 1, t0())).await.expect("reserve");
    let s = reimport(&store, |c| c.products.retain(|p| p.code != "B5")).await;
    assert_eq!(s.hidden, ["B5"]);
    assert!(level(&store, "B5").await.is_none(), "not for sale");
    let kept = store.claims(&page()).await.expect("claims").into_iter().find(|c| c.claim_id == claim.claim_id).expect("claim");
    assert_eq!(kept.status, ClaimStatus::Reserved, "the reservation made before stays");
    let b = new_comment(&store, "C2", "U2", Intent::Purchase).await;
    let late = store.reserve(&ReserveRequest { code: "B5".into(), ..reserve_req(&b, 0, "B5", 1, t0()) }).await.expect("reserve");
    assert_eq!((late.status, late.reason.as_deref()), (ClaimStatus::Rejected, Some("unknown_variant")));
    // Back in the file: for sale again, with the held unit still counted.
    reimport(&store, |_| {}).await;
    let l = level(&store, "B5").await.expect("sku");
    assert_eq!((l.on_hand, l.reserved), (10, 1));
}

pub async fn no_unit_reserved_or_sold_is_offered_again_through_an_import(store: Arc<dyn Store>) {
    setup(&store).await;
    // B3-38 has 2: one sold, one reserved. The seller re-imports the same file (2 "for sale now").
    let a = new_comment(&store, "C1", "U1", Intent::Purchase).await;
    let sold = store.reserve(&reserve_req(&a, 0, "B3-38-NEGRO", 1, t0())).await.expect("reserve");
    assert!(matches!(store.mark_paid(sold.order_id.expect("order"), t0()).await.expect("pay"), PaidOutcome::Paid(_)));
    let b = new_comment(&store, "C2", "U2", Intent::Purchase).await;
    store.reserve(&reserve_req(&b, 0, "B3-38-NEGRO", 1, t0())).await.expect("reserve");
    // The file now says what is for sale now (1: the reserved one): nothing is free.
    reimport(&store, |c| stock_of(c, "B3-38-NEGRO", 1)).await;
    let l = level(&store, "B3-38-NEGRO").await.expect("sku");
    assert_eq!((l.on_hand, l.reserved, l.available), (1, 1, 0));
    // An import that says 0 can't free the reserved unit either.
    reimport(&store, |c| stock_of(c, "B3-38-NEGRO", 0)).await;
    let c = new_comment(&store, "C3", "U3", Intent::Purchase).await;
    assert_eq!(store.reserve(&reserve_req(&c, 0, "B3-38-NEGRO", 1, t0())).await.expect("reserve").status, ClaimStatus::Waitlisted);
    let units_held: u32 = store
        .claims(&page())
        .await
        .expect("claims")
        .iter()
        .filter(|c| c.sku.as_deref() == Some("B3-38-NEGRO") && matches!(c.status, ClaimStatus::Reserved | ClaimStatus::Paid))
        .map(|c| c.qty)
        .sum();
    assert_eq!(units_held, 2, "one sold and one reserved, never a third buyer");
}

pub async fn sessions_are_found_by_their_id_and_end_when_deleted(store: Arc<dyn Store>) {
    setup(&store).await;
    let s =
        shared::domain::page::SellerSession { session_id: "0123456789abcdef0123456789abcdef".into(), page_id: page(), expires_at: t0() };
    store.create_session(&s).await.expect("create");
    assert_eq!(store.session(&s.session_id).await.expect("find"), Some(s.clone()));
    assert_eq!(store.session("ffffffffffffffffffffffffffffffff").await.expect("find"), None);
    store.delete_session(&s.session_id).await.expect("delete");
    assert_eq!(store.session(&s.session_id).await.expect("find"), None);
}

pub async fn the_store_answers_a_ping(store: Arc<dyn Store>) {
    store.ping().await.expect("ping");
    let counts = store.counts(None).await.expect("counts");
    assert_eq!(counts.comments, 0);
    assert_eq!(counts.claims.len(), ClaimStatus::ALL.len());
}

pub async fn a_pages_gateways_are_kept_in_priority_order_with_their_credentials(store: Arc<dyn Store>) {
    use shared::domain::payment::{Credentials, Gateway};
    setup(&store).await;
    let mp = Credentials::MercadoPago { access_token: "APP_USR-1".into(), webhook_secret: "whsec".into() };
    let flow = Credentials::Flow { api_key: "k".into(), secret_key: "s".into(), payer_email: "pagos@tienda.cl".into() };
    assert!(store.set_gateway(&page(), 2, &mp).await.expect("set"));
    assert!(store.set_gateway(&page(), 1, &flow).await.expect("set"));
    let got = store.gateways(&page()).await.expect("gateways");
    assert_eq!(got.iter().map(|g| (g.gateway, g.priority)).collect::<Vec<_>>(), [(Gateway::Flow, 1), (Gateway::MercadoPago, 2)]);
    assert_eq!(got[1].credentials, mp);
    // Setting it again replaces it: new priority, new credentials.
    let mp2 = Credentials::MercadoPago { access_token: "APP_USR-2".into(), webhook_secret: "whsec2".into() };
    assert!(store.set_gateway(&page(), 0, &mp2).await.expect("replace"));
    let got = store.gateways(&page()).await.expect("gateways");
    assert_eq!((got[0].gateway, &got[0].credentials), (Gateway::MercadoPago, &mp2));
    assert!(store.remove_gateway(&page(), Gateway::Flow).await.expect("remove"));
    assert!(!store.remove_gateway(&page(), Gateway::Flow).await.expect("remove again"));
    assert_eq!(store.gateways(&page()).await.expect("gateways").len(), 1);
    assert!(!store.set_gateway(&PageId::parse("NOPE").expect("id"), 1, &flow).await.expect("unknown page"));
}
