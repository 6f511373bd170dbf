//! Buyers within Meta's messaging rules: `BuyerStore`, written once for both databases.
use super::db::args;
use super::rows::claim_by_id;
use super::stock;
use super::SqlStore;
use crate::domain::buyer::{InboundMessage, MessageKind};
use crate::domain::ids::{PageId, UserId};
use crate::domain::reservation::{ClaimRecord, ClaimStatus};
use crate::ports::{BuyerStore, Inbound, PendingMessage, PortError, QueuedMessage};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

fn id<T>(b: &'static str, raw: String, parse: impl Fn(String) -> Result<T, crate::domain::ids::InvalidId>) -> Result<T, PortError> {
    parse(raw).map_err(|e| super::corrupt(b, e))
}

#[async_trait]
impl BuyerStore for SqlStore {
    async fn record_recipient(&self, outbound_message_id: i64, messaging_id: &str) -> Result<(), PortError> {
        let mut tx = self.pool.write().await?;
        let Some(r) = tx
            .opt(
                "SELECT m.page_id, c.author_id FROM outbound_messages m JOIN comments c ON c.id = m.comment_ref WHERE m.id = $1",
                args![outbound_message_id],
            )
            .await?
        else {
            return Ok(());
        };
        let (page, buyer) = (r.str("page_id")?, r.str("author_id")?);
        // A messaging id belongs to one buyer of the page: an older holder lets go of it.
        tx.exec(
            "UPDATE buyers SET messaging_id = NULL WHERE page_id = $1 AND messaging_id = $2 AND buyer_id <> $3",
            args![page.as_str(), messaging_id, buyer.as_str()],
        )
        .await?;
        tx.exec(
            "INSERT INTO buyers (page_id, buyer_id, messaging_id) VALUES ($1, $2, $3) \
             ON CONFLICT (page_id, buyer_id) DO UPDATE SET messaging_id = excluded.messaging_id",
            args![page.as_str(), buyer.as_str(), messaging_id],
        )
        .await?;
        tx.commit().await
    }

    async fn record_inbound(&self, page: &PageId, msg: &InboundMessage, kind: MessageKind) -> Result<Option<Inbound>, PortError> {
        let b = self.backend();
        let mut tx = self.pool.write().await?;
        let buyer = tx
            .opt("SELECT buyer_id FROM buyers WHERE page_id = $1 AND messaging_id = $2", args![page.as_str(), msg.sender_id.as_str()])
            .await?
            .map(|r| r.str("buyer_id"))
            .transpose()?;
        let inserted = tx
            .opt(
                "INSERT INTO inbound_messages (platform, mid, page_id, sender_id, buyer_id, kind, body, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (platform, mid) DO NOTHING RETURNING id",
                args![
                    msg.platform.as_str(),
                    msg.mid.as_str(),
                    page.as_str(),
                    msg.sender_id.as_str(),
                    buyer.clone(),
                    kind.as_str(),
                    msg.text.as_str(),
                    msg.at
                ],
            )
            .await?;
        if inserted.is_none() {
            tx.commit().await?;
            return Ok(None);
        }
        if let Some(buyer) = &buyer {
            // Out-of-order deliveries never move the window back.
            tx.exec(
                "UPDATE buyers SET last_inbound_at = $3 WHERE page_id = $1 AND buyer_id = $2 \
                 AND (last_inbound_at IS NULL OR last_inbound_at < $3)",
                args![page.as_str(), buyer.as_str(), msg.at],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Some(Inbound { buyer: buyer.map(|s| id(b, s, UserId::parse)).transpose()? }))
    }

    async fn cancel_latest(
        &self,
        page: &PageId,
        buyer: &UserId,
        now: DateTime<Utc>,
        ttl_secs: i64,
    ) -> Result<Option<ClaimRecord>, PortError> {
        let mut tx = self.pool.write().await?;
        let latest = tx
            .opt(
                "SELECT id FROM claims WHERE page_id = $1 AND buyer_id = $2 AND status = 'reserved' ORDER BY id DESC LIMIT 1 FOR UPDATE",
                args![page.as_str(), buyer.as_str()],
            )
            .await?;
        let Some(claim) = latest.map(|r| r.i64("id")).transpose()? else {
            tx.commit().await?;
            return Ok(None);
        };
        stock::release(&mut tx, claim, ClaimStatus::Cancelled, "cancelled_by_message", now, ttl_secs, true).await?;
        let record = claim_by_id(&mut tx, claim).await?;
        tx.commit().await?;
        Ok(Some(record))
    }

    async fn queue_buyer_message(&self, m: &QueuedMessage) -> Result<bool, PortError> {
        let mut tx = self.pool.write().await?;
        let row = tx
            .opt(
                "INSERT INTO buyer_messages (page_id, buyer_id, kind, ref, body, status, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 'pending', $6) ON CONFLICT (page_id, kind, ref) DO NOTHING RETURNING id",
                args![m.page.as_str(), m.buyer.as_str(), m.kind, m.reference.as_str(), m.text.as_str(), m.now],
            )
            .await?;
        tx.commit().await?;
        Ok(row.is_some())
    }

    async fn pending_buyer_messages(&self, limit: i64) -> Result<Vec<PendingMessage>, PortError> {
        let b = self.backend();
        let rows = self
            .pool
            .read()
            .await?
            .all(
                "SELECT m.id, m.page_id, m.buyer_id, m.kind, m.ref, m.body, u.messaging_id, u.last_inbound_at FROM buyer_messages m \
                 LEFT JOIN buyers u ON u.page_id = m.page_id AND u.buyer_id = m.buyer_id \
                 WHERE m.status = 'pending' ORDER BY m.id LIMIT $1",
                args![limit],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(PendingMessage {
                    id: r.i64("id")?,
                    page: id(b, r.str("page_id")?, PageId::parse)?,
                    buyer: id(b, r.str("buyer_id")?, UserId::parse)?,
                    kind: r.str("kind")?,
                    reference: r.str("ref")?,
                    text: r.str("body")?,
                    messaging_id: r.opt_str("messaging_id")?,
                    last_inbound_at: r.opt_ts("last_inbound_at")?,
                })
            })
            .collect()
    }

    async fn finish_buyer_message(&self, id: i64, status: &str, now: DateTime<Utc>) -> Result<(), PortError> {
        let sent_at = (status == "sent").then_some(now);
        let mut tx = self.pool.write().await?;
        tx.exec("UPDATE buyer_messages SET status = $2, sent_at = $3 WHERE id = $1 AND status = 'pending'", args![id, status, sent_at])
            .await?;
        tx.commit().await
    }

    async fn holds_ending(
        &self,
        now: DateTime<Utc>,
        within: chrono::Duration,
    ) -> Result<Vec<(i64, PageId, UserId, DateTime<Utc>)>, PortError> {
        let b = self.backend();
        let rows = self
            .pool
            .read()
            .await?
            .all(
                "SELECT o.id, o.page_id, o.buyer_id, MAX(c.expires_at) AS until FROM orders o \
                 JOIN claims c ON c.order_id = o.id AND c.status = 'reserved' \
                 WHERE o.status = 'open' GROUP BY o.id, o.page_id, o.buyer_id \
                 HAVING MAX(c.expires_at) > $1 AND MAX(c.expires_at) <= $2 ORDER BY o.id",
                args![now, now + within],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok((r.i64("id")?, id(b, r.str("page_id")?, PageId::parse)?, id(b, r.str("buyer_id")?, UserId::parse)?, r.ts("until")?))
            })
            .collect()
    }
}
