//! One private reply per comment, recorded before and after the send: `Outbox`, once for both
//! databases.
use super::db::args;
use super::rows::{self, MESSAGE_SELECT};
use super::SqlStore;
use crate::domain::comment::CommentKey;
use crate::domain::ids::PageId;
use crate::domain::outbound::{OutboundMessage, SendOutcome};
use crate::ports::{Outbox, PortError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
impl Outbox for SqlStore {
    async fn enqueue_reply(&self, key: &CommentKey, text: &str) -> Result<i64, PortError> {
        let mut tx = self.pool.write().await?;
        let (cref, _) = rows::require_comment(&mut tx, key).await?;
        tx.exec(
            "INSERT INTO outbound_messages (comment_ref, page_id, text, status, created_at, updated_at) \
             SELECT id, COALESCE(page_id, account_id), $2, 'pending', $3, $3 FROM comments WHERE id = $1 \
             ON CONFLICT (comment_ref) DO NOTHING",
            args![cref, text, Utc::now()],
        )
        .await?;
        let id = tx.one("SELECT id FROM outbound_messages WHERE comment_ref = $1", args![cref]).await?.i64("id")?;
        tx.commit().await?;
        Ok(id)
    }

    async fn begin_send(&self, message_id: i64) -> Result<Option<OutboundMessage>, PortError> {
        let mut tx = self.pool.write().await?;
        let b = tx.backend();
        let started = tx
            .exec(
                "UPDATE outbound_messages SET status = 'sending', attempts = attempts + 1, updated_at = $2 \
                 WHERE id = $1 AND status IN ('pending', 'sending', 'paused')",
                args![message_id, Utc::now()],
            )
            .await?;
        let msg = if started == 1 {
            Some(rows::message(&tx.one(&format!("{MESSAGE_SELECT} WHERE m.id = $1"), args![message_id]).await?, b)?)
        } else {
            None
        };
        tx.commit().await?;
        Ok(msg)
    }

    async fn finish_send(&self, message_id: i64, outcome: &SendOutcome) -> Result<(), PortError> {
        let now = Utc::now();
        let (status, code, error, meta_id, sent_at) = match outcome {
            SendOutcome::Sent { meta_message_id } => ("sent", None, None, meta_message_id.clone(), Some(now)),
            SendOutcome::Outbox => ("outbox", None, None, None, Some(now)),
            SendOutcome::Failed { code, error } => ("failed", *code, Some(error.clone()), None, None),
            SendOutcome::Paused { code, error } => ("paused", *code, Some(error.clone()), None, None),
            SendOutcome::Retry { code, error } => ("pending", *code, Some(error.clone()), None, None),
        };
        self.pool
            .read()
            .await?
            .exec(
                "UPDATE outbound_messages SET status = $2, error_code = $3, error = $4, meta_message_id = COALESCE($5, meta_message_id), \
                   sent_at = COALESCE($6, sent_at), updated_at = $7 WHERE id = $1 AND status NOT IN ('sent', 'outbox')",
                args![message_id, status, code, error, meta_id, sent_at, now],
            )
            .await?;
        Ok(())
    }

    async fn resume_paused(&self, page: &PageId) -> Result<Vec<i64>, PortError> {
        let found = self
            .pool
            .read()
            .await?
            .all(
                "UPDATE outbound_messages SET status = 'pending', updated_at = $2 WHERE page_id = $1 AND status = 'paused' RETURNING id",
                args![page.as_str(), Utc::now()],
            )
            .await?;
        found.iter().map(|r| r.i64("id")).collect()
    }

    async fn claim_public_reply(&self, message_id: i64, now: DateTime<Utc>) -> Result<Option<i64>, PortError> {
        let mut tx = self.pool.write().await?;
        let claimed = tx
            .opt(
                "UPDATE outbound_messages SET public_reply_at = $2 WHERE id = $1 AND public_reply_at IS NULL RETURNING page_id",
                args![message_id, now],
            )
            .await?;
        let Some(page) = claimed.map(|r| r.str("page_id")).transpose()? else {
            tx.commit().await?;
            return Ok(None);
        };
        let seq = tx
            .one("UPDATE pages SET public_reply_seq = public_reply_seq + 1 WHERE page_id = $1 RETURNING public_reply_seq", args![page])
            .await?
            .i64("public_reply_seq")?;
        tx.commit().await?;
        Ok(Some(seq))
    }

    async fn replies(&self, page: &PageId) -> Result<Vec<OutboundMessage>, PortError> {
        let mut conn = self.pool.read().await?;
        let b = conn.backend();
        let found = conn.all(&format!("{MESSAGE_SELECT} WHERE m.page_id = $1 ORDER BY m.id"), args![page.as_str()]).await?;
        found.iter().map(|r| rows::message(r, b)).collect()
    }
}
