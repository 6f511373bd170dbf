//! The comments ledger: `CommentLedger`, written once for both databases. The latest state of a
//! comment wins whatever order Meta's events arrive in: a removal that comes first leaves a
//! tombstone, an edit of a classified comment re-opens it for intent.
use super::db::args;
use super::rows::{self, claim_by_id};
use super::stock;
use super::SqlStore;
use crate::domain::comment::{Comment, CommentKey};
use crate::domain::ids::PageId;
use crate::domain::intent::Classification;
use crate::domain::ledger::{CommentState, EditOutcome, Recorded, StoredComment};
use crate::domain::reservation::{ClaimRecord, ClaimStatus};
use crate::ports::{CommentLedger, PortError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
impl CommentLedger for SqlStore {
    async fn record(&self, c: &Comment, seller_page: Option<&PageId>, entry: &str) -> Result<Recorded, PortError> {
        let key = [c.platform.as_str(), c.comment_id.as_str()];
        let mut tx = self.pool.write().await?;
        let tombstone =
            tx.opt("SELECT removed_at FROM comment_tombstones WHERE platform = $1 AND comment_id = $2", args![key[0], key[1]]).await?;
        let removed_at = tombstone.map(|r| r.ts("removed_at")).transpose()?;
        let state = if removed_at.is_some() { "removed" } else { "received" };
        let inserted = tx
            .opt(
                "INSERT INTO comments (platform, comment_id, account_id, page_id, live_id, author_id, author_name, text, created_at, \
                   first_entry, state, removed_at, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (platform, comment_id) DO NOTHING RETURNING id",
                args![
                    key[0],
                    key[1],
                    c.page_id.as_str(),
                    seller_page.map(PageId::as_str),
                    c.live_id.as_str(),
                    c.author_id.as_str(),
                    c.author_name.as_str(),
                    c.text.as_str(),
                    c.created_at,
                    entry,
                    state,
                    removed_at,
                    Utc::now()
                ],
            )
            .await?;
        let outcome = if inserted.is_some() {
            if removed_at.is_some() {
                Recorded::Removed
            } else {
                Recorded::New
            }
        } else {
            let r =
                tx.one("SELECT first_entry, state FROM comments WHERE platform = $1 AND comment_id = $2", args![key[0], key[1]]).await?;
            if r.str("first_entry")? != entry {
                tx.exec(
                    "UPDATE comments SET redeliveries = redeliveries + 1 WHERE platform = $1 AND comment_id = $2",
                    args![key[0], key[1]],
                )
                .await?;
                Recorded::Duplicate
            } else if r.str("state")? == "removed" {
                Recorded::Removed
            } else {
                Recorded::Retry
            }
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn load(&self, key: &CommentKey) -> Result<Option<StoredComment>, PortError> {
        let mut conn = self.pool.read().await?;
        let b = conn.backend();
        let row = conn
            .opt("SELECT * FROM comments WHERE platform = $1 AND comment_id = $2", args![key.platform.as_str(), key.comment_id.as_str()])
            .await?;
        row.map(|r| rows::comment(&r, b)).transpose()
    }

    async fn mark(&self, key: &CommentKey, state: CommentState, reason: &str) -> Result<(), PortError> {
        self.pool
            .read()
            .await?
            .exec(
                "UPDATE comments SET state = $3, reason = $4 WHERE platform = $1 AND comment_id = $2 AND state = 'received'",
                args![key.platform.as_str(), key.comment_id.as_str(), state.as_str(), reason],
            )
            .await?;
        Ok(())
    }

    async fn apply_edit(&self, c: &Comment) -> Result<EditOutcome, PortError> {
        let mut tx = self.pool.write().await?;
        let Some(row) = tx
            .opt(
                "SELECT id, state, page_id FROM comments WHERE platform = $1 AND comment_id = $2 FOR UPDATE",
                args![c.platform.as_str(), c.comment_id.as_str()],
            )
            .await?
        else {
            return Ok(EditOutcome::Unknown);
        };
        let (id, state) = (row.i64("id")?, row.str("state")?);
        let holds_claims = tx
            .opt("SELECT id FROM claims WHERE comment_ref = $1 AND status IN ('reserved', 'waitlisted') LIMIT 1", args![id])
            .await?
            .is_some();
        let outcome = match state.as_str() {
            "received" => EditOutcome::Applied,
            // Decided on the old text: intent decides again (and reserve, if it already acted).
            "classified" | "filtered" => EditOutcome::Reopened,
            "acted" if holds_claims => EditOutcome::Reopened,
            _ => EditOutcome::RecordedOnly,
        };
        match outcome {
            EditOutcome::Applied => {
                tx.exec("UPDATE comments SET text = $2, edited_at = $3 WHERE id = $1", args![id, c.text.as_str(), c.created_at]).await?;
            }
            EditOutcome::Reopened => {
                tx.exec(
                    "UPDATE comments SET text = $2, edited_at = $3, state = 'received', reason = NULL, revision = revision + 1 WHERE id = $1",
                    args![id, c.text.as_str(), c.created_at],
                )
                .await?;
            }
            EditOutcome::RecordedOnly if state == "acted" => {
                let page = row.opt_str("page_id")?.unwrap_or_default();
                let msg = format!(
                    "Comment {} was edited after it was handled (now: \"{}\"); nothing changed.",
                    c.comment_id,
                    crate::domain::text::excerpt(&c.text, 80)
                );
                stock::notice(&mut tx, &page, "edited", None, &msg, Utc::now()).await?;
            }
            EditOutcome::RecordedOnly | EditOutcome::Unknown => {}
        }
        let applied = outcome != EditOutcome::RecordedOnly;
        tx.exec(
            "INSERT INTO comment_edits (comment_ref, text, edited_at, applied) VALUES ($1, $2, $3, $4)",
            args![id, c.text.as_str(), c.created_at, applied],
        )
        .await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn save_classification(&self, key: &CommentKey, text: &str, cls: &Classification) -> Result<bool, PortError> {
        let json = serde_json::to_value(cls).map_err(|e| super::corrupt(self.backend(), e))?;
        let intent = serde_json::to_value(cls.intent).map_err(|e| super::corrupt(self.backend(), e))?;
        let n = self
            .pool
            .read()
            .await?
            .exec(
                "UPDATE comments SET state = 'classified', intent = $4, classification = $5 \
                 WHERE platform = $1 AND comment_id = $2 AND state = 'received' AND text = $3",
                args![key.platform.as_str(), key.comment_id.as_str(), text, intent.as_str(), json],
            )
            .await?;
        Ok(n == 1)
    }

    async fn mark_acted(&self, key: &CommentKey) -> Result<bool, PortError> {
        let n = self
            .pool
            .read()
            .await?
            .exec(
                "UPDATE comments SET state = 'acted', acted_revision = revision WHERE platform = $1 AND comment_id = $2 AND state = 'classified'",
                args![key.platform.as_str(), key.comment_id.as_str()],
            )
            .await?;
        Ok(n == 1)
    }

    async fn remove(&self, key: &CommentKey, now: DateTime<Utc>, ttl_secs: i64) -> Result<Vec<ClaimRecord>, PortError> {
        let k = [key.platform.as_str(), key.comment_id.as_str()];
        let mut tx = self.pool.write().await?;
        let Some(row) = tx.opt("SELECT id FROM comments WHERE platform = $1 AND comment_id = $2 FOR UPDATE", args![k[0], k[1]]).await?
        else {
            // The removal overtook its comment: remember it, so the comment arrives removed.
            tx.exec(
                "INSERT INTO comment_tombstones (platform, comment_id, removed_at) VALUES ($1, $2, $3) ON CONFLICT (platform, comment_id) DO NOTHING",
                args![k[0], k[1], now],
            )
            .await?;
            tx.commit().await?;
            return Ok(Vec::new());
        };
        let id = row.i64("id")?;
        tx.exec("UPDATE comments SET state = 'removed', removed_at = COALESCE(removed_at, $2) WHERE id = $1", args![id, now]).await?;
        let active = tx
            .all("SELECT id, page_id FROM claims WHERE comment_ref = $1 AND status IN ('reserved', 'waitlisted') ORDER BY id", args![id])
            .await?;
        let mut out = Vec::new();
        for r in active {
            let claim = r.i64("id")?;
            if stock::release(&mut tx, claim, ClaimStatus::Cancelled, "comment_removed", now, ttl_secs, true).await?.is_some() {
                let msg = format!("Claim {claim} cancelled: the buyer deleted the comment.");
                stock::notice(&mut tx, &r.str("page_id")?, "comment_removed", Some(claim), &msg, now).await?;
                out.push(claim_by_id(&mut tx, claim).await?);
            }
        }
        tx.commit().await?;
        Ok(out)
    }
}
