//! The drain loop, written once for every stage and host: reclaim entries a dead consumer left
//! pending, read a batch, hand it to the stage's handler, and settle each entry by its outcome —
//! ack what succeeded; dead-letter poison, and final failures after `max_deliveries`; hold what
//! hit an outage (store, stream or Graph API down) under this consumer and try it again with
//! capped exponential backoff for as long as the outage lasts. Outages never dead-letter.
use crate::domain::graph_errors::backoff;
use crate::pipeline::{Deps, Handled, Outcomes, Stage, StageError};
use crate::ports::{PortError, StreamEntry};
use crate::stages;
use futures::FutureExt;
use std::panic::AssertUnwindSafe;
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

/// Whether entries hit by an outage are held and retried in place (a long-running consumer) or
/// left pending for a later invocation (the time-boxed serverless drain).
#[derive(Clone)]
pub enum Hold {
    /// Until they go through, or the receiver says stop.
    UntilShutdown(watch::Receiver<bool>),
    Never,
}

/// The handler's outcomes for a batch. A panic is caught: the batch is handled again one entry
/// at a time, and the entry that panics alone is poison.
async fn run_handler(deps: &Deps, stage: Stage, batch: &[StreamEntry]) -> Outcomes {
    let panicked = || Err(StageError::Poison("the handler panicked on this entry".into()));
    match AssertUnwindSafe(stages::handle(deps, stage, batch)).catch_unwind().await {
        Ok(mut out) => {
            // A handler owes one outcome per entry; a missing one is tried again, not lost.
            out.resize_with(batch.len(), || Err(StageError::Deferred));
            out
        }
        Err(_) if batch.len() == 1 => vec![panicked()],
        Err(_) => {
            let mut out = Vec::with_capacity(batch.len());
            for entry in batch {
                let one = AssertUnwindSafe(stages::handle(deps, stage, std::slice::from_ref(entry))).catch_unwind().await;
                out.push(one.ok().and_then(|mut o| o.pop()).unwrap_or_else(panicked));
            }
            out
        }
    }
}

/// Settles one entry in the stream; None when it is to be held through an outage.
async fn settle(
    deps: &Deps,
    stage: Stage,
    consumer: &str,
    entry: &StreamEntry,
    result: Result<Handled, StageError>,
) -> Result<Option<Outcome>, PortError> {
    let stream = deps.settings.streams.key(stage);
    let group = stage.name();
    match result {
        Ok(handled) => {
            deps.stream.ack(&stream, group, &entry.id).await?;
            tracing::debug!(stage = group, entry_id = %entry.id, ?handled, "done");
            Ok(Some(Outcome::Acked(handled)))
        }
        Err(StageError::Poison(why)) => {
            deps.stream.dead_letter(&stream, group, entry, &why).await?;
            tracing::error!(stage = group, entry_id = %entry.id, consumer, "dead-lettered poison: {why}");
            Ok(Some(Outcome::DeadLettered(why)))
        }
        Err(e @ (StageError::Failed(_) | StageError::NotReady(_))) if entry.deliveries >= deps.settings.max_deliveries => {
            let why = format!("gave up after {} deliveries: {e}", entry.deliveries);
            deps.stream.dead_letter(&stream, group, entry, &why).await?;
            tracing::error!(stage = group, entry_id = %entry.id, "dead-lettered: {why}");
            Ok(Some(Outcome::DeadLettered(why)))
        }
        Err(e @ (StageError::Failed(_) | StageError::NotReady(_))) => {
            tracing::warn!(stage = group, entry_id = %entry.id, deliveries = entry.deliveries, error = %e, "left pending for a later delivery");
            Ok(Some(Outcome::LeftPending(e.to_string())))
        }
        Err(StageError::Retry(_) | StageError::Deferred) => Ok(None),
    }
}

/// Handles a batch to the end (see the module's doc). Errors only when the stream itself fails to
/// settle an entry, which then stays pending and is reclaimed later.
pub async fn process(deps: &Deps, stage: Stage, consumer: &str, batch: Vec<StreamEntry>, hold: &Hold) -> Result<Vec<Outcome>, PortError> {
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut pending = batch;
    let mut attempt = 0u32;
    loop {
        let results = run_handler(deps, stage, &pending).await;
        let mut held = Vec::new();
        let mut why = String::new();
        for (entry, result) in pending.into_iter().zip(results) {
            if let Err(StageError::Retry(e)) = &result {
                why = e.to_string();
            }
            match settle(deps, stage, consumer, &entry, result).await? {
                Some(o) => outcomes.push(o),
                None => held.push(entry),
            }
        }
        let shutdown = match hold {
            Hold::UntilShutdown(rx) if !held.is_empty() && !*rx.borrow() => rx.clone(),
            _ => {
                outcomes.extend(held.iter().map(|_| Outcome::LeftPending(format!("waiting out an outage: {why}"))));
                return Ok(outcomes);
            }
        };
        attempt += 1;
        pending = hold_through_outage(deps, stage, consumer, held, attempt, &why, shutdown).await;
    }
}

/// Waits before the next try (capped exponential, jittered), keeping the held entries ours: they
/// are touched at least twice per `reclaim_idle`, so no other consumer takes them meanwhile.
async fn hold_through_outage(
    deps: &Deps,
    stage: Stage,
    consumer: &str,
    held: Vec<StreamEntry>,
    attempt: u32,
    why: &str,
    mut shutdown: watch::Receiver<bool>,
) -> Vec<StreamEntry> {
    let s = &deps.settings;
    let wait = backoff(attempt, s.send_backoff, s.outage_backoff_max, 0.5 + rand::random::<f64>() / 2.0).max(Duration::from_millis(10));
    tracing::warn!(
        stage = stage.name(),
        consumer,
        held = held.len(),
        attempt,
        wait_ms = wait.as_millis() as u64,
        error = why,
        "holding entries through an outage"
    );
    let until = Instant::now() + wait;
    let ids: Vec<String> = held.iter().map(|e| e.id.clone()).collect();
    while Instant::now() < until && !*shutdown.borrow() {
        let step = (until - Instant::now()).min(s.reclaim_idle / 2);
        let _ = tokio::time::timeout(step, shutdown.changed()).await;
        if let Err(e) = deps.stream.touch(&s.streams.key(stage), stage.name(), consumer, &ids).await {
            tracing::warn!(stage = stage.name(), error = %e, "could not keep the held entries; another consumer may take them");
        }
    }
    held
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
                let wait = Duration::from_millis(200 * u64::from(self.failures.min(25)));
                let _ = tokio::time::timeout(wait, shutdown.changed()).await;
                Vec::new()
            }
        }
    }
}

/// The long-running consumer of a local process: blocks on the stream until `shutdown`, and
/// always finishes the batch in hand before stopping.
pub async fn run(deps: Arc<Deps>, stage: Stage, consumer: String, mut shutdown: watch::Receiver<bool>) {
    if stage.concurrent(&deps.settings) {
        return run_concurrent(deps, stage, consumer, shutdown).await;
    }
    let mut reader = Reader::new(&deps, stage);
    let hold = Hold::UntilShutdown(shutdown.clone());
    while !*shutdown.borrow() {
        let batch = reader.next(&deps, stage, &consumer, BATCH, &mut shutdown).await;
        if batch.is_empty() {
            continue;
        }
        if let Err(e) = process(&deps, stage, &consumer, batch, &hold).await {
            // Settling failed: the entries stay pending and are reclaimed later.
            tracing::error!(stage = stage.name(), error = %e, "could not settle entries");
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
            let (deps, consumer, hold) = (deps.clone(), consumer.clone(), Hold::UntilShutdown(shutdown.clone()));
            tasks.spawn(async move {
                let _slot = slot;
                if let Err(e) = process(&deps, stage, &consumer, vec![entry], &hold).await {
                    tracing::error!(stage = stage.name(), error = %e, "could not settle entry");
                }
            });
        }
    }
    while tasks.join_next().await.is_some() {}
    tracing::info!(stage = stage.name(), consumer, "consumer stopped");
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
/// what is not reached, or waits out an outage, stays pending for the next invocation.
pub async fn drain(deps: &Deps, stage: Stage, consumer: &str, deadline: Instant) -> Result<DrainReport, PortError> {
    deps.stream.ensure_group(&deps.settings.streams.key(stage), stage.name()).await?;
    let mut report = DrainReport::default();
    let mut first = true;
    while Instant::now() < deadline {
        let batch = next_batch(deps, stage, consumer, std::mem::take(&mut first), None, BATCH).await?;
        if batch.is_empty() {
            break;
        }
        let retries_only = batch.iter().all(|e| e.deliveries > 1);
        for outcome in process(deps, stage, consumer, batch, &Hold::Never).await? {
            match outcome {
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
        if report.left_pending > 0 && retries_only {
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
