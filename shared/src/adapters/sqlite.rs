//! # SQLite store (the embedded default)
//! One file, no server. Writes run in `BEGIN IMMEDIATE` transactions (a deferred transaction that
//! upgrades its lock fails at once with SQLITE_BUSY), with WAL and a busy timeout. The reservation
//! logic mirrors the SQL functions of `supabase/migrations` step by step.
use super::{corrupt, db_error, from_ms, to_ms};
use crate::domain::catalog::Catalog;
use crate::domain::comment::{Comment, CommentKey};
use crate::domain::ids::{CommentId, LiveId, PageId, Platform, UserId};
use crate::domain::intent::Classification;
use crate::domain::inventory;
use crate::domain::reservation::{
    CancelRequest, CancelTarget, ClaimOrigin, ClaimRecord, ClaimStatus, Order, OrderItem, OrderStatus, PaymentInstructions, RejectRequest,
    ReserveRequest, SellerNotice, StockLevel,
};
use crate::domain::secret::SecretString;
use crate::ports::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

const B: &str = "sqlite";

/// The embedded schema, applied in order and recorded in `livesell_migrations`.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../migrations/sqlite/0001_init.sql")),
    ("0002_ai_cache_sessions", include_str!("../../migrations/sqlite/0002_ai_cache_sessions.sql")),
];

fn err(e: sqlx::Error) -> PortError {
    db_error(B, e)
}

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://path.db` or `sqlite::memory:`)
    /// and applies the migrations. One connection: SQLite has one writer anyway, and a single
    /// connection can never hit SQLITE_BUSY against itself.
    pub async fn connect(url: &str) -> Result<Self, PortError> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(err)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool =
            SqlitePoolOptions::new().max_connections(1).acquire_timeout(Duration::from_secs(30)).connect_with(opts).await.map_err(err)?;
        let store = SqliteStore { pool };
        store.migrate().await?;
        Ok(store)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn migrate(&self) -> Result<Vec<&'static str>, PortError> {
        sqlx::raw_sql("CREATE TABLE IF NOT EXISTS livesell_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)")
            .execute(&self.pool)
            .await
            .map_err(err)?;
        let mut applied = Vec::new();
        for (name, sql) in MIGRATIONS {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(err)?;
            let done: Option<String> = sqlx::query_scalar("SELECT name FROM livesell_migrations WHERE name = ?1")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await
                .map_err(err)?;
            if done.is_none() {
                sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(err)?;
                sqlx::query("INSERT INTO livesell_migrations (name, applied_at) VALUES (?1, ?2)")
                    .bind(name)
                    .bind(to_ms(Utc::now()))
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
                applied.push(*name);
            }
            tx.commit().await.map_err(err)?;
        }
        Ok(applied)
    }

    async fn begin(&self) -> Result<sqlx::Transaction<'_, sqlx::Sqlite>, PortError> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(err)
    }
}

// ───────────────────────── row decoding ─────────────────────────

const CLAIM_COLUMNS: &str = "c.id, cm.comment_id, c.idx, c.buyer_id, c.code, c.sku, c.qty, c.status, c.reason, \
     c.unit_price_minor, c.order_id, c.expires_at";

fn claim_from_row(r: &SqliteRow) -> Result<ClaimRecord, PortError> {
    let status: String = r.try_get("status").map_err(err)?;
    Ok(ClaimRecord {
        claim_id: r.try_get("id").map_err(err)?,
        comment_id: CommentId::parse(r.try_get::<String, _>("comment_id").map_err(err)?).map_err(|e| corrupt(B, e))?,
        idx: r.try_get::<i64, _>("idx").map_err(err)? as u32,
        buyer_id: UserId::parse(r.try_get::<String, _>("buyer_id").map_err(err)?).map_err(|e| corrupt(B, e))?,
        code: r.try_get("code").map_err(err)?,
        sku: r.try_get("sku").map_err(err)?,
        qty: r.try_get::<i64, _>("qty").map_err(err)? as u32,
        status: ClaimStatus::parse(&status).ok_or_else(|| corrupt(B, &status))?,
        reason: r.try_get("reason").map_err(err)?,
        unit_price_minor: r.try_get("unit_price_minor").map_err(err)?,
        order_id: r.try_get("order_id").map_err(err)?,
        expires_at: r.try_get::<Option<i64>, _>("expires_at").map_err(err)?.map(from_ms),
    })
}

async fn claims_where(conn: &mut SqliteConnection, cond: &str, arg: i64) -> Result<Vec<ClaimRecord>, PortError> {
    let sql = format!("SELECT {CLAIM_COLUMNS} FROM claims c JOIN comments cm ON cm.id = c.comment_ref WHERE {cond} ORDER BY c.id");
    let rows = sqlx::query(&sql).bind(arg).fetch_all(&mut *conn).await.map_err(err)?;
    rows.iter().map(claim_from_row).collect()
}

async fn claim_by_id(conn: &mut SqliteConnection, id: i64) -> Result<ClaimRecord, PortError> {
    claims_where(conn, "c.id = ?1", id).await?.pop().ok_or_else(|| PortError::NotFound(format!("claim {id}")))
}

fn comment_from_row(r: &SqliteRow) -> Result<StoredComment, PortError> {
    let platform: String = r.try_get("platform").map_err(err)?;
    let state: String = r.try_get("state").map_err(err)?;
    let id = |col: &str| -> Result<String, PortError> { r.try_get::<String, _>(col).map_err(err) };
    let classification: Option<String> = r.try_get("classification").map_err(err)?;
    Ok(StoredComment {
        comment: Comment {
            platform: Platform::parse(&platform).ok_or_else(|| corrupt(B, &platform))?,
            page_id: PageId::parse(id("account_id")?).map_err(|e| corrupt(B, e))?,
            comment_id: CommentId::parse(id("comment_id")?).map_err(|e| corrupt(B, e))?,
            live_id: LiveId::parse(id("live_id")?).map_err(|e| corrupt(B, e))?,
            author_id: UserId::parse(id("author_id")?).map_err(|e| corrupt(B, e))?,
            author_name: id("author_name")?,
            text: id("text")?,
            created_at: from_ms(r.try_get("created_at").map_err(err)?),
        },
        seller_page: r.try_get::<Option<String>, _>("page_id").map_err(err)?.map(PageId::parse).transpose().map_err(|e| corrupt(B, e))?,
        state: CommentState::parse(&state).ok_or_else(|| corrupt(B, &state))?,
        classification: classification.map(|c| serde_json::from_str::<Classification>(&c)).transpose().map_err(|e| corrupt(B, e))?,
    })
}

async fn comment_ref(conn: &mut SqliteConnection, key: &CommentKey) -> Result<Option<(i64, String)>, PortError> {
    let row = sqlx::query("SELECT id, state FROM comments WHERE platform = ?1 AND comment_id = ?2")
        .bind(key.platform.as_str())
        .bind(key.comment_id.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(err)?;
    row.map(|r| Ok((r.try_get("id").map_err(err)?, r.try_get("state").map_err(err)?))).transpose()
}

async fn require_comment(conn: &mut SqliteConnection, key: &CommentKey) -> Result<(i64, String), PortError> {
    comment_ref(conn, key).await?.ok_or_else(|| PortError::NotFound(format!("comment {}", key.comment_id)))
}

// ───────────────── the reservation steps (mirror of the SQL functions) ─────────────────

/// The buyer's open order for the live (created on first use).
async fn order_for(conn: &mut SqliteConnection, o: &ClaimOrigin, currency: &str, now: i64) -> Result<i64, PortError> {
    sqlx::query_scalar(
        "INSERT INTO orders (page_id, live_id, buyer_id, buyer_name, currency, status, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6) \
         ON CONFLICT (page_id, live_id, buyer_id) WHERE status = 'open' DO UPDATE SET buyer_name = excluded.buyer_name \
         RETURNING id",
    )
    .bind(o.page.as_str())
    .bind(o.live.as_str())
    .bind(o.buyer.as_str())
    .bind(&o.buyer_name)
    .bind(currency)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .map_err(err)
}

/// The one atomic statement that takes stock: it changes the row only if enough is free.
async fn take_stock(conn: &mut SqliteConnection, page: &str, sku: &str, qty: i64) -> Result<bool, PortError> {
    let done = sqlx::query("UPDATE variants SET reserved = reserved + ?3 WHERE page_id = ?1 AND sku = ?2 AND on_hand - reserved >= ?3")
        .bind(page)
        .bind(sku)
        .bind(qty)
        .execute(&mut *conn)
        .await
        .map_err(err)?;
    Ok(done.rows_affected() == 1)
}

async fn give_back_stock(conn: &mut SqliteConnection, page: &str, sku: &str, qty: i64) -> Result<(), PortError> {
    sqlx::query("UPDATE variants SET reserved = reserved - ?3 WHERE page_id = ?1 AND sku = ?2")
        .bind(page)
        .bind(sku)
        .bind(qty)
        .execute(&mut *conn)
        .await
        .map_err(err)?;
    Ok(())
}

async fn notice(conn: &mut SqliteConnection, page: &str, kind: &str, claim: Option<i64>, msg: &str, now: i64) -> Result<(), PortError> {
    sqlx::query("INSERT INTO seller_notices (page_id, kind, claim_id, message, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")
        .bind(page)
        .bind(kind)
        .bind(claim)
        .bind(msg)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(err)?;
    Ok(())
}

/// Gives freed stock of a SKU to its waitlist, oldest claim first (a claim too big for what is
/// free is skipped, not blocking smaller ones). Each promotion is a notice for the seller.
async fn promote(conn: &mut SqliteConnection, page: &str, sku: &str, now: i64, ttl_ms: i64) -> Result<(), PortError> {
    let waiting = sqlx::query(
        "SELECT id, qty, live_id, buyer_id, buyer_name, currency FROM claims \
         WHERE page_id = ?1 AND sku = ?2 AND status = 'waitlisted' ORDER BY id",
    )
    .bind(page)
    .bind(sku)
    .fetch_all(&mut *conn)
    .await
    .map_err(err)?;
    for w in waiting {
        let (id, qty): (i64, i64) = (w.try_get("id").map_err(err)?, w.try_get("qty").map_err(err)?);
        if !take_stock(conn, page, sku, qty).await? {
            continue;
        }
        let buyer_name: String = w.try_get("buyer_name").map_err(err)?;
        let origin = ClaimOrigin {
            comment: CommentKey { platform: Platform::Facebook, comment_id: CommentId::parse("unused").map_err(|e| corrupt(B, e))? },
            page: PageId::parse(page).map_err(|e| corrupt(B, e))?,
            live: LiveId::parse(w.try_get::<String, _>("live_id").map_err(err)?).map_err(|e| corrupt(B, e))?,
            buyer: UserId::parse(w.try_get::<String, _>("buyer_id").map_err(err)?).map_err(|e| corrupt(B, e))?,
            buyer_name: buyer_name.clone(),
        };
        let currency: Option<String> = w.try_get("currency").map_err(err)?;
        let order = order_for(conn, &origin, currency.as_deref().unwrap_or("XXX"), now).await?;
        sqlx::query("UPDATE claims SET status = 'reserved', order_id = ?2, expires_at = ?3, updated_at = ?4 WHERE id = ?1")
            .bind(id)
            .bind(order)
            .bind(now + ttl_ms)
            .bind(now)
            .execute(&mut *conn)
            .await
            .map_err(err)?;
        let msg = format!("Waitlist: {qty}× {sku} is now reserved for {buyer_name} (claim {id}, order {order}); tell the buyer.");
        notice(conn, page, "waitlist_promoted", Some(id), &msg, now).await?;
    }
    Ok(())
}

/// Ends an active (reserved or waitlisted) claim with `status`, frees its stock and promotes the
/// waitlist. Returns false if the claim was not active.
async fn release(
    conn: &mut SqliteConnection,
    id: i64,
    status: ClaimStatus,
    reason: Option<&str>,
    now: i64,
    ttl_ms: i64,
) -> Result<bool, PortError> {
    let row =
        sqlx::query("SELECT status, page_id, sku, qty FROM claims WHERE id = ?1").bind(id).fetch_optional(&mut *conn).await.map_err(err)?;
    let Some(row) = row else { return Ok(false) };
    let before: String = row.try_get("status").map_err(err)?;
    if before != "reserved" && before != "waitlisted" {
        return Ok(false);
    }
    sqlx::query("UPDATE claims SET status = ?2, reason = COALESCE(?3, reason), updated_at = ?4 WHERE id = ?1")
        .bind(id)
        .bind(status.as_str())
        .bind(reason)
        .bind(now)
        .execute(&mut *conn)
        .await
        .map_err(err)?;
    if before == "reserved" {
        let (page, sku, qty): (String, Option<String>, i64) =
            (row.try_get("page_id").map_err(err)?, row.try_get("sku").map_err(err)?, row.try_get("qty").map_err(err)?);
        if let Some(sku) = sku {
            give_back_stock(conn, &page, &sku, qty).await?;
            promote(conn, &page, &sku, now, ttl_ms).await?;
        }
    }
    Ok(true)
}

/// What a new claim row holds beyond its origin.
struct NewClaim<'a> {
    code: Option<&'a str>,
    sku: Option<&'a str>,
    qty: u32,
    status: ClaimStatus,
    reason: Option<&'a str>,
    /// Unit price in minor units, and its currency.
    price: Option<(i64, &'a str)>,
}

async fn insert_claim(
    conn: &mut SqliteConnection,
    comment_ref: i64,
    idx: u32,
    o: &ClaimOrigin,
    c: NewClaim<'_>,
    now: i64,
) -> Result<Option<i64>, PortError> {
    let NewClaim { code, sku, qty, status, reason, price } = c;
    sqlx::query_scalar(
        "INSERT INTO claims (comment_ref, idx, page_id, live_id, buyer_id, buyer_name, code, sku, qty, status, reason, \
           unit_price_minor, currency, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?14) \
         ON CONFLICT (comment_ref, idx) DO NOTHING RETURNING id",
    )
    .bind(comment_ref)
    .bind(i64::from(idx))
    .bind(o.page.as_str())
    .bind(o.live.as_str())
    .bind(o.buyer.as_str())
    .bind(&o.buyer_name)
    .bind(code)
    .bind(sku)
    .bind(i64::from(qty))
    .bind(status.as_str())
    .bind(reason)
    .bind(price.map(|p| p.0))
    .bind(price.map(|p| p.1))
    .bind(now)
    .fetch_optional(&mut *conn)
    .await
    .map_err(err)
}

async fn existing_claim(conn: &mut SqliteConnection, comment_ref: i64, idx: u32) -> Result<Option<ClaimRecord>, PortError> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM claims WHERE comment_ref = ?1 AND idx = ?2")
        .bind(comment_ref)
        .bind(i64::from(idx))
        .fetch_optional(&mut *conn)
        .await
        .map_err(err)?;
    match id {
        Some(id) => Ok(Some(claim_by_id(conn, id).await?)),
        None => Ok(None),
    }
}

async fn load_order(conn: &mut SqliteConnection, order_id: i64) -> Result<Option<Order>, PortError> {
    let Some(r) = sqlx::query("SELECT * FROM orders WHERE id = ?1").bind(order_id).fetch_optional(&mut *conn).await.map_err(err)? else {
        return Ok(None);
    };
    let items = sqlx::query("SELECT id, code, sku, qty, unit_price_minor, status FROM claims WHERE order_id = ?1 ORDER BY id")
        .bind(order_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(err)?;
    let mut out = Vec::new();
    for i in &items {
        let status: String = i.try_get("status").map_err(err)?;
        out.push(OrderItem {
            claim_id: i.try_get("id").map_err(err)?,
            code: i.try_get::<Option<String>, _>("code").map_err(err)?.unwrap_or_default(),
            sku: i.try_get::<Option<String>, _>("sku").map_err(err)?.unwrap_or_default(),
            qty: i.try_get::<i64, _>("qty").map_err(err)? as u32,
            unit_price_minor: i.try_get::<Option<i64>, _>("unit_price_minor").map_err(err)?.unwrap_or(0),
            status: ClaimStatus::parse(&status).ok_or_else(|| corrupt(B, &status))?,
        });
    }
    let status: String = r.try_get("status").map_err(err)?;
    let payment: Option<String> = r.try_get("payment").map_err(err)?;
    Ok(Some(Order {
        order_id,
        page_id: PageId::parse(r.try_get::<String, _>("page_id").map_err(err)?).map_err(|e| corrupt(B, e))?,
        live_id: LiveId::parse(r.try_get::<String, _>("live_id").map_err(err)?).map_err(|e| corrupt(B, e))?,
        buyer_id: UserId::parse(r.try_get::<String, _>("buyer_id").map_err(err)?).map_err(|e| corrupt(B, e))?,
        buyer_name: r.try_get("buyer_name").map_err(err)?,
        status: if status == "paid" { OrderStatus::Paid } else { OrderStatus::Open },
        currency: r.try_get("currency").map_err(err)?,
        total_minor: out
            .iter()
            .filter(|i| matches!(i.status, ClaimStatus::Reserved | ClaimStatus::Paid))
            .map(|i| i.unit_price_minor * i64::from(i.qty))
            .sum(),
        items: out,
        payment: payment.map(|p| serde_json::from_str(&p)).transpose().map_err(|e| corrupt(B, e))?,
        created_at: from_ms(r.try_get("created_at").map_err(err)?),
        paid_at: r.try_get::<Option<i64>, _>("paid_at").map_err(err)?.map(from_ms),
    }))
}

/// One target of a cancellation comment: the buyer's matching active claims, newest first.
async fn cancel_target(
    tx: &mut SqliteConnection,
    cref: i64,
    o: &ClaimOrigin,
    target: &CancelTarget,
    now: i64,
    ttl_ms: i64,
    split_idx: &mut u32,
) -> Result<(), PortError> {
    let mut sql = String::from(
        "SELECT id, qty, status, code, sku, unit_price_minor, currency FROM claims \
             WHERE page_id = ?1 AND live_id = ?2 AND buyer_id = ?3 AND status IN ('reserved', 'waitlisted')",
    );
    let (code, skus, qty) = match target {
        CancelTarget::Latest => (None, None, None),
        CancelTarget::Product { code, skus, qty } => (Some(code.clone()), skus.clone(), *qty),
    };
    if code.is_some() {
        sql.push_str(" AND code = ?4");
    }
    sql.push_str(" ORDER BY id DESC");
    if code.is_none() {
        sql.push_str(" LIMIT 1");
    }
    let rows = sqlx::query(&sql)
        .bind(o.page.as_str())
        .bind(o.live.as_str())
        .bind(o.buyer.as_str())
        .bind(code.as_deref())
        .fetch_all(&mut *tx)
        .await
        .map_err(err)?;
    let mut remaining = qty.map(i64::from);
    for r in rows {
        let sku: Option<String> = r.try_get("sku").map_err(err)?;
        if let (Some(wanted), Some(sku)) = (&skus, &sku) {
            if !wanted.contains(sku) {
                continue;
            }
        }
        if remaining.is_some_and(|n| n <= 0) {
            break;
        }
        let (id, cqty, status): (i64, i64, String) =
            (r.try_get("id").map_err(err)?, r.try_get("qty").map_err(err)?, r.try_get("status").map_err(err)?);
        match remaining {
            Some(n) if n < cqty => {
                // Partial: the claim keeps the rest; the cancelled units become their own claim row.
                sqlx::query("UPDATE claims SET qty = qty - ?2, updated_at = ?3 WHERE id = ?1")
                    .bind(id)
                    .bind(n)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
                let code: Option<String> = r.try_get("code").map_err(err)?;
                let price: Option<i64> = r.try_get("unit_price_minor").map_err(err)?;
                let currency: Option<String> = r.try_get("currency").map_err(err)?;
                let cancelled = NewClaim {
                    code: code.as_deref(),
                    sku: sku.as_deref(),
                    qty: n as u32,
                    status: ClaimStatus::Cancelled,
                    reason: Some("cancelled_by_buyer"),
                    price: price.zip(currency.as_deref()),
                };
                let split = insert_claim(&mut *tx, cref, *split_idx, o, cancelled, now).await?;
                *split_idx += 1;
                if let Some(split) = split {
                    sqlx::query("UPDATE claims SET cancelled_by = ?2 WHERE id = ?1")
                        .bind(split)
                        .bind(cref)
                        .execute(&mut *tx)
                        .await
                        .map_err(err)?;
                }
                if status == "reserved" {
                    if let Some(sku) = &sku {
                        give_back_stock(&mut *tx, o.page.as_str(), sku, n).await?;
                        promote(&mut *tx, o.page.as_str(), sku, now, ttl_ms).await?;
                    }
                }
                remaining = Some(0);
            }
            _ => {
                release(&mut *tx, id, ClaimStatus::Cancelled, Some("cancelled_by_buyer"), now, ttl_ms).await?;
                sqlx::query("UPDATE claims SET cancelled_by = ?2 WHERE id = ?1")
                    .bind(id)
                    .bind(cref)
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
                remaining = remaining.map(|n| n - cqty);
            }
        }
    }
    Ok(())
}

// ───────────────────────── ports ─────────────────────────

#[async_trait]
impl SellerStore for SqliteStore {
    async fn import_catalog(&self, page: &PageId, ig: Option<&PageId>, catalog: &Catalog, now: DateTime<Utc>) -> Result<i64, PortError> {
        let items = inventory::validate(catalog).map_err(|e| PortError::Rejected { backend: B, message: e.to_string() })?;
        let json = serde_json::to_string(catalog).map_err(|e| corrupt(B, e))?;
        let now = to_ms(now);
        let mut tx = self.begin().await?;
        let version: i64 = sqlx::query_scalar(
            "INSERT INTO pages (page_id, ig_account_id, seller_name, currency, current_product, transfer_instructions, catalog, catalog_version, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?8) \
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
        // The old stock is gone: its active claims can no longer hold units.
        sqlx::query("UPDATE claims SET status = 'cancelled', reason = 'catalog_reimported', updated_at = ?2 WHERE page_id = ?1 AND status IN ('reserved', 'waitlisted')")
            .bind(page.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        sqlx::query("DELETE FROM variants WHERE page_id = ?1").bind(page.as_str()).execute(&mut *tx).await.map_err(err)?;
        sqlx::query("DELETE FROM products WHERE page_id = ?1").bind(page.as_str()).execute(&mut *tx).await.map_err(err)?;
        for p in &catalog.products {
            sqlx::query("INSERT INTO products (page_id, code, name, category, price_minor, currency) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
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
            sqlx::query("INSERT INTO variants (page_id, sku, code, size, color, position, on_hand, reserved) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)")
                .bind(page.as_str())
                .bind(&i.sku)
                .bind(&i.code)
                .bind(&i.size)
                .bind(&i.color)
                .bind(pos as i64)
                .bind(i.on_hand)
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
        let sql = format!("SELECT page_id, ig_account_id, seller_name, current_product, catalog_version FROM pages WHERE {col} = ?1");
        let row = sqlx::query(&sql).bind(account.as_str()).fetch_optional(&self.pool).await.map_err(err)?;
        row.map(|r| page_from_row(&r)).transpose()
    }

    async fn page(&self, page: &PageId) -> Result<Option<PageConfig>, PortError> {
        self.page_for_account(Platform::Facebook, page).await
    }

    async fn catalog(&self, page: &PageId) -> Result<Option<(i64, Catalog)>, PortError> {
        let row = sqlx::query("SELECT catalog_version, catalog, current_product FROM pages WHERE page_id = ?1")
            .bind(page.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(err)?;
        let Some(r) = row else { return Ok(None) };
        let mut catalog: Catalog = serde_json::from_str(&r.try_get::<String, _>("catalog").map_err(err)?).map_err(|e| corrupt(B, e))?;
        catalog.current_product = r.try_get("current_product").map_err(err)?;
        Ok(Some((r.try_get("catalog_version").map_err(err)?, catalog)))
    }

    async fn set_current_product(&self, page: &PageId, code: Option<&str>) -> Result<bool, PortError> {
        let done = sqlx::query("UPDATE pages SET current_product = ?2, updated_at = ?3 WHERE page_id = ?1")
            .bind(page.as_str())
            .bind(code)
            .bind(to_ms(Utc::now()))
            .execute(&self.pool)
            .await
            .map_err(err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_page_token(&self, page: &PageId, token: &SecretString) -> Result<(), PortError> {
        sqlx::query(
            "INSERT INTO page_tokens (page_id, token, valid, updated_at) VALUES (?1, ?2, 1, ?3) \
             ON CONFLICT (page_id) DO UPDATE SET token = excluded.token, valid = 1, updated_at = excluded.updated_at",
        )
        .bind(page.as_str())
        .bind(token.expose())
        .bind(to_ms(Utc::now()))
        .execute(&self.pool)
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn page_token(&self, page: &PageId) -> Result<Option<(SecretString, bool)>, PortError> {
        let row = sqlx::query("SELECT token, valid FROM page_tokens WHERE page_id = ?1")
            .bind(page.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(err)?;
        row.map(|r| Ok((SecretString::new(r.try_get::<String, _>("token").map_err(err)?), r.try_get::<i64, _>("valid").map_err(err)? == 1)))
            .transpose()
    }

    async fn invalidate_page_token(&self, page: &PageId) -> Result<(), PortError> {
        sqlx::query("UPDATE page_tokens SET valid = 0, updated_at = ?2 WHERE page_id = ?1")
            .bind(page.as_str())
            .bind(to_ms(Utc::now()))
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
        let mut conn = self.pool.acquire().await.map_err(err)?;
        notice(&mut conn, page.as_str(), kind, claim_id, message, to_ms(now)).await
    }

    async fn notices(&self, page: &PageId) -> Result<Vec<SellerNotice>, PortError> {
        let rows = sqlx::query("SELECT id, kind, claim_id, message, created_at FROM seller_notices WHERE page_id = ?1 ORDER BY id")
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
                    created_at: from_ms(r.try_get("created_at").map_err(err)?),
                })
            })
            .collect()
    }
}

fn page_from_row(r: &SqliteRow) -> Result<PageConfig, PortError> {
    Ok(PageConfig {
        page_id: PageId::parse(r.try_get::<String, _>("page_id").map_err(err)?).map_err(|e| corrupt(B, e))?,
        ig_account_id: r
            .try_get::<Option<String>, _>("ig_account_id")
            .map_err(err)?
            .map(PageId::parse)
            .transpose()
            .map_err(|e| corrupt(B, e))?,
        seller_name: r.try_get("seller_name").map_err(err)?,
        current_product: r.try_get("current_product").map_err(err)?,
        catalog_version: r.try_get("catalog_version").map_err(err)?,
    })
}

#[async_trait]
impl CommentLedger for SqliteStore {
    async fn record(&self, c: &Comment, seller_page: Option<&PageId>, entry: &str) -> Result<Recorded, PortError> {
        let mut tx = self.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO comments (platform, comment_id, account_id, page_id, live_id, author_id, author_name, text, created_at, first_entry, recorded_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (platform, comment_id) DO NOTHING",
        )
        .bind(c.platform.as_str())
        .bind(c.comment_id.as_str())
        .bind(c.page_id.as_str())
        .bind(seller_page.map(PageId::as_str))
        .bind(c.live_id.as_str())
        .bind(c.author_id.as_str())
        .bind(&c.author_name)
        .bind(&c.text)
        .bind(to_ms(c.created_at))
        .bind(entry)
        .bind(to_ms(Utc::now()))
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        let outcome = if inserted.rows_affected() == 1 {
            Recorded::New
        } else {
            let first: String = sqlx::query_scalar("SELECT first_entry FROM comments WHERE platform = ?1 AND comment_id = ?2")
                .bind(c.platform.as_str())
                .bind(c.comment_id.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(err)?;
            if first == entry {
                Recorded::Retry
            } else {
                sqlx::query("UPDATE comments SET redeliveries = redeliveries + 1 WHERE platform = ?1 AND comment_id = ?2")
                    .bind(c.platform.as_str())
                    .bind(c.comment_id.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
                Recorded::Duplicate
            }
        };
        tx.commit().await.map_err(err)?;
        Ok(outcome)
    }

    async fn load(&self, key: &CommentKey) -> Result<Option<StoredComment>, PortError> {
        let row = sqlx::query("SELECT * FROM comments WHERE platform = ?1 AND comment_id = ?2")
            .bind(key.platform.as_str())
            .bind(key.comment_id.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(err)?;
        row.map(|r| comment_from_row(&r)).transpose()
    }

    async fn mark(&self, key: &CommentKey, state: CommentState, reason: &str) -> Result<(), PortError> {
        sqlx::query("UPDATE comments SET state = ?3, reason = ?4 WHERE platform = ?1 AND comment_id = ?2 AND state = 'received'")
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
        let mut tx = self.begin().await?;
        let Some((id, state)) = comment_ref(&mut tx, &c.key()).await? else {
            return Ok(EditOutcome::Unknown);
        };
        let applied = state == "received";
        if applied {
            sqlx::query("UPDATE comments SET text = ?2, edited_at = ?3 WHERE id = ?1")
                .bind(id)
                .bind(&c.text)
                .bind(to_ms(c.created_at))
                .execute(&mut *tx)
                .await
                .map_err(err)?;
        }
        sqlx::query("INSERT INTO comment_edits (comment_ref, text, edited_at, applied) VALUES (?1, ?2, ?3, ?4)")
            .bind(id)
            .bind(&c.text)
            .bind(to_ms(c.created_at))
            .bind(applied)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        tx.commit().await.map_err(err)?;
        Ok(if applied { EditOutcome::Applied } else { EditOutcome::RecordedOnly })
    }

    async fn save_classification(&self, key: &CommentKey, text: &str, cls: &Classification) -> Result<bool, PortError> {
        let json = serde_json::to_string(cls).map_err(|e| corrupt(B, e))?;
        let intent = serde_json::to_value(cls.intent).map_err(|e| corrupt(B, e))?;
        let done = sqlx::query(
            "UPDATE comments SET state = 'classified', intent = ?4, classification = ?5 \
             WHERE platform = ?1 AND comment_id = ?2 AND state = 'received' AND text = ?3",
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
        let done = sqlx::query("UPDATE comments SET state = 'acted' WHERE platform = ?1 AND comment_id = ?2 AND state = 'classified'")
            .bind(key.platform.as_str())
            .bind(key.comment_id.as_str())
            .execute(&self.pool)
            .await
            .map_err(err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn remove(&self, key: &CommentKey, now: DateTime<Utc>, ttl_secs: i64) -> Result<Vec<ClaimRecord>, PortError> {
        let now = to_ms(now);
        let mut tx = self.begin().await?;
        let Some((id, _)) = comment_ref(&mut tx, key).await? else {
            return Ok(Vec::new());
        };
        sqlx::query("UPDATE comments SET state = 'removed', removed_at = COALESCE(removed_at, ?2) WHERE id = ?1")
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        let active: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, page_id FROM claims WHERE comment_ref = ?1 AND status IN ('reserved', 'waitlisted') ORDER BY id")
                .bind(id)
                .fetch_all(&mut *tx)
                .await
                .map_err(err)?;
        let mut out = Vec::new();
        for (claim, page) in active {
            if release(&mut tx, claim, ClaimStatus::Cancelled, Some("comment_removed"), now, ttl_secs * 1000).await? {
                let msg = format!("Claim {claim} cancelled: the buyer deleted the comment.");
                notice(&mut tx, &page, "comment_removed", Some(claim), &msg, now).await?;
                out.push(claim_by_id(&mut tx, claim).await?);
            }
        }
        tx.commit().await.map_err(err)?;
        Ok(out)
    }
}

#[async_trait]
impl ReservationStore for SqliteStore {
    async fn reserve(&self, req: &ReserveRequest) -> Result<ClaimRecord, PortError> {
        let now = to_ms(req.now);
        let o = &req.origin;
        let mut tx = self.begin().await?;
        let (cref, state) = require_comment(&mut tx, &o.comment).await?;
        if let Some(existing) = existing_claim(&mut tx, cref, req.idx).await? {
            return Ok(existing);
        }
        let currency = req.unit_price.currency();
        let price = Some((req.unit_price.minor(), currency.code()));
        let (status, reason) =
            if state == "removed" { (ClaimStatus::Cancelled, Some("comment_removed")) } else { (ClaimStatus::Waitlisted, None) };
        let claim = NewClaim { code: Some(&req.code), sku: Some(&req.sku), qty: req.qty.get(), status, reason, price };
        let id = insert_claim(&mut tx, cref, req.idx, o, claim, now)
            .await?
            .ok_or_else(|| PortError::Unavailable { backend: B, message: "claim inserted concurrently".into() })?;
        if status == ClaimStatus::Waitlisted {
            let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM variants WHERE page_id = ?1 AND sku = ?2")
                .bind(o.page.as_str())
                .bind(&req.sku)
                .fetch_optional(&mut *tx)
                .await
                .map_err(err)?;
            if known.is_none() {
                sqlx::query("UPDATE claims SET status = 'rejected', reason = 'unknown_variant' WHERE id = ?1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
            } else if take_stock(&mut tx, o.page.as_str(), &req.sku, i64::from(req.qty.get())).await? {
                let order = order_for(&mut tx, o, req.unit_price.currency().code(), now).await?;
                sqlx::query("UPDATE claims SET status = 'reserved', order_id = ?2, expires_at = ?3 WHERE id = ?1")
                    .bind(id)
                    .bind(order)
                    .bind(now + req.ttl_secs * 1000)
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
            }
        }
        let claim = claim_by_id(&mut tx, id).await?;
        tx.commit().await.map_err(err)?;
        Ok(claim)
    }

    async fn reject(&self, req: &RejectRequest) -> Result<ClaimRecord, PortError> {
        let mut tx = self.begin().await?;
        let (cref, _) = require_comment(&mut tx, &req.origin.comment).await?;
        let rejected = NewClaim {
            code: req.code.as_deref(),
            sku: None,
            qty: req.qty.get(),
            status: ClaimStatus::Rejected,
            reason: Some(&req.reason),
            price: None,
        };
        let id = insert_claim(&mut tx, cref, req.idx, &req.origin, rejected, to_ms(req.now)).await?;
        let claim = match id {
            Some(id) => claim_by_id(&mut tx, id).await?,
            None => existing_claim(&mut tx, cref, req.idx).await?.ok_or_else(|| PortError::NotFound("claim".into()))?,
        };
        tx.commit().await.map_err(err)?;
        Ok(claim)
    }

    async fn cancel(&self, req: &CancelRequest) -> Result<Vec<ClaimRecord>, PortError> {
        let now = to_ms(req.now);
        let ttl_ms = req.ttl_secs * 1000;
        let o = &req.origin;
        let mut tx = self.begin().await?;
        let (cref, state) = require_comment(&mut tx, &o.comment).await?;
        if state != "classified" {
            let done = claims_where(&mut tx, "c.cancelled_by = ?1", cref).await?;
            return Ok(done);
        }
        sqlx::query("UPDATE comments SET state = 'acted' WHERE id = ?1").bind(cref).execute(&mut *tx).await.map_err(err)?;
        let mut split_idx = 0u32;
        for target in &req.targets {
            cancel_target(&mut tx, cref, o, target, now, ttl_ms, &mut split_idx).await?;
        }
        let done = claims_where(&mut tx, "c.cancelled_by = ?1", cref).await?;
        tx.commit().await.map_err(err)?;
        Ok(done)
    }

    async fn expire_due(&self, now: DateTime<Utc>, ttl_secs: i64) -> Result<Vec<ClaimRecord>, PortError> {
        let now = to_ms(now);
        let mut tx = self.begin().await?;
        let due: Vec<(i64, String, String, i64, String)> = sqlx::query_as(
            "SELECT id, page_id, COALESCE(sku, ''), qty, buyer_name FROM claims WHERE status = 'reserved' AND expires_at <= ?1 ORDER BY expires_at, id",
        )
        .bind(now)
        .fetch_all(&mut *tx)
        .await
        .map_err(err)?;
        let mut out = Vec::new();
        for (id, page, sku, qty, buyer) in due {
            if release(&mut tx, id, ClaimStatus::Expired, Some("not_paid_in_time"), now, ttl_secs * 1000).await? {
                let msg = format!("Claim {id} ({qty}× {sku}) of {buyer} expired unpaid; the units are back in stock.");
                notice(&mut tx, &page, "expired", Some(id), &msg, now).await?;
                out.push(claim_by_id(&mut tx, id).await?);
            }
        }
        tx.commit().await.map_err(err)?;
        Ok(out)
    }

    async fn mark_paid(&self, order_id: i64, now: DateTime<Utc>) -> Result<Option<Order>, PortError> {
        let now = to_ms(now);
        let mut tx = self.begin().await?;
        let opened = sqlx::query("UPDATE orders SET status = 'paid', paid_at = ?2 WHERE id = ?1 AND status = 'open'")
            .bind(order_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        if opened.rows_affected() == 1 {
            let items: Vec<(i64, String, String, i64)> =
                sqlx::query_as("SELECT id, page_id, sku, qty FROM claims WHERE order_id = ?1 AND status = 'reserved' ORDER BY id")
                    .bind(order_id)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(err)?;
            for (id, page, sku, qty) in items {
                sqlx::query("UPDATE claims SET status = 'paid', expires_at = NULL, updated_at = ?2 WHERE id = ?1")
                    .bind(id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
                // Sold: the units leave both on-hand and reserved.
                sqlx::query("UPDATE variants SET on_hand = on_hand - ?3, reserved = reserved - ?3 WHERE page_id = ?1 AND sku = ?2")
                    .bind(&page)
                    .bind(&sku)
                    .bind(qty)
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
            }
        }
        let order = load_order(&mut tx, order_id).await?;
        tx.commit().await.map_err(err)?;
        Ok(order)
    }

    async fn order(&self, order_id: i64) -> Result<Option<Order>, PortError> {
        let mut conn = self.pool.acquire().await.map_err(err)?;
        load_order(&mut conn, order_id).await
    }

    async fn set_order_payment(&self, order_id: i64, payment: &PaymentInstructions) -> Result<(), PortError> {
        let json = serde_json::to_string(payment).map_err(|e| corrupt(B, e))?;
        sqlx::query("UPDATE orders SET payment = ?2 WHERE id = ?1").bind(order_id).bind(json).execute(&self.pool).await.map_err(err)?;
        Ok(())
    }

    async fn claims_for_comment(&self, key: &CommentKey) -> Result<Vec<ClaimRecord>, PortError> {
        let mut conn = self.pool.acquire().await.map_err(err)?;
        let Some((id, _)) = comment_ref(&mut conn, key).await? else { return Ok(Vec::new()) };
        claims_where(&mut conn, "c.comment_ref = ?1", id).await
    }

    async fn claims(&self, page: &PageId) -> Result<Vec<ClaimRecord>, PortError> {
        let sql =
            format!("SELECT {CLAIM_COLUMNS} FROM claims c JOIN comments cm ON cm.id = c.comment_ref WHERE c.page_id = ?1 ORDER BY c.id");
        let rows = sqlx::query(&sql).bind(page.as_str()).fetch_all(&self.pool).await.map_err(err)?;
        rows.iter().map(claim_from_row).collect()
    }

    async fn orders(&self, page: &PageId) -> Result<Vec<Order>, PortError> {
        let mut conn = self.pool.acquire().await.map_err(err)?;
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM orders WHERE page_id = ?1 ORDER BY id")
            .bind(page.as_str())
            .fetch_all(&mut *conn)
            .await
            .map_err(err)?;
        let mut out = Vec::new();
        for id in ids {
            out.extend(load_order(&mut conn, id).await?);
        }
        Ok(out)
    }

    async fn stock(&self, page: &PageId) -> Result<Vec<StockLevel>, PortError> {
        let rows: Vec<(String, String, i64, i64)> =
            sqlx::query_as("SELECT sku, code, on_hand, reserved FROM variants WHERE page_id = ?1 ORDER BY position")
                .bind(page.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(err)?;
        Ok(rows
            .into_iter()
            .map(|(sku, code, on_hand, reserved)| StockLevel { sku, code, on_hand, reserved, available: on_hand - reserved })
            .collect())
    }
}

fn message_from_row(r: &SqliteRow) -> Result<OutboundMessage, PortError> {
    let status: String = r.try_get("status").map_err(err)?;
    let platform: String = r.try_get("platform").map_err(err)?;
    Ok(OutboundMessage {
        message_id: r.try_get("id").map_err(err)?,
        platform: Platform::parse(&platform).ok_or_else(|| corrupt(B, &platform))?,
        comment_id: CommentId::parse(r.try_get::<String, _>("comment_id").map_err(err)?).map_err(|e| corrupt(B, e))?,
        page_id: PageId::parse(r.try_get::<String, _>("page_id").map_err(err)?).map_err(|e| corrupt(B, e))?,
        account_id: PageId::parse(r.try_get::<String, _>("account_id").map_err(err)?).map_err(|e| corrupt(B, e))?,
        text: r.try_get("text").map_err(err)?,
        status: MessageStatus::parse(&status).ok_or_else(|| corrupt(B, &status))?,
        attempts: r.try_get::<i64, _>("attempts").map_err(err)? as u32,
        error_code: r.try_get("error_code").map_err(err)?,
        error: r.try_get("error").map_err(err)?,
        meta_message_id: r.try_get("meta_message_id").map_err(err)?,
    })
}

const MESSAGE_SELECT: &str = "SELECT m.id, m.page_id, m.text, m.status, m.attempts, m.error_code, m.error, m.meta_message_id, \
     cm.platform, cm.comment_id, cm.account_id FROM outbound_messages m JOIN comments cm ON cm.id = m.comment_ref";

#[async_trait]
impl Outbox for SqliteStore {
    async fn enqueue_reply(&self, key: &CommentKey, text: &str) -> Result<i64, PortError> {
        let now = to_ms(Utc::now());
        let mut tx = self.begin().await?;
        let (cref, _) = require_comment(&mut tx, key).await?;
        sqlx::query(
            "INSERT INTO outbound_messages (comment_ref, page_id, text, status, created_at, updated_at) \
             SELECT id, COALESCE(page_id, account_id), ?2, 'pending', ?3, ?3 FROM comments WHERE id = ?1 \
             ON CONFLICT (comment_ref) DO NOTHING",
        )
        .bind(cref)
        .bind(text)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        let id: i64 = sqlx::query_scalar("SELECT id FROM outbound_messages WHERE comment_ref = ?1")
            .bind(cref)
            .fetch_one(&mut *tx)
            .await
            .map_err(err)?;
        tx.commit().await.map_err(err)?;
        Ok(id)
    }

    async fn begin_send(&self, message_id: i64) -> Result<Option<OutboundMessage>, PortError> {
        let mut tx = self.begin().await?;
        let started = sqlx::query(
            "UPDATE outbound_messages SET status = 'sending', attempts = attempts + 1, updated_at = ?2 \
             WHERE id = ?1 AND status IN ('pending', 'sending', 'paused')",
        )
        .bind(message_id)
        .bind(to_ms(Utc::now()))
        .execute(&mut *tx)
        .await
        .map_err(err)?;
        let msg = if started.rows_affected() == 1 {
            let row = sqlx::query(&format!("{MESSAGE_SELECT} WHERE m.id = ?1")).bind(message_id).fetch_one(&mut *tx).await.map_err(err)?;
            Some(message_from_row(&row)?)
        } else {
            None
        };
        tx.commit().await.map_err(err)?;
        Ok(msg)
    }

    async fn finish_send(&self, message_id: i64, outcome: &SendOutcome) -> Result<(), PortError> {
        let now = to_ms(Utc::now());
        let (status, code, error, meta_id, sent_at) = match outcome {
            SendOutcome::Sent { meta_message_id } => ("sent", None, None, meta_message_id.clone(), Some(now)),
            SendOutcome::Outbox => ("outbox", None, None, None, Some(now)),
            SendOutcome::Failed { code, error } => ("failed", *code, Some(error.clone()), None, None),
            SendOutcome::Paused { code, error } => ("paused", *code, Some(error.clone()), None, None),
            SendOutcome::Retry { code, error } => ("pending", *code, Some(error.clone()), None, None),
        };
        sqlx::query(
            "UPDATE outbound_messages SET status = ?2, error_code = ?3, error = ?4, meta_message_id = COALESCE(?5, meta_message_id), \
               sent_at = COALESCE(?6, sent_at), updated_at = ?7 WHERE id = ?1 AND status NOT IN ('sent', 'outbox')",
        )
        .bind(message_id)
        .bind(status)
        .bind(code)
        .bind(error)
        .bind(meta_id)
        .bind(sent_at)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn resume_paused(&self, page: &PageId) -> Result<Vec<i64>, PortError> {
        sqlx::query_scalar(
            "UPDATE outbound_messages SET status = 'pending', updated_at = ?2 WHERE page_id = ?1 AND status = 'paused' RETURNING id",
        )
        .bind(page.as_str())
        .bind(to_ms(Utc::now()))
        .fetch_all(&self.pool)
        .await
        .map_err(err)
    }

    async fn replies(&self, page: &PageId) -> Result<Vec<OutboundMessage>, PortError> {
        let rows = sqlx::query(&format!("{MESSAGE_SELECT} WHERE m.page_id = ?1 ORDER BY m.id"))
            .bind(page.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(err)?;
        rows.iter().map(message_from_row).collect()
    }
}

#[async_trait]
impl Reports for SqliteStore {
    async fn counts(&self, page: Option<&PageId>) -> Result<PipelineCounts, PortError> {
        let p = page.map(PageId::as_str);
        let filter = "(?1 IS NULL OR page_id = ?1)";
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
            unclear: one(format!("SELECT COUNT(*) FROM comments WHERE {filter} AND json_extract(classification, '$.unclear') = 1")).await?,
            duplicates: one(format!("SELECT COALESCE(SUM(redeliveries), 0) FROM comments WHERE {filter}")).await?,
            filtered_out: one(format!("SELECT COUNT(*) FROM comments WHERE {filter} AND state = 'filtered'")).await?,
            ignored: one(format!("SELECT COUNT(*) FROM comments WHERE {filter} AND state = 'ignored'")).await?,
            removed: one(format!("SELECT COUNT(*) FROM comments WHERE {filter} AND state = 'removed'")).await?,
            edits: one(
                "SELECT COUNT(*) FROM comment_edits e JOIN comments c ON c.id = e.comment_ref WHERE (?1 IS NULL OR c.page_id = ?1)".into()
            )
            .await?,
            intents: grouped(format!("SELECT intent, COUNT(*) FROM comments WHERE {filter} AND intent IS NOT NULL GROUP BY intent"))
                .await?,
            claims,
            replies: grouped(format!("SELECT status, COUNT(*) FROM outbound_messages WHERE {filter} GROUP BY status")).await?,
        })
    }

    async fn ping(&self) -> Result<(), PortError> {
        sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&self.pool).await.map_err(err)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        B
    }
}

#[async_trait]
impl AiLogStore for SqliteStore {
    async fn record_ai_call(&self, c: &AiCall) -> Result<(), PortError> {
        sqlx::query(
            "INSERT INTO ai_logs (page_id, comment_id, model, latency_ms, tokens_in, tokens_out, cached, outcome, fallback_reason, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .bind(c.page_id.as_str())
        .bind(c.comment_id.as_str())
        .bind(&c.model)
        .bind(c.latency_ms as i64)
        .bind(i64::from(c.tokens_in))
        .bind(i64::from(c.tokens_out))
        .bind(c.cached)
        .bind(&c.outcome)
        .bind(&c.fallback_reason)
        .bind(to_ms(c.at))
        .execute(&self.pool)
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn ai_calls(&self, page: &PageId) -> Result<Vec<AiCall>, PortError> {
        let rows = sqlx::query("SELECT * FROM ai_logs WHERE page_id = ?1 ORDER BY id")
            .bind(page.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(err)?;
        rows.iter()
            .map(|r| {
                Ok(AiCall {
                    page_id: PageId::parse(r.try_get::<String, _>("page_id").map_err(err)?).map_err(|e| corrupt(B, e))?,
                    comment_id: CommentId::parse(r.try_get::<String, _>("comment_id").map_err(err)?).map_err(|e| corrupt(B, e))?,
                    model: r.try_get("model").map_err(err)?,
                    latency_ms: r.try_get::<i64, _>("latency_ms").map_err(err)?.max(0) as u64,
                    tokens_in: r.try_get::<i64, _>("tokens_in").map_err(err)?.max(0) as u32,
                    tokens_out: r.try_get::<i64, _>("tokens_out").map_err(err)?.max(0) as u32,
                    cached: r.try_get::<i64, _>("cached").map_err(err)? == 1,
                    outcome: r.try_get("outcome").map_err(err)?,
                    fallback_reason: r.try_get("fallback_reason").map_err(err)?,
                    at: from_ms(r.try_get("created_at").map_err(err)?),
                })
            })
            .collect()
    }
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn create_session(&self, s: &SellerSession) -> Result<(), PortError> {
        sqlx::query("INSERT INTO seller_sessions (session_id, page_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)")
            .bind(&s.session_id)
            .bind(s.page_id.as_str())
            .bind(to_ms(Utc::now()))
            .bind(to_ms(s.expires_at))
            .execute(&self.pool)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn session(&self, session_id: &str) -> Result<Option<SellerSession>, PortError> {
        let row: Option<(String, i64)> = sqlx::query_as("SELECT page_id, expires_at FROM seller_sessions WHERE session_id = ?1")
            .bind(session_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(err)?;
        row.map(|(page, exp)| {
            Ok(SellerSession {
                session_id: session_id.to_string(),
                page_id: PageId::parse(page).map_err(|e| corrupt(B, e))?,
                expires_at: from_ms(exp),
            })
        })
        .transpose()
    }

    async fn delete_session(&self, session_id: &str) -> Result<(), PortError> {
        sqlx::query("DELETE FROM seller_sessions WHERE session_id = ?1").bind(session_id).execute(&self.pool).await.map_err(err)?;
        Ok(())
    }
}
