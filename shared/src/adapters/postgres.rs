//! # PostgreSQL store (Supabase, the source of truth)
//! A direct (or session-mode) connection: the reservation rules run inside the `livesell_*` SQL
//! functions of `supabase/migrations`, one call per transaction, so the stock check and change can
//! never be split by a crash or a concurrent caller. Runtime `query()` only: builds need no database.
use super::{corrupt, db_error};
use crate::domain::catalog::Catalog;
use crate::domain::comment::{Comment, CommentKey};
use crate::domain::ids::{CommentId, LiveId, PageId, Platform, UserId};
use crate::domain::intent::Classification;
use crate::domain::inventory;
use crate::domain::reservation::{
    CancelRequest, CancelTarget, ClaimRecord, ClaimStatus, Order, OrderItem, OrderStatus, PaymentInstructions, RejectRequest,
    ReserveRequest, SellerNotice, StockLevel,
};
use crate::domain::secret::SecretString;
use crate::ports::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::{PgPool, Row};
use std::str::FromStr;
use std::time::Duration;

const B: &str = "postgres";

/// `supabase/migrations`, in order (Supabase CLI layout: `<timestamp>_<name>.sql`).
const MIGRATIONS: &[(&str, &str)] = &[
    ("20261125000001_init", include_str!("../../../supabase/migrations/20261125000001_init.sql")),
    ("20261125000002_ai_logs_sessions", include_str!("../../../supabase/migrations/20261125000002_ai_logs_sessions.sql")),
];

fn err(e: sqlx::Error) -> PortError {
    db_error(B, e)
}

#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    /// Connects a pool of at most `max_connections` (keep the sum over processes below the
    /// server's limit). `?options=-c search_path=…` in the URL selects a schema.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, PortError> {
        let opts = PgConnectOptions::from_str(url).map_err(err)?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(10))
            .idle_timeout(Duration::from_secs(60))
            .connect_with(opts)
            .await
            .map_err(err)?;
        Ok(PostgresStore { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Applies the migrations not yet recorded in `livesell_migrations`, each in its own
    /// transaction, under an advisory lock so concurrent starts don't race. Returns those applied.
    pub async fn migrate(&self) -> Result<Vec<&'static str>, PortError> {
        let mut conn = self.pool.acquire().await.map_err(err)?;
        sqlx::query("SELECT pg_advisory_lock(7305274211)").execute(&mut *conn).await.map_err(err)?;
        let result = async {
            sqlx::raw_sql(
                "CREATE TABLE IF NOT EXISTS livesell_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            )
            .execute(&mut *conn)
            .await
            .map_err(err)?;
            let mut applied = Vec::new();
            for (name, sql) in MIGRATIONS {
                let done: Option<String> = sqlx::query_scalar("SELECT name FROM livesell_migrations WHERE name = $1")
                    .bind(name)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(err)?;
                if done.is_some() {
                    continue;
                }
                let mut tx = sqlx::Connection::begin(&mut *conn).await.map_err(err)?;
                sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(err)?;
                sqlx::query("INSERT INTO livesell_migrations (name) VALUES ($1)").bind(name).execute(&mut *tx).await.map_err(err)?;
                tx.commit().await.map_err(err)?;
                applied.push(*name);
            }
            Ok(applied)
        }
        .await;
        let _ = sqlx::query("SELECT pg_advisory_unlock(7305274211)").execute(&mut *conn).await;
        result
    }

    /// Migrations not yet applied (so `serve` can refuse to run on an old schema).
    pub async fn pending_migrations(&self) -> Result<Vec<&'static str>, PortError> {
        let done: Vec<String> = match sqlx::query_scalar("SELECT name FROM livesell_migrations").fetch_all(&self.pool).await {
            Ok(d) => d,
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P01") => Vec::new(),
            Err(e) => return Err(err(e)),
        };
        Ok(MIGRATIONS.iter().map(|(n, _)| *n).filter(|n| !done.iter().any(|d| d == n)).collect())
    }

    async fn comment_ref(&self, key: &CommentKey) -> Result<Option<(i64, String)>, PortError> {
        let row = sqlx::query("SELECT id, state FROM comments WHERE platform = $1 AND comment_id = $2")
            .bind(key.platform.as_str())
            .bind(key.comment_id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(err)?;
        row.map(|r| Ok((r.try_get("id").map_err(err)?, r.try_get("state").map_err(err)?))).transpose()
    }

    async fn require_comment(&self, key: &CommentKey) -> Result<i64, PortError> {
        Ok(self.comment_ref(key).await?.ok_or_else(|| PortError::NotFound(format!("comment {}", key.comment_id)))?.0)
    }

    async fn claims_where(&self, cond: &str, arg: i64) -> Result<Vec<ClaimRecord>, PortError> {
        let sql = format!("SELECT {CLAIM_COLUMNS} FROM claims c JOIN comments cm ON cm.id = c.comment_ref WHERE {cond} ORDER BY c.id");
        let rows = sqlx::query(&sql).bind(arg).fetch_all(&self.pool).await.map_err(err)?;
        rows.iter().map(claim_from_row).collect()
    }

    async fn claims_by_ids(&self, ids: &[i64]) -> Result<Vec<ClaimRecord>, PortError> {
        let sql =
            format!("SELECT {CLAIM_COLUMNS} FROM claims c JOIN comments cm ON cm.id = c.comment_ref WHERE c.id = ANY($1) ORDER BY c.id");
        let rows = sqlx::query(&sql).bind(ids).fetch_all(&self.pool).await.map_err(err)?;
        rows.iter().map(claim_from_row).collect()
    }

    async fn claim(&self, id: i64) -> Result<ClaimRecord, PortError> {
        self.claims_by_ids(&[id]).await?.pop().ok_or_else(|| PortError::NotFound(format!("claim {id}")))
    }
}

const CLAIM_COLUMNS: &str = "c.id, cm.comment_id, c.idx, c.buyer_id, c.code, c.sku, c.qty, c.status, c.reason, \
     c.unit_price_minor, c.order_id, c.expires_at";

fn claim_from_row(r: &PgRow) -> Result<ClaimRecord, PortError> {
    let status: String = r.try_get("status").map_err(err)?;
    Ok(ClaimRecord {
        claim_id: r.try_get("id").map_err(err)?,
        comment_id: CommentId::parse(r.try_get::<String, _>("comment_id").map_err(err)?).map_err(|e| corrupt(B, e))?,
        idx: r.try_get::<i32, _>("idx").map_err(err)? as u32,
        buyer_id: UserId::parse(r.try_get::<String, _>("buyer_id").map_err(err)?).map_err(|e| corrupt(B, e))?,
        code: r.try_get("code").map_err(err)?,
        sku: r.try_get("sku").map_err(err)?,
        qty: r.try_get::<i32, _>("qty").map_err(err)? as u32,
        status: ClaimStatus::parse(&status).ok_or_else(|| corrupt(B, &status))?,
        reason: r.try_get("reason").map_err(err)?,
        unit_price_minor: r.try_get("unit_price_minor").map_err(err)?,
        order_id: r.try_get("order_id").map_err(err)?,
        expires_at: r.try_get("expires_at").map_err(err)?,
    })
}

fn parse_id<T>(raw: String, f: impl FnOnce(String) -> Result<T, crate::domain::ids::InvalidId>) -> Result<T, PortError> {
    f(raw).map_err(|e| corrupt(B, e))
}

fn page_from_row(r: &PgRow) -> Result<PageConfig, PortError> {
    Ok(PageConfig {
        page_id: parse_id(r.try_get("page_id").map_err(err)?, PageId::parse)?,
        ig_account_id: r.try_get::<Option<String>, _>("ig_account_id").map_err(err)?.map(|s| parse_id(s, PageId::parse)).transpose()?,
        seller_name: r.try_get("seller_name").map_err(err)?,
        current_product: r.try_get("current_product").map_err(err)?,
        catalog_version: r.try_get("catalog_version").map_err(err)?,
    })
}

fn comment_from_row(r: &PgRow) -> Result<StoredComment, PortError> {
    let platform: String = r.try_get("platform").map_err(err)?;
    let state: String = r.try_get("state").map_err(err)?;
    let classification: Option<serde_json::Value> = r.try_get("classification").map_err(err)?;
    Ok(StoredComment {
        comment: Comment {
            platform: Platform::parse(&platform).ok_or_else(|| corrupt(B, &platform))?,
            page_id: parse_id(r.try_get("account_id").map_err(err)?, PageId::parse)?,
            comment_id: parse_id(r.try_get("comment_id").map_err(err)?, CommentId::parse)?,
            live_id: parse_id(r.try_get("live_id").map_err(err)?, LiveId::parse)?,
            author_id: parse_id(r.try_get("author_id").map_err(err)?, UserId::parse)?,
            author_name: r.try_get("author_name").map_err(err)?,
            text: r.try_get("text").map_err(err)?,
            created_at: r.try_get("created_at").map_err(err)?,
        },
        seller_page: r.try_get::<Option<String>, _>("page_id").map_err(err)?.map(|s| parse_id(s, PageId::parse)).transpose()?,
        state: CommentState::parse(&state).ok_or_else(|| corrupt(B, &state))?,
        classification: classification.map(serde_json::from_value::<Classification>).transpose().map_err(|e| corrupt(B, e))?,
    })
}

fn message_from_row(r: &PgRow) -> Result<OutboundMessage, PortError> {
    let status: String = r.try_get("status").map_err(err)?;
    let platform: String = r.try_get("platform").map_err(err)?;
    Ok(OutboundMessage {
        message_id: r.try_get("id").map_err(err)?,
        platform: Platform::parse(&platform).ok_or_else(|| corrupt(B, &platform))?,
        comment_id: parse_id(r.try_get("comment_id").map_err(err)?, CommentId::parse)?,
        page_id: parse_id(r.try_get("page_id").map_err(err)?, PageId::parse)?,
        account_id: parse_id(r.try_get("account_id").map_err(err)?, PageId::parse)?,
        text: r.try_get("text").map_err(err)?,
        status: MessageStatus::parse(&status).ok_or_else(|| corrupt(B, &status))?,
        attempts: r.try_get::<i32, _>("attempts").map_err(err)? as u32,
        error_code: r.try_get("error_code").map_err(err)?,
        error: r.try_get("error").map_err(err)?,
        meta_message_id: r.try_get("meta_message_id").map_err(err)?,
    })
}

const MESSAGE_SELECT: &str = "SELECT m.id, m.page_id, m.text, m.status, m.attempts, m.error_code, m.error, m.meta_message_id, \
     cm.platform, cm.comment_id, cm.account_id FROM outbound_messages m JOIN comments cm ON cm.id = m.comment_ref";

#[async_trait]
impl SellerStore for PostgresStore {
    async fn import_catalog(&self, page: &PageId, ig: Option<&PageId>, catalog: &Catalog, now: DateTime<Utc>) -> Result<i64, PortError> {
        let items = inventory::validate(catalog).map_err(|e| PortError::Rejected { backend: B, message: e.to_string() })?;
        let json = serde_json::to_value(catalog).map_err(|e| corrupt(B, e))?;
        let mut tx = self.pool.begin().await.map_err(err)?;
        let version: i64 = sqlx::query_scalar(
            "INSERT INTO pages (page_id, ig_account_id, seller_name, currency, current_product, transfer_instructions, catalog, catalog_version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) \
             ON CONFLICT (page_id) DO UPDATE SET ig_account_id = COALESCE(excluded.ig_account_id, pages.ig_account_id), \
               seller_name = excluded.seller_name, currency = excluded.currency, current_product = excluded.current_product, \
               transfer_instructions = excluded.transfer_instructions, catalog = excluded.catalog, \
               catalog_version = pages.catalog_version + 1, updated_at = excluded.updated_at \
             RETURNING catalog_version",
        )
        .bind(page.as_str())
        .bind(ig.map(PageId::as_str))
        .bind(&catalog.seller)
        .bind(&catalog.currency)
        .bind(&catalog.current_product)
        .bind(&catalog.transfer_instructions)
        .bind(&json)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(err)?;
        sqlx::query(
            "UPDATE claims SET status = 'cancelled', reason = 'catalog_reimported', updated_at = $2 \
             WHERE page_id = $1 AND status IN ('reserved', 'waitlisted')",
        )
        .bind(page.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        sqlx::query("DELETE FROM variants WHERE page_id = $1").bind(page.as_str()).execute(&mut *tx).await.map_err(err)?;
        sqlx::query("DELETE FROM products WHERE page_id = $1").bind(page.as_str()).execute(&mut *tx).await.map_err(err)?;
        for p in &catalog.products {
            sqlx::query("INSERT INTO products (page_id, code, name, category, price_minor, currency) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(page.as_str())
                .bind(&p.code)
                .bind(&p.name)
                .bind(&p.category)
                .bind(p.price_cents)
                .bind(p.currency.as_deref().unwrap_or(&catalog.currency))
                .execute(&mut *tx)
                .await
                .map_err(err)?;
        }
        for (pos, i) in items.iter().enumerate() {
            let on_hand = i32::try_from(i.on_hand).map_err(|_| corrupt(B, format!("stock of {} too large", i.sku)))?;
            sqlx::query("INSERT INTO variants (page_id, sku, code, size, color, position, on_hand, reserved) VALUES ($1, $2, $3, $4, $5, $6, $7, 0)")
                .bind(page.as_str())
                .bind(&i.sku)
                .bind(&i.code)
                .bind(&i.size)
                .bind(&i.color)
                .bind(pos as i32)
                .bind(on_hand)
                .execute(&mut *tx)
                .await
                .map_err(err)?;
        }
        tx.commit().await.map_err(err)?;
        Ok(version)
    }

    async fn page_for_account(&self, platform: Platform, account: &PageId) -> Result<Option<PageConfig>, PortError> {
        let col = match platform {
            Platform::Facebook => "page_id",
            Platform::Instagram => "ig_account_id",
        };
        let sql = format!("SELECT page_id, ig_account_id, seller_name, current_product, catalog_version FROM pages WHERE {col} = $1");
        let row = sqlx::query(&sql).bind(account.as_str()).fetch_optional(&self.pool).await.map_err(err)?;
        row.map(|r| page_from_row(&r)).transpose()
    }

    async fn page(&self, page: &PageId) -> Result<Option<PageConfig>, PortError> {
        self.page_for_account(Platform::Facebook, page).await
    }

    async fn catalog(&self, page: &PageId) -> Result<Option<(i64, Catalog)>, PortError> {
        let row = sqlx::query("SELECT catalog_version, catalog, current_product FROM pages WHERE page_id = $1")
            .bind(page.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(err)?;
        let Some(r) = row else { return Ok(None) };
        let mut catalog: Catalog = serde_json::from_value(r.try_get("catalog").map_err(err)?).map_err(|e| corrupt(B, e))?;
        catalog.current_product = r.try_get("current_product").map_err(err)?;
        Ok(Some((r.try_get("catalog_version").map_err(err)?, catalog)))
    }

    async fn set_current_product(&self, page: &PageId, code: Option<&str>) -> Result<bool, PortError> {
        let done = sqlx::query("UPDATE pages SET current_product = $2, updated_at = now() WHERE page_id = $1")
            .bind(page.as_str())
            .bind(code)
            .execute(&self.pool)
            .await
            .map_err(err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_page_token(&self, page: &PageId, token: &SecretString) -> Result<(), PortError> {
        sqlx::query(
            "INSERT INTO page_tokens (page_id, token, valid, updated_at) VALUES ($1, $2, true, now()) \
             ON CONFLICT (page_id) DO UPDATE SET token = excluded.token, valid = true, updated_at = excluded.updated_at",
        )
        .bind(page.as_str())
        .bind(token.expose())
        .execute(&self.pool)
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn page_token(&self, page: &PageId) -> Result<Option<(SecretString, bool)>, PortError> {
        let row = sqlx::query("SELECT token, valid FROM page_tokens WHERE page_id = $1")
            .bind(page.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(err)?;
        row.map(|r| Ok((SecretString::new(r.try_get::<String, _>("token").map_err(err)?), r.try_get::<bool, _>("valid").map_err(err)?)))
            .transpose()
    }

    async fn invalidate_page_token(&self, page: &PageId) -> Result<(), PortError> {
        sqlx::query("UPDATE page_tokens SET valid = false, updated_at = now() WHERE page_id = $1")
            .bind(page.as_str())
            .execute(&self.pool)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn add_notice(
        &self,
        page: &PageId,
        kind: &str,
        claim_id: Option<i64>,
        message: &str,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        sqlx::query("INSERT INTO seller_notices (page_id, kind, claim_id, message, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(page.as_str())
            .bind(kind)
            .bind(claim_id)
            .bind(message)
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn notices(&self, page: &PageId) -> Result<Vec<SellerNotice>, PortError> {
        let rows = sqlx::query("SELECT id, kind, claim_id, message, created_at FROM seller_notices WHERE page_id = $1 ORDER BY id")
            .bind(page.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(err)?;
        rows.iter()
            .map(|r| {
                Ok(SellerNotice {
                    notice_id: r.try_get("id").map_err(err)?,
                    kind: r.try_get("kind").map_err(err)?,
                    claim_id: r.try_get("claim_id").map_err(err)?,
                    message: r.try_get("message").map_err(err)?,
                    created_at: r.try_get("created_at").map_err(err)?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl CommentLedger for PostgresStore {
    async fn record(&self, c: &Comment, seller_page: Option<&PageId>, entry: &str) -> Result<Recorded, PortError> {
        // One statement: insert, or count a redelivery unless it is the same stream entry again.
        let row = sqlx::query(
            "WITH ins AS ( \
               INSERT INTO comments (platform, comment_id, account_id, page_id, live_id, author_id, author_name, text, created_at, first_entry) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (platform, comment_id) DO NOTHING RETURNING id) \
             SELECT (SELECT id FROM ins) AS inserted",
        )
        .bind(c.platform.as_str())
        .bind(c.comment_id.as_str())
        .bind(c.page_id.as_str())
        .bind(seller_page.map(PageId::as_str))
        .bind(c.live_id.as_str())
        .bind(c.author_id.as_str())
        .bind(&c.author_name)
        .bind(&c.text)
        .bind(c.created_at)
        .bind(entry)
        .fetch_one(&self.pool)
        .await
        .map_err(err)?;
        if row.try_get::<Option<i64>, _>("inserted").map_err(err)?.is_some() {
            return Ok(Recorded::New);
        }
        let bumped = sqlx::query(
            "UPDATE comments SET redeliveries = redeliveries + 1 WHERE platform = $1 AND comment_id = $2 AND first_entry <> $3",
        )
        .bind(c.platform.as_str())
        .bind(c.comment_id.as_str())
        .bind(entry)
        .execute(&self.pool)
        .await
        .map_err(err)?;
        Ok(if bumped.rows_affected() == 1 { Recorded::Duplicate } else { Recorded::Retry })
    }

    async fn load(&self, key: &CommentKey) -> Result<Option<StoredComment>, PortError> {
        let row = sqlx::query("SELECT * FROM comments WHERE platform = $1 AND comment_id = $2")
            .bind(key.platform.as_str())
            .bind(key.comment_id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(err)?;
        row.map(|r| comment_from_row(&r)).transpose()
    }

    async fn mark(&self, key: &CommentKey, state: CommentState, reason: &str) -> Result<(), PortError> {
        sqlx::query("UPDATE comments SET state = $3, reason = $4 WHERE platform = $1 AND comment_id = $2 AND state = 'received'")
            .bind(key.platform.as_str())
            .bind(key.comment_id.as_str())
            .bind(state.as_str())
            .bind(reason)
            .execute(&self.pool)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn apply_edit(&self, c: &Comment) -> Result<EditOutcome, PortError> {
        let row = sqlx::query(
            "WITH target AS (SELECT id, state FROM comments WHERE platform = $1 AND comment_id = $2 FOR UPDATE), \
             upd AS (UPDATE comments SET text = $3, edited_at = $4 FROM target WHERE comments.id = target.id AND target.state = 'received' RETURNING comments.id), \
             ins AS (INSERT INTO comment_edits (comment_ref, text, edited_at, applied) \
                     SELECT id, $3, $4, state = 'received' FROM target RETURNING applied) \
             SELECT (SELECT applied FROM ins) AS applied",
        )
        .bind(c.platform.as_str())
        .bind(c.comment_id.as_str())
        .bind(&c.text)
        .bind(c.created_at)
        .fetch_one(&self.pool)
        .await
        .map_err(err)?;
        Ok(match row.try_get::<Option<bool>, _>("applied").map_err(err)? {
            None => EditOutcome::Unknown,
            Some(true) => EditOutcome::Applied,
            Some(false) => EditOutcome::RecordedOnly,
        })
    }

    async fn save_classification(&self, key: &CommentKey, text: &str, cls: &Classification) -> Result<bool, PortError> {
        let json = serde_json::to_value(cls).map_err(|e| corrupt(B, e))?;
        let intent = serde_json::to_value(cls.intent).map_err(|e| corrupt(B, e))?;
        let done = sqlx::query(
            "UPDATE comments SET state = 'classified', intent = $4, classification = $5 \
             WHERE platform = $1 AND comment_id = $2 AND state = 'received' AND text = $3",
        )
        .bind(key.platform.as_str())
        .bind(key.comment_id.as_str())
        .bind(text)
        .bind(intent.as_str())
        .bind(json)
        .execute(&self.pool)
        .await
        .map_err(err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn mark_acted(&self, key: &CommentKey) -> Result<bool, PortError> {
        let done = sqlx::query("UPDATE comments SET state = 'acted' WHERE platform = $1 AND comment_id = $2 AND state = 'classified'")
            .bind(key.platform.as_str())
            .bind(key.comment_id.as_str())
            .execute(&self.pool)
            .await
            .map_err(err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn remove(&self, key: &CommentKey, now: DateTime<Utc>, ttl_secs: i64) -> Result<Vec<ClaimRecord>, PortError> {
        let Some((cref, _)) = self.comment_ref(key).await? else { return Ok(Vec::new()) };
        let ids: Vec<i64> = sqlx::query_scalar("SELECT livesell_remove_comment($1, $2, $3)")
            .bind(cref)
            .bind(now)
            .bind(ttl_secs as i32)
            .fetch_all(&self.pool)
            .await
            .map_err(err)?;
        self.claims_by_ids(&ids).await
    }
}

#[async_trait]
impl ReservationStore for PostgresStore {
    async fn reserve(&self, req: &ReserveRequest) -> Result<ClaimRecord, PortError> {
        let o = &req.origin;
        let cref = self.require_comment(&o.comment).await?;
        let id: i64 = sqlx::query_scalar("SELECT livesell_reserve($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
            .bind(cref)
            .bind(req.idx as i32)
            .bind(o.page.as_str())
            .bind(o.live.as_str())
            .bind(o.buyer.as_str())
            .bind(&o.buyer_name)
            .bind(&req.code)
            .bind(&req.sku)
            .bind(req.qty.get() as i32)
            .bind(req.unit_price.minor())
            .bind(req.unit_price.currency().code())
            .bind(req.now)
            .bind(req.ttl_secs as i32)
            .fetch_one(&self.pool)
            .await
            .map_err(err)?;
        self.claim(id).await
    }

    async fn reject(&self, req: &RejectRequest) -> Result<ClaimRecord, PortError> {
        let o = &req.origin;
        let cref = self.require_comment(&o.comment).await?;
        sqlx::query(
            "INSERT INTO claims (comment_ref, idx, page_id, live_id, buyer_id, buyer_name, code, qty, status, reason, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'rejected', $9, $10, $10) ON CONFLICT (comment_ref, idx) DO NOTHING",
        )
        .bind(cref)
        .bind(req.idx as i32)
        .bind(o.page.as_str())
        .bind(o.live.as_str())
        .bind(o.buyer.as_str())
        .bind(&o.buyer_name)
        .bind(&req.code)
        .bind(req.qty.get() as i32)
        .bind(&req.reason)
        .bind(req.now)
        .execute(&self.pool)
        .await
        .map_err(err)?;
        let id: i64 = sqlx::query_scalar("SELECT id FROM claims WHERE comment_ref = $1 AND idx = $2")
            .bind(cref)
            .bind(req.idx as i32)
            .fetch_one(&self.pool)
            .await
            .map_err(err)?;
        self.claim(id).await
    }

    async fn cancel(&self, req: &CancelRequest) -> Result<Vec<ClaimRecord>, PortError> {
        let o = &req.origin;
        let cref = self.require_comment(&o.comment).await?;
        let targets: Vec<serde_json::Value> = req
            .targets
            .iter()
            .map(|t| match t {
                CancelTarget::Latest => serde_json::json!({"code": null, "skus": null, "qty": null}),
                CancelTarget::Product { code, skus, qty } => serde_json::json!({"code": code, "skus": skus, "qty": qty}),
            })
            .collect();
        let ids: Vec<i64> = sqlx::query_scalar("SELECT livesell_cancel($1, $2, $3, $4, $5, $6, $7)")
            .bind(cref)
            .bind(o.page.as_str())
            .bind(o.live.as_str())
            .bind(o.buyer.as_str())
            .bind(serde_json::Value::Array(targets))
            .bind(req.now)
            .bind(req.ttl_secs as i32)
            .fetch_all(&self.pool)
            .await
            .map_err(err)?;
        self.claims_by_ids(&ids).await
    }

    async fn expire_due(&self, now: DateTime<Utc>, ttl_secs: i64) -> Result<Vec<ClaimRecord>, PortError> {
        let ids: Vec<i64> = sqlx::query_scalar("SELECT livesell_expire($1, $2)")
            .bind(now)
            .bind(ttl_secs as i32)
            .fetch_all(&self.pool)
            .await
            .map_err(err)?;
        self.claims_by_ids(&ids).await
    }

    async fn mark_paid(&self, order_id: i64, now: DateTime<Utc>) -> Result<Option<Order>, PortError> {
        let exists: bool =
            sqlx::query_scalar("SELECT livesell_mark_paid($1, $2)").bind(order_id).bind(now).fetch_one(&self.pool).await.map_err(err)?;
        if !exists {
            return Ok(None);
        }
        self.order(order_id).await
    }

    async fn order(&self, order_id: i64) -> Result<Option<Order>, PortError> {
        let Some(r) = sqlx::query("SELECT * FROM orders WHERE id = $1").bind(order_id).fetch_optional(&self.pool).await.map_err(err)?
        else {
            return Ok(None);
        };
        let items = sqlx::query("SELECT id, code, sku, qty, unit_price_minor, status FROM claims WHERE order_id = $1 ORDER BY id")
            .bind(order_id)
            .fetch_all(&self.pool)
            .await
            .map_err(err)?;
        let mut out = Vec::new();
        for i in &items {
            let status: String = i.try_get("status").map_err(err)?;
            out.push(OrderItem {
                claim_id: i.try_get("id").map_err(err)?,
                code: i.try_get::<Option<String>, _>("code").map_err(err)?.unwrap_or_default(),
                sku: i.try_get::<Option<String>, _>("sku").map_err(err)?.unwrap_or_default(),
                qty: i.try_get::<i32, _>("qty").map_err(err)? as u32,
                unit_price_minor: i.try_get::<Option<i64>, _>("unit_price_minor").map_err(err)?.unwrap_or(0),
                status: ClaimStatus::parse(&status).ok_or_else(|| corrupt(B, &status))?,
            });
        }
        let status: String = r.try_get("status").map_err(err)?;
        let payment: Option<serde_json::Value> = r.try_get("payment").map_err(err)?;
        Ok(Some(Order {
            order_id,
            page_id: parse_id(r.try_get("page_id").map_err(err)?, PageId::parse)?,
            live_id: parse_id(r.try_get("live_id").map_err(err)?, LiveId::parse)?,
            buyer_id: parse_id(r.try_get("buyer_id").map_err(err)?, UserId::parse)?,
            buyer_name: r.try_get("buyer_name").map_err(err)?,
            status: if status == "paid" { OrderStatus::Paid } else { OrderStatus::Open },
            currency: r.try_get("currency").map_err(err)?,
            total_minor: out
                .iter()
                .filter(|i| matches!(i.status, ClaimStatus::Reserved | ClaimStatus::Paid))
                .map(|i| i.unit_price_minor * i64::from(i.qty))
                .sum(),
            items: out,
            payment: payment.map(serde_json::from_value).transpose().map_err(|e| corrupt(B, e))?,
            created_at: r.try_get("created_at").map_err(err)?,
            paid_at: r.try_get("paid_at").map_err(err)?,
        }))
    }

    async fn set_order_payment(&self, order_id: i64, payment: &PaymentInstructions) -> Result<(), PortError> {
        let json = serde_json::to_value(payment).map_err(|e| corrupt(B, e))?;
        sqlx::query("UPDATE orders SET payment = $2 WHERE id = $1").bind(order_id).bind(json).execute(&self.pool).await.map_err(err)?;
        Ok(())
    }

    async fn claims_for_comment(&self, key: &CommentKey) -> Result<Vec<ClaimRecord>, PortError> {
        let Some((cref, _)) = self.comment_ref(key).await? else { return Ok(Vec::new()) };
        self.claims_where("c.comment_ref = $1", cref).await
    }

    async fn claims(&self, page: &PageId) -> Result<Vec<ClaimRecord>, PortError> {
        let sql =
            format!("SELECT {CLAIM_COLUMNS} FROM claims c JOIN comments cm ON cm.id = c.comment_ref WHERE c.page_id = $1 ORDER BY c.id");
        let rows = sqlx::query(&sql).bind(page.as_str()).fetch_all(&self.pool).await.map_err(err)?;
        rows.iter().map(claim_from_row).collect()
    }

    async fn orders(&self, page: &PageId) -> Result<Vec<Order>, PortError> {
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM orders WHERE page_id = $1 ORDER BY id")
            .bind(page.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(err)?;
        let mut out = Vec::new();
        for id in ids {
            out.extend(self.order(id).await?);
        }
        Ok(out)
    }

    async fn stock(&self, page: &PageId) -> Result<Vec<StockLevel>, PortError> {
        let rows: Vec<(String, String, i32, i32)> =
            sqlx::query_as("SELECT sku, code, on_hand, reserved FROM variants WHERE page_id = $1 ORDER BY position")
                .bind(page.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(err)?;
        Ok(rows
            .into_iter()
            .map(|(sku, code, on_hand, reserved)| StockLevel {
                sku,
                code,
                on_hand: on_hand.into(),
                reserved: reserved.into(),
                available: i64::from(on_hand - reserved),
            })
            .collect())
    }
}

#[async_trait]
impl Outbox for PostgresStore {
    async fn enqueue_reply(&self, key: &CommentKey, text: &str) -> Result<i64, PortError> {
        let cref = self.require_comment(key).await?;
        sqlx::query(
            "INSERT INTO outbound_messages (comment_ref, page_id, text, status, created_at, updated_at) \
             SELECT id, COALESCE(page_id, account_id), $2, 'pending', now(), now() FROM comments WHERE id = $1 \
             ON CONFLICT (comment_ref) DO NOTHING",
        )
        .bind(cref)
        .bind(text)
        .execute(&self.pool)
        .await
        .map_err(err)?;
        sqlx::query_scalar("SELECT id FROM outbound_messages WHERE comment_ref = $1").bind(cref).fetch_one(&self.pool).await.map_err(err)
    }

    async fn begin_send(&self, message_id: i64) -> Result<Option<OutboundMessage>, PortError> {
        let started = sqlx::query(
            "UPDATE outbound_messages SET status = 'sending', attempts = attempts + 1, updated_at = now() \
             WHERE id = $1 AND status IN ('pending', 'sending', 'paused')",
        )
        .bind(message_id)
        .execute(&self.pool)
        .await
        .map_err(err)?;
        if started.rows_affected() == 0 {
            return Ok(None);
        }
        let row = sqlx::query(&format!("{MESSAGE_SELECT} WHERE m.id = $1")).bind(message_id).fetch_one(&self.pool).await.map_err(err)?;
        Ok(Some(message_from_row(&row)?))
    }

    async fn finish_send(&self, message_id: i64, outcome: &SendOutcome) -> Result<(), PortError> {
        let (status, code, error, meta_id, sent) = match outcome {
            SendOutcome::Sent { meta_message_id } => ("sent", None, None, meta_message_id.clone(), true),
            SendOutcome::Outbox => ("outbox", None, None, None, true),
            SendOutcome::Failed { code, error } => ("failed", *code, Some(error.clone()), None, false),
            SendOutcome::Paused { code, error } => ("paused", *code, Some(error.clone()), None, false),
            SendOutcome::Retry { code, error } => ("pending", *code, Some(error.clone()), None, false),
        };
        sqlx::query(
            "UPDATE outbound_messages SET status = $2, error_code = $3, error = $4, meta_message_id = COALESCE($5, meta_message_id), \
               sent_at = CASE WHEN $6 THEN now() ELSE sent_at END, updated_at = now() \
             WHERE id = $1 AND status NOT IN ('sent', 'outbox')",
        )
        .bind(message_id)
        .bind(status)
        .bind(code)
        .bind(error)
        .bind(meta_id)
        .bind(sent)
        .execute(&self.pool)
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn resume_paused(&self, page: &PageId) -> Result<Vec<i64>, PortError> {
        sqlx::query_scalar(
            "UPDATE outbound_messages SET status = 'pending', updated_at = now() WHERE page_id = $1 AND status = 'paused' RETURNING id",
        )
        .bind(page.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(err)
    }

    async fn replies(&self, page: &PageId) -> Result<Vec<OutboundMessage>, PortError> {
        let rows = sqlx::query(&format!("{MESSAGE_SELECT} WHERE m.page_id = $1 ORDER BY m.id"))
            .bind(page.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(err)?;
        rows.iter().map(message_from_row).collect()
    }
}

#[async_trait]
impl Reports for PostgresStore {
    async fn counts(&self, page: Option<&PageId>) -> Result<PipelineCounts, PortError> {
        let p = page.map(PageId::as_str);
        let filter = "($1::text IS NULL OR page_id = $1)";
        let one = |sql: String| async move {
            sqlx::query_scalar::<_, i64>(&sql).bind(p).fetch_one(&self.pool).await.map_err(err).map(|n| n.max(0) as u64)
        };
        let grouped = |sql: String| async move {
            let rows: Vec<(Option<String>, i64)> = sqlx::query_as(&sql).bind(p).fetch_all(&self.pool).await.map_err(err)?;
            Ok::<_, PortError>(
                rows.into_iter().map(|(k, n)| (k.unwrap_or_else(|| "none".into()), n as u64)).collect::<std::collections::BTreeMap<_, _>>(),
            )
        };
        let mut claims = empty_claim_counts();
        claims.extend(grouped(format!("SELECT status, COUNT(*) FROM claims WHERE {filter} GROUP BY status")).await?);
        Ok(PipelineCounts {
            comments: one(format!("SELECT COUNT(*) FROM comments WHERE {filter}")).await?,
            classified: one(format!("SELECT COUNT(*) FROM comments WHERE {filter} AND classification IS NOT NULL")).await?,
            unclear: one(format!("SELECT COUNT(*) FROM comments WHERE {filter} AND (classification->>'unclear')::boolean")).await?,
            duplicates: one(format!("SELECT COALESCE(SUM(redeliveries), 0)::bigint FROM comments WHERE {filter}")).await?,
            filtered_out: one(format!("SELECT COUNT(*) FROM comments WHERE {filter} AND state = 'filtered'")).await?,
            ignored: one(format!("SELECT COUNT(*) FROM comments WHERE {filter} AND state = 'ignored'")).await?,
            removed: one(format!("SELECT COUNT(*) FROM comments WHERE {filter} AND state = 'removed'")).await?,
            edits: one(
                "SELECT COUNT(*) FROM comment_edits e JOIN comments c ON c.id = e.comment_ref WHERE ($1::text IS NULL OR c.page_id = $1)"
                    .into(),
            )
            .await?,
            intents: grouped(format!("SELECT intent, COUNT(*) FROM comments WHERE {filter} AND intent IS NOT NULL GROUP BY intent"))
                .await?,
            claims,
            replies: grouped(format!("SELECT status, COUNT(*) FROM outbound_messages WHERE {filter} GROUP BY status")).await?,
        })
    }

    async fn ping(&self) -> Result<(), PortError> {
        sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&self.pool).await.map_err(err)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        B
    }
}

#[async_trait]
impl AiLogStore for PostgresStore {
    async fn record_ai_call(&self, c: &AiCall) -> Result<(), PortError> {
        sqlx::query(
            "INSERT INTO ai_logs (page_id, comment_id, model, latency_ms, tokens_in, tokens_out, cached, outcome, fallback_reason, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(c.page_id.as_str())
        .bind(c.comment_id.as_str())
        .bind(&c.model)
        .bind(c.latency_ms.min(i32::MAX as u64) as i32)
        .bind(c.tokens_in.min(i32::MAX as u32) as i32)
        .bind(c.tokens_out.min(i32::MAX as u32) as i32)
        .bind(c.cached)
        .bind(&c.outcome)
        .bind(&c.fallback_reason)
        .bind(c.at)
        .execute(&self.pool)
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn ai_calls(&self, page: &PageId) -> Result<Vec<AiCall>, PortError> {
        let rows = sqlx::query("SELECT * FROM ai_logs WHERE page_id = $1 ORDER BY id")
            .bind(page.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(err)?;
        rows.iter()
            .map(|r| {
                Ok(AiCall {
                    page_id: parse_id(r.try_get("page_id").map_err(err)?, PageId::parse)?,
                    comment_id: parse_id(r.try_get("comment_id").map_err(err)?, CommentId::parse)?,
                    model: r.try_get("model").map_err(err)?,
                    latency_ms: r.try_get::<i32, _>("latency_ms").map_err(err)?.max(0) as u64,
                    tokens_in: r.try_get::<i32, _>("tokens_in").map_err(err)?.max(0) as u32,
                    tokens_out: r.try_get::<i32, _>("tokens_out").map_err(err)?.max(0) as u32,
                    cached: r.try_get("cached").map_err(err)?,
                    outcome: r.try_get("outcome").map_err(err)?,
                    fallback_reason: r.try_get("fallback_reason").map_err(err)?,
                    at: r.try_get("created_at").map_err(err)?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl SessionStore for PostgresStore {
    async fn create_session(&self, s: &SellerSession) -> Result<(), PortError> {
        sqlx::query("INSERT INTO seller_sessions (session_id, page_id, created_at, expires_at) VALUES ($1, $2, now(), $3)")
            .bind(&s.session_id)
            .bind(s.page_id.as_str())
            .bind(s.expires_at)
            .execute(&self.pool)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn session(&self, session_id: &str) -> Result<Option<SellerSession>, PortError> {
        let row: Option<(String, DateTime<Utc>)> = sqlx::query_as("SELECT page_id, expires_at FROM seller_sessions WHERE session_id = $1")
            .bind(session_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(err)?;
        row.map(|(page, expires_at)| {
            Ok(SellerSession { session_id: session_id.to_string(), page_id: parse_id(page, PageId::parse)?, expires_at })
        })
        .transpose()
    }

    async fn delete_session(&self, session_id: &str) -> Result<(), PortError> {
        sqlx::query("DELETE FROM seller_sessions WHERE session_id = $1").bind(session_id).execute(&self.pool).await.map_err(err)?;
        Ok(())
    }
}
