//! Counts for the replay and `/health`, the LLM's log, and seller sessions (kept by a hash of
//! their id): `Reports`, `AiLogStore`, `SessionStore`, once for both databases.
use super::db::{args, Arg, Tx};
use super::SqlStore;
use crate::domain::ids::{CommentId, PageId};
use crate::domain::llm::AiCall;
use crate::domain::page::SellerSession;
use crate::domain::report::{empty_claim_counts, PipelineCounts};
use crate::ports::{AiLogStore, PortError, Reports, SessionStore};
use async_trait::async_trait;
use chrono::Utc;
use std::collections::BTreeMap;

async fn number(conn: &mut Tx, sql: &str, args: &[Arg]) -> Result<u64, PortError> {
    Ok(conn.one(sql, args).await?.opt_i64("n")?.unwrap_or(0).max(0) as u64)
}

async fn grouped(conn: &mut Tx, sql: &str, args: &[Arg]) -> Result<BTreeMap<String, u64>, PortError> {
    let found = conn.all(sql, args).await?;
    found.iter().map(|r| Ok((r.opt_str("k")?.unwrap_or_else(|| "none".into()), r.i64("n")?.max(0) as u64))).collect()
}

#[async_trait]
impl Reports for SqlStore {
    async fn counts(&self, page: Option<&PageId>) -> Result<PipelineCounts, PortError> {
        let mut c = self.pool.read().await?;
        let p = [Arg::from(page.map(PageId::as_str))];
        let f = "($1 IS NULL OR page_id = $1)";
        let unclear = self.pool.json_flag("classification", "unclear");
        let mut claims = empty_claim_counts();
        claims.extend(grouped(&mut c, &format!("SELECT status AS k, COUNT(*) AS n FROM claims WHERE {f} GROUP BY status"), &p).await?);
        Ok(PipelineCounts {
            comments: number(&mut c, &format!("SELECT COUNT(*) AS n FROM comments WHERE {f}"), &p).await?,
            classified: number(&mut c, &format!("SELECT COUNT(*) AS n FROM comments WHERE {f} AND classification IS NOT NULL"), &p).await?,
            unclear: number(&mut c, &format!("SELECT COUNT(*) AS n FROM comments WHERE {f} AND {unclear}"), &p).await?,
            duplicates: number(&mut c, &format!("SELECT COALESCE(SUM(redeliveries), 0) AS n FROM comments WHERE {f}"), &p).await?,
            filtered_out: number(&mut c, &format!("SELECT COUNT(*) AS n FROM comments WHERE {f} AND state = 'filtered'"), &p).await?,
            ignored: number(&mut c, &format!("SELECT COUNT(*) AS n FROM comments WHERE {f} AND state = 'ignored'"), &p).await?,
            removed: number(&mut c, &format!("SELECT COUNT(*) AS n FROM comments WHERE {f} AND state = 'removed'"), &p).await?,
            edits: number(
                &mut c,
                "SELECT COUNT(*) AS n FROM comment_edits e JOIN comments c ON c.id = e.comment_ref WHERE ($1 IS NULL OR c.page_id = $1)",
                &p,
            )
            .await?,
            intents: grouped(
                &mut c,
                &format!("SELECT intent AS k, COUNT(*) AS n FROM comments WHERE {f} AND intent IS NOT NULL GROUP BY intent"),
                &p,
            )
            .await?,
            claims,
            replies: grouped(&mut c, &format!("SELECT status AS k, COUNT(*) AS n FROM outbound_messages WHERE {f} GROUP BY status"), &p)
                .await?,
        })
    }

    async fn ping(&self) -> Result<(), PortError> {
        self.pool.read().await?.one("SELECT 1 AS one", &[]).await?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        self.pool.backend()
    }
}

#[async_trait]
impl AiLogStore for SqlStore {
    async fn record_ai_call(&self, c: &AiCall) -> Result<(), PortError> {
        self.pool
            .read()
            .await?
            .exec(
                "INSERT INTO ai_logs (page_id, comment_id, model, latency_ms, tokens_in, tokens_out, cached, outcome, fallback_reason, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                args![
                    c.page_id.as_str(),
                    c.comment_id.as_str(),
                    c.model.as_str(),
                    c.latency_ms.min(i32::MAX as u64) as i64,
                    c.tokens_in.min(i32::MAX as u32),
                    c.tokens_out.min(i32::MAX as u32),
                    c.cached,
                    c.outcome.as_str(),
                    &c.fallback_reason,
                    c.at
                ],
            )
            .await?;
        Ok(())
    }

    async fn ai_calls(&self, page: &PageId) -> Result<Vec<AiCall>, PortError> {
        let b = self.backend();
        let found = self.pool.read().await?.all("SELECT * FROM ai_logs WHERE page_id = $1 ORDER BY id", args![page.as_str()]).await?;
        found
            .iter()
            .map(|r| {
                Ok(AiCall {
                    page_id: PageId::parse(r.str("page_id")?).map_err(|e| super::corrupt(b, e))?,
                    comment_id: CommentId::parse(r.str("comment_id")?).map_err(|e| super::corrupt(b, e))?,
                    model: r.str("model")?,
                    latency_ms: r.i64("latency_ms")?.max(0) as u64,
                    tokens_in: r.i64("tokens_in")?.max(0) as u32,
                    tokens_out: r.i64("tokens_out")?.max(0) as u32,
                    cached: r.bool("cached")?,
                    outcome: r.str("outcome")?,
                    fallback_reason: r.opt_str("fallback_reason")?,
                    at: r.ts("created_at")?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn create_session(&self, s: &SellerSession) -> Result<(), PortError> {
        self.pool
            .read()
            .await?
            .exec(
                "INSERT INTO seller_sessions (session_hash, page_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                args![SellerSession::hash_id(&s.session_id), s.page_id.as_str(), Utc::now(), s.expires_at],
            )
            .await?;
        Ok(())
    }

    async fn session(&self, session_id: &str) -> Result<Option<SellerSession>, PortError> {
        let b = self.backend();
        let row = self
            .pool
            .read()
            .await?
            .opt("SELECT page_id, expires_at FROM seller_sessions WHERE session_hash = $1", args![SellerSession::hash_id(session_id)])
            .await?;
        row.map(|r| {
            Ok(SellerSession {
                session_id: session_id.to_string(),
                page_id: PageId::parse(r.str("page_id")?).map_err(|e| super::corrupt(b, e))?,
                expires_at: r.ts("expires_at")?,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, session_id: &str) -> Result<(), PortError> {
        self.pool
            .read()
            .await?
            .exec("DELETE FROM seller_sessions WHERE session_hash = $1", args![SellerSession::hash_id(session_id)])
            .await?;
        Ok(())
    }
}
