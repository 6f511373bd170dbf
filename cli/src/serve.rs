//! `livesell serve`: HTTP plus every stage as tasks; SIGTERM stops intake, finishes the entries in
//! hand and exits.
use anyhow::{Context, Result};
use shared::config::{Config, DatabaseUrl};
use shared::http::{router, AppState};
use shared::runtime::local::LocalPipeline;
use std::sync::Arc;

pub async fn run() -> Result<()> {
    shared::telemetry::init("info");
    let config = Config::from_env().context("configuration")?;
    let secrets = config.serve_secrets().context("configuration")?;
    if let DatabaseUrl::Postgres(url) = &config.database {
        let store = shared::adapters::sql::SqlStore::connect_postgres(url.expose(), 1).await?;
        let pending = store.pending_migrations().await?;
        store.close().await;
        anyhow::ensure!(pending.is_empty(), "the database schema is behind ({} pending); run `livesell migrate` first", pending.join(", "));
    }
    let deps = Arc::new(shared::app::connect_deps(&config).await.context("connecting the store and the stream")?);
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "local".into());
    let consumer = format!("{host}-{}", std::process::id());
    let pipeline = LocalPipeline::spawn(deps.clone(), &consumer, config.workers, Some(config.sweep_every));
    let app = router(AppState { deps, secrets: Arc::new(secrets) });
    let listener = tokio::net::TcpListener::bind(config.addr).await.with_context(|| format!("binding {}", config.addr))?;
    tracing::info!(addr = %listener.local_addr()?, backends = %config.describe(), "livesell serving");
    shared::runtime::server::serve(listener, app, config.http_timeouts(), shared::runtime::local::shutdown_signal()).await?;
    tracing::info!("HTTP stopped; finishing in-flight entries");
    pipeline.stop().await;
    tracing::info!("stopped cleanly");
    Ok(())
}
