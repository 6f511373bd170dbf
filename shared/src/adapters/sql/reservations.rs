//! Claims, orders and their stock: `ReservationStore`, written once for both databases.
use super::db::{args, Tx};
use super::rows::{self, claim_by_id, claims_where};
use super::stock::{self, expiry, Buyer};
use super::SqlStore;
use crate::domain::comment::CommentKey;
use crate::domain::ids::PageId;
use crate::domain::reservation::{
    CancelRequest, CancelTarget, ClaimOrigin, ClaimRecord, ClaimStatus, NewClaim, Order, PaidOutcome, PaymentInstructions, RedecideRequest,
    RejectRequest, ReserveRequest, StockLevel, CAP_SPLIT_IDX, REVISION_IDX_STRIDE,
};
use crate::ports::{PortError, ReservationStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

fn buyer(o: &ClaimOrigin) -> Buyer<'_> {
    Buyer { page: o.page.as_str(), live: o.live.as_str(), buyer: o.buyer.as_str(), name: &o.buyer_name }
}

/// The comment's row id, state and revision, locked against a concurrent removal or edit.
async fn lock_comment(tx: &mut Tx, key: &CommentKey, lock: &str) -> Result<(i64, String, i64), PortError> {
    let sql = format!("SELECT id, state, revision FROM comments WHERE platform = $1 AND comment_id = $2 {lock}");
    let r = tx
        .opt(&sql, args![key.platform.as_str(), key.comment_id.as_str()])
        .await?
        .ok_or_else(|| PortError::NotFound(format!("comment {}", key.comment_id)))?;
    Ok((r.i64("id")?, r.str("state")?, r.i64("revision")?))
}

/// A new claim row beyond its origin.
struct Fresh<'a> {
    idx: u32,
    code: Option<&'a str>,
    sku: Option<&'a str>,
    qty: u32,
    status: ClaimStatus,
    reason: Option<&'a str>,
    /// Unit price in minor units, and its currency.
    price: Option<(i64, &'a str)>,
    cancelled_by: Option<i64>,
}

/// Inserts the claim unless (comment, idx) exists; returns the new id.
async fn insert(tx: &mut Tx, comment_ref: i64, o: &ClaimOrigin, c: Fresh<'_>, now: DateTime<Utc>) -> Result<Option<i64>, PortError> {
    let row = tx
        .opt(
            "INSERT INTO claims (comment_ref, idx, page_id, live_id, buyer_id, buyer_name, code, sku, qty, status, reason, \
               unit_price_minor, currency, cancelled_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) \
             ON CONFLICT (comment_ref, idx) DO NOTHING RETURNING id",
            args![
                comment_ref,
                c.idx,
                o.page.as_str(),
                o.live.as_str(),
                o.buyer.as_str(),
                o.buyer_name.as_str(),
                c.code,
                c.sku,
                c.qty,
                c.status.as_str(),
                c.reason,
                c.price.map(|p| p.0),
                c.price.map(|p| p.1),
                c.cancelled_by,
                now
            ],
        )
        .await?;
    row.map(|r| r.i64("id")).transpose()
}

async fn existing(tx: &mut Tx, comment_ref: i64, idx: u32) -> Result<Option<ClaimRecord>, PortError> {
    Ok(claims_where(tx, "c.comment_ref = $1 AND c.idx = $2", args![comment_ref, idx]).await?.pop())
}

/// Reserves or waitlists one claim inside `tx` (see `ReservationStore::reserve`).
async fn reserve_in(tx: &mut Tx, comment_ref: i64, state: &str, req: &ReserveRequest) -> Result<ClaimRecord, PortError> {
    if let Some(c) = existing(tx, comment_ref, req.idx).await? {
        return Ok(c);
    }
    let o = &req.origin;
    let removed = state == "removed";
    let (status, reason) = if removed { (ClaimStatus::Cancelled, Some("comment_removed")) } else { (ClaimStatus::Waitlisted, None) };
    let unit_currency = req.unit_price.currency();
    let currency = unit_currency.code();
    let fresh = Fresh {
        idx: req.idx,
        code: Some(&req.code),
        sku: Some(&req.sku),
        qty: req.qty.get(),
        status,
        reason,
        price: Some((req.unit_price.minor(), currency)),
        cancelled_by: None,
    };
    let Some(id) = insert(tx, comment_ref, o, fresh, req.now).await? else {
        // Inserted by a concurrent run of the same claim, which has committed: its result stands.
        return existing(tx, comment_ref, req.idx).await?.ok_or_else(|| PortError::NotFound("claim".into()));
    };
    if !removed {
        let page = o.page.as_str();
        let for_sale = tx.opt("SELECT 1 AS one FROM variants WHERE page_id = $1 AND sku = $2 AND active", args![page, &req.sku]).await?;
        if for_sale.is_none() {
            tx.exec("UPDATE claims SET status = 'rejected', reason = 'unknown_variant' WHERE id = $1", args![id]).await?;
        } else {
            let want = i64::from(req.qty.get());
            let rules = stock::page_rules(tx, page).await?;
            let allowed = match rules.buyer_cap {
                None => want,
                Some(cap) => {
                    // The buyer's open order row, locked: their concurrent claims queue here.
                    stock::order_for(tx, &buyer(o), currency, req.now).await?;
                    stock::buyer_room(tx, cap, page, o.live.as_str(), o.buyer.as_str()).await?.min(want)
                }
            };
            if allowed < want {
                over_cap(tx, comment_ref, id, req, allowed, want - allowed).await?;
            }
            if rules.first_paid {
                // First paid, first served: a link for everyone while units remain unsold; the
                // payment takes them.
                if allowed > 0 && stock::for_sale(tx, page, &req.sku, allowed).await? {
                    let order = stock::order_for(tx, &buyer(o), currency, req.now).await?;
                    stock::hold(tx, id, order, expiry(req.now, req.ttl_secs), req.now).await?;
                    tx.exec("UPDATE claims SET holds_stock = false WHERE id = $1", args![id]).await?;
                }
            } else if allowed > 0 && stock::take(tx, page, &req.sku, allowed).await? {
                let order = stock::order_for(tx, &buyer(o), currency, req.now).await?;
                stock::hold(tx, id, order, expiry(req.now, req.ttl_secs), req.now).await?;
            }
        }
    }
    claim_by_id(tx, id).await
}

/// A claim past the page's per-buyer cap: the units within it stay on the claim, the rest wait
/// on a claim of their own (`idx + CAP_SPLIT_IDX`, reason `buyer_cap`).
async fn over_cap(tx: &mut Tx, comment_ref: i64, id: i64, req: &ReserveRequest, allowed: i64, rest: i64) -> Result<(), PortError> {
    let (code, sku, currency) = (req.code.as_str(), req.sku.as_str(), req.unit_price.currency());
    if allowed == 0 {
        tx.exec("UPDATE claims SET reason = 'buyer_cap' WHERE id = $1", args![id]).await?;
        return Ok(());
    }
    tx.exec("UPDATE claims SET qty = $2 WHERE id = $1", args![id, allowed]).await?;
    let split = Fresh {
        idx: req.idx + CAP_SPLIT_IDX,
        code: Some(code),
        sku: Some(sku),
        qty: rest as u32,
        status: ClaimStatus::Waitlisted,
        reason: Some("buyer_cap"),
        price: Some((req.unit_price.minor(), currency.code())),
        cancelled_by: None,
    };
    insert(tx, comment_ref, &req.origin, split, req.now).await?;
    Ok(())
}

async fn reject_in(tx: &mut Tx, comment_ref: i64, req: &RejectRequest) -> Result<ClaimRecord, PortError> {
    let fresh = Fresh {
        idx: req.idx,
        code: req.code.as_deref(),
        sku: None,
        qty: req.qty.get(),
        status: ClaimStatus::Rejected,
        reason: Some(&req.reason),
        price: None,
        cancelled_by: None,
    };
    match insert(tx, comment_ref, &req.origin, fresh, req.now).await? {
        Some(id) => claim_by_id(tx, id).await,
        None => existing(tx, comment_ref, req.idx).await?.ok_or_else(|| PortError::NotFound("claim".into())),
    }
}

/// One target of a cancellation comment: the buyer's matching active claims, newest first, up to
/// `qty` units (all when None). A partial cancel keeps the rest on the claim and records the
/// cancelled units as a claim of the cancelling comment.
async fn cancel_target(
    tx: &mut Tx,
    cref: i64,
    o: &ClaimOrigin,
    target: &CancelTarget,
    now: DateTime<Utc>,
    ttl_secs: i64,
    split_idx: &mut u32,
) -> Result<(), PortError> {
    let base = "SELECT id, qty, status, code, sku, unit_price_minor, currency, holds_stock FROM claims \
                WHERE page_id = $1 AND live_id = $2 AND buyer_id = $3 AND status IN ('reserved', 'waitlisted')";
    let who = [o.page.as_str(), o.live.as_str(), o.buyer.as_str()];
    let (rows, skus, qty) = match target {
        CancelTarget::Latest => {
            (tx.all(&format!("{base} ORDER BY id DESC LIMIT 1 FOR UPDATE"), args![who[0], who[1], who[2]]).await?, None, None)
        }
        CancelTarget::Product { code, skus, qty } => (
            tx.all(&format!("{base} AND code = $4 ORDER BY id DESC FOR UPDATE"), args![who[0], who[1], who[2], code.as_str()]).await?,
            skus.as_ref(),
            *qty,
        ),
    };
    let mut left = qty.map(i64::from);
    for r in rows {
        let sku = r.opt_str("sku")?;
        if let (Some(wanted), Some(sku)) = (skus, &sku) {
            if !wanted.contains(sku) {
                continue;
            }
        }
        if left.is_some_and(|n| n <= 0) {
            break;
        }
        let (id, held) = (r.i64("id")?, r.i64("qty")?);
        match left {
            Some(n) if n < held => {
                tx.exec("UPDATE claims SET qty = qty - $2, updated_at = $3 WHERE id = $1", args![id, n, now]).await?;
                let (code, currency) = (r.opt_str("code")?, r.opt_str("currency")?);
                let price = r.opt_i64("unit_price_minor")?.zip(currency.as_deref());
                let split = Fresh {
                    idx: *split_idx,
                    code: code.as_deref(),
                    sku: sku.as_deref(),
                    qty: n as u32,
                    status: ClaimStatus::Cancelled,
                    reason: Some("cancelled_by_buyer"),
                    price,
                    cancelled_by: Some(cref),
                };
                insert(tx, cref, o, split, now).await?;
                *split_idx += 1;
                if let (true, Some(sku)) = (r.str("status")? == "reserved" && r.bool("holds_stock")?, &sku) {
                    stock::give_back(tx, o.page.as_str(), sku, n).await?;
                    stock::promote(tx, o.page.as_str(), sku, now, ttl_secs).await?;
                }
                left = Some(0);
            }
            _ => {
                stock::release(tx, id, ClaimStatus::Cancelled, "cancelled_by_buyer", now, ttl_secs, true).await?;
                tx.exec("UPDATE claims SET cancelled_by = $2 WHERE id = $1", args![id, cref]).await?;
                left = left.map(|n| n - held);
            }
        }
    }
    Ok(())
}

#[async_trait]
impl ReservationStore for SqlStore {
    async fn reserve(&self, req: &ReserveRequest) -> Result<ClaimRecord, PortError> {
        let mut tx = self.pool.write().await?;
        // FOR SHARE: serialises with a concurrent removal of the same comment.
        let (cref, state, _) = lock_comment(&mut tx, &req.origin.comment, "FOR SHARE").await?;
        let claim = reserve_in(&mut tx, cref, &state, req).await?;
        tx.commit().await?;
        Ok(claim)
    }

    async fn reject(&self, req: &RejectRequest) -> Result<ClaimRecord, PortError> {
        let mut tx = self.pool.write().await?;
        let (cref, _) = rows::require_comment(&mut tx, &req.origin.comment).await?;
        let claim = reject_in(&mut tx, cref, req).await?;
        tx.commit().await?;
        Ok(claim)
    }

    async fn redecide(&self, req: &RedecideRequest) -> Result<Vec<ClaimRecord>, PortError> {
        let (from, to) = (req.revision * REVISION_IDX_STRIDE, (req.revision + 1) * REVISION_IDX_STRIDE);
        let mut tx = self.pool.write().await?;
        let (cref, state, _) = lock_comment(&mut tx, &req.origin.comment, "FOR UPDATE").await?;
        let acted = tx.one("SELECT acted_revision FROM comments WHERE id = $1", args![cref]).await?.opt_i64("acted_revision")?;
        let done = acted.is_some_and(|a| a >= i64::from(req.revision));
        if !done && state != "removed" {
            // The comment's earlier claims end; the units they held go to its new claims first.
            let active = tx
                .all(
                    "SELECT id FROM claims WHERE comment_ref = $1 AND idx < $2 AND status IN ('reserved', 'waitlisted') ORDER BY id",
                    args![cref, from],
                )
                .await?;
            let mut freed: Vec<String> = Vec::new();
            for r in active {
                if let Some(rel) =
                    stock::release(&mut tx, r.i64("id")?, ClaimStatus::Cancelled, "edited", req.now, req.ttl_secs, false).await?
                {
                    freed.extend(rel.sku.filter(|s| !freed.contains(s)));
                }
            }
            for claim in &req.claims {
                match claim {
                    NewClaim::Reserve(r) => reserve_in(&mut tx, cref, &state, r).await?,
                    NewClaim::Reject(r) => reject_in(&mut tx, cref, r).await?,
                };
            }
            for sku in &freed {
                stock::promote(&mut tx, req.origin.page.as_str(), sku, req.now, req.ttl_secs).await?;
            }
            tx.exec("UPDATE comments SET state = 'acted', acted_revision = $2 WHERE id = $1", args![cref, req.revision]).await?;
        }
        let claims = claims_where(&mut tx, "c.comment_ref = $1 AND c.idx >= $2 AND c.idx < $3", args![cref, from, to]).await?;
        tx.commit().await?;
        Ok(claims)
    }

    async fn cancel(&self, req: &CancelRequest) -> Result<Vec<ClaimRecord>, PortError> {
        let mut tx = self.pool.write().await?;
        let (cref, state, revision) = lock_comment(&mut tx, &req.origin.comment, "FOR UPDATE").await?;
        if state == "classified" {
            tx.exec("UPDATE comments SET state = 'acted', acted_revision = $2 WHERE id = $1", args![cref, revision]).await?;
            let mut split_idx = 0u32;
            for target in &req.targets {
                cancel_target(&mut tx, cref, &req.origin, target, req.now, req.ttl_secs, &mut split_idx).await?;
            }
        }
        let done = claims_where(&mut tx, "c.cancelled_by = $1", args![cref]).await?;
        tx.commit().await?;
        Ok(done)
    }

    async fn expire_due(&self, now: DateTime<Utc>, ttl_secs: i64) -> Result<Vec<ClaimRecord>, PortError> {
        let mut tx = self.pool.write().await?;
        let due = tx
            .all(
                "SELECT id, page_id, sku, qty, buyer_name FROM claims WHERE status = 'reserved' AND expires_at <= $1 ORDER BY expires_at, id",
                args![now],
            )
            .await?;
        let mut out = Vec::new();
        for r in due {
            let id = r.i64("id")?;
            if stock::release(&mut tx, id, ClaimStatus::Expired, "not_paid_in_time", now, ttl_secs, true).await?.is_some() {
                let (qty, sku, buyer) = (r.i64("qty")?, r.opt_str("sku")?.unwrap_or_default(), r.str("buyer_name")?);
                let msg = format!("Claim {id} ({qty}× {sku}) of {buyer} expired unpaid; the units are back in stock.");
                stock::notice(&mut tx, &r.str("page_id")?, "expired", Some(id), &msg, now).await?;
                out.push(claim_by_id(&mut tx, id).await?);
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn mark_paid(&self, order_id: i64, now: DateTime<Utc>) -> Result<PaidOutcome, PortError> {
        let mut tx = self.pool.write().await?;
        let Some(o) = tx.opt("SELECT status FROM orders WHERE id = $1 FOR UPDATE", args![order_id]).await? else {
            return Ok(PaidOutcome::NotFound);
        };
        let paid_before = o.str("status")? == "paid";
        let held = if paid_before {
            Vec::new()
        } else {
            tx.all(
                "SELECT id, page_id, sku, qty, holds_stock FROM claims WHERE order_id = $1 AND status = 'reserved' ORDER BY id FOR UPDATE",
                args![order_id],
            )
            .await?
        };
        let mut sold = 0;
        for c in &held {
            let sku = c.opt_str("sku")?;
            // A first-paid claim whose units are gone stays unsold (and expires).
            let (id, page, qty, holds) = (c.i64("id")?, c.str("page_id")?, c.i64("qty")?, c.bool("holds_stock")?);
            if stock::sell(&mut tx, id, &page, sku.as_deref(), qty, holds, now).await? {
                sold += 1;
            }
        }
        if sold > 0 {
            tx.exec("UPDATE orders SET status = 'paid', paid_at = $2 WHERE id = $1", args![order_id, now]).await?;
        }
        let order = rows::order(&mut tx, order_id).await?.ok_or_else(|| PortError::NotFound(format!("order {order_id}")))?;
        tx.commit().await?;
        Ok(match (paid_before, sold == 0) {
            (true, _) => PaidOutcome::AlreadyPaid(order),
            (false, true) => PaidOutcome::NothingReserved(order),
            (false, false) => PaidOutcome::Paid(order),
        })
    }

    async fn order(&self, order_id: i64) -> Result<Option<Order>, PortError> {
        rows::order(&mut self.pool.read().await?, order_id).await
    }

    async fn set_order_payment(&self, order_id: i64, payment: &PaymentInstructions) -> Result<(), PortError> {
        let json = serde_json::to_value(payment).map_err(|e| super::corrupt(self.backend(), e))?;
        self.pool.read().await?.exec("UPDATE orders SET payment = $2 WHERE id = $1", args![order_id, json]).await?;
        Ok(())
    }

    async fn claims_for_comment(&self, key: &CommentKey) -> Result<Vec<ClaimRecord>, PortError> {
        let mut conn = self.pool.read().await?;
        let Some((cref, _)) = rows::comment_ref(&mut conn, key).await? else { return Ok(Vec::new()) };
        claims_where(&mut conn, "c.comment_ref = $1", args![cref]).await
    }

    async fn claims(&self, page: &PageId) -> Result<Vec<ClaimRecord>, PortError> {
        claims_where(&mut self.pool.read().await?, "c.page_id = $1", args![page.as_str()]).await
    }

    async fn orders(&self, page: &PageId) -> Result<Vec<Order>, PortError> {
        let mut conn = self.pool.read().await?;
        let ids = conn.all("SELECT id FROM orders WHERE page_id = $1 ORDER BY id", args![page.as_str()]).await?;
        let mut out = Vec::with_capacity(ids.len());
        for r in ids {
            out.extend(rows::order(&mut conn, r.i64("id")?).await?);
        }
        Ok(out)
    }

    async fn stock(&self, page: &PageId) -> Result<Vec<StockLevel>, PortError> {
        let rows = self
            .pool
            .read()
            .await?
            .all("SELECT sku, code, on_hand, reserved FROM variants WHERE page_id = $1 AND active ORDER BY position", args![page.as_str()])
            .await?;
        rows.iter()
            .map(|r| {
                let (on_hand, reserved) = (r.i64("on_hand")?, r.i64("reserved")?);
                Ok(StockLevel { sku: r.str("sku")?, code: r.str("code")?, on_hand, reserved, available: on_hand - reserved })
            })
            .collect()
    }
}
