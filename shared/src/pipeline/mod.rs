//! What every stage shares: the streams between them, the dependencies they get, and how a
//! handler reports what it did with each entry of a batch.
pub mod caches;
pub mod catalogs;

use crate::config::Settings;
use crate::ports::{Clock, EventStream, Kicker, Llm, Messenger, NoKicks, Payments, PortError, Store, StreamEntry};
use caches::Caches;
use catalogs::CatalogCache;
use serde::Serialize;
use std::future::Future;
use std::sync::Arc;

/// Stream keys between stages, under one prefix (tests isolate themselves with their own).
#[derive(Debug, Clone)]
pub struct Streams {
    prefix: String,
}

impl Streams {
    pub fn new(prefix: &str) -> Self {
        Streams { prefix: prefix.to_string() }
    }
    pub fn prefix(&self) -> &str {
        &self.prefix
    }
    pub fn key(&self, stage: Stage) -> String {
        format!("{}:{}", self.prefix, stage.input())
    }
}

/// The stream-consuming stages, in pipeline order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Filter,
    Intent,
    Reserve,
    Respond,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Filter, Stage::Intent, Stage::Reserve, Stage::Respond];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Filter => "filter",
            Stage::Intent => "intent",
            Stage::Reserve => "reserve",
            Stage::Respond => "respond",
        }
    }
    /// The stream this stage reads (ingest writes `comments`).
    pub fn input(self) -> &'static str {
        match self {
            Stage::Filter => "comments",
            Stage::Intent => "candidates",
            Stage::Reserve => "intents",
            Stage::Respond => "replies",
        }
    }
    pub fn parse(raw: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.name() == raw)
    }
    /// Stages whose entries are handled concurrently: intent may wait on an LLM, and one seller's
    /// slow call must not hold up another seller's comments. The others stay in arrival order
    /// (contested stock goes to the earlier comment).
    pub fn concurrent(self, settings: &Settings) -> bool {
        matches!(self, Stage::Intent) && !settings.ordered
    }
    /// The stage this one feeds.
    pub fn next(self) -> Option<Stage> {
        match self {
            Stage::Filter => Some(Stage::Intent),
            Stage::Intent => Some(Stage::Reserve),
            Stage::Reserve => Some(Stage::Respond),
            Stage::Respond => None,
        }
    }
}

/// Everything a stage may touch.
pub struct Deps {
    pub store: Arc<dyn Store>,
    pub stream: Arc<dyn EventStream>,
    pub messenger: Arc<dyn Messenger>,
    pub payments: Arc<dyn Payments>,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    pub catalogs: CatalogCache,
    pub kicker: Arc<dyn Kicker>,
    pub caches: Caches,
    /// None: rules only.
    pub llm: Option<Arc<dyn Llm>>,
}

impl Deps {
    pub fn new(
        store: Arc<dyn Store>,
        stream: Arc<dyn EventStream>,
        messenger: Arc<dyn Messenger>,
        payments: Arc<dyn Payments>,
        clock: Arc<dyn Clock>,
        settings: Settings,
    ) -> Self {
        Deps {
            store,
            stream,
            messenger,
            payments,
            clock,
            settings,
            catalogs: CatalogCache::default(),
            kicker: Arc::new(NoKicks),
            caches: Caches::disabled(),
            llm: None,
        }
    }

    /// The same dependencies, waking the next function through `kicker` (serverless hosts).
    pub fn with_kicker(mut self, kicker: Arc<dyn Kicker>) -> Self {
        self.kicker = kicker;
        self
    }

    pub fn with_caches(mut self, caches: Caches) -> Self {
        self.caches = caches;
        self
    }

    pub fn with_llm(mut self, llm: Option<Arc<dyn Llm>>) -> Self {
        self.llm = llm;
        self
    }
}

/// Why an entry was not finished, named by what should happen to it.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The entry can never succeed (undecodable, refers to nothing): dead-letter it now.
    #[error("poison entry: {0}")]
    Poison(String),
    /// An earlier stage has not finished with the comment yet (an edit re-opened it): delivered
    /// again later, dead-lettered after `max_deliveries`.
    #[error("not ready: {0}")]
    NotReady(String),
    /// A dependency is down, slow or throttling (store, stream, Graph API): the entry is held and
    /// tried again with capped exponential backoff for as long as that lasts, never dead-lettered.
    #[error("waiting out an outage: {0}")]
    Retry(#[source] PortError),
    /// A dependency refused for good (a constraint, a stored value that can't be read): tried
    /// again on later deliveries, dead-lettered after `max_deliveries`.
    #[error("failed: {0}")]
    Failed(#[source] PortError),
    /// Not tried: an earlier entry of the same ordered batch is waiting out an outage, and this
    /// one must not overtake it.
    #[error("held behind an earlier entry that is waiting out an outage")]
    Deferred,
}

impl From<PortError> for StageError {
    fn from(e: PortError) -> Self {
        if e.is_transient() {
            StageError::Retry(e)
        } else {
            StageError::Failed(e)
        }
    }
}

impl StageError {
    /// Held and tried again in place (an outage), rather than left for a later delivery.
    pub fn is_outage(&self) -> bool {
        matches!(self, StageError::Retry(_) | StageError::Deferred)
    }
}

/// What a handler did with one entry (for logs and the replay summary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    Forwarded(usize),
    Dropped(&'static str),
    Done,
}

/// One outcome per entry of a batch, in the batch's order.
pub type Outcomes = Vec<Result<Handled, StageError>>;

/// Runs `one` on each entry in order. Once an entry must wait out an outage, the ones after it
/// are `Deferred`: an ordered stage never lets a later comment overtake an earlier one.
pub async fn in_order<'a, F, Fut>(batch: &'a [StreamEntry], mut one: F) -> Outcomes
where
    F: FnMut(&'a StreamEntry) -> Fut,
    Fut: Future<Output = Result<Handled, StageError>>,
{
    let mut out = Vec::with_capacity(batch.len());
    let mut blocked = false;
    for entry in batch {
        if blocked {
            out.push(Err(StageError::Deferred));
            continue;
        }
        let r = one(entry).await;
        blocked = r.as_ref().err().is_some_and(StageError::is_outage);
        out.push(r);
    }
    out
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(payload: &str) -> Result<T, StageError> {
    serde_json::from_str(payload).map_err(|e| StageError::Poison(format!("undecodable payload: {e}")))
}

pub(crate) fn encode<T: Serialize>(value: &T) -> String {
    // Our own types serialise infallibly (no maps with non-string keys, no failing Serialize impls).
    serde_json::to_string(value).unwrap_or_default()
}
