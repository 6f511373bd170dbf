//! # Embedded event stream
//! The Redis Streams consumer-group contract on an SQLite file: entries, per-group cursor, pending
//! entries with delivery counts, reclaim and a dead-letter stream. Durable, so pending work
//! survives a restart; readers in this process are woken by a `Notify` instead of polling.
use super::{db_error, from_ms, parse_dead_letter, to_ms};
use crate::ports::{Backlog, DeadLetter, EventStream, PortError, StreamEntry};
use async_trait::async_trait;
use chrono::Utc;
use sqlx::{Row, SqlitePool};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

const B: &str = "embedded-stream";

fn err(e: sqlx::Error) -> PortError {
    db_error(B, e)
}

#[derive(Clone)]
pub struct EmbeddedStream {
    pool: SqlitePool,
    /// One wake-up per stream, so an append wakes only that stream's readers.
    appended: Arc<Mutex<HashMap<String, Arc<Notify>>>>,
}

impl EmbeddedStream {
    /// Uses an SQLite pool whose database has the embedded schema (`SqliteStore::connect` applies it).
    pub fn new(pool: SqlitePool) -> Self {
        EmbeddedStream { pool, appended: Arc::new(Mutex::new(HashMap::new())) }
    }

    fn notifier(&self, stream: &str) -> Arc<Notify> {
        let mut map = self.appended.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(stream.to_string()).or_insert_with(|| Arc::new(Notify::new())).clone()
    }

    async fn deliveries(&self, stream: &str, group: &str, seqs: &[i64]) -> Result<Vec<StreamEntry>, PortError> {
        let mut out = Vec::with_capacity(seqs.len());
        for seq in seqs {
            let row = sqlx::query(
                "SELECT e.payload, p.deliveries FROM stream_entries e JOIN stream_pending p ON p.seq = e.seq \
                 WHERE p.stream = ?1 AND p.grp = ?2 AND e.seq = ?3",
            )
            .bind(stream)
            .bind(group)
            .bind(seq)
            .fetch_optional(&self.pool)
            .await
            .map_err(err)?;
            if let Some(r) = row {
                out.push(StreamEntry {
                    id: seq.to_string(),
                    payload: r.try_get("payload").map_err(err)?,
                    deliveries: r.try_get::<i64, _>("deliveries").map_err(err)? as u32,
                });
            }
        }
        Ok(out)
    }

    async fn read_once(&self, stream: &str, group: &str, consumer: &str, count: usize) -> Result<Vec<StreamEntry>, PortError> {
        // Look before taking the write lock: most wake-ups of an idle reader find nothing.
        let waiting: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM stream_entries WHERE stream = ?1 AND seq > COALESCE((SELECT last_seq FROM stream_groups WHERE stream = ?1 AND grp = ?2), 0) LIMIT 1",
        )
        .bind(stream)
        .bind(group)
        .fetch_optional(&self.pool)
        .await
        .map_err(err)?;
        if waiting.is_none() {
            return Ok(Vec::new());
        }
        let now = to_ms(Utc::now());
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(err)?;
        let last: Option<i64> = sqlx::query_scalar("SELECT last_seq FROM stream_groups WHERE stream = ?1 AND grp = ?2")
            .bind(stream)
            .bind(group)
            .fetch_optional(&mut *tx)
            .await
            .map_err(err)?;
        let Some(last) = last else {
            return Err(PortError::NotFound(format!("consumer group {group} on {stream}")));
        };
        let seqs: Vec<i64> = sqlx::query_scalar("SELECT seq FROM stream_entries WHERE stream = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")
            .bind(stream)
            .bind(last)
            .bind(count as i64)
            .fetch_all(&mut *tx)
            .await
            .map_err(err)?;
        for seq in &seqs {
            sqlx::query("INSERT INTO stream_pending (stream, grp, seq, consumer, delivered_at, deliveries) VALUES (?1, ?2, ?3, ?4, ?5, 1)")
                .bind(stream)
                .bind(group)
                .bind(seq)
                .bind(consumer)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(err)?;
        }
        if let Some(max) = seqs.last() {
            sqlx::query("UPDATE stream_groups SET last_seq = ?3 WHERE stream = ?1 AND grp = ?2")
                .bind(stream)
                .bind(group)
                .bind(max)
                .execute(&mut *tx)
                .await
                .map_err(err)?;
        }
        tx.commit().await.map_err(err)?;
        self.deliveries(stream, group, &seqs).await
    }
}

fn parse_seq(id: &str) -> Result<i64, PortError> {
    id.parse().map_err(|_| PortError::Rejected { backend: B, message: format!("bad entry id {id:?}") })
}

fn dead_stream(stream: &str) -> String {
    format!("{stream}:dead")
}

#[async_trait]
impl EventStream for EmbeddedStream {
    fn backend(&self) -> &'static str {
        B
    }

    async fn append(&self, stream: &str, payload: &str) -> Result<String, PortError> {
        let seq: i64 = sqlx::query_scalar("INSERT INTO stream_entries (stream, payload, created_at) VALUES (?1, ?2, ?3) RETURNING seq")
            .bind(stream)
            .bind(payload)
            .bind(to_ms(Utc::now()))
            .fetch_one(&self.pool)
            .await
            .map_err(err)?;
        self.notifier(stream).notify_waiters();
        Ok(seq.to_string())
    }

    async fn ensure_group(&self, stream: &str, group: &str) -> Result<(), PortError> {
        // Like XGROUP CREATE … 0 MKSTREAM: a new group starts before the first entry.
        sqlx::query("INSERT INTO stream_groups (stream, grp, last_seq) VALUES (?1, ?2, 0) ON CONFLICT DO NOTHING")
            .bind(stream)
            .bind(group)
            .execute(&self.pool)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn read_new(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        count: usize,
        block: Option<Duration>,
    ) -> Result<Vec<StreamEntry>, PortError> {
        let deadline = block.map(|b| tokio::time::Instant::now() + b);
        loop {
            // Register interest before looking, so an append between the look and the wait is not missed.
            let notify = self.notifier(stream);
            let woken = notify.notified();
            let got = self.read_once(stream, group, consumer, count).await?;
            if !got.is_empty() {
                return Ok(got);
            }
            let Some(deadline) = deadline else { return Ok(got) };
            // Other processes may append to the same file: wake up periodically to look.
            let poll = tokio::time::Instant::now() + Duration::from_millis(250);
            if tokio::time::timeout_at(deadline.min(poll), woken).await.is_err() && tokio::time::Instant::now() >= deadline {
                return Ok(Vec::new());
            }
        }
    }

    async fn reclaim(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        min_idle: Duration,
        count: usize,
    ) -> Result<Vec<StreamEntry>, PortError> {
        let now = to_ms(Utc::now());
        let cutoff = now - min_idle.as_millis() as i64;
        let stale: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM stream_pending WHERE stream = ?1 AND grp = ?2 AND delivered_at <= ?3 LIMIT 1")
                .bind(stream)
                .bind(group)
                .bind(cutoff)
                .fetch_optional(&self.pool)
                .await
                .map_err(err)?;
        if stale.is_none() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(err)?;
        let seqs: Vec<i64> = sqlx::query_scalar(
            "SELECT seq FROM stream_pending WHERE stream = ?1 AND grp = ?2 AND delivered_at <= ?3 ORDER BY seq LIMIT ?4",
        )
        .bind(stream)
        .bind(group)
        .bind(cutoff)
        .bind(count as i64)
        .fetch_all(&mut *tx)
        .await
        .map_err(err)?;
        for seq in &seqs {
            sqlx::query(
                "UPDATE stream_pending SET consumer = ?4, delivered_at = ?5, deliveries = deliveries + 1 \
                 WHERE stream = ?1 AND grp = ?2 AND seq = ?3",
            )
            .bind(stream)
            .bind(group)
            .bind(seq)
            .bind(consumer)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        }
        tx.commit().await.map_err(err)?;
        self.deliveries(stream, group, &seqs).await
    }

    async fn touch(&self, stream: &str, group: &str, consumer: &str, ids: &[String]) -> Result<(), PortError> {
        if ids.is_empty() {
            return Ok(());
        }
        let now = to_ms(Utc::now());
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(err)?;
        for id in ids {
            sqlx::query("UPDATE stream_pending SET consumer = ?4, delivered_at = ?5 WHERE stream = ?1 AND grp = ?2 AND seq = ?3")
                .bind(stream)
                .bind(group)
                .bind(parse_seq(id)?)
                .bind(consumer)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(err)?;
        }
        tx.commit().await.map_err(err)
    }

    async fn ack(&self, stream: &str, group: &str, id: &str) -> Result<(), PortError> {
        sqlx::query("DELETE FROM stream_pending WHERE stream = ?1 AND grp = ?2 AND seq = ?3")
            .bind(stream)
            .bind(group)
            .bind(parse_seq(id)?)
            .execute(&self.pool)
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn dead_letter(&self, stream: &str, group: &str, entry: &StreamEntry, error: &str) -> Result<(), PortError> {
        let body = super::dead_letter_body(stream, entry, error);
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(err)?;
        sqlx::query("INSERT INTO stream_entries (stream, payload, created_at) VALUES (?1, ?2, ?3)")
            .bind(dead_stream(stream))
            .bind(&body)
            .bind(to_ms(Utc::now()))
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        sqlx::query("DELETE FROM stream_pending WHERE stream = ?1 AND grp = ?2 AND seq = ?3")
            .bind(stream)
            .bind(group)
            .bind(parse_seq(&entry.id)?)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        tx.commit().await.map_err(err)?;
        Ok(())
    }

    async fn backlog(&self, stream: &str, group: &str) -> Result<Backlog, PortError> {
        // One statement, so both counts come from the same snapshot: counted apart, an entry being
        // read between the two would be seen neither pending nor waiting.
        let (pending, lag): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM stream_pending WHERE stream = ?1 AND grp = ?2), \
                    (SELECT COUNT(*) FROM stream_entries WHERE stream = ?1 \
                       AND seq > COALESCE((SELECT last_seq FROM stream_groups WHERE stream = ?1 AND grp = ?2), 0))",
        )
        .bind(stream)
        .bind(group)
        .fetch_one(&self.pool)
        .await
        .map_err(err)?;
        Ok(Backlog { pending: pending as u64, lag: lag as u64 })
    }

    async fn dead_letters(&self, stream: &str, limit: usize) -> Result<Vec<DeadLetter>, PortError> {
        let rows = sqlx::query("SELECT seq, payload, created_at FROM stream_entries WHERE stream = ?1 ORDER BY seq LIMIT ?2")
            .bind(dead_stream(stream))
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await
            .map_err(err)?;
        rows.iter()
            .map(|r| {
                let seq: i64 = r.try_get("seq").map_err(err)?;
                let _at = from_ms(r.try_get("created_at").map_err(err)?);
                parse_dead_letter(&seq.to_string(), &r.try_get::<String, _>("payload").map_err(err)?, B)
            })
            .collect()
    }

    async fn retry_dead_letter(&self, stream: &str, dead_id: &str) -> Result<bool, PortError> {
        let seq = parse_seq(dead_id)?;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(err)?;
        let body: Option<String> = sqlx::query_scalar("DELETE FROM stream_entries WHERE stream = ?1 AND seq = ?2 RETURNING payload")
            .bind(dead_stream(stream))
            .bind(seq)
            .fetch_optional(&mut *tx)
            .await
            .map_err(err)?;
        let Some(body) = body else { return Ok(false) };
        let dead = parse_dead_letter(dead_id, &body, B)?;
        sqlx::query("INSERT INTO stream_entries (stream, payload, created_at) VALUES (?1, ?2, ?3)")
            .bind(stream)
            .bind(&dead.payload)
            .bind(to_ms(Utc::now()))
            .execute(&mut *tx)
            .await
            .map_err(err)?;
        tx.commit().await.map_err(err)?;
        self.notifier(stream).notify_waiters();
        Ok(true)
    }

    async fn ping(&self) -> Result<(), PortError> {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM stream_groups").fetch_one(&self.pool).await.map_err(err)?;
        Ok(())
    }
}
