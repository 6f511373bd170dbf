//! One module per technology behind the ports.
#[cfg(feature = "native")]
pub mod cache;
pub mod clock;
#[cfg(feature = "embedded")]
pub mod embedded_stream;
#[cfg(feature = "native")]
pub mod kick;
#[cfg(feature = "native")]
pub mod llm_guard;
#[cfg(feature = "native")]
pub mod meta_graph;
#[cfg(feature = "native")]
pub mod openai;
#[cfg(feature = "native")]
pub mod payments;
#[cfg(feature = "native")]
pub mod redis_streams;
#[cfg(feature = "native")]
pub mod sql;
pub mod upstash;

use crate::ports::{DeadLetter, PortError, StreamEntry};
use chrono::{DateTime, TimeZone, Utc};

#[cfg(feature = "native")]
/// Sorts sqlx failures: lost connections, pool timeouts, lock contention, serialization failures
/// and deadlocks are worth retrying; constraint violations and bad data are not.
pub(crate) fn db_error(backend: &'static str, e: sqlx::Error) -> PortError {
    let transient = match &e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Tls(_) | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => matches!(
            db.code().as_deref(),
            // SQLite: BUSY, LOCKED (and extended codes); PostgreSQL: serialization, deadlock,
            // admin shutdown, too many connections, cannot connect now.
            Some("5" | "6" | "261" | "262" | "517" | "40001" | "40P01" | "57P01" | "57P03" | "53300")
        ),
        _ => false,
    };
    if transient {
        PortError::Unavailable { backend, message: e.to_string() }
    } else {
        PortError::Rejected { backend, message: e.to_string() }
    }
}

#[cfg(feature = "embedded")]
pub(crate) fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

pub(crate) fn corrupt(backend: &'static str, what: impl std::fmt::Display) -> PortError {
    PortError::Rejected { backend, message: format!("unexpected stored value: {what}") }
}

/// The dead-letter body every stream adapter writes (read back by `parse_dead_letter`).
pub(crate) fn dead_letter_body(stream: &str, entry: &StreamEntry, error: &str) -> String {
    serde_json::json!({
        "stream": stream, "entry_id": entry.id, "deliveries": entry.deliveries,
        "error": error, "payload": entry.payload, "at": chrono::Utc::now().to_rfc3339(),
    })
    .to_string()
}

/// The dead-letter body every stream adapter writes.
pub(crate) fn parse_dead_letter(id: &str, body: &str, backend: &'static str) -> Result<DeadLetter, PortError> {
    let v: serde_json::Value = serde_json::from_str(body).map_err(|e| corrupt(backend, e))?;
    let s = |k: &str| v.get(k).and_then(serde_json::Value::as_str).unwrap_or_default().to_string();
    Ok(DeadLetter {
        id: id.to_string(),
        stream: s("stream"),
        entry_id: s("entry_id"),
        deliveries: v.get("deliveries").and_then(serde_json::Value::as_u64).unwrap_or(0) as u32,
        error: s("error"),
        payload: s("payload"),
    })
}
