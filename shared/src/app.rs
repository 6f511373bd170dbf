//! Wiring: the adapters the configuration names, assembled into stage dependencies.
use crate::adapters::clock::SystemClock;
use crate::adapters::embedded_stream::EmbeddedStream;
use crate::adapters::kick::HttpKicker;
use crate::adapters::meta_graph::MetaMessenger;
use crate::adapters::payments::{FallbackPayments, TransferPayments};
use crate::adapters::postgres::PostgresStore;
use crate::adapters::redis_streams::RedisEventStream;
use crate::adapters::sqlite::SqliteStore;
use crate::config::{Config, DatabaseUrl};
use crate::ports::{Clock, EventStream, PortError, Store};
use crate::stages::{Deps, Stage};
use std::sync::Arc;
use std::time::Duration;

pub struct Backends {
    pub store: Arc<dyn Store>,
    pub stream: Arc<dyn EventStream>,
}

/// Connects the store (applying the embedded schema; PostgreSQL's comes from `livesell migrate`)
/// and the stream. The embedded stream shares the SQLite store's file when there is one.
pub async fn connect(config: &Config) -> Result<Backends, PortError> {
    let (store, sqlite): (Arc<dyn Store>, Option<SqliteStore>) = match &config.database {
        DatabaseUrl::Sqlite(url) => {
            let s = SqliteStore::connect(url).await?;
            (Arc::new(s.clone()), Some(s))
        }
        DatabaseUrl::Postgres(url) => (Arc::new(PostgresStore::connect(url.expose(), config.database_max_connections).await?), None),
    };
    let stream: Arc<dyn EventStream> = match (&config.redis_url, sqlite) {
        (Some(url), _) => {
            let ca = match &config.redis_ca_file {
                Some(path) => Some(
                    std::fs::read(path)
                        .map_err(|e| PortError::Rejected { backend: "redis", message: format!("REDIS_CA_FILE {}: {e}", path.display()) })?,
                ),
                None => None,
            };
            Arc::new(RedisEventStream::connect_with_ca(url.expose(), ca).await?)
        }
        (None, Some(s)) => Arc::new(EmbeddedStream::new(s.pool().clone())),
        (None, None) => Arc::new(EmbeddedStream::new(SqliteStore::connect(&config.stream_db).await?.pool().clone())),
    };
    Ok(Backends { store, stream })
}

/// Stage dependencies with the real messenger and payment chain.
pub fn deps(config: &Config, backends: Backends, clock: Arc<dyn Clock>) -> Result<Deps, PortError> {
    let messenger = MetaMessenger::new(&config.meta_graph_url, Duration::from_secs(10))
        .map_err(|e| PortError::Rejected { backend: "meta-graph", message: e.to_string() })?;
    let payments = FallbackPayments::new(vec![Arc::new(TransferPayments)]);
    Ok(Deps::new(backends.store, backends.stream, Arc::new(messenger), Arc::new(payments), clock, config.settings.clone()))
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
