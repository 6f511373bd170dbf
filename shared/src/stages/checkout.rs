//! How a grown or new order is paid: what it owes now (its reserved claims, plus shipping once per
//! order), and a link for exactly that — the order's current link while it still charges that
//! amount, else a new one recorded with the claims it covers (earlier links are superseded and
//! expired at their provider where it allows it) — else the seller's bank-transfer text.
use crate::domain::money::{Currency, Money};
use crate::domain::payment::Gateway;
use crate::domain::reply::Due;
use crate::domain::reservation::{ClaimStatus, Order, PaymentInstructions, PaymentRequest};
use crate::domain::settlement::NewLink;
use crate::pipeline::catalogs::LoadedCatalog;
use crate::pipeline::{Deps, StageError};

fn money(minor: i64, currency: Currency) -> Result<Money, StageError> {
    Money::new(minor, currency).map_err(|e| StageError::Poison(e.to_string()))
}

/// What the order owes now: its reserved items, and the shipping not yet paid through a link.
fn owed(order: &Order, catalog: &LoadedCatalog) -> (i64, i64) {
    let items = order.due_minor;
    if items <= 0 {
        return (0, 0);
    }
    let units: i64 =
        order.items.iter().filter(|i| matches!(i.status, ClaimStatus::Reserved | ClaimStatus::Paid)).map(|i| i64::from(i.qty)).sum();
    let fee = catalog.catalog.shipping.as_ref().map_or(0, |s| s.fee(units));
    (items, (fee - order.shipping_paid_minor).max(0))
}

pub(crate) async fn order_payment(deps: &Deps, catalog: &LoadedCatalog, order_id: i64) -> Result<Option<Due>, StageError> {
    let Some(order) = deps.store.order(order_id).await? else { return Ok(None) };
    let currency = Currency::parse(&order.currency).map_err(|e| StageError::Poison(e.to_string()))?;
    let (items, shipping) = owed(&order, catalog);
    let total = money(items + shipping, currency)?;
    let pickup = catalog.catalog.shipping.as_ref().is_some_and(|s| s.pickup);
    let first_paid = catalog.catalog.first_paid_first_served;
    let due = |payment| Due {
        total,
        shipping: (shipping > 0).then(|| Money::new(shipping, currency).ok()).flatten(),
        pickup,
        first_paid,
        payment,
    };
    let Some(hold_until) = order.hold_until.filter(|_| items > 0) else { return Ok(Some(due(None))) };
    // A link charges one amount: reuse it only while the order still owes that (a grown order
    // gets a link for its new total). Transfer instructions hold for any total.
    match &order.payment {
        Some(PaymentInstructions::Link { amount_minor, .. }) if *amount_minor != total.minor() => {}
        Some(existing) => return Ok(Some(due(Some(existing.clone())))),
        None => {}
    }
    let reserved = || order.items.iter().filter(|i| i.status == ClaimStatus::Reserved);
    let req = PaymentRequest {
        order_id,
        page_id: order.page_id.clone(),
        buyer_name: order.buyer_name.clone(),
        total,
        shipping,
        description: reserved().map(|i| format!("{}x{}", i.qty, i.sku)).collect::<Vec<_>>().join(", "),
        transfer_instructions: catalog.catalog.transfer_instructions.clone(),
        expires_at: hold_until,
        now: deps.clock.now(),
    };
    let p = match deps.payments.create(&req).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(order_id, error = %e, "no payment method available; the reply says the shop will send details");
            return Ok(Some(due(None)));
        }
    };
    match &p {
        PaymentInstructions::Link { provider, url, reference, .. } => {
            let gateway =
                Gateway::parse(provider).ok_or_else(|| StageError::Poison(format!("a link from an unknown gateway {provider}")))?;
            let link = NewLink {
                order_id,
                page: order.page_id.clone(),
                gateway,
                external_ref: req.reference(),
                provider_ref: reference.clone(),
                url: url.clone(),
                amount: total,
                shipping_minor: shipping,
                claim_ids: reserved().map(|i| i.claim_id).collect(),
                expires_at: hold_until,
                now: req.now,
            };
            for old in deps.store.record_link(&link).await? {
                // Best effort: a superseded link still pays its own claims if the buyer uses it.
                match deps.payments.expire(&order.page_id, &old).await {
                    Ok(true) => tracing::info!(order_id, gateway = old.gateway.as_str(), "superseded link expired at its provider"),
                    Ok(false) => tracing::info!(order_id, gateway = old.gateway.as_str(), "superseded link left to expire with its hold"),
                    Err(e) => tracing::warn!(order_id, gateway = old.gateway.as_str(), error = %e, "superseded link not expired"),
                }
            }
        }
        PaymentInstructions::Transfer { .. } => deps.store.set_order_payment(order_id, &p).await?,
    }
    Ok(Some(due(Some(p))))
}
