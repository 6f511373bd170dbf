//! Rows into domain values, once for both databases; and the reads the other modules share.
use super::corrupt;
use super::db::{args, Row, Tx};
use crate::domain::comment::{Comment, CommentKey};
use crate::domain::ids::{CommentId, InvalidId, LiveId, PageId, Platform, UserId};
use crate::domain::ledger::{CommentState, StoredComment};
use crate::domain::outbound::{MessageStatus, OutboundMessage};
use crate::domain::page::PageConfig;
use crate::domain::reservation::{ClaimRecord, ClaimStatus, Order, OrderItem, OrderStatus, SellerNotice};
use crate::ports::PortError;

fn id<T>(r: &Row, backend: &'static str, col: &str, parse: impl FnOnce(String) -> Result<T, InvalidId>) -> Result<T, PortError> {
    parse(r.str(col)?).map_err(|e| corrupt(backend, e))
}

fn opt_id<T>(
    r: &Row,
    backend: &'static str,
    col: &str,
    parse: impl FnOnce(String) -> Result<T, InvalidId>,
) -> Result<Option<T>, PortError> {
    r.opt_str(col)?.map(parse).transpose().map_err(|e| corrupt(backend, e))
}

fn count(r: &Row, col: &str) -> Result<u32, PortError> {
    Ok(r.i64(col)?.clamp(0, i64::from(u32::MAX)) as u32)
}

/// Claims joined with their comment: `{CLAIM_SELECT} WHERE …`.
pub const CLAIM_SELECT: &str = "SELECT c.id, cm.comment_id, c.idx, c.buyer_id, c.code, c.sku, c.qty, c.status, c.reason, \
     c.unit_price_minor, c.order_id, c.expires_at FROM claims c JOIN comments cm ON cm.id = c.comment_ref";

pub fn claim(r: &Row, b: &'static str) -> Result<ClaimRecord, PortError> {
    let status = r.str("status")?;
    Ok(ClaimRecord {
        claim_id: r.i64("id")?,
        comment_id: id(r, b, "comment_id", CommentId::parse)?,
        idx: count(r, "idx")?,
        buyer_id: id(r, b, "buyer_id", UserId::parse)?,
        code: r.opt_str("code")?,
        sku: r.opt_str("sku")?,
        qty: count(r, "qty")?,
        status: ClaimStatus::parse(&status).ok_or_else(|| corrupt(b, &status))?,
        reason: r.opt_str("reason")?,
        unit_price_minor: r.opt_i64("unit_price_minor")?,
        order_id: r.opt_i64("order_id")?,
        expires_at: r.opt_ts("expires_at")?,
    })
}

/// Claims matching `cond` (on `c.` columns, with `$1`…), oldest first.
pub async fn claims_where(tx: &mut Tx, cond: &str, args: &[super::db::Arg]) -> Result<Vec<ClaimRecord>, PortError> {
    let b = tx.backend();
    let rows = tx.all(&format!("{CLAIM_SELECT} WHERE {cond} ORDER BY c.id"), args).await?;
    rows.iter().map(|r| claim(r, b)).collect()
}

pub async fn claim_by_id(tx: &mut Tx, claim_id: i64) -> Result<ClaimRecord, PortError> {
    claims_where(tx, "c.id = $1", args![claim_id]).await?.pop().ok_or_else(|| PortError::NotFound(format!("claim {claim_id}")))
}

pub fn comment(r: &Row, b: &'static str) -> Result<StoredComment, PortError> {
    let platform = r.str("platform")?;
    let state = r.str("state")?;
    Ok(StoredComment {
        comment: Comment {
            platform: Platform::parse(&platform).ok_or_else(|| corrupt(b, &platform))?,
            page_id: id(r, b, "account_id", PageId::parse)?,
            comment_id: id(r, b, "comment_id", CommentId::parse)?,
            live_id: id(r, b, "live_id", LiveId::parse)?,
            author_id: id(r, b, "author_id", UserId::parse)?,
            author_name: r.str("author_name")?,
            text: r.str("text")?,
            created_at: r.ts("created_at")?,
        },
        seller_page: opt_id(r, b, "page_id", PageId::parse)?,
        state: CommentState::parse(&state).ok_or_else(|| corrupt(b, &state))?,
        classification: r.opt_json("classification")?,
        revision: count(r, "revision")?,
        acted_revision: r.opt_i64("acted_revision")?.map(|v| v.clamp(0, i64::from(u32::MAX)) as u32),
    })
}

/// The comment's row id and state.
pub async fn comment_ref(tx: &mut Tx, key: &CommentKey) -> Result<Option<(i64, String)>, PortError> {
    let row = tx
        .opt(
            "SELECT id, state FROM comments WHERE platform = $1 AND comment_id = $2",
            args![key.platform.as_str(), key.comment_id.as_str()],
        )
        .await?;
    row.map(|r| Ok((r.i64("id")?, r.str("state")?))).transpose()
}

pub async fn require_comment(tx: &mut Tx, key: &CommentKey) -> Result<(i64, String), PortError> {
    comment_ref(tx, key).await?.ok_or_else(|| PortError::NotFound(format!("comment {}", key.comment_id)))
}

pub fn page(r: &Row, b: &'static str) -> Result<PageConfig, PortError> {
    Ok(PageConfig {
        page_id: id(r, b, "page_id", PageId::parse)?,
        ig_account_id: opt_id(r, b, "ig_account_id", PageId::parse)?,
        seller_name: r.str("seller_name")?,
        current_product: r.opt_str("current_product")?,
        catalog_version: r.i64("catalog_version")?,
    })
}

pub const MESSAGE_SELECT: &str = "SELECT m.id, m.page_id, m.text, m.status, m.attempts, m.error_code, m.error, m.meta_message_id, \
     cm.platform, cm.comment_id, cm.account_id FROM outbound_messages m JOIN comments cm ON cm.id = m.comment_ref";

pub fn message(r: &Row, b: &'static str) -> Result<OutboundMessage, PortError> {
    let status = r.str("status")?;
    let platform = r.str("platform")?;
    Ok(OutboundMessage {
        message_id: r.i64("id")?,
        platform: Platform::parse(&platform).ok_or_else(|| corrupt(b, &platform))?,
        comment_id: id(r, b, "comment_id", CommentId::parse)?,
        page_id: id(r, b, "page_id", PageId::parse)?,
        account_id: id(r, b, "account_id", PageId::parse)?,
        text: r.str("text")?,
        status: MessageStatus::parse(&status).ok_or_else(|| corrupt(b, &status))?,
        attempts: count(r, "attempts")?,
        error_code: r.opt_i64("error_code")?,
        error: r.opt_str("error")?,
        meta_message_id: r.opt_str("meta_message_id")?,
    })
}

pub fn notice(r: &Row) -> Result<SellerNotice, PortError> {
    Ok(SellerNotice {
        notice_id: r.i64("id")?,
        kind: r.str("kind")?,
        claim_id: r.opt_i64("claim_id")?,
        message: r.str("message")?,
        created_at: r.ts("created_at")?,
    })
}

/// An order with its items; the total counts what is reserved or paid.
pub async fn order(tx: &mut Tx, order_id: i64) -> Result<Option<Order>, PortError> {
    let b = tx.backend();
    let Some(r) = tx.opt("SELECT * FROM orders WHERE id = $1", args![order_id]).await? else { return Ok(None) };
    let rows =
        tx.all("SELECT id, code, sku, qty, unit_price_minor, status FROM claims WHERE order_id = $1 ORDER BY id", args![order_id]).await?;
    let mut items = Vec::with_capacity(rows.len());
    for i in &rows {
        let status = i.str("status")?;
        items.push(OrderItem {
            claim_id: i.i64("id")?,
            code: i.opt_str("code")?.unwrap_or_default(),
            sku: i.opt_str("sku")?.unwrap_or_default(),
            qty: count(i, "qty")?,
            unit_price_minor: i.opt_i64("unit_price_minor")?.unwrap_or(0),
            status: ClaimStatus::parse(&status).ok_or_else(|| corrupt(b, &status))?,
        });
    }
    let status = r.str("status")?;
    Ok(Some(Order {
        order_id,
        page_id: id(&r, b, "page_id", PageId::parse)?,
        live_id: id(&r, b, "live_id", LiveId::parse)?,
        buyer_id: id(&r, b, "buyer_id", UserId::parse)?,
        buyer_name: r.str("buyer_name")?,
        status: if status == "paid" { OrderStatus::Paid } else { OrderStatus::Open },
        currency: r.str("currency")?,
        total_minor: items
            .iter()
            .filter(|i| matches!(i.status, ClaimStatus::Reserved | ClaimStatus::Paid))
            .map(|i| i.unit_price_minor * i64::from(i.qty))
            .sum(),
        due_minor: items.iter().filter(|i| i.status == ClaimStatus::Reserved).map(|i| i.unit_price_minor * i64::from(i.qty)).sum(),
        payment_state: r.opt_str("payment_state")?,
        shipping_paid_minor: tx
            .one("SELECT CAST(COALESCE(SUM(shipping_minor), 0) AS bigint) AS paid FROM payment_links WHERE order_id = $1 AND status = 'paid'", args![order_id])
            .await?
            .i64("paid")?,
        delivery_address: r.opt_str("delivery_address")?,
        lang: tx
            .opt(
                "SELECT cm.classification FROM claims c JOIN comments cm ON cm.id = c.comment_ref \
                 WHERE c.order_id = $1 AND cm.classification IS NOT NULL ORDER BY c.id DESC LIMIT 1",
                args![order_id],
            )
            .await?
            .map(|r| r.opt_json::<serde_json::Value>("classification"))
            .transpose()?
            .flatten()
            .and_then(|c| serde_json::from_value(c.get("lang")?.clone()).ok()),
        hold_until: tx
            .opt("SELECT MAX(expires_at) AS until FROM claims WHERE order_id = $1 AND status = 'reserved'", args![order_id])
            .await?
            .map(|h| h.opt_ts("until"))
            .transpose()?
            .flatten(),
        items,
        payment: r.opt_json("payment")?,
        created_at: r.ts("created_at")?,
        paid_at: r.opt_ts("paid_at")?,
    }))
}
