//! Reserve: turn the comment's claims into reservations (atomic in the store), waitlist entries or
//! refusals; apply cancellations; get the order a payment link (falling back to bank transfer);
//! queue the one private reply. Every step is idempotent, so a second run changes nothing.
use super::catalogs::LoadedCatalog;
use super::{decode, encode, Deps, Handled, Stage, StageError};
use crate::domain::answer;
use crate::domain::comment::CommentKey;
use crate::domain::intent::{ClaimSpec, Classification, Intent};
use crate::domain::inventory::{self, find_product, matching_skus, Rejection};
use crate::domain::money::{Currency, Money};
use crate::domain::reply::{self, item_label, ClaimResult};
use crate::domain::reservation::{
    CancelRequest, CancelTarget, ClaimOrigin, ClaimRecord, ClaimStatus, PaymentInstructions, Quantity, RejectRequest, ReserveRequest,
};
use crate::ports::{CommentState, PaymentRequest, PortError, StoredComment};

pub async fn handle(deps: &Deps, payload: &str) -> Result<Handled, StageError> {
    let key: CommentKey = decode(payload)?;
    let stored = deps.store.load(&key).await?.ok_or_else(|| StageError::Poison(format!("unknown comment {}", key.comment_id)))?;
    match stored.state {
        CommentState::Classified | CommentState::Acted => {}
        CommentState::Received => {
            return Err(StageError::Retry(PortError::Unavailable { backend: "reserve", message: "comment not classified yet".into() }))
        }
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
    let text = match cls.intent {
        Intent::Purchase => Some(purchase(deps, &stored, &cls, &catalog, &origin).await?),
        Intent::Cancel => Some(cancel(deps, &cls, &catalog, &origin).await?),
        Intent::Question => question(deps, &stored, &cls, &catalog).await?,
        Intent::Other => None,
    };
    if let Some(why) = &cls.review {
        let note =
            format!("Please check comment {} (\"{}\"): {why}; the rules decided {:?}.", key.comment_id, stored.comment.text, cls.intent);
        deps.store.add_notice(&origin.page, "review", None, &note, deps.clock.now()).await?;
    }
    deps.store.mark_acted(&key).await?;
    let Some(text) = text else { return Ok(Handled::Done) };
    let message_id = deps.store.enqueue_reply(&key, &text).await?;
    deps.stream.append(&deps.settings.streams.key(Stage::Respond), &encode(&serde_json::json!({ "message_id": message_id }))).await?;
    Ok(Handled::Forwarded(1))
}

fn label(catalog: &LoadedCatalog, code: &str, sku: Option<&str>) -> String {
    let Some(p) = find_product(&catalog.catalog, code) else { return code.to_string() };
    let v = p.variants.iter().find(|v| Some(v.sku.as_str()) == sku);
    item_label(&p.code, &p.name, v.and_then(|v| v.size.as_deref()), v.and_then(|v| v.color.as_deref()))
}

async fn purchase(
    deps: &Deps,
    stored: &StoredComment,
    cls: &Classification,
    catalog: &LoadedCatalog,
    origin: &ClaimOrigin,
) -> Result<String, StageError> {
    let now = deps.clock.now();
    // "mío" with no product on screen: still a claim, refused with a way to fix it.
    let no_product = [ClaimSpec { code: None, qty: 1, qty_explicit: false, size: None, color: None }];
    let specs: &[ClaimSpec] = if cls.claims.is_empty() { &no_product } else { &cls.claims };
    let mut results = Vec::new();
    let mut order_id = None;
    for (idx, spec) in specs.iter().enumerate() {
        let idx = idx as u32;
        let qty = Quantity::new(spec.qty).unwrap_or(Quantity::new(1).unwrap_or_else(|| unreachable!("1 is a valid quantity")));
        let record = match inventory::resolve(&catalog.catalog, spec) {
            Ok(r) => {
                let req = ReserveRequest {
                    origin: origin.clone(),
                    idx,
                    code: r.code.clone(),
                    sku: r.sku.clone(),
                    qty,
                    unit_price: r.unit_price,
                    now,
                    ttl_secs: deps.settings.ttl_secs(),
                };
                deps.store.reserve(&req).await?
            }
            Err(rejection) => {
                let req =
                    RejectRequest { origin: origin.clone(), idx, code: spec.code.clone(), qty, reason: rejection.reason().into(), now };
                deps.store.reject(&req).await?;
                results.push(ClaimResult::Rejected(rejection));
                continue;
            }
        };
        match record.status {
            ClaimStatus::Reserved | ClaimStatus::Paid => {
                order_id = record.order_id.or(order_id);
                let unit = record.unit_price_minor.unwrap_or(0);
                let currency = Currency::parse(&catalog.catalog.currency).map_err(|e| StageError::Poison(e.to_string()))?;
                let line_total = Money::new(unit * i64::from(record.qty), currency).map_err(|e| StageError::Poison(e.to_string()))?;
                results.push(ClaimResult::Reserved {
                    item: label(catalog, record.code.as_deref().unwrap_or_default(), record.sku.as_deref()),
                    qty: record.qty,
                    line_total,
                });
            }
            ClaimStatus::Waitlisted => results.push(ClaimResult::Waitlisted {
                item: label(catalog, record.code.as_deref().unwrap_or_default(), record.sku.as_deref()),
                qty: record.qty,
            }),
            // The catalog changed under the claim (a re-import dropped the SKU).
            ClaimStatus::Rejected => results.push(ClaimResult::Rejected(Rejection::UnknownVariant {
                code: record.code.clone().unwrap_or_default(),
                asked: spec.size.iter().chain(spec.color.iter()).cloned().collect::<Vec<_>>().join(" "),
                choices: find_product(&catalog.catalog, record.code.as_deref().unwrap_or_default())
                    .map(inventory::choices)
                    .unwrap_or_default(),
            })),
            // Removed or expired meanwhile: nothing to tell.
            ClaimStatus::Cancelled | ClaimStatus::Expired => {}
        }
    }
    let (total, payment) = match order_id {
        Some(id) => order_payment(deps, catalog, id).await?,
        None => (None, None),
    };
    let minutes = deps.settings.reservation_ttl.as_secs().div_ceil(60) as i64;
    Ok(reply::purchase_reply(cls.lang, &stored.comment.author_name, &results, total, payment.as_ref(), minutes))
}

/// The order's total, and its payment instructions (created once per order, then reused).
async fn order_payment(
    deps: &Deps,
    catalog: &LoadedCatalog,
    order_id: i64,
) -> Result<(Option<Money>, Option<PaymentInstructions>), StageError> {
    let Some(order) = deps.store.order(order_id).await? else { return Ok((None, None)) };
    let currency = Currency::parse(&order.currency).map_err(|e| StageError::Poison(e.to_string()))?;
    let total = Money::new(order.total_minor, currency).map_err(|e| StageError::Poison(e.to_string()))?;
    if let Some(existing) = order.payment {
        return Ok((Some(total), Some(existing)));
    }
    let req = PaymentRequest {
        order_id,
        page_id: order.page_id.clone(),
        buyer_name: order.buyer_name.clone(),
        total,
        description: order.items.iter().map(|i| format!("{}x{}", i.qty, i.sku)).collect::<Vec<_>>().join(", "),
        transfer_instructions: catalog.catalog.transfer_instructions.clone(),
    };
    match deps.payments.create(&req).await {
        Ok(p) => {
            deps.store.set_order_payment(order_id, &p).await?;
            Ok((Some(total), Some(p)))
        }
        Err(e) => {
            tracing::warn!(order_id, error = %e, "no payment method available; the reply says the shop will send details");
            Ok((Some(total), None))
        }
    }
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
    let stock: Vec<answer::Availability> = if product.variants.is_empty() {
        vec![answer::Availability {
            size: None,
            color: None,
            available: levels.iter().find(|l| l.sku == product.code).map_or(0, |l| l.available),
        }]
    } else {
        product
            .variants
            .iter()
            .map(|v| answer::Availability {
                size: v.size.clone(),
                color: v.color.clone(),
                available: levels.iter().find(|l| l.sku == v.sku).map_or(0, |l| l.available),
            })
            .collect()
    };
    let text = answer::answer(cls.lang, topic, product, price, &stock, about.size.as_deref(), about.color.as_deref());
    Ok(Some(format!("{} {text}", reply::greeting(cls.lang, &stored.comment.author_name))))
}

async fn cancel(deps: &Deps, cls: &Classification, catalog: &LoadedCatalog, origin: &ClaimOrigin) -> Result<String, StageError> {
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
    Ok(reply::cancel_reply(cls.lang, &origin.buyer_name, &items))
}
