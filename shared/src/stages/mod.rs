//! One handler per stage. Each is a plain async function over the ports: no runtime types, no
//! direct I/O. The stream stages share one shape: decode the entry, act idempotently (keyed by the
//! comment id, and claim index), append to the next stream.
pub mod caches;
pub mod catalogs;
pub mod filter;
#[cfg(feature = "native")]
pub mod health;
pub mod ingest;
pub mod intent;
pub mod reserve;
#[cfg(feature = "native")]
pub mod respond;
pub mod sweep;

use crate::ports::{Clock, EventStream, Kicker, Llm, Messenger, NoKicks, Payments, PortError, Store};
use caches::Caches;
use catalogs::CatalogCache;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

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

/// Tunables, from the environment (see `config`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub streams: Streams,
    /// How long an unpaid reservation holds stock.
    pub reservation_ttl: Duration,
    /// Deliveries of one entry before it goes to the dead-letter stream.
    pub max_deliveries: u32,
    /// Pending entries idle this long are taken over from their (presumed dead) consumer.
    pub reclaim_idle: Duration,
    /// Attempts of one Graph API call inside one delivery, and the first backoff.
    pub send_attempts: u32,
    pub send_backoff: Duration,
    /// Every stage in arrival order, none concurrent: the replay's results then never depend
    /// on timing.
    pub ordered: bool,
}

impl Settings {
    pub fn ttl_secs(&self) -> i64 {
        self.reservation_ttl.as_secs() as i64
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            streams: Streams::new("livesell"),
            reservation_ttl: Duration::from_secs(15 * 60),
            max_deliveries: 5,
            reclaim_idle: Duration::from_secs(30),
            send_attempts: 4,
            send_backoff: Duration::from_millis(200),
            ordered: false,
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

/// Why an entry was not finished.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// The entry can never succeed (undecodable, refers to nothing): dead-letter it now.
    #[error("poison entry: {0}")]
    Poison(String),
    /// Worth another delivery later; dead-lettered after `max_deliveries`.
    #[error(transparent)]
    Retry(#[from] PortError),
}

/// What a handler did with one entry (for logs and the replay summary).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    Forwarded(usize),
    Dropped(&'static str),
    Done,
}

fn decode<T: serde::de::DeserializeOwned>(payload: &str) -> Result<T, StageError> {
    serde_json::from_str(payload).map_err(|e| StageError::Poison(format!("undecodable payload: {e}")))
}

fn encode<T: Serialize>(value: &T) -> String {
    // Our own types serialise infallibly (no maps with non-string keys, no failing Serialize impls).
    serde_json::to_string(value).unwrap_or_default()
}

/// Runs the stage's handler on one entry.
#[cfg(feature = "native")]
pub async fn handle(deps: &Deps, stage: Stage, entry_id: &str, payload: &str) -> Result<Handled, StageError> {
    match stage {
        Stage::Filter => filter::handle(deps, entry_id, payload).await,
        Stage::Intent => intent::handle(deps, payload).await,
        Stage::Reserve => reserve::handle(deps, payload).await,
        Stage::Respond => respond::handle(deps, payload).await,
    }
}
