//! What a stage's unit tests stand on: `Deps` over a temporary SQLite file and the embedded
//! stream (the real adapters of the embedded default), a messenger that records what it is asked
//! to send and fails when told, and a clock the test moves.
use crate::adapters::clock::ManualClock;
use crate::adapters::embedded_stream::EmbeddedStream;
use crate::adapters::payments::{FallbackPayments, TransferPayments};
use crate::adapters::sql::SqlStore;
use crate::config::Settings;
use crate::domain::catalog::Catalog;
use crate::domain::comment::{Comment, CommentEvent};
use crate::domain::ids::{CommentId, LiveId, PageId, Platform, UserId};
use crate::domain::outbound::SendError;
use crate::domain::secret::SecretString;
use crate::pipeline::{encode, Deps, Outcomes, Stage, Streams};
use crate::ports::{Delivered, Messenger, StreamEntry};
use crate::secrets::SecretBox;
use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const PAGE: &str = "P1";
pub const IG: &str = "IG1";
pub const TOKEN: &str = "EAAB-test";

/// A reply the messenger was asked to send: (page, comment, text).
pub type Sent = (String, String, String);

#[derive(Default)]
pub struct RecordingMessenger {
    pub sent: Mutex<Vec<Sent>>,
    /// Every call fails with this while set.
    pub failing: Mutex<Option<SendError>>,
}

impl RecordingMessenger {
    pub fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
    pub fn fail_with(&self, e: Option<SendError>) {
        *self.failing.lock().unwrap_or_else(|p| p.into_inner()) = e;
    }
}

#[async_trait]
impl Messenger for RecordingMessenger {
    async fn private_reply(&self, page: &PageId, token: &SecretString, comment: &CommentId, text: &str) -> Result<Delivered, SendError> {
        if let Some(e) = self.failing.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            return Err(e);
        }
        assert_eq!(token.expose(), TOKEN, "replies go out with the page's token");
        self.sent.lock().unwrap_or_else(|p| p.into_inner()).push((page.to_string(), comment.to_string(), text.to_string()));
        Ok(Delivered { message_id: Some(format!("m_{comment}")), recipient_id: Some(format!("psid-{comment}")) })
    }

    async fn public_reply(&self, token: &SecretString, comment: &CommentId, text: &str) -> Result<Delivered, SendError> {
        assert_eq!(token.expose(), TOKEN, "public replies go out with the page's token");
        self.sent.lock().unwrap_or_else(|p| p.into_inner()).push(("public".into(), comment.to_string(), text.to_string()));
        Ok(Delivered::default())
    }

    async fn send_message(&self, page: &PageId, token: &SecretString, recipient: &str, text: &str) -> Result<Delivered, SendError> {
        assert_eq!(token.expose(), TOKEN, "messages go out with the page's token");
        self.sent.lock().unwrap_or_else(|p| p.into_inner()).push((page.to_string(), format!("dm:{recipient}"), text.to_string()));
        Ok(Delivered { message_id: Some(format!("m_dm_{recipient}")), recipient_id: Some(recipient.to_string()) })
    }
}

pub fn t0() -> DateTime<Utc> {
    Utc.timestamp_opt(1_764_097_200, 0).single().unwrap_or_default()
}

fn id<T>(parsed: Result<T, crate::domain::ids::InvalidId>) -> T {
    parsed.unwrap_or_else(|e| panic!("test id: {e}"))
}

pub fn page() -> PageId {
    id(PageId::parse(PAGE))
}

/// A small catalog: a sized polera, sandals by size and colour, earrings with no variants.
pub fn catalog() -> Catalog {
    serde_json::from_value(serde_json::json!({
    "seller": "Tienda Test", "currency": "CLP", "current_product": "B3",
    "transfer_instructions": "Banco Test, cuenta 123",
    "products": [
        {"code": "A12", "name": "Polera básica", "price_cents": 12990,
         "variants": [{"sku": "A12-S", "size": "S", "color": null}, {"sku": "A12-M", "size": "M", "color": null}],
         "stock": {"A12-S": 3, "A12-M": 20}},
        {"code": "B3", "name": "Sandalias", "price_cents": 27990,
         "variants": [{"sku": "B3-38-NEGRO", "size": "38", "color": "negro"}, {"sku": "B3-39-BEIGE", "size": "39", "color": "beige"}],
         "stock": {"B3-38-NEGRO": 2, "B3-39-BEIGE": 1}},
        {"code": "B5", "name": "Aros de plata", "price_cents": 12990, "variants": [], "stock": {"B5": 10}}
    ]}))
    .unwrap_or_else(|e| panic!("test catalog: {e}"))
}

/// A comment on the live, on Facebook (to the page) or Instagram (to its linked account).
pub fn comment(platform: Platform, comment_id: &str, author: &str, text: &str) -> Comment {
    let account = if platform == Platform::Instagram { IG } else { PAGE };
    Comment {
        platform,
        page_id: id(PageId::parse(account)),
        comment_id: id(CommentId::parse(comment_id)),
        live_id: id(LiveId::parse("LIVE1")),
        author_id: id(UserId::parse(author)),
        author_name: format!("Buyer {author}"),
        text: text.into(),
        created_at: t0(),
    }
}

/// The embedded default's adapters on a file of their own, with the test catalog imported.
pub struct Bench {
    pub deps: Deps,
    pub messenger: Arc<RecordingMessenger>,
    pub clock: Arc<ManualClock>,
    file: PathBuf,
    next_entry: Mutex<u64>,
}

impl Drop for Bench {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.file.display()));
        }
    }
}

impl Bench {
    pub async fn new() -> Bench {
        Self::with(Settings::default()).await
    }

    pub async fn with(mut settings: Settings) -> Bench {
        let file = std::env::temp_dir().join(format!("livesell-stage-{}.db", crate::domain::ids::random_token()));
        let sealer = SecretBox::from_base64(&SecretBox::generate_key()).map(Arc::new).ok();
        let store = SqlStore::connect_sqlite(&format!("sqlite://{}", file.display()), sealer).await.unwrap_or_else(|e| panic!("{e}"));
        let pool = store.sqlite_pool().unwrap_or_else(|| unreachable!("an SQLite store")).clone();
        settings.streams = Streams::new(&format!("t{}", crate::domain::ids::random_token()));
        let messenger = Arc::new(RecordingMessenger::default());
        let clock = Arc::new(ManualClock::new(t0()));
        let payments = FallbackPayments::new(vec![Arc::new(TransferPayments)]);
        let store = Arc::new(store);
        let deps = Deps::new(store, Arc::new(EmbeddedStream::new(pool)), messenger.clone(), Arc::new(payments), clock.clone(), settings);
        let page = page();
        let ig = id(PageId::parse(IG));
        deps.store.import_catalog(&page, Some(&ig), &catalog(), t0(), deps.settings.ttl_secs()).await.unwrap_or_else(|e| panic!("{e}"));
        deps.store.set_page_token(&page, &SecretString::new(TOKEN)).await.unwrap_or_else(|e| panic!("{e}"));
        Bench { deps, messenger, clock, file, next_entry: Mutex::new(0) }
    }

    /// Stream entries as a stage would read them (first delivery).
    pub fn entries(&self, payloads: &[String]) -> Vec<StreamEntry> {
        let mut n = self.next_entry.lock().unwrap_or_else(|p| p.into_inner());
        payloads
            .iter()
            .map(|p| {
                *n += 1;
                StreamEntry { id: format!("{n}-0"), payload: p.clone(), deliveries: 1 }
            })
            .collect()
    }

    /// Runs one stage's handler on these payloads.
    pub async fn run(&self, stage: Stage, payloads: &[String]) -> Outcomes {
        super::handle(&self.deps, stage, &self.entries(payloads)).await
    }

    /// What was appended to a stage's input stream (read once by a test consumer).
    pub async fn queued(&self, stage: Stage) -> Vec<String> {
        let key = self.deps.settings.streams.key(stage);
        let s = &self.deps.stream;
        let _ = s.ensure_group(&key, "test").await;
        let got = s.read_new(&key, "test", "t", 1000, None).await.unwrap_or_else(|e| panic!("{e}"));
        for e in &got {
            let _ = s.ack(&key, "test", &e.id).await;
        }
        got.into_iter().map(|e| e.payload).collect()
    }

    /// Takes a comment event through the stages up to and including `last`, feeding each what
    /// the one before it queued.
    pub async fn through(&self, last: Stage, events: &[CommentEvent]) -> Outcomes {
        let mut payloads: Vec<String> = events.iter().map(encode).collect();
        let mut outcomes = Vec::new();
        for stage in Stage::ALL {
            outcomes = self.run(stage, &payloads).await;
            if stage == last {
                break;
            }
            payloads = self.queued(stage.next().unwrap_or(stage)).await;
        }
        outcomes
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance_to(crate::ports::Clock::now(self.clock.as_ref()) + chrono::Duration::from_std(by).unwrap_or_default());
    }
}
