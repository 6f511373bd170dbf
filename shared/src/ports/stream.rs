//! Streams between stages, the edge's seen-marks and serverless kicks.
use super::PortError;
use async_trait::async_trait;
use serde::Serialize;
use std::time::Duration;

/// One stream entry as delivered to a consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEntry {
    pub id: String,
    pub payload: String,
    /// How many times it has been delivered to the group, this delivery included.
    pub deliveries: u32,
}

/// A group's unfinished work: delivered but unacked, and appended but not yet delivered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Backlog {
    pub pending: u64,
    pub lag: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadLetter {
    /// The entry's id in the dead-letter stream.
    pub id: String,
    pub stream: String,
    pub entry_id: String,
    pub deliveries: u32,
    pub error: String,
    pub payload: String,
}

/// Streams between stages with consumer groups: at-least-once delivery, an entry stays pending
/// until acked, a dead consumer's pending entries can be reclaimed, poison goes to `<stream>:dead`.
#[async_trait]
pub trait EventStream: Send + Sync {
    fn backend(&self) -> &'static str;
    /// Appends a payload; durable once this returns Ok. Returns the entry id.
    async fn append(&self, stream: &str, payload: &str) -> Result<String, PortError>;
    /// Appends several payloads in order (one round trip where the backend allows).
    async fn append_many(&self, stream: &str, payloads: &[String]) -> Result<Vec<String>, PortError> {
        let mut ids = Vec::with_capacity(payloads.len());
        for p in payloads {
            ids.push(self.append(stream, p).await?);
        }
        Ok(ids)
    }
    /// Creates the consumer group at the start of the stream if it does not exist (idempotent).
    async fn ensure_group(&self, stream: &str, group: &str) -> Result<(), PortError>;
    /// Up to `count` entries never delivered to the group, waiting up to `block` when there are
    /// none (`None`: don't wait). Delivered entries stay pending until acked.
    async fn read_new(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        count: usize,
        block: Option<Duration>,
    ) -> Result<Vec<StreamEntry>, PortError>;
    /// Takes over up to `count` entries pending for at least `min_idle` under any consumer (one
    /// that died), counting a new delivery for each.
    async fn reclaim(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        min_idle: Duration,
        count: usize,
    ) -> Result<Vec<StreamEntry>, PortError>;
    /// Marks the entry done for the group. Acking twice is harmless.
    async fn ack(&self, stream: &str, group: &str, id: &str) -> Result<(), PortError>;
    /// Keeps entries this consumer holds pending under it (resets their idle time, counts no
    /// delivery), so a consumer waiting out an outage is not robbed of them by `reclaim`.
    async fn touch(&self, stream: &str, group: &str, consumer: &str, ids: &[String]) -> Result<(), PortError>;
    /// Copies the entry with its error to `<stream>:dead`, then acks it.
    async fn dead_letter(&self, stream: &str, group: &str, entry: &StreamEntry, error: &str) -> Result<(), PortError>;
    async fn backlog(&self, stream: &str, group: &str) -> Result<Backlog, PortError>;
    /// Oldest first.
    async fn dead_letters(&self, stream: &str, limit: usize) -> Result<Vec<DeadLetter>, PortError>;
    /// Appends the dead letter's payload to its stream again and removes it from `<stream>:dead`.
    /// Returns false when no such dead letter exists.
    async fn retry_dead_letter(&self, stream: &str, dead_id: &str) -> Result<bool, PortError>;
    /// A real round trip to the backend.
    async fn ping(&self) -> Result<(), PortError>;
}

/// Short-lived "already seen" marks: the edge's early filter for Meta's redeliveries. Only a
/// hint — the ledger's unique key stays the authority — so a lost mark costs a duplicate append.
#[async_trait]
pub trait SeenMarks: Send + Sync {
    /// For each key, whether it is marked.
    async fn seen(&self, keys: &[String]) -> Result<Vec<bool>, PortError>;
    /// Marks the keys (`SET NX EX`); call only after what they stand for is safely stored.
    async fn mark_seen(&self, keys: &[String], ttl: Duration) -> Result<(), PortError>;
}

/// Serverless chaining: a stage that appended work for the next stage wakes it (Lambda is not
/// triggered by Redis Streams). Best effort: a lost kick is covered by the every-minute schedule.
#[async_trait]
pub trait Kicker: Send + Sync {
    /// Wakes the function consuming `stream` (a stage's input name, e.g. "candidates").
    async fn kick(&self, stream: &'static str);
}

/// Locally every stage blocks on its stream, so nobody needs waking.
pub struct NoKicks;

#[async_trait]
impl Kicker for NoKicks {
    async fn kick(&self, _stream: &'static str) {}
}
