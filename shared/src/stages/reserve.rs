//! Reserve: turn the comment's claims into reservations (atomic in the store), waitlist entries or
//! refusals; apply cancellations; get the order a payment link (falling back to bank transfer);
//! queue the one private reply. Every step is idempotent, so a second run changes nothing. A
//! comment edited after its claims were made has them decided again (no second reply: Meta allows
//! one per comment; the seller gets a notice).
use crate::domain::answer;
use crate::domain::comment::CommentKey;
use crate::domain::intent::{ClaimSpec, Classification, Intent};
use crate::domain::inventory::{self, find_product, matching_skus, Rejection};
use crate::domain::ledger::{CommentState, StoredComment};
use crate::domain::money::{Currency, Money};
use crate::domain::plan::{plan, Limits, Plan, Planned};
use crate::domain::reply::{self, item_label, ClaimResult, Limit};
use crate::domain::reservation::{
    CancelRequest, CancelTarget, ClaimOrigin, ClaimRecord, ClaimStatus, NewClaim, RedecideRequest, RejectRequest, ReserveRequest,
    CAP_SPLIT_IDX, REVISION_IDX_STRIDE,
};
use crate::pipeline::catalogs::LoadedCatalog;
use crate::pipeline::{decode, encode, in_order, Deps, Handled, Outcomes, Stage, StageError};
use crate::ports::StreamEntry;

/// In comment order: contested stock goes to the earlier comment.
pub async fn handle(deps: &Deps, batch: &[StreamEntry]) -> Outcomes {
    in_order(batch, |e| one(deps, &e.payload)).await
}

async fn one(deps: &Deps, payload: &str) -> Result<Handled, StageError> {
    let key: CommentKey = decode(payload)?;
    let stored = deps.store.load(&key).await?.ok_or_else(|| StageError::Poison(format!("unknown comment {}", key.comment_id)))?;
    match stored.state {
        CommentState::Classified | CommentState::Acted => {}
        CommentState::Received => return Err(StageError::NotReady(format!("comment {} is not classified yet", key.comment_id))),
        CommentState::Filtered | CommentState::Ignored | CommentState::Removed => return Ok(Handled::Dropped("not_actionable")),
    }
    let cls = stored.classification.clone().ok_or_else(|| StageError::Poison(format!("comment {} has no intent", key.comment_id)))?;
    let page_id = stored.seller_page.clone().ok_or_else(|| StageError::Poison(format!("comment {} has no page", key.comment_id)))?;
    let view = deps
        .catalogs
        .page(deps.store.as_ref(), &deps.caches, &page_id)
        .await?
        .ok_or_else(|| StageError::Poison(format!("page {page_id} has no catalog")))?;
    let catalog = view.loaded.clone();
    let origin = ClaimOrigin {
        comment: key.clone(),
        page: page_id,
        live: stored.comment.live_id.clone(),
        buyer: stored.comment.author_id.clone(),
        buyer_name: stored.comment.author_name.clone(),
    };
    if stored.needs_redecision() {
        return redecide(deps, &stored, &cls, &catalog, &origin).await;
    }
    let limit = Limit::of(key.platform);
    let text = match cls.intent {
        Intent::Purchase => Some(purchase(deps, &stored, &cls, &catalog, &origin, limit).await?),
        Intent::Cancel => Some(cancel(deps, &cls, &catalog, &origin, limit).await?),
        Intent::Question => question(deps, &stored, &cls, &catalog).await?.map(|t| reply::clamp(&t, limit)),
        Intent::Other => None,
    };
    if let Some(why) = &cls.review {
        let note =
            format!("Please check comment {} (\"{}\"): {why}; the rules decided {:?}.", key.comment_id, excerpt(&stored), cls.intent);
        deps.store.add_notice(&origin.page, "review", None, &note, deps.clock.now()).await?;
    }
    deps.store.mark_acted(&key).await?;
    let Some(text) = text else { return Ok(Handled::Done) };
    let message_id = deps.store.enqueue_reply(&key, &text).await?;
    deps.stream.append(&deps.settings.streams.key(Stage::Respond), &encode(&serde_json::json!({ "message_id": message_id }))).await?;
    Ok(Handled::Forwarded(1))
}

fn excerpt(stored: &StoredComment) -> String {
    crate::domain::text::excerpt(&stored.comment.text, 80)
}

fn label(catalog: &LoadedCatalog, code: &str, sku: Option<&str>) -> String {
    let Some(p) = find_product(&catalog.catalog, code) else { return code.to_string() };
    let v = p.variants.iter().find(|v| Some(v.sku.as_str()) == sku);
    item_label(&p.code, &p.name, v.and_then(|v| v.size.as_deref()), v.and_then(|v| v.color.as_deref()))
}

fn limits(deps: &Deps) -> Limits {
    Limits { max_units: deps.settings.max_units_per_comment, max_claims: deps.settings.max_claims_per_comment }
}

/// The store requests for a comment's planned claims; a revision's claims get their own indexes.
fn requests(deps: &Deps, origin: &ClaimOrigin, planned: Vec<Planned>, revision: u32) -> Vec<NewClaim> {
    let now = deps.clock.now();
    planned
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let idx = revision * REVISION_IDX_STRIDE + i as u32;
            match p {
                Planned::Reserve { resolved, qty } => NewClaim::Reserve(ReserveRequest {
                    origin: origin.clone(),
                    idx,
                    code: resolved.code,
                    sku: resolved.sku,
                    qty,
                    unit_price: resolved.unit_price,
                    now,
                    ttl_secs: deps.settings.ttl_secs(),
                }),
                Planned::Reject { code, qty, rejection } => {
                    NewClaim::Reject(RejectRequest { origin: origin.clone(), idx, code, qty, reason: rejection.reason().into(), now })
                }
            }
        })
        .collect()
}

/// "mío" with no product on screen is still a claim, refused with a way to fix it.
fn purchase_specs(cls: &Classification) -> Vec<ClaimSpec> {
    if cls.claims.is_empty() {
        vec![ClaimSpec { code: None, qty: 1, qty_explicit: false, size: None, color: None }]
    } else {
        cls.claims.clone()
    }
}

async fn purchase(
    deps: &Deps,
    stored: &StoredComment,
    cls: &Classification,
    catalog: &LoadedCatalog,
    origin: &ClaimOrigin,
    limit: Limit,
) -> Result<String, StageError> {
    let planned = match plan(&catalog.catalog, &purchase_specs(cls), limits(deps)) {
        Plan::Claims(c) => c,
        Plan::OverLimit { units, claims } => {
            tracing::info!(comment_id = %origin.comment.comment_id, units, claims, "over the per-comment limit: nothing reserved");
            let (u, c) = (deps.settings.max_units_per_comment, deps.settings.max_claims_per_comment);
            return Ok(reply::over_limit_reply(cls.lang, &stored.comment.author_name, u, c));
        }
    };
    let mut results = Vec::new();
    let mut order_id = None;
    let rejections: Vec<Option<Rejection>> = planned
        .iter()
        .map(|p| match p {
            Planned::Reject { rejection, .. } => Some(rejection.clone()),
            Planned::Reserve { .. } => None,
        })
        .collect();
    for (request, rejection) in requests(deps, origin, planned, stored.revision).into_iter().zip(rejections) {
        let record = match &request {
            NewClaim::Reserve(req) => deps.store.reserve(req).await?,
            NewClaim::Reject(req) => deps.store.reject(req).await?,
        };
        if matches!(record.status, ClaimStatus::Reserved | ClaimStatus::Paid) {
            order_id = record.order_id.or(order_id);
        }
        results.extend(result_of(catalog, &record, rejection)?);
    }
    // Units past the per-buyer cap wait on claims of their own: tell those too.
    if catalog.catalog.max_units_per_buyer.is_some() {
        let base = stored.revision * REVISION_IDX_STRIDE;
        for c in deps.store.claims_for_comment(&origin.comment).await? {
            if (base + CAP_SPLIT_IDX..base + REVISION_IDX_STRIDE).contains(&c.idx) {
                results.extend(result_of(catalog, &c, None)?);
            }
        }
    }
    let due = match order_id {
        Some(id) => super::checkout::order_payment(deps, catalog, id).await?,
        None => None,
    };
    let minutes = deps.settings.reservation_ttl.as_secs().div_ceil(60) as i64;
    Ok(reply::purchase_reply(cls.lang, &stored.comment.author_name, &results, due.as_ref(), minutes, limit))
}

/// What to tell the buyer about one stored claim.
fn result_of(catalog: &LoadedCatalog, record: &ClaimRecord, rejection: Option<Rejection>) -> Result<Option<ClaimResult>, StageError> {
    let code = record.code.as_deref().unwrap_or_default();
    Ok(match record.status {
        ClaimStatus::Reserved | ClaimStatus::Paid => {
            let unit = record.unit_price_minor.unwrap_or(0);
            let currency = Currency::parse(&catalog.catalog.currency).map_err(|e| StageError::Poison(e.to_string()))?;
            let line_total = Money::new(unit * i64::from(record.qty), currency).map_err(|e| StageError::Poison(e.to_string()))?;
            Some(ClaimResult::Reserved { item: label(catalog, code, record.sku.as_deref()), qty: record.qty, line_total })
        }
        ClaimStatus::Waitlisted => {
            let item = label(catalog, code, record.sku.as_deref());
            Some(match catalog.catalog.max_units_per_buyer.filter(|_| record.reason.as_deref() == Some("buyer_cap")) {
                Some(cap) => ClaimResult::OverBuyerCap { item, qty: record.qty, cap },
                None => ClaimResult::Waitlisted { item, qty: record.qty },
            })
        }
        // Refused by the rules, or by the store (the SKU is gone or hidden since the catalog was read).
        ClaimStatus::Rejected => Some(ClaimResult::Rejected(rejection.unwrap_or_else(|| Rejection::UnknownVariant {
            code: code.to_string(),
            asked: record.sku.clone().unwrap_or_default(),
            choices: find_product(&catalog.catalog, code).map(inventory::choices).unwrap_or_default(),
        }))),
        // Removed or expired meanwhile: nothing to tell.
        ClaimStatus::Cancelled | ClaimStatus::Expired => None,
    })
}

/// An edit re-opened a comment whose claims were made: decide them again on the new text (its
/// held units go to the new claims first), tell the seller what changed. No second reply.
async fn redecide(
    deps: &Deps,
    stored: &StoredComment,
    cls: &Classification,
    catalog: &LoadedCatalog,
    origin: &ClaimOrigin,
) -> Result<Handled, StageError> {
    let planned = match cls.intent {
        Intent::Purchase => match plan(&catalog.catalog, &purchase_specs(cls), limits(deps)) {
            Plan::Claims(c) => c,
            Plan::OverLimit { .. } => Vec::new(),
        },
        // "ya no lo quiero", a question, small talk: the comment claims nothing any more.
        Intent::Cancel | Intent::Question | Intent::Other => Vec::new(),
    };
    let claims = requests(deps, origin, planned, stored.revision);
    let req = RedecideRequest {
        origin: origin.clone(),
        revision: stored.revision,
        claims,
        now: deps.clock.now(),
        ttl_secs: deps.settings.ttl_secs(),
    };
    let decided = deps.store.redecide(&req).await?;
    let now_held: Vec<String> = decided
        .iter()
        .filter(|c| matches!(c.status, ClaimStatus::Reserved | ClaimStatus::Waitlisted))
        .map(|c| format!("{}× {} ({})", c.qty, label(catalog, c.code.as_deref().unwrap_or_default(), c.sku.as_deref()), c.status.as_str()))
        .collect();
    let note = format!(
        "Comment {} was edited to \"{}\": its claims were decided again — now {}. The buyer was not told (one private reply per comment).",
        origin.comment.comment_id,
        excerpt(stored),
        if now_held.is_empty() { "nothing held".to_string() } else { now_held.join(", ") }
    );
    deps.store.add_notice(&origin.page, "edited", None, &note, deps.clock.now()).await?;
    Ok(Handled::Done)
}

/// Price, sizes or stock of the product asked about, from the catalog and the live stock. Other
/// questions (shipping, payment…) are left to the seller.
async fn question(
    deps: &Deps,
    stored: &StoredComment,
    cls: &Classification,
    catalog: &LoadedCatalog,
) -> Result<Option<String>, StageError> {
    let Some(topic) = answer::topic(&stored.comment.text) else { return Ok(None) };
    let Some(about) = cls.about.iter().find(|c| c.code.is_some()) else { return Ok(None) };
    let Some(product) = find_product(&catalog.catalog, about.code.as_deref().unwrap_or_default()) else { return Ok(None) };
    let Some(page) = stored.seller_page.as_ref() else { return Ok(None) };
    let currency =
        Currency::parse(product.currency.as_deref().unwrap_or(&catalog.catalog.currency)).map_err(|e| StageError::Poison(e.to_string()))?;
    let price = Money::new(product.price_cents, currency).map_err(|e| StageError::Poison(e.to_string()))?;
    let levels = deps.store.stock(page).await?;
    let available = |sku: &str| levels.iter().find(|l| l.sku == sku).map_or(0, |l| l.available);
    let stock: Vec<answer::Availability> = if product.variants.is_empty() {
        vec![answer::Availability { size: None, color: None, available: available(&product.code) }]
    } else {
        product
            .variants
            .iter()
            .map(|v| answer::Availability { size: v.size.clone(), color: v.color.clone(), available: available(&v.sku) })
            .collect()
    };
    let text = answer::answer(cls.lang, topic, product, price, &stock, about.size.as_deref(), about.color.as_deref());
    Ok(Some(format!("{} {text}", reply::greeting(cls.lang, &stored.comment.author_name))))
}

async fn cancel(
    deps: &Deps,
    cls: &Classification,
    catalog: &LoadedCatalog,
    origin: &ClaimOrigin,
    limit: Limit,
) -> Result<String, StageError> {
    let targets = if cls.claims.is_empty() {
        vec![CancelTarget::Latest]
    } else {
        cls.claims
            .iter()
            .map(|c| match c.code.as_deref().and_then(|code| find_product(&catalog.catalog, code)) {
                Some(p) => CancelTarget::Product {
                    code: p.code.clone(),
                    skus: (c.size.is_some() || c.color.is_some()).then(|| matching_skus(p, &c.size, &c.color)),
                    qty: c.qty_explicit.then_some(c.qty),
                },
                None => CancelTarget::Latest,
            })
            .collect()
    };
    let req = CancelRequest { origin: origin.clone(), targets, now: deps.clock.now(), ttl_secs: deps.settings.ttl_secs() };
    let cancelled: Vec<ClaimRecord> = deps.store.cancel(&req).await?;
    let items: Vec<(String, u32)> =
        cancelled.iter().map(|c| (label(catalog, c.code.as_deref().unwrap_or_default(), c.sku.as_deref()), c.qty)).collect();
    Ok(reply::cancel_reply(cls.lang, &origin.buyer_name, &items, limit))
}

#[cfg(all(test, feature = "embedded"))]
mod tests {
    use super::*;
    use crate::domain::comment::CommentEvent;
    use crate::domain::ids::Platform;
    use crate::stages::testing::{comment, page, t0, Bench};

    async fn reply_to(b: &Bench, comment_id: &str) -> String {
        let replies = b.deps.store.replies(&page()).await.expect("replies");
        replies.into_iter().find(|m| m.comment_id.as_str() == comment_id).map(|m| m.text).unwrap_or_default()
    }

    async fn buy(b: &Bench, platform: Platform, id: &str, text: &str) -> Outcomes {
        b.through(Stage::Reserve, &[CommentEvent::Added(comment(platform, id, "U1", text))]).await
    }

    #[tokio::test]
    async fn a_purchase_reserves_stock_and_queues_one_reply() {
        let b = Bench::new().await;
        assert!(matches!(buy(&b, Platform::Facebook, "C1", "quiero 2 A12 M").await[0], Ok(Handled::Forwarded(1))));
        let claims = b.deps.store.claims(&page()).await.expect("claims");
        assert_eq!((claims.len(), claims[0].status, claims[0].qty), (1, ClaimStatus::Reserved, 2));
        assert_eq!(b.queued(Stage::Respond).await.len(), 1);
        assert!(reply_to(&b, "C1").await.starts_with("¡Hola Buyer! Te reservamos: 2× A12 Polera básica (M)"));
    }

    #[tokio::test]
    async fn a_quantity_over_the_cap_reserves_nothing_and_says_the_maximum() {
        let b = Bench::new().await;
        buy(&b, Platform::Facebook, "C1", "quiero 6 A12 M").await;
        assert!(b.deps.store.claims(&page()).await.expect("claims").is_empty(), "never a silent 1");
        assert!(reply_to(&b, "C1").await.contains("Máximo 5 unidades y 5 productos por comentario"), "{}", reply_to(&b, "C1").await);
        buy(&b, Platform::Facebook, "C2", "I want B5 x500").await;
        assert!(reply_to(&b, "C2").await.contains("At most 5 units"), "{}", reply_to(&b, "C2").await);
        let stock = b.deps.store.stock(&page()).await.expect("stock");
        assert!(stock.iter().all(|l| l.reserved == 0));
    }

    #[tokio::test]
    async fn a_code_repeated_four_hundred_times_reserves_nothing_and_the_reply_stays_short() {
        let b = Bench::new().await;
        let text = format!("eu quero {}", "B5, ".repeat(400));
        buy(&b, Platform::Instagram, "C1", &text).await;
        assert!(b.deps.store.claims(&page()).await.expect("claims").is_empty());
        let reply = reply_to(&b, "C1").await;
        assert!(reply.contains("Máximo de 5 unidades") && reply.len() < 300, "{reply}");
    }

    #[tokio::test]
    async fn repeats_of_one_variant_merge_into_one_claim() {
        let b = Bench::new().await;
        buy(&b, Platform::Facebook, "C1", "quiero B5, B5 y B5").await;
        let claims = b.deps.store.claims(&page()).await.expect("claims");
        assert_eq!(claims.iter().map(|c| (c.sku.clone().unwrap_or_default(), c.qty)).collect::<Vec<_>>(), [("B5".to_string(), 3)]);
    }

    #[tokio::test]
    async fn a_comment_not_classified_yet_is_not_ready() {
        let b = Bench::new().await;
        let c = comment(Platform::Facebook, "C1", "U1", "quiero B5");
        b.run(Stage::Filter, &[encode(&CommentEvent::Added(c.clone()))]).await;
        assert!(matches!(b.run(Stage::Reserve, &[encode(&c.key())]).await[0], Err(StageError::NotReady(_))));
    }

    #[tokio::test]
    async fn an_edited_claim_is_decided_again_with_a_notice_and_no_second_reply() {
        let b = Bench::new().await;
        buy(&b, Platform::Facebook, "C1", "quiero A12 talla S").await;
        let edit = CommentEvent::Edited(comment(Platform::Facebook, "C1", "U1", "quiero A12 talla M"));
        let out = b.through(Stage::Reserve, &[edit]).await;
        assert!(matches!(out[0], Ok(Handled::Done)), "{out:?}");
        let claims = b.deps.store.claims(&page()).await.expect("claims");
        let now: Vec<(String, ClaimStatus)> = claims.iter().map(|c| (c.sku.clone().unwrap_or_default(), c.status)).collect();
        assert_eq!(now, [("A12-S".to_string(), ClaimStatus::Cancelled), ("A12-M".to_string(), ClaimStatus::Reserved)]);
        assert_eq!(b.deps.store.replies(&page()).await.expect("replies").len(), 1, "Meta allows one private reply");
        let notices = b.deps.store.notices(&page()).await.expect("notices");
        assert!(notices.iter().any(|n| n.kind == "edited" && n.message.contains("A12-M") || n.message.contains("(M)")), "{notices:?}");
    }

    #[tokio::test]
    async fn every_reply_fits_its_platform_and_is_never_cut_mid_word() {
        let b = Bench::new().await;
        let mut catalog = crate::stages::testing::catalog();
        catalog.transfer_instructions = Some("Transferencia a la cuenta corriente de la tienda número 123456789 ".repeat(30));
        let ig = crate::domain::ids::PageId::parse("IG1").expect("id");
        b.deps.store.import_catalog(&page(), Some(&ig), &catalog, t0(), 900).await.expect("import");
        buy(&b, Platform::Instagram, "C1", "quiero B5").await;
        buy(&b, Platform::Facebook, "C2", "quiero A12 M").await;
        let (ig_reply, fb_reply) = (reply_to(&b, "C1").await, reply_to(&b, "C2").await);
        assert!(ig_reply.len() <= 1000, "{} bytes", ig_reply.len());
        assert!(fb_reply.chars().count() <= 2000, "{} chars", fb_reply.chars().count());
        for r in [&ig_reply, &fb_reply] {
            assert!(r.contains("Te reservamos: 1×"), "what was reserved is never dropped: {r}");
            assert!(r.ends_with("La tienda te enviará los datos de pago."), "instructions too long to send whole are not cut: {r}");
        }
    }
}
