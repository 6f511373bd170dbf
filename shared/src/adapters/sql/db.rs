//! # The dialect: the one place where SQLite and PostgreSQL differ at run time
//! Every store operation is written once, as SQL both databases run (`$1` placeholders, which
//! sqlx's SQLite driver accepts as `?1`; `RETURNING`; `ON CONFLICT`; conditional `UPDATE`), over the
//! small API below. What differs is handled here and only here:
//! - how values are stored: timestamps are `timestamptz` on PostgreSQL and integer milliseconds on
//!   SQLite; JSON is `jsonb` or text; booleans are `boolean` or integers (`Arg`, `Row`);
//! - row locks: PostgreSQL writers take `FOR UPDATE`/`FOR SHARE` on the rows they decide on;
//!   SQLite has none and needs none, its one writer holds the database lock from `BEGIN IMMEDIATE`
//!   (the clauses are dropped from its SQL);
//! - reading a JSON field (`json_flag`).
use super::err;
#[cfg(feature = "embedded")]
use crate::adapters::from_ms;
use crate::ports::PortError;
use chrono::{DateTime, Utc};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgRow, Postgres};
use sqlx::{Column, PgPool, Row as _, Transaction, TypeInfo};
#[cfg(feature = "embedded")]
use std::borrow::Cow;

#[cfg(feature = "embedded")]
use sqlx::sqlite::{Sqlite, SqliteRow};
#[cfg(feature = "embedded")]
use sqlx::SqlitePool;

#[derive(Clone)]
pub enum Pool {
    Postgres(PgPool),
    #[cfg(feature = "embedded")]
    Sqlite(SqlitePool),
}

/// A value bound to a statement, typed so a NULL has a type too.
#[derive(Debug, Clone)]
pub enum Arg {
    Int(Option<i64>),
    Text(Option<String>),
    Ts(Option<DateTime<Utc>>),
    Json(Option<serde_json::Value>),
    Bool(bool),
}

macro_rules! arg_from {
    ($($t:ty => |$v:ident| $e:expr),* $(,)?) => {
        $(impl From<$t> for Arg {
            fn from($v: $t) -> Arg {
                $e
            }
        })*
    };
}

arg_from! {
    i64 => |v| Arg::Int(Some(v)),
    i32 => |v| Arg::Int(Some(v.into())),
    u32 => |v| Arg::Int(Some(v.into())),
    Option<i64> => |v| Arg::Int(v),
    &str => |v| Arg::Text(Some(v.to_string())),
    String => |v| Arg::Text(Some(v)),
    &String => |v| Arg::Text(Some(v.clone())),
    Option<&str> => |v| Arg::Text(v.map(str::to_string)),
    Option<String> => |v| Arg::Text(v),
    &Option<String> => |v| Arg::Text(v.clone()),
    DateTime<Utc> => |v| Arg::Ts(Some(v)),
    Option<DateTime<Utc>> => |v| Arg::Ts(v),
    serde_json::Value => |v| Arg::Json(Some(v)),
    bool => |v| Arg::Bool(v),
}

/// `args![a, b, c]`: statement arguments from anything `Arg` converts from.
macro_rules! args {
    ($($a:expr),* $(,)?) => { &[$($crate::adapters::sql::db::Arg::from($a)),*][..] };
}
pub(crate) use args;

enum Conn {
    PgTx(Transaction<'static, Postgres>),
    Pg(PoolConnection<Postgres>),
    #[cfg(feature = "embedded")]
    LiteTx(Transaction<'static, Sqlite>),
    #[cfg(feature = "embedded")]
    Lite(PoolConnection<Sqlite>),
}

/// A connection in a transaction (`Pool::write`) or in autocommit (`Pool::read`).
pub struct Tx {
    conn: Conn,
    backend: &'static str,
}

impl Pool {
    pub fn backend(&self) -> &'static str {
        match self {
            Pool::Postgres(_) => "postgres",
            #[cfg(feature = "embedded")]
            Pool::Sqlite(_) => "sqlite",
        }
    }

    /// A write transaction. SQLite's is `BEGIN IMMEDIATE`: a deferred one that later upgrades
    /// its lock fails at once with SQLITE_BUSY, whatever the busy timeout.
    pub async fn write(&self) -> Result<Tx, PortError> {
        let b = self.backend();
        let conn = match self {
            Pool::Postgres(p) => Conn::PgTx(p.begin().await.map_err(|e| err(b, e))?),
            #[cfg(feature = "embedded")]
            Pool::Sqlite(p) => Conn::LiteTx(p.begin_with("BEGIN IMMEDIATE").await.map_err(|e| err(b, e))?),
        };
        Ok(Tx { conn, backend: b })
    }

    /// The statement that opens a write transaction by hand (migrations run on one connection).
    pub fn begin_statement(&self) -> &'static str {
        match self {
            Pool::Postgres(_) => "BEGIN",
            #[cfg(feature = "embedded")]
            Pool::Sqlite(_) => "BEGIN IMMEDIATE",
        }
    }

    /// A connection for single statements, each its own transaction.
    pub async fn read(&self) -> Result<Tx, PortError> {
        let b = self.backend();
        let conn = match self {
            Pool::Postgres(p) => Conn::Pg(p.acquire().await.map_err(|e| err(b, e))?),
            #[cfg(feature = "embedded")]
            Pool::Sqlite(p) => Conn::Lite(p.acquire().await.map_err(|e| err(b, e))?),
        };
        Ok(Tx { conn, backend: b })
    }

    /// A condition true when the JSON column's field is `true`.
    pub fn json_flag(&self, column: &str, field: &str) -> String {
        match self {
            Pool::Postgres(_) => format!("({column}->>'{field}')::boolean"),
            #[cfg(feature = "embedded")]
            Pool::Sqlite(_) => format!("json_extract({column}, '$.{field}') = 1"),
        }
    }
}

/// SQLite has no row locks (its writer holds the whole database): drop PostgreSQL's.
#[cfg(feature = "embedded")]
fn without_row_locks(sql: &str) -> Cow<'_, str> {
    if sql.contains(" FOR UPDATE") || sql.contains(" FOR SHARE") {
        Cow::Owned(sql.replace(" FOR UPDATE", "").replace(" FOR SHARE", ""))
    } else {
        Cow::Borrowed(sql)
    }
}

fn pg_query<'q>(sql: &'q str, args: &'q [Arg]) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
    let mut q = sqlx::query(sql);
    for a in args {
        q = match a {
            Arg::Int(v) => q.bind(*v),
            Arg::Text(v) => q.bind(v.as_deref()),
            Arg::Ts(v) => q.bind(*v),
            Arg::Json(v) => q.bind(v.as_ref().map(sqlx::types::Json)),
            Arg::Bool(v) => q.bind(*v),
        };
    }
    q
}

#[cfg(feature = "embedded")]
fn lite_query<'q>(sql: &'q str, args: &'q [Arg]) -> sqlx::query::Query<'q, Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    let mut q = sqlx::query(sql);
    for a in args {
        q = match a {
            Arg::Int(v) => q.bind(*v),
            Arg::Text(v) => q.bind(v.as_deref()),
            Arg::Ts(v) => q.bind(v.map(|t| t.timestamp_millis())),
            Arg::Json(v) => q.bind(v.as_ref().map(|j| j.to_string())),
            Arg::Bool(v) => q.bind(*v),
        };
    }
    q
}

impl Tx {
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// Runs a statement; returns the rows it changed.
    pub async fn exec(&mut self, sql: &str, args: &[Arg]) -> Result<u64, PortError> {
        let b = self.backend;
        let done = match &mut self.conn {
            Conn::PgTx(c) => pg_query(sql, args).execute(&mut **c).await.map(|r| r.rows_affected()),
            Conn::Pg(c) => pg_query(sql, args).execute(&mut **c).await.map(|r| r.rows_affected()),
            #[cfg(feature = "embedded")]
            Conn::LiteTx(c) => lite_query(&without_row_locks(sql), args).execute(&mut **c).await.map(|r| r.rows_affected()),
            #[cfg(feature = "embedded")]
            Conn::Lite(c) => lite_query(&without_row_locks(sql), args).execute(&mut **c).await.map(|r| r.rows_affected()),
        };
        done.map_err(|e| err(b, e))
    }

    pub async fn all(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<Row>, PortError> {
        let b = self.backend;
        let rows = match &mut self.conn {
            Conn::PgTx(c) => pg_query(sql, args).fetch_all(&mut **c).await.map(|r| r.into_iter().map(Row::Pg).collect()),
            Conn::Pg(c) => pg_query(sql, args).fetch_all(&mut **c).await.map(|r| r.into_iter().map(Row::Pg).collect()),
            #[cfg(feature = "embedded")]
            Conn::LiteTx(c) => {
                lite_query(&without_row_locks(sql), args).fetch_all(&mut **c).await.map(|r| r.into_iter().map(Row::Lite).collect())
            }
            #[cfg(feature = "embedded")]
            Conn::Lite(c) => {
                lite_query(&without_row_locks(sql), args).fetch_all(&mut **c).await.map(|r| r.into_iter().map(Row::Lite).collect())
            }
        };
        rows.map_err(|e| err(b, e))
    }

    /// Runs a script of several statements without arguments (a migration).
    pub async fn script(&mut self, sql: &str) -> Result<(), PortError> {
        let b = self.backend;
        let done = match &mut self.conn {
            Conn::PgTx(c) => sqlx::raw_sql(sql).execute(&mut **c).await.map(drop),
            Conn::Pg(c) => sqlx::raw_sql(sql).execute(&mut **c).await.map(drop),
            #[cfg(feature = "embedded")]
            Conn::LiteTx(c) => sqlx::raw_sql(sql).execute(&mut **c).await.map(drop),
            #[cfg(feature = "embedded")]
            Conn::Lite(c) => sqlx::raw_sql(sql).execute(&mut **c).await.map(drop),
        };
        done.map_err(|e| err(b, e))
    }

    pub async fn opt(&mut self, sql: &str, args: &[Arg]) -> Result<Option<Row>, PortError> {
        Ok(self.all(sql, args).await?.into_iter().next())
    }

    pub async fn one(&mut self, sql: &str, args: &[Arg]) -> Result<Row, PortError> {
        let b = self.backend;
        self.opt(sql, args).await?.ok_or_else(|| PortError::Rejected { backend: b, message: "a statement returned no row".into() })
    }

    /// Commits a write transaction (a `read` connection has nothing to commit).
    pub async fn commit(self) -> Result<(), PortError> {
        let b = self.backend;
        match self.conn {
            Conn::PgTx(t) => t.commit().await.map_err(|e| err(b, e)),
            #[cfg(feature = "embedded")]
            Conn::LiteTx(t) => t.commit().await.map_err(|e| err(b, e)),
            _ => Ok(()),
        }
    }
}

/// A result row; columns are read by name into the store's Rust types.
pub enum Row {
    Pg(PgRow),
    #[cfg(feature = "embedded")]
    Lite(SqliteRow),
}

impl Row {
    fn backend(&self) -> &'static str {
        match self {
            Row::Pg(_) => "postgres",
            #[cfg(feature = "embedded")]
            Row::Lite(_) => "sqlite",
        }
    }

    /// An integer column of any width (PostgreSQL's int2/int4/int8; SQLite's INTEGER).
    pub fn opt_i64(&self, col: &str) -> Result<Option<i64>, PortError> {
        let b = self.backend();
        match self {
            Row::Pg(r) => {
                let ty = r.try_column(col).map_err(|e| err(b, e))?.type_info().name().to_string();
                match ty.as_str() {
                    "INT4" => r.try_get::<Option<i32>, _>(col).map(|v| v.map(i64::from)),
                    "INT2" => r.try_get::<Option<i16>, _>(col).map(|v| v.map(i64::from)),
                    _ => r.try_get::<Option<i64>, _>(col),
                }
                .map_err(|e| err(b, e))
            }
            #[cfg(feature = "embedded")]
            Row::Lite(r) => r.try_get::<Option<i64>, _>(col).map_err(|e| err(b, e)),
        }
    }

    pub fn i64(&self, col: &str) -> Result<i64, PortError> {
        self.opt_i64(col)?.ok_or_else(|| super::corrupt(self.backend(), format!("{col} is NULL")))
    }

    pub fn opt_str(&self, col: &str) -> Result<Option<String>, PortError> {
        let b = self.backend();
        match self {
            Row::Pg(r) => r.try_get::<Option<String>, _>(col).map_err(|e| err(b, e)),
            #[cfg(feature = "embedded")]
            Row::Lite(r) => r.try_get::<Option<String>, _>(col).map_err(|e| err(b, e)),
        }
    }

    pub fn str(&self, col: &str) -> Result<String, PortError> {
        self.opt_str(col)?.ok_or_else(|| super::corrupt(self.backend(), format!("{col} is NULL")))
    }

    pub fn opt_ts(&self, col: &str) -> Result<Option<DateTime<Utc>>, PortError> {
        let b = self.backend();
        match self {
            Row::Pg(r) => r.try_get::<Option<DateTime<Utc>>, _>(col).map_err(|e| err(b, e)),
            #[cfg(feature = "embedded")]
            Row::Lite(r) => r.try_get::<Option<i64>, _>(col).map(|v| v.map(from_ms)).map_err(|e| err(b, e)),
        }
    }

    pub fn ts(&self, col: &str) -> Result<DateTime<Utc>, PortError> {
        self.opt_ts(col)?.ok_or_else(|| super::corrupt(self.backend(), format!("{col} is NULL")))
    }

    pub fn bool(&self, col: &str) -> Result<bool, PortError> {
        let b = self.backend();
        match self {
            Row::Pg(r) => r.try_get::<bool, _>(col).map_err(|e| err(b, e)),
            #[cfg(feature = "embedded")]
            Row::Lite(r) => r.try_get::<i64, _>(col).map(|v| v != 0).map_err(|e| err(b, e)),
        }
    }

    /// A JSON column decoded into `T`.
    pub fn opt_json<T: serde::de::DeserializeOwned>(&self, col: &str) -> Result<Option<T>, PortError> {
        let b = self.backend();
        let value: Option<serde_json::Value> = match self {
            Row::Pg(r) => r.try_get::<Option<serde_json::Value>, _>(col).map_err(|e| err(b, e))?,
            #[cfg(feature = "embedded")]
            Row::Lite(r) => match r.try_get::<Option<String>, _>(col).map_err(|e| err(b, e))? {
                Some(text) => Some(serde_json::from_str(&text).map_err(|e| super::corrupt(b, e))?),
                None => None,
            },
        };
        value.map(serde_json::from_value).transpose().map_err(|e| super::corrupt(b, e))
    }
}

#[cfg(all(test, feature = "embedded"))]
mod tests {
    use super::*;

    #[test]
    fn sqlite_sql_loses_only_the_row_lock_clauses() {
        assert_eq!(without_row_locks("SELECT id FROM claims WHERE id = $1 FOR UPDATE"), "SELECT id FROM claims WHERE id = $1");
        assert_eq!(without_row_locks("SELECT state FROM comments WHERE id = $1 FOR SHARE"), "SELECT state FROM comments WHERE id = $1");
        assert!(matches!(without_row_locks("SELECT 1"), Cow::Borrowed(_)));
    }
}
