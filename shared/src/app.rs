//! Wiring: the adapters the configuration names, assembled into stage dependencies.
use crate::adapters::cache::RedisCache;
use crate::adapters::clock::SystemClock;
use crate::adapters::kick::HttpKicker;
use crate::adapters::llm_guard::{GuardSettings, GuardedLlm};
use crate::adapters::meta_graph::MetaMessenger;
use crate::adapters::openai::OpenAiLlm;
use crate::adapters::payments::{FallbackPayments, TransferPayments};
use crate::adapters::postgres::PostgresStore;
use crate::adapters::redis_streams::RedisEventStream;
use crate::config::{Config, DatabaseUrl};
use crate::ports::{Cache, Clock, EventStream, Llm, PortError, Store};
use crate::stages::caches::Caches;
use crate::stages::{Deps, Stage};
use std::sync::Arc;
use std::time::Duration;

pub struct Backends {
    pub store: Arc<dyn Store>,
    pub stream: Arc<dyn EventStream>,
    pub cache: Arc<dyn Cache>,
}

fn redis_ca(config: &Config) -> Result<Option<Vec<u8>>, PortError> {
    match &config.redis_ca_file {
        Some(path) => std::fs::read(path)
            .map(Some)
            .map_err(|e| PortError::Rejected { backend: "redis", message: format!("REDIS_CA_FILE {}: {e}", path.display()) }),
        None => Ok(None),
    }
}

/// Connects the store (applying the embedded schema; PostgreSQL's comes from `livesell migrate`),
/// the stream and the cache: Redis for both when `REDIS_URL` is set, else tables of the SQLite
/// store's file (or of `LIVESELL_STREAM_DB` when the store is PostgreSQL).
pub async fn connect(config: &Config) -> Result<Backends, PortError> {
    let redis = match &config.redis_url {
        Some(url) => {
            let ca = redis_ca(config)?;
            let stream: Arc<dyn EventStream> = Arc::new(RedisEventStream::connect_with_ca(url.expose(), ca.clone()).await?);
            let cache: Arc<dyn Cache> = Arc::new(RedisCache::connect(url.expose(), ca).await?);
            Some((stream, cache))
        }
        None => None,
    };
    match &config.database {
        DatabaseUrl::Postgres(url) => {
            let store: Arc<dyn Store> = Arc::new(PostgresStore::connect(url.expose(), config.database_max_connections).await?);
            let (stream, cache) = match redis {
                Some(r) => r,
                None => embedded::side_tables(&config.stream_db).await?,
            };
            Ok(Backends { store, stream, cache })
        }
        DatabaseUrl::Sqlite(url) => embedded::backends(url, redis).await,
    }
}

/// The embedded default's pieces, or a clear refusal in builds without it (the Lambda functions).
#[cfg(feature = "embedded")]
mod embedded {
    use super::*;
    use crate::adapters::cache::SqliteCache;
    use crate::adapters::embedded_stream::EmbeddedStream;
    use crate::adapters::sqlite::SqliteStore;

    type Pair = (Arc<dyn EventStream>, Arc<dyn Cache>);

    fn on(s: &SqliteStore) -> Pair {
        (Arc::new(EmbeddedStream::new(s.pool().clone())), Arc::new(SqliteCache::new(s.pool().clone())))
    }

    pub async fn side_tables(url: &str) -> Result<Pair, PortError> {
        Ok(on(&SqliteStore::connect(url).await?))
    }

    pub async fn backends(url: &str, redis: Option<Pair>) -> Result<Backends, PortError> {
        let s = SqliteStore::connect(url).await?;
        let (stream, cache) = redis.unwrap_or_else(|| on(&s));
        Ok(Backends { store: Arc::new(s), stream, cache })
    }
}

#[cfg(not(feature = "embedded"))]
mod embedded {
    use super::*;

    fn refused() -> PortError {
        PortError::Rejected {
            backend: "config",
            message: "this build has no embedded store: set DATABASE_URL=postgres://… and REDIS_URL=redis(s)://…".into(),
        }
    }

    pub async fn side_tables(_url: &str) -> Result<(Arc<dyn EventStream>, Arc<dyn Cache>), PortError> {
        Err(refused())
    }

    pub async fn backends(_url: &str, _redis: Option<(Arc<dyn EventStream>, Arc<dyn Cache>)>) -> Result<Backends, PortError> {
        Err(refused())
    }
}

/// Stage dependencies with the real messenger, payment chain, caches and (if configured) LLM.
pub fn deps(config: &Config, backends: Backends, clock: Arc<dyn Clock>) -> Result<Deps, PortError> {
    let messenger = MetaMessenger::new(&config.meta_graph_url, Duration::from_secs(10))
        .map_err(|e| PortError::Rejected { backend: "meta-graph", message: e.to_string() })?;
    let payments = FallbackPayments::new(vec![Arc::new(TransferPayments)]);
    let caches = Caches::new(backends.cache, config.settings.streams.prefix());
    Ok(Deps::new(backends.store, backends.stream, Arc::new(messenger), Arc::new(payments), clock, config.settings.clone())
        .with_caches(caches)
        .with_llm(llm(config)?))
}

/// The LLM behind its guard, or None (rules only) — said once at start.
pub fn llm(config: &Config) -> Result<Option<Arc<dyn Llm>>, PortError> {
    let Some(c) = &config.llm else {
        tracing::info!("LLM_BASE_URL, LLM_API_KEY and LLM_MODEL are unset: intent uses the rules only");
        return Ok(None);
    };
    let inner = OpenAiLlm::new(&c.base_url, c.api_key.clone(), &c.model, c.deadline)
        .map_err(|e| PortError::Rejected { backend: "llm", message: e.to_string() })?;
    let settings = GuardSettings { deadline: c.deadline, per_seller: c.per_seller, ..GuardSettings::default() };
    tracing::info!(model = %c.model, deadline_ms = c.deadline.as_millis() as u64, per_seller = c.per_seller, "LLM for unclear comments");
    Ok(Some(Arc::new(GuardedLlm::new(Arc::new(inner), settings))))
}

/// The usual wall-clock wiring; kicks the next stage's function when kick URLs are configured.
pub async fn connect_deps(config: &Config) -> Result<Deps, PortError> {
    let backends = connect(config).await?;
    let deps = deps(config, backends, Arc::new(SystemClock))?;
    match &config.kick_secret {
        Some(secret) if !config.kick_urls.is_empty() => {
            let urls = Stage::ALL.into_iter().filter_map(|s| config.kick_urls.get(s.name()).map(|u| (s.input(), u.clone()))).collect();
            let kicker =
                HttpKicker::new(urls, secret.clone()).map_err(|e| PortError::Rejected { backend: "kick", message: e.to_string() })?;
            Ok(deps.with_kicker(Arc::new(kicker)))
        }
        _ => Ok(deps),
    }
}
