//! The stock rules, written once: the one statement that takes units, giving them back, the
//! waitlist's turn, and ending a claim. Each runs inside the caller's write transaction; on
//! PostgreSQL the rows decided on are locked (`FOR UPDATE`), on SQLite the writer holds the file.
use super::db::{args, Tx};
use crate::domain::reservation::ClaimStatus;
use crate::ports::PortError;
use chrono::{DateTime, Duration, Utc};

/// Who a claim is for, as an order needs it.
pub struct Buyer<'a> {
    pub page: &'a str,
    pub live: &'a str,
    pub buyer: &'a str,
    pub name: &'a str,
}

pub fn expiry(now: DateTime<Utc>, ttl_secs: i64) -> DateTime<Utc> {
    now + Duration::seconds(ttl_secs)
}

/// The buyer's open order for the live, created on first use.
pub async fn order_for(tx: &mut Tx, b: &Buyer<'_>, currency: &str, now: DateTime<Utc>) -> Result<i64, PortError> {
    tx.one(
        "INSERT INTO orders (page_id, live_id, buyer_id, buyer_name, currency, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6) \
         ON CONFLICT (page_id, live_id, buyer_id) WHERE status = 'open' DO UPDATE SET buyer_name = excluded.buyer_name \
         RETURNING id",
        args![b.page, b.live, b.buyer, b.name, currency, now],
    )
    .await?
    .i64("id")
}

/// Reserves the claim into the order, and moves every reserved claim of the order to the same
/// new expiry: an order has one hold, so its link's expiry is the hold of all its units.
pub async fn hold(tx: &mut Tx, claim_id: i64, order_id: i64, until: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), PortError> {
    tx.exec(
        "UPDATE claims SET status = 'reserved', reason = NULL, order_id = $2, expires_at = $3, updated_at = $4 WHERE id = $1",
        args![claim_id, order_id, until, now],
    )
    .await?;
    tx.exec("UPDATE claims SET expires_at = $2 WHERE order_id = $1 AND status = 'reserved'", args![order_id, until]).await?;
    Ok(())
}

/// A page's rules for claims: its cap of units per buyer per live, and whether claims hold stock
/// (false: first paid, first served).
pub struct PageRules {
    pub buyer_cap: Option<i64>,
    pub first_paid: bool,
}

pub async fn page_rules(tx: &mut Tx, page: &str) -> Result<PageRules, PortError> {
    match tx.opt("SELECT buyer_cap, first_paid FROM pages WHERE page_id = $1", args![page]).await? {
        Some(r) => Ok(PageRules { buyer_cap: r.opt_i64("buyer_cap")?, first_paid: r.bool("first_paid")? }),
        None => Ok(PageRules { buyer_cap: None, first_paid: false }),
    }
}

/// Whether `qty` units of the SKU are still for sale (on a first-paid page, where claims take no
/// stock, this is what a claim checks).
pub async fn for_sale(tx: &mut Tx, page: &str, sku: &str, qty: i64) -> Result<bool, PortError> {
    let r = tx
        .opt("SELECT 1 AS one FROM variants WHERE page_id = $1 AND sku = $2 AND active AND on_hand - reserved >= $3", args![page, sku, qty])
        .await?;
    Ok(r.is_some())
}

/// Units the buyer may still take on the live under `cap`: what they hold (reserved or paid) is
/// counted. The caller holds the buyer's open order row (`order_for`), so two claims of one buyer
/// can't both pass.
pub async fn buyer_room(tx: &mut Tx, cap: i64, page: &str, live: &str, buyer: &str) -> Result<i64, PortError> {
    let held = tx
        .one(
            "SELECT CAST(COALESCE(SUM(qty), 0) AS bigint) AS held FROM claims \
             WHERE page_id = $1 AND live_id = $2 AND buyer_id = $3 AND status IN ('reserved', 'paid')",
            args![page, live, buyer],
        )
        .await?
        .i64("held")?;
    Ok((cap - held).max(0))
}

/// A reserved claim becomes a sale: it never expires, and its units leave on-hand and reserved.
/// A claim that held no stock (first paid, first served) takes its units now: false, and nothing
/// changes, when they are gone.
pub async fn sell(
    tx: &mut Tx,
    claim_id: i64,
    page: &str,
    sku: Option<&str>,
    qty: i64,
    holds: bool,
    now: DateTime<Utc>,
) -> Result<bool, PortError> {
    if !holds {
        let Some(sku) = sku else { return Ok(false) };
        if !take(tx, page, sku, qty).await? {
            return Ok(false);
        }
    }
    tx.exec(
        "UPDATE claims SET status = 'paid', holds_stock = true, expires_at = NULL, updated_at = $2 WHERE id = $1",
        args![claim_id, now],
    )
    .await?;
    tx.exec("UPDATE variants SET on_hand = on_hand - $3, reserved = reserved - $3 WHERE page_id = $1 AND sku = $2", args![page, sku, qty])
        .await?;
    Ok(true)
}

/// The one statement that takes stock: the row changes only if enough units are free and the
/// SKU is still for sale; the `reserved <= on_hand` constraint backs it.
pub async fn take(tx: &mut Tx, page: &str, sku: &str, qty: i64) -> Result<bool, PortError> {
    let n = tx
        .exec(
            "UPDATE variants SET reserved = reserved + $3 WHERE page_id = $1 AND sku = $2 AND active AND on_hand - reserved >= $3",
            args![page, sku, qty],
        )
        .await?;
    Ok(n == 1)
}

pub async fn give_back(tx: &mut Tx, page: &str, sku: &str, qty: i64) -> Result<(), PortError> {
    tx.exec("UPDATE variants SET reserved = reserved - $3 WHERE page_id = $1 AND sku = $2", args![page, sku, qty]).await?;
    Ok(())
}

pub async fn notice(tx: &mut Tx, page: &str, kind: &str, claim: Option<i64>, msg: &str, now: DateTime<Utc>) -> Result<(), PortError> {
    tx.exec(
        "INSERT INTO seller_notices (page_id, kind, claim_id, message, created_at) VALUES ($1, $2, $3, $4, $5)",
        args![page, kind, claim, msg, now],
    )
    .await?;
    Ok(())
}

/// Gives free units of a SKU to its waitlist, oldest claim first (a claim too big for what is
/// free is skipped, not blocking smaller ones); each promotion is a notice for the seller.
/// Returns how many claims were promoted.
pub async fn promote(tx: &mut Tx, page: &str, sku: &str, now: DateTime<Utc>, ttl_secs: i64) -> Result<usize, PortError> {
    let free =
        match tx.opt("SELECT on_hand - reserved AS free FROM variants WHERE page_id = $1 AND sku = $2 AND active", args![page, sku]).await?
        {
            Some(r) => r.i64("free")?,
            None => return Ok(0),
        };
    if free <= 0 {
        return Ok(0);
    }
    let waiting = tx
        .all(
            "SELECT id, qty, live_id, buyer_id, buyer_name, currency FROM claims \
             WHERE page_id = $1 AND sku = $2 AND status = 'waitlisted' ORDER BY id FOR UPDATE",
            args![page, sku],
        )
        .await?;
    let cap = page_rules(tx, page).await?.buyer_cap;
    let mut promoted = 0;
    for w in waiting {
        let (id, qty) = (w.i64("id")?, w.i64("qty")?);
        let (live, buyer, name) = (w.str("live_id")?, w.str("buyer_id")?, w.str("buyer_name")?);
        let currency = w.opt_str("currency")?.unwrap_or_else(|| "XXX".into());
        let who = Buyer { page, live: &live, buyer: &buyer, name: &name };
        // A buyer at the page's cap waits on, whatever is free.
        if let Some(cap) = cap {
            order_for(tx, &who, &currency, now).await?;
            if buyer_room(tx, cap, page, &live, &buyer).await? < qty {
                continue;
            }
        }
        if !take(tx, page, sku, qty).await? {
            continue;
        }
        let order = order_for(tx, &who, &currency, now).await?;
        hold(tx, id, order, expiry(now, ttl_secs), now).await?;
        let msg = format!(
            "Waitlist: {qty}× {sku} is now reserved for {name} (claim {id}, order {order}); they are messaged with a link if their \
             window is open, else tell them."
        );
        notice(tx, page, "waitlist_promoted", Some(id), &msg, now).await?;
        // The buyer's message (and its link) is written when the sweep sends it.
        tx.exec(
            "INSERT INTO buyer_messages (page_id, buyer_id, kind, ref, body, status, created_at) \
             VALUES ($1, $2, 'promoted', $3, '', 'pending', $4) ON CONFLICT (page_id, kind, ref) DO NOTHING",
            args![page, buyer.as_str(), id.to_string(), now],
        )
        .await?;
        promoted += 1;
    }
    Ok(promoted)
}

/// A claim ended by `release`: where its units went back.
pub struct Released {
    /// Set when the claim held units (it was reserved).
    pub sku: Option<String>,
}

/// Ends an active (reserved or waitlisted) claim with `status` and frees its units; the waitlist
/// gets them when `promote` (an edit first offers them to the comment's new claims). None when
/// the claim was not active.
pub async fn release(
    tx: &mut Tx,
    claim_id: i64,
    status: ClaimStatus,
    reason: &str,
    now: DateTime<Utc>,
    ttl_secs: i64,
    promote_waitlist: bool,
) -> Result<Option<Released>, PortError> {
    let Some(row) = tx.opt("SELECT status, page_id, sku, qty, holds_stock FROM claims WHERE id = $1 FOR UPDATE", args![claim_id]).await?
    else {
        return Ok(None);
    };
    let before = row.str("status")?;
    if before != "reserved" && before != "waitlisted" {
        return Ok(None);
    }
    tx.exec("UPDATE claims SET status = $2, reason = $3, updated_at = $4 WHERE id = $1", args![claim_id, status.as_str(), reason, now])
        .await?;
    let (page, sku, qty) = (row.str("page_id")?, row.opt_str("sku")?, row.i64("qty")?);
    // A first-paid claim held no units: nothing goes back.
    let held = if before == "reserved" && row.bool("holds_stock")? { sku } else { None };
    if let Some(sku) = &held {
        give_back(tx, &page, sku, qty).await?;
        if promote_waitlist {
            promote(tx, &page, sku, now, ttl_secs).await?;
        }
    }
    Ok(Some(Released { sku: held }))
}
