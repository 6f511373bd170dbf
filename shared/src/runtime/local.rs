//! The local host: every stage as tokio tasks in one process, plus the expiry sweep.
use super::consumer;
use crate::stages::{sweep, Deps, Stage};
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
                    if let Err(e) = sweep::expire(&deps).await {
                        tracing::error!(error = %e, "expiry sweep failed");
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
