//! The local host: every stage as tokio tasks in one process, plus the expiry sweep.
use super::consumer;
use crate::pipeline::{Deps, Stage};
use crate::stages::sweep;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub struct LocalPipeline {
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl LocalPipeline {
    /// `workers` consumers per stage (named `<prefix>-<stage>-<n>`); a sweep every `sweep_every` if given.
    pub fn spawn(deps: Arc<Deps>, consumer_prefix: &str, workers: usize, sweep_every: Option<Duration>) -> Self {
        let (tx, rx) = watch::channel(false);
        let mut tasks = Vec::new();
        for stage in Stage::ALL {
            for n in 0..workers.max(1) {
                let name = format!("{consumer_prefix}-{}-{n}", stage.name());
                tasks.push(tokio::spawn(consumer::run(deps.clone(), stage, name, rx.clone())));
            }
        }
        if let Some(every) = sweep_every {
            let deps = deps.clone();
            let mut rx = rx.clone();
            tasks.push(tokio::spawn(async move {
                while !*rx.borrow() {
                    if let Err(e) = sweep::run(&deps).await {
                        tracing::error!(error = %e, "sweep failed");
                    }
                    let _ = tokio::time::timeout(every, rx.changed()).await;
                }
            }));
        }
        LocalPipeline { shutdown: tx, tasks }
    }

    /// Asks every task to stop after the entry in hand and waits for them.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// True once every stage's stream has nothing pending or undelivered (polls until `timeout`).
pub async fn wait_idle(deps: &Deps, timeout: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let mut idle = true;
        for stage in Stage::ALL {
            match deps.stream.backlog(&deps.settings.streams.key(stage), stage.name()).await {
                Ok(b) if b.pending == 0 && b.lag == 0 => {}
                _ => {
                    idle = false;
                    break;
                }
            }
        }
        if idle {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Why a stage process could not run.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("configuration: {0}")]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Wiring(#[from] crate::app::WiringError),
    #[error(transparent)]
    Port(#[from] crate::ports::PortError),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    #[error("lambda runtime: {0}")]
    Lambda(String),
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = ctrl_c => {},
                _ = term.recv() => {},
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the process");
            let _ = ctrl_c.await;
        }
    }
}

fn consumer_name(stage: &str) -> String {
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_default();
    format!("{}-{stage}-{}", if host.is_empty() { "local" } else { &host }, std::process::id())
}

/// One stream stage as its own process (`functions/<stage>`): its consumers until SIGTERM.
pub async fn run_stage_process(stage: Stage) -> Result<(), RuntimeError> {
    let config = crate::config::Config::from_env()?;
    let deps = Arc::new(crate::app::connect_deps(&config).await?);
    let (tx, rx) = watch::channel(false);
    let mut tasks = Vec::new();
    for n in 0..config.workers {
        tasks.push(tokio::spawn(consumer::run(deps.clone(), stage, format!("{}-{n}", consumer_name(stage.name())), rx.clone())));
    }
    tracing::info!(stage = stage.name(), workers = config.workers, backends = %config.describe(), "stage running");
    shutdown_signal().await;
    let _ = tx.send(true);
    for t in tasks {
        let _ = t.await;
    }
    Ok(())
}

/// The expiry sweep as its own process: every `LIVESELL_SWEEP_SECS` until SIGTERM.
pub async fn run_sweep_process() -> Result<(), RuntimeError> {
    let config = crate::config::Config::from_env()?;
    let deps = Arc::new(crate::app::connect_deps(&config).await?);
    loop {
        if let Err(e) = sweep::run(&deps).await {
            tracing::error!(error = %e, "sweep failed");
        }
        tokio::select! {
            _ = shutdown_signal() => return Ok(()),
            _ = tokio::time::sleep(config.sweep_every) => {}
        }
    }
}

/// The HTTP surface (webhook, `/health`, seller API) without stage consumers, as the ingest and
/// health functions run it: the stages run elsewhere.
pub async fn run_http_process() -> Result<(), RuntimeError> {
    let config = crate::config::Config::from_env()?;
    let secrets = config.serve_secrets()?;
    let deps = Arc::new(crate::app::connect_deps(&config).await?);
    let app = crate::http::router(crate::http::AppState { deps, secrets: Arc::new(secrets) });
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| RuntimeError::Io { context: format!("binding {}", config.addr), source })?;
    tracing::info!(addr = %config.addr, backends = %config.describe(), "http serving");
    super::server::serve(listener, app, config.http_timeouts(), shutdown_signal())
        .await
        .map_err(|source| RuntimeError::Io { context: "serving HTTP".into(), source })
}
