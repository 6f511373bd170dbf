//! One module per technology behind the ports.
pub mod clock;
pub mod embedded_stream;
pub mod kick;
pub mod meta_graph;
pub mod payments;
pub mod postgres;
pub mod redis_streams;
pub mod sqlite;

use crate::ports::PortError;
use chrono::{DateTime, TimeZone, Utc};

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

pub(crate) fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

pub(crate) fn corrupt(backend: &'static str, what: impl std::fmt::Display) -> PortError {
    PortError::Rejected { backend, message: format!("unexpected stored value: {what}") }
}
