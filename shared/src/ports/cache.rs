//! Volatile key-value data with a time to live.
use super::PortError;
use async_trait::async_trait;
use std::time::Duration;

/// Redis in production, an embedded table locally. Losing an entry costs a database read, never
/// correctness; an entry is never served after its time to live.
#[async_trait]
pub trait Cache: Send + Sync {
    fn backend(&self) -> &'static str;
    /// The value, if set and not expired.
    async fn get(&self, key: &str) -> Result<Option<String>, PortError>;
    /// Sets (or replaces) the value and its time to live.
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), PortError>;
    /// Removes the key; removing a missing key is harmless.
    async fn delete(&self, key: &str) -> Result<(), PortError>;
}
