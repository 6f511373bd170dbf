//! # The SQL store: one implementation for PostgreSQL (Supabase, the source of truth) and SQLite
//! (the embedded default)
//! Every store operation and every stock rule is written once, in Rust over SQL both databases
//! run; `db` is the dialect (the one place they differ at run time) and `schema` the one schema.
//! Stock is only ever taken by one conditional statement (`stock::take`), and the
//! `reserved <= on_hand` constraint is the last line of defence. Runtime `query()` only: builds
//! need no database.
mod buyers;
pub mod db;
mod gateways;
mod import;
mod ledger;
mod outbox;
mod reports;
mod reservations;
mod rows;
pub mod schema;
mod seller;
mod settle;
mod stock;

use crate::ports::PortError;
use crate::secrets::SecretBox;
use chrono::Utc;
use db::{args, Pool};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

pub(crate) fn err(backend: &'static str, e: sqlx::Error) -> PortError {
    super::db_error(backend, e)
}

pub(crate) fn corrupt(backend: &'static str, what: impl std::fmt::Display) -> PortError {
    super::corrupt(backend, what)
}

#[derive(Clone)]
pub struct SqlStore {
    pool: Pool,
    /// Seals page tokens at rest; None: tokens can't be stored or read (the error says why).
    sealer: Option<Arc<SecretBox>>,
}

/// Serialises concurrent `migrate` runs on one PostgreSQL database.
const MIGRATION_LOCK: i64 = 7_305_274_211;

impl SqlStore {
    /// Connects a PostgreSQL pool of at most `max_connections` (keep the sum over processes below
    /// the server's limit). `?options=-c search_path=…` in the URL selects a schema. The schema
    /// comes from `livesell migrate`.
    pub async fn connect_postgres(url: &str, max_connections: u32) -> Result<Self, PortError> {
        let opts = PgConnectOptions::from_str(url).map_err(|e| err("postgres", e))?;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(10))
            .idle_timeout(Duration::from_secs(60))
            .connect_with(opts)
            .await
            .map_err(|e| err("postgres", e))?;
        Ok(SqlStore { pool: Pool::Postgres(pool), sealer: None })
    }

    /// Opens (creating, readable by its owner only) the SQLite file at `url` and applies the
    /// migrations, sealing tokens with `sealer`. One connection: SQLite has one writer anyway, and
    /// a single connection can never hit SQLITE_BUSY against itself.
    #[cfg(feature = "embedded")]
    pub async fn connect_sqlite(url: &str, sealer: Option<Arc<SecretBox>>) -> Result<Self, PortError> {
        use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
        let opts = SqliteConnectOptions::from_str(url).map_err(|e| err("sqlite", e))?;
        // Created 0600 before SQLite opens it; its -wal and -shm files take the same mode.
        let path = opts.get_filename().to_path_buf();
        if !path.as_os_str().is_empty() && path.as_os_str() != ":memory:" && !path.exists() {
            crate::secrets::private_file(&path)
                .map_err(|e| PortError::Rejected { backend: "sqlite", message: format!("creating {}: {e}", path.display()) })?;
        }
        let opts = opts
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await
            .map_err(|e| err("sqlite", e))?;
        let store = SqlStore { pool: Pool::Sqlite(pool), sealer };
        store.migrate().await?;
        Ok(store)
    }

    /// Page tokens are sealed with this key.
    pub fn with_sealer(mut self, sealer: Option<Arc<SecretBox>>) -> Self {
        self.sealer = sealer;
        self
    }

    pub fn sealer(&self) -> Option<Arc<SecretBox>> {
        self.sealer.clone()
    }

    pub fn backend(&self) -> &'static str {
        self.pool.backend()
    }

    /// The SQLite pool, for the embedded stream and cache that live in the same file.
    #[cfg(feature = "embedded")]
    pub fn sqlite_pool(&self) -> Option<&sqlx::SqlitePool> {
        match &self.pool {
            Pool::Sqlite(p) => Some(p),
            Pool::Postgres(_) => None,
        }
    }

    pub fn postgres_pool(&self) -> Option<&sqlx::PgPool> {
        match &self.pool {
            Pool::Postgres(p) => Some(p),
            #[cfg(feature = "embedded")]
            Pool::Sqlite(_) => None,
        }
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Postgres(p) => p.close().await,
            #[cfg(feature = "embedded")]
            Pool::Sqlite(p) => p.close().await,
        }
    }

    fn migrations(&self) -> Vec<(&'static str, String)> {
        match &self.pool {
            Pool::Postgres(_) => schema::POSTGRES.iter().map(|(n, s)| (*n, s.to_string())).collect(),
            #[cfg(feature = "embedded")]
            Pool::Sqlite(_) => schema::sqlite(),
        }
    }

    /// Applies the migrations not yet recorded in `livesell_migrations`, each in its own
    /// transaction (on PostgreSQL under an advisory lock, so concurrent starts don't race), then
    /// seals any page token still stored in plain text. Returns the migrations applied.
    pub async fn migrate(&self) -> Result<Vec<&'static str>, PortError> {
        let mut conn = self.pool.read().await?;
        let pg = matches!(self.pool, Pool::Postgres(_));
        if pg {
            conn.exec("SELECT pg_advisory_lock($1)", args![MIGRATION_LOCK]).await?;
        }
        let result = self.apply(&mut conn).await;
        if pg {
            let _ = conn.exec("SELECT pg_advisory_unlock($1)", args![MIGRATION_LOCK]).await;
        }
        drop(conn);
        let applied = result?;
        self.seal_plain_tokens().await?;
        Ok(applied)
    }

    /// Each migration in its own transaction, on the one connection (the embedded pool has one).
    async fn apply(&self, conn: &mut db::Tx) -> Result<Vec<&'static str>, PortError> {
        let ledger = "CREATE TABLE IF NOT EXISTS livesell_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL);";
        match &self.pool {
            Pool::Postgres(_) => conn.script(ledger).await?,
            #[cfg(feature = "embedded")]
            Pool::Sqlite(_) => conn.script(&schema::to_sqlite(ledger)).await?,
        }
        let mut applied = Vec::new();
        for (name, sql) in self.migrations() {
            if conn.opt("SELECT name FROM livesell_migrations WHERE name = $1", args![name]).await?.is_some() {
                continue;
            }
            conn.script(self.pool.begin_statement()).await?;
            let run = async {
                conn.script(&sql).await?;
                conn.exec("INSERT INTO livesell_migrations (name, applied_at) VALUES ($1, $2)", args![name, Utc::now()]).await
            };
            match run.await {
                Ok(_) => conn.script("COMMIT").await?,
                Err(e) => {
                    let _ = conn.script("ROLLBACK").await;
                    return Err(e);
                }
            }
            applied.push(name);
        }
        Ok(applied)
    }

    /// Migrations not yet applied (so `serve` can refuse to run on an old schema).
    pub async fn pending_migrations(&self) -> Result<Vec<&'static str>, PortError> {
        let mut conn = self.pool.read().await?;
        let done: Vec<String> = match conn.all("SELECT name FROM livesell_migrations", &[]).await {
            Ok(rows) => rows.iter().map(|r| r.str("name")).collect::<Result<_, _>>()?,
            // No table yet: nothing applied.
            Err(PortError::Rejected { message, .. }) if message.contains("livesell_migrations") => Vec::new(),
            Err(e) => return Err(e),
        };
        Ok(self.migrations().into_iter().map(|(n, _)| n).filter(|n| !done.iter().any(|d| d == n)).collect())
    }
}
