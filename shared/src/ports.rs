//! Ports: every I/O a stage does goes through one of these traits. Adapters live in `adapters/`;
//! each port has one contract test suite (`contract/`) that every adapter runs.
use crate::domain::catalog::Catalog;
use crate::domain::comment::{Comment, CommentKey};
use crate::domain::ids::{CommentId, PageId, Platform};
use crate::domain::intent::Classification;
use crate::domain::money::Money;
use crate::domain::reservation::{
    CancelRequest, ClaimRecord, ClaimStatus, Order, PaymentInstructions, RejectRequest, ReserveRequest, SellerNotice, StockLevel,
};
use crate::domain::secret::SecretString;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// A port call that failed. `Unavailable` is worth retrying; the others are not.
#[derive(Debug, thiserror::Error)]
pub enum PortError {
    #[error("{backend} is unavailable: {message}")]
    Unavailable { backend: &'static str, message: String },
    #[error("{backend} refused the request: {message}")]
    Rejected { backend: &'static str, message: String },
    #[error("not found: {0}")]
    NotFound(String),
}

impl PortError {
    pub fn is_transient(&self) -> bool {
        matches!(self, PortError::Unavailable { .. })
    }
}

// ───────────────────────────── event stream ─────────────────────────────

/// One stream entry as delivered to a consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEntry {
    pub id: String,
    pub payload: String,
    /// How many times it has been delivered to the group, this delivery included.
    pub deliveries: u32,
}

/// A group's unfinished work: delivered but unacked, and appended but not yet delivered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Backlog {
    pub pending: u64,
    pub lag: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeadLetter {
    /// The entry's id in the dead-letter stream.
    pub id: String,
    pub stream: String,
    pub entry_id: String,
    pub deliveries: u32,
    pub error: String,
    pub payload: String,
}

/// Streams between stages with consumer groups: at-least-once delivery, an entry stays pending
/// until acked, a dead consumer's pending entries can be reclaimed, poison goes to `<stream>:dead`.
#[async_trait]
pub trait EventStream: Send + Sync {
    fn backend(&self) -> &'static str;
    /// Appends a payload; durable once this returns Ok. Returns the entry id.
    async fn append(&self, stream: &str, payload: &str) -> Result<String, PortError>;
    /// Appends several payloads in order (one round trip where the backend allows).
    async fn append_many(&self, stream: &str, payloads: &[String]) -> Result<Vec<String>, PortError> {
        let mut ids = Vec::with_capacity(payloads.len());
        for p in payloads {
            ids.push(self.append(stream, p).await?);
        }
        Ok(ids)
    }
    /// Creates the consumer group at the start of the stream if it does not exist (idempotent).
    async fn ensure_group(&self, stream: &str, group: &str) -> Result<(), PortError>;
    /// Up to `count` entries never delivered to the group, waiting up to `block` when there are
    /// none (`None`: don't wait). Delivered entries stay pending until acked.
    async fn read_new(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        count: usize,
        block: Option<Duration>,
    ) -> Result<Vec<StreamEntry>, PortError>;
    /// Takes over up to `count` entries pending for at least `min_idle` under any consumer (one
    /// that died), counting a new delivery for each.
    async fn reclaim(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        min_idle: Duration,
        count: usize,
    ) -> Result<Vec<StreamEntry>, PortError>;
    /// Marks the entry done for the group. Acking twice is harmless.
    async fn ack(&self, stream: &str, group: &str, id: &str) -> Result<(), PortError>;
    /// Copies the entry with its error to `<stream>:dead`, then acks it.
    async fn dead_letter(&self, stream: &str, group: &str, entry: &StreamEntry, error: &str) -> Result<(), PortError>;
    async fn backlog(&self, stream: &str, group: &str) -> Result<Backlog, PortError>;
    /// Oldest first.
    async fn dead_letters(&self, stream: &str, limit: usize) -> Result<Vec<DeadLetter>, PortError>;
    /// Appends the dead letter's payload to its stream again and removes it from `<stream>:dead`.
    /// Returns false when no such dead letter exists.
    async fn retry_dead_letter(&self, stream: &str, dead_id: &str) -> Result<bool, PortError>;
    /// A real round trip to the backend.
    async fn ping(&self) -> Result<(), PortError>;
}

/// Short-lived "already seen" marks: the edge's early filter for Meta's redeliveries. Only a
/// hint — the ledger's unique key stays the authority — so a lost mark costs a duplicate append.
#[async_trait]
pub trait SeenMarks: Send + Sync {
    /// For each key, whether it is marked.
    async fn seen(&self, keys: &[String]) -> Result<Vec<bool>, PortError>;
    /// Marks the keys (`SET NX EX`); call only after what they stand for is safely stored.
    async fn mark_seen(&self, keys: &[String], ttl: Duration) -> Result<(), PortError>;
}

// ───────────────────────────── store ─────────────────────────────

/// A page (seller) as configured by `catalog import`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageConfig {
    pub page_id: PageId,
    pub ig_account_id: Option<PageId>,
    pub seller_name: String,
    pub current_product: Option<String>,
    pub catalog_version: i64,
}

/// Sellers' pages, catalogs, tokens and the notices shown to them.
#[async_trait]
pub trait SellerStore: Send + Sync {
    /// Replaces the page's catalog and resets its stock; active claims of the old catalog are
    /// cancelled. Returns the new catalog version. The catalog must already be validated.
    async fn import_catalog(
        &self,
        page: &PageId,
        ig_account: Option<&PageId>,
        catalog: &Catalog,
        now: DateTime<Utc>,
    ) -> Result<i64, PortError>;
    /// The page a comment addressed to `account` (a page id, or a linked Instagram account id) belongs to.
    async fn page_for_account(&self, platform: Platform, account: &PageId) -> Result<Option<PageConfig>, PortError>;
    async fn page(&self, page: &PageId) -> Result<Option<PageConfig>, PortError>;
    /// The catalog as imported, with its version.
    async fn catalog(&self, page: &PageId) -> Result<Option<(i64, Catalog)>, PortError>;
    /// Returns false when the page is unknown. The code is checked against the catalog by the caller.
    async fn set_current_product(&self, page: &PageId, code: Option<&str>) -> Result<bool, PortError>;
    /// Stores (or replaces) the page's Graph API token and marks it valid.
    async fn set_page_token(&self, page: &PageId, token: &SecretString) -> Result<(), PortError>;
    /// The token and whether it is still believed valid.
    async fn page_token(&self, page: &PageId) -> Result<Option<(SecretString, bool)>, PortError>;
    /// After Graph error 190: the token stays stored but replies pause until a new one is set.
    async fn invalidate_page_token(&self, page: &PageId) -> Result<(), PortError>;
    async fn add_notice(
        &self,
        page: &PageId,
        kind: &str,
        claim_id: Option<i64>,
        message: &str,
        now: DateTime<Utc>,
    ) -> Result<(), PortError>;
    async fn notices(&self, page: &PageId) -> Result<Vec<SellerNotice>, PortError>;
}

/// How `record` saw a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// First time.
    New,
    /// The same stream entry again (a stage retry): carry on.
    Retry,
    /// Another delivery of a comment already recorded (Meta redelivered it): drop.
    Duplicate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentState {
    /// Waiting for intent.
    Received,
    /// Dropped as noise by the filter.
    Filtered,
    /// Not for a known page.
    Ignored,
    /// Intent decided, waiting for reserve.
    Classified,
    /// Reserve has applied its effects.
    Acted,
    /// The author removed it.
    Removed,
}

impl CommentState {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentState::Received => "received",
            CommentState::Filtered => "filtered",
            CommentState::Ignored => "ignored",
            CommentState::Classified => "classified",
            CommentState::Acted => "acted",
            CommentState::Removed => "removed",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Received, Self::Filtered, Self::Ignored, Self::Classified, Self::Acted, Self::Removed]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredComment {
    pub comment: Comment,
    /// The seller page it belongs to (None when no page matched).
    pub seller_page: Option<PageId>,
    pub state: CommentState,
    pub classification: Option<Classification>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditOutcome {
    /// Not processed yet: the new text is what intent will read.
    Applied,
    /// Already processed: the edit is kept for the seller, nothing else changes.
    RecordedOnly,
    /// No such comment (the edit overtook the comment): the caller records it as new.
    Unknown,
}

/// The comments ledger: PostgreSQL's unique key on (platform, comment id) is the dedupe authority.
#[async_trait]
pub trait CommentLedger: Send + Sync {
    /// Records a comment the first time; `entry` is the stream entry it came in, so a stage retry
    /// of the same entry is told apart from Meta redelivering the comment.
    async fn record(&self, comment: &Comment, seller_page: Option<&PageId>, entry: &str) -> Result<Recorded, PortError>;
    async fn load(&self, key: &CommentKey) -> Result<Option<StoredComment>, PortError>;
    /// Final states the filter decides: `Filtered` (noise, with the reason) or `Ignored`.
    async fn mark(&self, key: &CommentKey, state: CommentState, reason: &str) -> Result<(), PortError>;
    async fn apply_edit(&self, comment: &Comment) -> Result<EditOutcome, PortError>;
    /// Stores the intent if the comment is still `Received` with exactly `text` (an edit in between
    /// makes this return false, and intent runs again on the new text).
    async fn save_classification(&self, key: &CommentKey, text: &str, cls: &Classification) -> Result<bool, PortError>;
    /// `Classified` → `Acted`. Returns false if it was not `Classified`.
    async fn mark_acted(&self, key: &CommentKey) -> Result<bool, PortError>;
    /// Marks the comment removed and cancels its unpaid claims (releasing stock, promoting the
    /// waitlist). Returns the claims cancelled; idempotent.
    async fn remove(&self, key: &CommentKey, now: DateTime<Utc>, ttl_secs: i64) -> Result<Vec<ClaimRecord>, PortError>;
}

/// Stock, claims, waitlists and orders. Every stock change is atomic in the database.
#[async_trait]
pub trait ReservationStore: Send + Sync {
    /// Reserves `qty` of the SKU if available, else waitlists the claim; attaches a reserved claim to
    /// the buyer's open order for the live. Idempotent on (comment, idx): a retry returns the stored
    /// claim. A comment removed meanwhile gets a cancelled claim.
    async fn reserve(&self, req: &ReserveRequest) -> Result<ClaimRecord, PortError>;
    /// Records a claim that could not be reserved. Idempotent on (comment, idx).
    async fn reject(&self, req: &RejectRequest) -> Result<ClaimRecord, PortError>;
    /// Applies a cancellation comment once (the comment goes `Classified` → `Acted` in the same
    /// transaction); a retry returns what the first run cancelled.
    async fn cancel(&self, req: &CancelRequest) -> Result<Vec<ClaimRecord>, PortError>;
    /// Releases every reserved claim whose expiry is at or before `now` and promotes waitlists.
    /// Returns the claims expired.
    async fn expire_due(&self, now: DateTime<Utc>, ttl_secs: i64) -> Result<Vec<ClaimRecord>, PortError>;
    /// Marks the order paid: its reserved claims become paid (sold; they never expire). Idempotent.
    async fn mark_paid(&self, order_id: i64, now: DateTime<Utc>) -> Result<Option<Order>, PortError>;
    async fn order(&self, order_id: i64) -> Result<Option<Order>, PortError>;
    async fn set_order_payment(&self, order_id: i64, payment: &PaymentInstructions) -> Result<(), PortError>;
    async fn claims_for_comment(&self, key: &CommentKey) -> Result<Vec<ClaimRecord>, PortError>;
    async fn claims(&self, page: &PageId) -> Result<Vec<ClaimRecord>, PortError>;
    async fn orders(&self, page: &PageId) -> Result<Vec<Order>, PortError>;
    async fn stock(&self, page: &PageId) -> Result<Vec<StockLevel>, PortError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Pending,
    Sending,
    Sent,
    /// No page token: kept in the local outbox instead of sent.
    Outbox,
    Failed,
    /// The page's token is invalid: waits for a new one.
    Paused,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Pending => "pending",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Outbox => "outbox",
            MessageStatus::Failed => "failed",
            MessageStatus::Paused => "paused",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Pending, Self::Sending, Self::Sent, Self::Outbox, Self::Failed, Self::Paused].into_iter().find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboundMessage {
    pub message_id: i64,
    pub platform: Platform,
    pub comment_id: CommentId,
    /// The seller page that owns the comment.
    pub page_id: PageId,
    /// The id the reply is sent from: the page, or the linked Instagram account.
    pub account_id: PageId,
    pub text: String,
    pub status: MessageStatus,
    pub attempts: u32,
    pub error_code: Option<i64>,
    pub error: Option<String>,
    pub meta_message_id: Option<String>,
}

/// How a send attempt ended, recorded after the call.
#[derive(Debug, Clone, PartialEq)]
pub enum SendOutcome {
    Sent {
        meta_message_id: Option<String>,
    },
    Outbox,
    Failed {
        code: Option<i64>,
        error: String,
    },
    Paused {
        code: Option<i64>,
        error: String,
    },
    /// Not sent this time (temporary error); stays pending.
    Retry {
        code: Option<i64>,
        error: String,
    },
}

/// One private reply per comment, recorded before and after the send.
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Queues the reply to a comment; a second call for the same comment returns the first message's id.
    async fn enqueue_reply(&self, key: &CommentKey, text: &str) -> Result<i64, PortError>;
    /// Starts an attempt: pending/sending/paused → sending, attempts + 1. None when the message is
    /// already final (sent, outbox, failed) or unknown.
    async fn begin_send(&self, message_id: i64) -> Result<Option<OutboundMessage>, PortError>;
    async fn finish_send(&self, message_id: i64, outcome: &SendOutcome) -> Result<(), PortError>;
    /// Paused messages of the page back to pending; returns their ids (to queue them again).
    async fn resume_paused(&self, page: &PageId) -> Result<Vec<i64>, PortError>;
    async fn replies(&self, page: &PageId) -> Result<Vec<OutboundMessage>, PortError>;
}

/// What the replay summary and `/health` report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PipelineCounts {
    pub comments: u64,
    /// Comments whose intent was decided.
    pub classified: u64,
    /// Of those, how many the rules were unsure of (what went, or would go, to the LLM).
    pub unclear: u64,
    pub duplicates: u64,
    pub filtered_out: u64,
    pub ignored: u64,
    pub removed: u64,
    pub edits: u64,
    pub intents: BTreeMap<String, u64>,
    pub claims: BTreeMap<String, u64>,
    pub replies: BTreeMap<String, u64>,
}

#[async_trait]
pub trait Reports: Send + Sync {
    /// Counts over the comments addressed to the page (or all pages when None).
    async fn counts(&self, page: Option<&PageId>) -> Result<PipelineCounts, PortError>;
    /// A real round trip.
    async fn ping(&self) -> Result<(), PortError>;
    fn backend(&self) -> &'static str;
}

/// One LLM decision (or a cache hit standing for one), as `ai_logs` keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AiCall {
    pub page_id: PageId,
    pub comment_id: CommentId,
    pub model: String,
    pub latency_ms: u64,
    pub tokens_in: u32,
    pub tokens_out: u32,
    pub cached: bool,
    /// ok, cache_hit, timeout, rate_limited, unavailable, malformed, invalid_answer, circuit_open
    pub outcome: String,
    pub fallback_reason: Option<String>,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait AiLogStore: Send + Sync {
    async fn record_ai_call(&self, call: &AiCall) -> Result<(), PortError>;
    async fn ai_calls(&self, page: &PageId) -> Result<Vec<AiCall>, PortError>;
}

/// A seller's dashboard session.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct SellerSession {
    pub session_id: String,
    pub page_id: PageId,
    pub expires_at: DateTime<Utc>,
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, session: &SellerSession) -> Result<(), PortError>;
    /// The session if it exists (expired ones included: the caller checks `expires_at`).
    async fn session(&self, session_id: &str) -> Result<Option<SellerSession>, PortError>;
    async fn delete_session(&self, session_id: &str) -> Result<(), PortError>;
}

/// Everything the source of truth does, as one object for wiring.
pub trait Store: SellerStore + CommentLedger + ReservationStore + Outbox + Reports + AiLogStore + SessionStore {}
impl<T: SellerStore + CommentLedger + ReservationStore + Outbox + Reports + AiLogStore + SessionStore> Store for T {}

/// Claim counts by status, every status present.
pub fn empty_claim_counts() -> BTreeMap<String, u64> {
    ClaimStatus::ALL.iter().map(|s| (s.as_str().to_string(), 0)).collect()
}

// ───────────────────────────── clock ─────────────────────────────

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

// ───────────────────────────── messenger ─────────────────────────────

/// Why a private reply was not delivered, sorted by what to do next.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SendError {
    #[error("the comment already has a reply")]
    AlreadyReplied,
    #[error("throttled (code {code:?}): {message}")]
    Throttled { code: Option<i64>, message: String, retry_after: Option<Duration> },
    #[error("temporary failure (code {code:?}): {message}")]
    Temporary { code: Option<i64>, message: String },
    #[error("page token invalid (code {code:?}): {message}")]
    TokenInvalid { code: Option<i64>, message: String },
    #[error("refused (code {code:?}): {message}")]
    Final { code: Option<i64>, message: String },
}

#[async_trait]
pub trait Messenger: Send + Sync {
    /// Sends the one private reply Meta allows for `comment`, from `account`. Returns Meta's message id.
    async fn private_reply(
        &self,
        account: &PageId,
        token: &SecretString,
        comment: &CommentId,
        text: &str,
    ) -> Result<Option<String>, SendError>;
}

// ───────────────────────────── cache ─────────────────────────────

/// Volatile key-value data with a time to live (Redis in production, an embedded table locally).
/// Losing it costs a database read, never correctness.
#[async_trait]
pub trait Cache: Send + Sync {
    fn backend(&self) -> &'static str;
    async fn get(&self, key: &str) -> Result<Option<String>, PortError>;
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), PortError>;
    async fn delete(&self, key: &str) -> Result<(), PortError>;
}

// ───────────────────────────── LLM ─────────────────────────────

/// A product the LLM may name: only a few candidates go in the prompt, never the whole catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateProduct {
    pub code: String,
    pub name: String,
    pub sizes: Vec<String>,
    pub colors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LlmRequest {
    pub page: PageId,
    pub comment_id: CommentId,
    pub text: String,
    pub candidates: Vec<CandidateProduct>,
    pub current_product: Option<String>,
}

/// A claim as the model wrote it: not trusted until checked against the catalog.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct LlmClaim {
    pub code: Option<String>,
    pub qty: Option<u32>,
    pub size: Option<String>,
    pub color: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LlmAnswer {
    pub intent: crate::domain::intent::Intent,
    pub claims: Vec<LlmClaim>,
    pub tokens_in: u32,
    pub tokens_out: u32,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    #[error("no answer within the deadline")]
    Timeout,
    #[error("rate limited")]
    RateLimited,
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("malformed answer: {0}")]
    Malformed(String),
    #[error("circuit open after repeated failures")]
    CircuitOpen,
}

impl LlmError {
    /// The `ai_logs.outcome` word.
    pub fn outcome(&self) -> &'static str {
        match self {
            LlmError::Timeout => "timeout",
            LlmError::RateLimited => "rate_limited",
            LlmError::Unavailable(_) => "unavailable",
            LlmError::Malformed(_) => "malformed",
            LlmError::CircuitOpen => "circuit_open",
        }
    }
}

/// An OpenAI-compatible model deciding what the rules could not.
#[async_trait]
pub trait Llm: Send + Sync {
    fn model(&self) -> &str;
    async fn classify(&self, req: &LlmRequest) -> Result<LlmAnswer, LlmError>;
}

// ───────────────────────────── kicks ─────────────────────────────

/// Serverless chaining: a stage that appended work for the next stage wakes it (Lambda is not
/// triggered by Redis Streams). Best effort: a lost kick is covered by the every-minute schedule.
#[async_trait]
pub trait Kicker: Send + Sync {
    /// Wakes the function consuming `stream` (a stage's input name, e.g. "candidates").
    async fn kick(&self, stream: &'static str);
}

/// Locally every stage blocks on its stream, so nobody needs waking.
pub struct NoKicks;

#[async_trait]
impl Kicker for NoKicks {
    async fn kick(&self, _stream: &'static str) {}
}

// ───────────────────────────── payments ─────────────────────────────

#[derive(Debug, Clone, PartialEq)]
pub struct PaymentRequest {
    pub order_id: i64,
    pub page_id: PageId,
    pub buyer_name: String,
    pub total: Money,
    pub description: String,
    /// The seller's transfer instructions from the catalog, if any.
    pub transfer_instructions: Option<String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PaymentError {
    #[error("{provider} unavailable: {message}")]
    Unavailable { provider: &'static str, message: String },
    #[error("{provider} refused: {message}")]
    Refused { provider: &'static str, message: String },
    #[error("{provider} is not configured for this seller")]
    NotConfigured { provider: &'static str },
}

#[async_trait]
pub trait Payments: Send + Sync {
    fn provider(&self) -> &'static str;
    /// A payment link (or instructions) for the order's current total.
    async fn create(&self, req: &PaymentRequest) -> Result<PaymentInstructions, PaymentError>;
}
