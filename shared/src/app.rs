//! Wiring: the adapters the configuration names, assembled into stage dependencies. Failures
//! here are `WiringError`s (a process that can't start), not port errors (a call that failed).
use crate::adapters::cache::RedisCache;
use crate::adapters::clock::SystemClock;
use crate::adapters::kick::HttpKicker;
use crate::adapters::llm_guard::{GuardSettings, GuardedLlm};
use crate::adapters::meta_graph::MetaMessenger;
use crate::adapters::openai::OpenAiLlm;
use crate::adapters::payments::flow::Flow;
use crate::adapters::payments::mercadopago::MercadoPago;
use crate::adapters::payments::paypal::Paypal;
use crate::adapters::payments::{PageCheckout, Urls};
use crate::adapters::redis_streams::RedisEventStream;
use crate::adapters::sql::SqlStore;
use crate::config::{Config, ConfigError, DatabaseUrl};
use crate::pipeline::caches::Caches;
use crate::pipeline::{Deps, Stage};
use crate::ports::{Cache, Clock, EventStream, Llm, PortError, Store};
use crate::secrets::{SecretBox, SecretsError};
use std::sync::Arc;
use std::time::Duration;

/// Why the process could not be put together.
#[derive(Debug, thiserror::Error)]
pub enum WiringError {
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    #[error("connecting to {what}: {source}")]
    Connect { what: &'static str, source: PortError },
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    #[error("{what}: {message}")]
    Client { what: &'static str, message: String },
    #[error("{0}")]
    Unsupported(&'static str),
}

fn connecting(what: &'static str) -> impl FnOnce(PortError) -> WiringError {
    move |source| WiringError::Connect { what, source }
}

pub struct Backends {
    pub store: Arc<dyn Store>,
    pub stream: Arc<dyn EventStream>,
    pub cache: Arc<dyn Cache>,
    /// The key that seals secrets at rest (None: PostgreSQL without `LIVESELL_SECRETS_KEY`).
    pub sealer: Option<Arc<SecretBox>>,
    /// The SQL store itself, for administration (`migrate`).
    pub sql: SqlStore,
}

fn redis_ca(config: &Config) -> Result<Option<Vec<u8>>, WiringError> {
    match &config.redis_ca_file {
        Some(path) => std::fs::read(path)
            .map(Some)
            .map_err(|e| WiringError::Client { what: "REDIS_CA_FILE", message: format!("{}: {e}", path.display()) }),
        None => Ok(None),
    }
}

/// The key from `LIVESELL_SECRETS_KEY`; else, on the embedded default, the key file beside the
/// database (created on first use, so the README's commands need no set-up); else none.
pub fn sealer(config: &Config) -> Result<Option<Arc<SecretBox>>, WiringError> {
    if let Some(key) = &config.secrets_key {
        return Ok(Some(Arc::new(SecretBox::from_base64(key)?)));
    }
    match &config.database {
        DatabaseUrl::Sqlite(url) => {
            let file = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
            let file = file.split('?').next().unwrap_or(file);
            if file.is_empty() || file.contains(":memory:") {
                return Ok(Some(Arc::new(SecretBox::from_base64(&SecretBox::generate_key())?)));
            }
            Ok(Some(Arc::new(SecretBox::from_key_file(std::path::Path::new(&format!("{file}.key")))?)))
        }
        DatabaseUrl::Postgres(_) => Ok(None),
    }
}

/// Connects the store (applying the embedded schema; PostgreSQL's comes from `livesell migrate`),
/// the stream and the cache: Redis for both when `REDIS_URL` is set, else tables of the SQLite
/// store's file (or of `LIVESELL_STREAM_DB` when the store is PostgreSQL).
pub async fn connect(config: &Config) -> Result<Backends, WiringError> {
    let redis = match &config.redis_url {
        Some(url) => {
            let ca = redis_ca(config)?;
            let stream: Arc<dyn EventStream> =
                Arc::new(RedisEventStream::connect_with_ca(url.expose(), ca.clone()).await.map_err(connecting("Redis (stream)"))?);
            let cache: Arc<dyn Cache> = Arc::new(RedisCache::connect(url.expose(), ca).await.map_err(connecting("Redis (cache)"))?);
            Some((stream, cache))
        }
        None => None,
    };
    let sealer = sealer(config)?;
    let (sql, side) = match &config.database {
        DatabaseUrl::Postgres(url) => {
            let store =
                SqlStore::connect_postgres(url.expose(), config.database_max_connections).await.map_err(connecting("PostgreSQL"))?;
            let side = match redis {
                Some(r) => r,
                None => embedded::side_tables(&config.stream_db).await?,
            };
            (store, side)
        }
        DatabaseUrl::Sqlite(url) => embedded::store(url, sealer.clone(), redis).await?,
    };
    let sql = sql.with_sealer(sealer.clone());
    Ok(Backends { store: Arc::new(sql.clone()), stream: side.0, cache: side.1, sealer, sql })
}

type Side = (Arc<dyn EventStream>, Arc<dyn Cache>);

/// The embedded default's pieces, or a clear refusal in builds without it (the Lambda functions).
#[cfg(feature = "embedded")]
mod embedded {
    use super::*;
    use crate::adapters::cache::SqliteCache;
    use crate::adapters::embedded_stream::EmbeddedStream;

    fn on(s: &SqlStore) -> Result<Side, WiringError> {
        let pool = s.sqlite_pool().ok_or(WiringError::Unsupported("the embedded stream needs an SQLite file"))?;
        Ok((Arc::new(EmbeddedStream::new(pool.clone())), Arc::new(SqliteCache::new(pool.clone()))))
    }

    pub async fn side_tables(url: &str) -> Result<Side, WiringError> {
        on(&SqlStore::connect_sqlite(url, None).await.map_err(connecting("the embedded stream's SQLite file"))?)
    }

    pub async fn store(url: &str, sealer: Option<Arc<SecretBox>>, redis: Option<Side>) -> Result<(SqlStore, Side), WiringError> {
        let s = SqlStore::connect_sqlite(url, sealer).await.map_err(connecting("the embedded SQLite store"))?;
        let side = match redis {
            Some(r) => r,
            None => on(&s)?,
        };
        Ok((s, side))
    }
}

#[cfg(not(feature = "embedded"))]
mod embedded {
    use super::*;

    const REFUSED: &str = "this build has no embedded store: set DATABASE_URL=postgres://… and REDIS_URL=redis(s)://…";

    pub async fn side_tables(_url: &str) -> Result<Side, WiringError> {
        Err(WiringError::Unsupported(REFUSED))
    }

    pub async fn store(_url: &str, _sealer: Option<Arc<SecretBox>>, _redis: Option<Side>) -> Result<(SqlStore, Side), WiringError> {
        Err(WiringError::Unsupported(REFUSED))
    }
}

/// Stage dependencies with the real messenger, payment chain, caches and (if configured) LLM.
pub fn deps(config: &Config, backends: Backends, clock: Arc<dyn Clock>) -> Result<Deps, WiringError> {
    let messenger = MetaMessenger::new(&config.meta_graph_url, Duration::from_secs(10))
        .map_err(|e| WiringError::Client { what: "Graph API client", message: e.to_string() })?;
    let payments = checkout(config, backends.store.clone())?;
    let caches = Caches::new(backends.cache, config.settings.streams.prefix()).with_sealer(backends.sealer);
    Ok(Deps::new(backends.store, backends.stream, Arc::new(messenger), Arc::new(payments), clock, config.settings.clone())
        .with_caches(caches)
        .with_llm(llm(config)?))
}

/// Each page's gateways (Flow, Mercado Pago, PayPal) in its order, then the bank transfer.
pub fn checkout(config: &Config, store: Arc<dyn Store>) -> Result<PageCheckout, WiringError> {
    let p = &config.payments;
    let urls = Urls::new(&p.public_url);
    let client = |e: reqwest::Error| WiringError::Client { what: "payment gateway client", message: e.to_string() };
    let providers: Vec<Arc<dyn crate::ports::CheckoutProvider>> = vec![
        Arc::new(Flow::new(&p.flow_base_url, urls.clone()).map_err(client)?),
        Arc::new(MercadoPago::new(&p.mercadopago_base_url, urls.clone()).map_err(client)?),
        Arc::new(Paypal::new(&p.paypal_base_url, urls).map_err(client)?),
    ];
    Ok(PageCheckout::new(store, providers, p.deadline))
}

/// The LLM behind its guard, or None (rules only) — said once at start.
pub fn llm(config: &Config) -> Result<Option<Arc<dyn Llm>>, WiringError> {
    let Some(c) = &config.llm else {
        tracing::info!("LLM_BASE_URL, LLM_API_KEY and LLM_MODEL are unset: intent uses the rules only");
        return Ok(None);
    };
    let inner = OpenAiLlm::new(&c.base_url, c.api_key.clone(), &c.model, c.deadline)
        .map_err(|e| WiringError::Client { what: "LLM client", message: e.to_string() })?;
    let settings = GuardSettings { deadline: c.deadline, per_seller: c.per_seller, ..GuardSettings::default() };
    tracing::info!(model = %c.model, deadline_ms = c.deadline.as_millis() as u64, per_seller = c.per_seller, "LLM for unclear comments");
    Ok(Some(Arc::new(GuardedLlm::new(Arc::new(inner), settings))))
}

/// The usual wall-clock wiring; kicks the next stage's function when kick URLs are configured.
pub async fn connect_deps(config: &Config) -> Result<Deps, WiringError> {
    let backends = connect(config).await?;
    let deps = deps(config, backends, Arc::new(SystemClock))?;
    match &config.kick_secret {
        Some(secret) if !config.kick_urls.is_empty() => {
            let urls = Stage::ALL.into_iter().filter_map(|s| config.kick_urls.get(s.name()).map(|u| (s.input(), u.clone()))).collect();
            let kicker =
                HttpKicker::new(urls, secret.clone()).map_err(|e| WiringError::Client { what: "kick client", message: e.to_string() })?;
            Ok(deps.with_kicker(Arc::new(kicker)))
        }
        _ => Ok(deps),
    }
}
