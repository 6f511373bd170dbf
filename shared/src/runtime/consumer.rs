//! The drain loop, written once for every stage and host: reclaim entries a dead consumer left
//! pending, read new ones, run the stage's handler on each, ack what succeeded, leave the rest
//! pending for a later delivery, dead-letter poison and entries past `max_deliveries`.
use crate::ports::{PortError, StreamEntry};
use crate::stages::{self, Deps, Handled, Stage, StageError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

const BATCH: usize = 16;

/// What happened to one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Acked(Handled),
    LeftPending(String),
    DeadLettered(String),
}

/// Handles one delivered entry and settles it in the stream.
pub async fn process(deps: &Deps, stage: Stage, consumer: &str, entry: &StreamEntry) -> Result<Outcome, PortError> {
    let stream = deps.settings.streams.key(stage);
    let group = stage.name();
    let max = deps.settings.max_deliveries;
    if entry.deliveries > max {
        let why = format!("gave up after {} deliveries", entry.deliveries - 1);
        deps.stream.dead_letter(&stream, group, entry, &why).await?;
        tracing::error!(stage = group, entry_id = %entry.id, consumer, "dead-lettered: {why}");
        return Ok(Outcome::DeadLettered(why));
    }
    match stages::handle(deps, stage, &entry.id, &entry.payload).await {
        Ok(handled) => {
            deps.stream.ack(&stream, group, &entry.id).await?;
            tracing::debug!(stage = group, entry_id = %entry.id, ?handled, "done");
            Ok(Outcome::Acked(handled))
        }
        Err(StageError::Poison(why)) => {
            deps.stream.dead_letter(&stream, group, entry, &why).await?;
            tracing::error!(stage = group, entry_id = %entry.id, "dead-lettered poison: {why}");
            Ok(Outcome::DeadLettered(why))
        }
        Err(StageError::Retry(e)) if entry.deliveries >= max => {
            let why = format!("gave up after {} deliveries: {e}", entry.deliveries);
            deps.stream.dead_letter(&stream, group, entry, &why).await?;
            tracing::error!(stage = group, entry_id = %entry.id, "dead-lettered: {why}");
            Ok(Outcome::DeadLettered(why))
        }
        Err(StageError::Retry(e)) => {
            tracing::warn!(stage = group, entry_id = %entry.id, deliveries = entry.deliveries, error = %e, "left pending for a later delivery");
            Ok(Outcome::LeftPending(e.to_string()))
        }
    }
}

/// One round: stale pending entries first (when `reclaim` says it is time to look), then new
/// ones (waiting up to `block`).
async fn next_batch(
    deps: &Deps,
    stage: Stage,
    consumer: &str,
    reclaim: bool,
    block: Option<Duration>,
    count: usize,
) -> Result<Vec<StreamEntry>, PortError> {
    let stream = deps.settings.streams.key(stage);
    if reclaim {
        let stale = deps.stream.reclaim(&stream, stage.name(), consumer, deps.settings.reclaim_idle, count).await?;
        if !stale.is_empty() {
            tracing::info!(stage = stage.name(), consumer, reclaimed = stale.len(), "took over entries left pending");
            return Ok(stale);
        }
    }
    deps.stream.read_new(&stream, stage.name(), consumer, count, block).await
}

/// The reading half of a long-running consumer: makes sure the group exists, looks for stale
/// entries twice per `reclaim_idle` (they only become reclaimable after it), reads new ones, and
/// backs off while the stream fails.
struct Reader {
    stream: String,
    failures: u32,
    reclaim_every: Duration,
    next_reclaim: Instant,
}

impl Reader {
    fn new(deps: &Deps, stage: Stage) -> Self {
        Reader {
            stream: deps.settings.streams.key(stage),
            failures: 0,
            reclaim_every: (deps.settings.reclaim_idle / 2).max(Duration::from_millis(100)),
            next_reclaim: Instant::now(),
        }
    }

    /// Up to `count` entries (none after a failure, once the back-off has passed).
    async fn next(
        &mut self,
        deps: &Deps,
        stage: Stage,
        consumer: &str,
        count: usize,
        shutdown: &mut watch::Receiver<bool>,
    ) -> Vec<StreamEntry> {
        let read = async {
            deps.stream.ensure_group(&self.stream, stage.name()).await?;
            let reclaim = Instant::now() >= self.next_reclaim;
            if reclaim {
                self.next_reclaim = Instant::now() + self.reclaim_every;
            }
            next_batch(deps, stage, consumer, reclaim, Some(Duration::from_millis(500)), count).await
        };
        match read.await {
            Ok(batch) => {
                self.failures = 0;
                batch
            }
            Err(e) => {
                self.failures += 1;
                tracing::error!(stage = stage.name(), error = %e, "stream unavailable; retrying");
                pause(shutdown, self.failures).await;
                Vec::new()
            }
        }
    }
}

/// The long-running consumer of a local process: blocks on the stream until `shutdown`, and
/// always finishes the entry in hand before stopping.
pub async fn run(deps: Arc<Deps>, stage: Stage, consumer: String, mut shutdown: watch::Receiver<bool>) {
    if stage.concurrent(&deps.settings) {
        return run_concurrent(deps, stage, consumer, shutdown).await;
    }
    let mut reader = Reader::new(&deps, stage);
    while !*shutdown.borrow() {
        for entry in reader.next(&deps, stage, &consumer, BATCH, &mut shutdown).await {
            if let Err(e) = process(&deps, stage, &consumer, &entry).await {
                // The ack itself failed: the entry stays pending and is reclaimed later.
                tracing::error!(stage = stage.name(), entry_id = %entry.id, error = %e, "could not settle entry");
            }
        }
    }
    tracing::info!(stage = stage.name(), consumer, "consumer stopped");
}

/// Entries of one concurrent consumer in flight at once.
const MAX_IN_FLIGHT: usize = 32;

/// The consumer of a concurrent stage: each entry is its own task (bounded), so an entry waiting
/// on a slow dependency doesn't hold up the ones read after it.
async fn run_concurrent(deps: Arc<Deps>, stage: Stage, consumer: String, mut shutdown: watch::Receiver<bool>) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT));
    let mut tasks = tokio::task::JoinSet::new();
    let mut reader = Reader::new(&deps, stage);
    while !*shutdown.borrow() {
        while tasks.try_join_next().is_some() {}
        let free = slots.available_permits();
        if free == 0 {
            let _ = tasks.join_next().await;
            continue;
        }
        for entry in reader.next(&deps, stage, &consumer, free.min(BATCH), &mut shutdown).await {
            let Ok(slot) = slots.clone().acquire_owned().await else { break };
            let (deps, consumer) = (deps.clone(), consumer.clone());
            tasks.spawn(async move {
                let _slot = slot;
                if let Err(e) = process(&deps, stage, &consumer, &entry).await {
                    tracing::error!(stage = stage.name(), entry_id = %entry.id, error = %e, "could not settle entry");
                }
            });
        }
    }
    while tasks.join_next().await.is_some() {}
    tracing::info!(stage = stage.name(), consumer, "consumer stopped");
}

async fn pause(shutdown: &mut watch::Receiver<bool>, failures: u32) {
    let wait = Duration::from_millis(200 * u64::from(failures.min(25)));
    let _ = tokio::time::timeout(wait, shutdown.changed()).await;
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DrainReport {
    pub acked: usize,
    /// Entries appended to the next stage's stream (its function is kicked when > 0).
    pub forwarded: usize,
    pub left_pending: usize,
    pub dead_lettered: usize,
}

/// The serverless form: drain without blocking until the stream is empty or `deadline` is near;
/// what is not reached stays pending for the next invocation.
pub async fn drain(deps: &Deps, stage: Stage, consumer: &str, deadline: Instant) -> Result<DrainReport, PortError> {
    deps.stream.ensure_group(&deps.settings.streams.key(stage), stage.name()).await?;
    let mut report = DrainReport::default();
    let mut first = true;
    while Instant::now() < deadline {
        let batch = next_batch(deps, stage, consumer, std::mem::take(&mut first), None, BATCH).await?;
        if batch.is_empty() {
            break;
        }
        let outcomes: Vec<Result<Outcome, PortError>> = if stage.concurrent(&deps.settings) {
            futures::future::join_all(batch.iter().map(|e| process(deps, stage, consumer, e))).await
        } else {
            let mut done = Vec::new();
            for entry in &batch {
                if Instant::now() >= deadline {
                    break;
                }
                done.push(process(deps, stage, consumer, entry).await);
            }
            done
        };
        for outcome in outcomes {
            match outcome? {
                Outcome::Acked(handled) => {
                    report.acked += 1;
                    if let Handled::Forwarded(n) = handled {
                        report.forwarded += n;
                    }
                }
                Outcome::LeftPending(_) => report.left_pending += 1,
                Outcome::DeadLettered(_) => report.dead_lettered += 1,
            }
        }
        if report.left_pending > 0 && batch.iter().all(|e| e.deliveries > 1) {
            break; // only retries left, and they failed again: give them time
        }
    }
    if report.forwarded > 0 {
        if let Some(next) = stage.next() {
            deps.kicker.kick(next.input()).await;
        }
    }
    Ok(report)
}
