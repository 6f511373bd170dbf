//! # Caches
//! Redis (`SET … EX`) in production; locally an SQLite table with expiry times, shared by every
//! process on the same file so an invalidation in one (a catalog import) reaches the others.
#[cfg(feature = "embedded")]
use super::{db_error, to_ms};
use crate::ports::{Cache, PortError};
use async_trait::async_trait;
#[cfg(feature = "embedded")]
use chrono::Utc;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::time::Duration;

#[cfg(feature = "embedded")]
pub struct SqliteCache {
    pool: sqlx::SqlitePool,
}

#[cfg(feature = "embedded")]
impl SqliteCache {
    /// A pool whose database has the embedded schema (`SqliteStore::connect` applies it).
    pub fn new(pool: sqlx::SqlitePool) -> Self {
        SqliteCache { pool }
    }
}

#[cfg(feature = "embedded")]
#[async_trait]
impl Cache for SqliteCache {
    fn backend(&self) -> &'static str {
        "embedded-cache"
    }

    async fn get(&self, key: &str) -> Result<Option<String>, PortError> {
        sqlx::query_scalar("SELECT value FROM cache_entries WHERE key = ?1 AND expires_at > ?2")
            .bind(key)
            .bind(to_ms(Utc::now()))
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| db_error("embedded-cache", e))
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), PortError> {
        let now = to_ms(Utc::now());
        // Expired entries are dropped on the way, so the table stays the size of what is live.
        sqlx::query("DELETE FROM cache_entries WHERE expires_at <= ?1")
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(|e| db_error("embedded-cache", e))?;
        sqlx::query("INSERT INTO cache_entries (key, value, expires_at) VALUES (?1, ?2, ?3) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at")
            .bind(key)
            .bind(value)
            .bind(now + ttl.as_millis() as i64)
            .execute(&self.pool)
            .await
            .map_err(|e| db_error("embedded-cache", e))?;
        Ok(())
    }

    async fn delete(&self, key: &str) -> Result<(), PortError> {
        sqlx::query("DELETE FROM cache_entries WHERE key = ?1")
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(|e| db_error("embedded-cache", e))?;
        Ok(())
    }
}

pub struct RedisCache {
    conn: ConnectionManager,
}

fn redis_err(e: redis::RedisError) -> PortError {
    PortError::Unavailable { backend: "redis-cache", message: e.to_string() }
}

impl RedisCache {
    pub async fn connect(url: &str, root_ca: Option<Vec<u8>>) -> Result<Self, PortError> {
        let client = match root_ca {
            None => redis::Client::open(url).map_err(redis_err)?,
            Some(pem) => {
                redis::Client::build_with_tls(url, redis::TlsCertificates { client_tls: None, root_cert: Some(pem) }).map_err(redis_err)?
            }
        };
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(5)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(2);
        Ok(RedisCache { conn: client.get_connection_manager_with_config(config).await.map_err(redis_err)? })
    }
}

#[async_trait]
impl Cache for RedisCache {
    fn backend(&self) -> &'static str {
        "redis-cache"
    }

    async fn get(&self, key: &str) -> Result<Option<String>, PortError> {
        redis::cmd("GET").arg(key).query_async(&mut self.conn.clone()).await.map_err(redis_err)
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), PortError> {
        redis::cmd("SET")
            .arg(key)
            .arg(value)
            .arg("PX")
            .arg(ttl.as_millis().max(1) as u64)
            .query_async::<()>(&mut self.conn.clone())
            .await
            .map_err(redis_err)
    }

    async fn delete(&self, key: &str) -> Result<(), PortError> {
        redis::cmd("DEL").arg(key).query_async::<i64>(&mut self.conn.clone()).await.map(|_| ()).map_err(redis_err)
    }
}
