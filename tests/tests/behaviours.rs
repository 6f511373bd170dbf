//! The behaviours a seller would lose money over, end to end through the router and every stage,
//! on both backends (SQLite + embedded stream, PostgreSQL + Redis).
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use shared::domain::ids::PageId;
use shared::domain::reservation::ClaimStatus;
use shared::stages::sweep;
use std::time::Duration;
use testkit::harness::{comment, harness, harness_with, Backend, Harness, PAGE, POST};
use tower::ServiceExt;

async fn api(h: &Harness, method: &str, path: &str, auth: &str, body: Option<String>) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(body.map(Body::from).unwrap_or_else(Body::empty))
        .expect("request");
    let resp = h.app.clone().oneshot(req).await.expect("response");
    let status = resp.status();
    let bytes = http_body_util::BodyExt::collect(resp.into_body()).await.expect("body").to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn bearer() -> String {
    format!("Bearer {}", testkit::API_TOKEN)
}

fn reply_to(h: &Harness, comment_id: &str) -> String {
    h.graph.replies().into_iter().find(|r| r.comment_id == comment_id).map(|r| r.text).unwrap_or_default()
}

/// 1. A seller adds a product and restocks mid-live: every cart survives, the waitlist gets the units.
async fn an_import_mid_live_keeps_every_cart(backend: Backend) {
    let h = harness(backend).await;
    h.post(&comment("C1", "U1", "quiero A12 talla M")).await;
    for (id, buyer) in [("C2", "U2"), ("C3", "U3"), ("C4", "U4")] {
        h.post(&comment(id, buyer, "B3 39 beige")).await; // one unit: the others wait, in order
        h.settle().await;
    }
    let mut catalog = testkit::catalog();
    catalog.products[1].stock.insert("B3-39-BEIGE".into(), 2);
    catalog
        .products
        .push(serde_json::from_value(json!({"code": "D1", "name": "Gorro", "price_cents": 5990, "stock": {"D1": 4}})).expect("product"));
    let s = h.deps.store.import_catalog(&h.page(), None, &catalog, chrono::Utc::now(), 900).await.expect("import");
    assert_eq!((s.promoted, s.short.len()), (1, 0));
    h.deps.caches.invalidate("catalog", PAGE).await;
    h.post(&comment("C5", "U5", "quiero D1")).await;
    h.settle().await;
    let claims = h.deps.store.claims(&h.page()).await.expect("claims");
    let mut status: Vec<(&str, ClaimStatus)> = claims.iter().map(|c| (c.comment_id.as_str(), c.status)).collect();
    status.sort_by_key(|(id, _)| *id);
    use ClaimStatus::*;
    assert_eq!(status, [("C1", Reserved), ("C2", Reserved), ("C3", Reserved), ("C4", Waitlisted), ("C5", Reserved)]);
    assert!(reply_to(&h, "C5").contains("1× D1 Gorro"), "{}", reply_to(&h, "C5"));
    h.stop().await;
}

/// 2 and 5. Too many units, or a code repeated to fill a comment: nothing reserved, a clear reply.
async fn a_comment_over_the_per_comment_caps_reserves_nothing_and_says_why(backend: Backend) {
    let h = harness(backend).await;
    h.post(&comment("C1", "U1", "quiero 8 A12 talla M")).await;
    h.post(&comment("C2", "U2", &"B5, ".repeat(400))).await;
    h.post(&comment("C3", "U3", &"quiero el B5 por favor ".repeat(5000))).await;
    h.settle().await;
    assert!(h.deps.store.claims(&h.page()).await.expect("claims").is_empty(), "never a silent 1, never a whole variant");
    assert!(reply_to(&h, "C1").contains("Máximo 5 unidades"), "{}", reply_to(&h, "C1"));
    for id in ["C2", "C3"] {
        let r = reply_to(&h, id);
        assert!(r.contains("5 unidades") && r.chars().count() < 300, "{id}: {r}");
    }
    assert!(h.deps.store.stock(&h.page()).await.expect("stock").iter().all(|l| l.reserved == 0));
    h.stop().await;
}

/// 6. Paying refers to live reservations: an expired order is refused, never paid empty.
async fn paying_an_order_whose_reservations_expired_is_refused(backend: Backend) {
    let h = harness_with(backend, |s| s.reservation_ttl = Duration::from_secs(1)).await;
    h.post(&comment("C1", "U1", "quiero B5")).await;
    h.settle().await;
    let order = h.deps.store.claims(&h.page()).await.expect("claims")[0].order_id.expect("order");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(sweep::expire(&h.deps).await.expect("sweep").len(), 1);
    let (status, body) = api(&h, "POST", &format!("/v1/orders/{order}/paid"), &bearer(), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"].as_str().unwrap_or_default().contains("nothing reserved"), "{body}");
    let o = h.deps.store.order(order).await.expect("order").expect("exists");
    assert_eq!(o.status, shared::domain::reservation::OrderStatus::Open);
    let b5 = h.deps.store.stock(&h.page()).await.expect("stock").into_iter().find(|l| l.sku == "B5").expect("sku");
    assert_eq!((b5.on_hand, b5.available), (10, 10), "the units are for sale, not sold");
    h.stop().await;
}

/// 7. NUL and control characters, and a lone surrogate in one comment of a POST.
async fn control_characters_and_lone_surrogates_do_not_lose_a_comment(backend: Backend) {
    let h = harness(backend).await;
    let body = json!({"object": "page", "entry": [{"id": PAGE, "time": 1, "changes": [{"field": "feed", "value": {
        "from": {"id": "U1", "name": "Ana\u{0000}"}, "post_id": POST, "comment_id": "C1", "created_time": chrono::Utc::now().timestamp(),
        "item": "comment", "verb": "add", "message": "quiero\u{0000} B5\u{0007}"}}]}]})
    .to_string();
    assert_eq!(h.post(&body).await, StatusCode::OK);
    let two = comment("C2", "U2", "quiero A12 talla M").replace(r#""changes":["#, r#""changes":[{"field":"feed","value":{"from":{"id":"U3","name":"Bo"},"post_id":"P1_LIVE","comment_id":"C3","created_time":1764097260,"item":"comment","verb":"add","message":"quiero \ud83d A12 talla S"}},"#);
    assert_eq!(h.post(&two).await, StatusCode::OK, "one bad comment does not sink its POST");
    h.settle().await;
    let claims = h.deps.store.claims(&h.page()).await.expect("claims");
    let mut skus: Vec<_> = claims.iter().map(|c| (c.comment_id.as_str(), c.sku.clone().unwrap_or_default())).collect();
    skus.sort();
    assert_eq!(skus, [("C1", "B5".to_string()), ("C2", "A12-M".into()), ("C3", "A12-S".into())]);
    assert!(reply_to(&h, "C1").starts_with("¡Hola Ana! Te reservamos"), "{}", reply_to(&h, "C1"));
    h.stop().await;
}

/// 8. A removal that arrives before its comment: the late comment claims nothing.
async fn a_removal_that_overtakes_its_comment_keeps_it_out(backend: Backend) {
    let h = harness(backend).await;
    let removed = json!({"object": "page", "entry": [{"id": PAGE, "time": 1, "changes": [{"field": "feed", "value": {
        "from": {"id": "U1", "name": "Ana"}, "post_id": POST, "comment_id": "C1", "created_time": chrono::Utc::now().timestamp(),
        "item": "comment", "verb": "remove"}}]}]})
    .to_string();
    h.post(&removed).await;
    h.settle().await;
    h.post(&comment("C1", "U1", "quiero A12 talla M")).await;
    h.settle().await;
    assert!(h.deps.store.claims(&h.page()).await.expect("claims").is_empty());
    assert!(h.graph.replies().is_empty());
    h.stop().await;
}

/// 10. Secrets at rest and the seller API's edges.
async fn secrets_are_sealed_at_rest_and_the_api_takes_no_liberties(backend: Backend) {
    let h = harness(backend).await;
    // The page token (testkit::harness stores "EAAB-page") is sealed in the database.
    let mut raw = shared::adapters::sql::SqlStore::clone(&h.sql);
    let token = raw_one(&mut raw, "SELECT token FROM page_tokens").await;
    assert!(token.starts_with("sealed:v1:") && !token.contains("EAAB"), "{token}");
    // Sessions are kept by hash; the id still works, in any case of "Bearer".
    let (status, s) =
        api(&h, "POST", "/v1/sessions", &bearer().replace("Bearer", "bEaReR"), Some(json!({"page_id": PAGE}).to_string())).await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    let id = s["session_id"].as_str().expect("id").to_string();
    let stored = raw_one(&mut raw, "SELECT session_hash FROM seller_sessions").await;
    assert!(stored != id && stored.len() == 64, "{stored}");
    assert_eq!(api(&h, "GET", &format!("/v1/pages/{PAGE}/claims"), &format!("bearer {id}"), None).await.0, StatusCode::OK);
    // Ids are digits only; bodies over the limit are 413; errors quote only a little input.
    assert_eq!(api(&h, "POST", "/v1/orders/+1/paid", &bearer(), None).await.0, StatusCode::BAD_REQUEST);
    let huge = json!({"code": "X".repeat(100_000)}).to_string();
    assert_eq!(api(&h, "PUT", &format!("/v1/pages/{PAGE}/current-product"), &bearer(), Some(huge)).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    let long = json!({"code": "Z".repeat(5_000)}).to_string();
    let (status, body) = api(&h, "PUT", &format!("/v1/pages/{PAGE}/current-product"), &bearer(), Some(long)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"].as_str().unwrap_or_default().len() < 120, "{body}");
    h.stop().await;
}

async fn raw_one(store: &mut shared::adapters::sql::SqlStore, sql: &str) -> String {
    match (store.postgres_pool(), store.sqlite_pool()) {
        (Some(pg), _) => sqlx::query_scalar(sql).fetch_one(pg).await.expect("query"),
        (_, Some(lite)) => sqlx::query_scalar(sql).fetch_one(lite).await.expect("query"),
        _ => unreachable!("one of the two"),
    }
}

/// 11. An Instagram comment is answered through the page its account is linked to.
async fn an_instagram_reply_goes_through_the_page_with_the_page_token(backend: Backend) {
    let h = harness(backend).await;
    let ig = PageId::parse("IG1").expect("ig");
    h.deps.store.import_catalog(&h.page(), Some(&ig), &testkit::catalog(), chrono::Utc::now(), 900).await.expect("link");
    let body = json!({"object": "instagram", "entry": [{"id": "IG1", "time": chrono::Utc::now().timestamp(), "changes": [{"field": "live_comments",
        "value": {"id": "IGC1", "from": {"id": "U9", "username": "ana.ig"}, "media": {"id": "M1"}, "text": "quiero B5"}}]}]})
    .to_string();
    assert_eq!(h.post(&body).await, StatusCode::OK);
    h.settle().await;
    let replies = h.graph.replies();
    assert_eq!(replies.len(), 1);
    assert_eq!((replies[0].account.as_str(), replies[0].comment_id.as_str()), (PAGE, "IGC1"), "POST /{{page-id}}/messages");
    assert!(replies[0].text.len() <= 1000, "Instagram's 1,000-byte limit");
    h.stop().await;
}

/// Against hoarding: a page's cap of units per buyer per live. Over it the buyer is told and the
/// rest waits; other buyers are unaffected.
async fn a_buyer_past_the_pages_cap_waits_for_the_rest(backend: Backend) {
    let h = harness(backend).await;
    let mut catalog = serde_json::to_value(testkit::catalog()).expect("catalog");
    catalog["max_units_per_buyer"] = json!(2);
    let catalog = serde_json::from_value(catalog).expect("catalog");
    h.deps.store.import_catalog(&h.page(), None, &catalog, chrono::Utc::now(), 900).await.expect("import");
    h.post(&comment("C1", "U1", "quiero A12 talla M")).await;
    h.settle().await;
    h.post(&comment("C2", "U1", "quiero 3 B5")).await;
    h.settle().await;
    h.post(&comment("C3", "U1", "y una A12 talla S")).await;
    h.settle().await;
    assert!(reply_to(&h, "C2").contains("Te reservamos: 1× B5"), "{}", reply_to(&h, "C2"));
    assert!(reply_to(&h, "C2").contains("2× B5 Aros de plata: máximo 2 unidades por persona en este live"), "{}", reply_to(&h, "C2"));
    assert!(reply_to(&h, "C3").contains("máximo 2 unidades por persona"), "{}", reply_to(&h, "C3"));
    let claims = h.deps.store.claims(&h.page()).await.expect("claims");
    let held: u32 = claims.iter().filter(|c| c.buyer_id.as_str() == "U1" && c.status == ClaimStatus::Reserved).map(|c| c.qty).sum();
    assert_eq!(held, 2, "never past the cap");
    let waiting: Vec<_> = claims.iter().filter(|c| c.reason.as_deref() == Some("buyer_cap")).map(|c| (c.sku.clone(), c.qty)).collect();
    assert_eq!(waiting, [(Some("B5".to_string()), 2), (Some("A12-S".to_string()), 1)]);
    // Another buyer is unaffected by U1's cap.
    h.post(&comment("C4", "U2", "quiero 2 B5")).await;
    h.settle().await;
    assert!(reply_to(&h, "C4").contains("Te reservamos: 2× B5"), "{}", reply_to(&h, "C4"));
    h.stop().await;
}

/// Facebook public replies, when the page asks for them: one per claim comment, in the buyer's
/// language, never the same text twice in a row; none for Instagram or for a question.
async fn public_replies_vary_and_stay_on_facebook(backend: Backend) {
    let h = harness(backend).await;
    let mut catalog = serde_json::to_value(testkit::catalog()).expect("catalog");
    catalog["public_replies"] = json!(true);
    let catalog = serde_json::from_value(catalog).expect("catalog");
    let ig = PageId::parse("IG1").expect("ig");
    h.deps.store.import_catalog(&h.page(), Some(&ig), &catalog, chrono::Utc::now(), 900).await.expect("import");
    for (c, u, text) in [("C1", "U1", "quiero A12 talla M"), ("C2", "U2", "quiero B5"), ("C3", "U3", "precio del A12?")] {
        h.post(&comment(c, u, text)).await;
        h.settle().await;
    }
    // Sold out: a waitlist answer; then an Instagram comment (no public reply there).
    for (c, u) in [("C4", "U4"), ("C5", "U5"), ("C6", "U6")] {
        h.post(&comment(c, u, "quiero B3 39 beige")).await;
        h.settle().await;
    }
    let ig_body = json!({"object": "instagram", "entry": [{"id": "IG1", "time": chrono::Utc::now().timestamp(), "changes": [{"field": "live_comments",
        "value": {"id": "IGC1", "from": {"id": "U7", "username": "ana.ig"}, "media": {"id": "M1"}, "text": "quiero A12 talla M"}}]}]})
    .to_string();
    h.post(&ig_body).await;
    h.settle().await;
    let public = h.graph.public_replies();
    let on: Vec<&str> = public.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(on, ["C1", "C2", "C4", "C5", "C6"], "{public:?}");
    let reserved = |t: &str| ["¡Listo Buyer!", "¡Es tuyo Buyer!", "¡Reservado Buyer!"].iter().any(|p| t.starts_with(p));
    assert!(reserved(&public[0].1) && reserved(&public[1].1) && reserved(&public[2].1), "C4 got the sandals' last unit: {public:?}");
    assert!(public[3].1.contains("espera") && public[4].1.contains("espera"), "C5 and C6 wait: {public:?}");
    assert!(public.windows(2).all(|w| w[0].1 != w[1].1), "consecutive public replies differ: {public:?}");
    assert_eq!(h.graph.replies().len(), 7, "every comment still gets its private reply");
    h.stop().await;
}

testkit::both!(
    public_replies_vary_and_stay_on_facebook,
    a_buyer_past_the_pages_cap_waits_for_the_rest,
    an_import_mid_live_keeps_every_cart,
    a_comment_over_the_per_comment_caps_reserves_nothing_and_says_why,
    paying_an_order_whose_reservations_expired_is_refused,
    control_characters_and_lone_surrogates_do_not_lose_a_comment,
    a_removal_that_overtakes_its_comment_keeps_it_out,
    secrets_are_sealed_at_rest_and_the_api_takes_no_liberties,
    an_instagram_reply_goes_through_the_page_with_the_page_token,
);
