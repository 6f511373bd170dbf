//! The stages' view of the cache port: typed JSON values under `<prefix>:cache:<kind>:<key>`,
//! hit and miss counts per kind (for the replay summary and `/health`), and failures treated as
//! misses — a cache that is down costs a database read, never a comment. Secrets (page tokens)
//! are cached sealed, as the store keeps them, or not at all.
#[cfg(feature = "native")]
use crate::domain::secret::SecretString;
use crate::ports::Cache;
#[cfg(feature = "native")]
use crate::secrets::SecretBox;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// AI answers, by normalised text, catalog version and product on screen.
pub const AI_TTL: Duration = Duration::from_secs(24 * 3600);
/// The catalog of a page during a live (PRD 4.2: 15 minutes), invalidated when it changes.
pub const CATALOG_TTL: Duration = Duration::from_secs(15 * 60);
/// A page's Graph API token (PRD 4.2: 24 h), invalidated when it is replaced or refused.
pub const TOKEN_TTL: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct HitRate {
    pub hits: u64,
    pub misses: u64,
    /// hits / (hits + misses), 0 when unused.
    pub hit_rate: f64,
}

pub struct Caches {
    cache: Option<Arc<dyn Cache>>,
    prefix: String,
    stats: Mutex<BTreeMap<&'static str, (u64, u64)>>,
    #[cfg(feature = "native")]
    sealer: Option<Arc<SecretBox>>,
}

impl Caches {
    pub fn new(cache: Arc<dyn Cache>, prefix: &str) -> Self {
        Caches {
            cache: Some(cache),
            prefix: prefix.to_string(),
            stats: Mutex::new(BTreeMap::new()),
            #[cfg(feature = "native")]
            sealer: None,
        }
    }

    /// No cache: every read goes to the store.
    pub fn disabled() -> Self {
        Caches {
            cache: None,
            prefix: String::new(),
            stats: Mutex::new(BTreeMap::new()),
            #[cfg(feature = "native")]
            sealer: None,
        }
    }

    /// Secrets are cached sealed with this key (without one they are not cached).
    #[cfg(feature = "native")]
    pub fn with_sealer(mut self, sealer: Option<Arc<SecretBox>>) -> Self {
        self.sealer = sealer;
        self
    }

    #[cfg(feature = "native")]
    pub async fn get_secret(&self, kind: &'static str, key: &str) -> Option<SecretString> {
        let sealer = self.sealer.as_ref()?;
        let sealed: String = self.get(kind, key).await?;
        sealer.open(&format!("cache:{kind}:{key}"), &sealed).ok()
    }

    #[cfg(feature = "native")]
    pub async fn put_secret(&self, kind: &'static str, key: &str, value: &SecretString, ttl: Duration) {
        let Some(sealer) = &self.sealer else { return };
        let sealed = sealer.seal(&format!("cache:{kind}:{key}"), value.expose());
        self.put(kind, key, &sealed, ttl).await;
    }

    pub fn backend(&self) -> Option<&'static str> {
        self.cache.as_ref().map(|c| c.backend())
    }

    fn key(&self, kind: &str, key: &str) -> String {
        format!("{}:cache:{kind}:{key}", self.prefix)
    }

    fn count(&self, kind: &'static str, hit: bool) {
        let mut stats = self.stats.lock().unwrap_or_else(|p| p.into_inner());
        let e = stats.entry(kind).or_default();
        if hit {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }

    pub async fn get<T: DeserializeOwned>(&self, kind: &'static str, key: &str) -> Option<T> {
        let cache = self.cache.as_ref()?;
        let found = match cache.get(&self.key(kind, key)).await {
            Ok(v) => v.and_then(|raw| serde_json::from_str(&raw).ok()),
            Err(e) => {
                tracing::warn!(kind, error = %e, "cache read failed; reading the store");
                None
            }
        };
        self.count(kind, found.is_some());
        found
    }

    pub async fn put<T: Serialize>(&self, kind: &'static str, key: &str, value: &T, ttl: Duration) {
        let Some(cache) = &self.cache else { return };
        let Ok(raw) = serde_json::to_string(value) else { return };
        if let Err(e) = cache.set(&self.key(kind, key), &raw, ttl).await {
            tracing::warn!(kind, error = %e, "cache write failed");
        }
    }

    pub async fn invalidate(&self, kind: &'static str, key: &str) {
        let Some(cache) = &self.cache else { return };
        if let Err(e) = cache.delete(&self.key(kind, key)).await {
            tracing::warn!(kind, error = %e, "cache invalidation failed; the entry expires by its TTL");
        }
    }

    pub fn stats(&self) -> BTreeMap<String, HitRate> {
        let stats = self.stats.lock().unwrap_or_else(|p| p.into_inner());
        stats
            .iter()
            .map(|(k, (h, m))| {
                let total = h + m;
                (k.to_string(), HitRate { hits: *h, misses: *m, hit_rate: if total == 0 { 0.0 } else { *h as f64 / total as f64 } })
            })
            .collect()
    }
}
