//! The source of truth, split by capability. One adapter (`adapters::sql::SqlStore`) serves both
//! databases; `tests/tests/store_contract.rs` holds it to this contract on SQLite and PostgreSQL.
use super::PortError;
use crate::domain::buyer::{InboundMessage, MessageKind};
use crate::domain::catalog::{Catalog, ImportSummary};
use crate::domain::comment::{Comment, CommentKey};
use crate::domain::ids::UserId;
use crate::domain::ids::{PageId, Platform};
use crate::domain::intent::Classification;
use crate::domain::ledger::{CommentState, EditOutcome, Recorded, StoredComment};
use crate::domain::llm::AiCall;
use crate::domain::outbound::{OutboundMessage, SendOutcome};
use crate::domain::page::{PageConfig, SellerSession};
use crate::domain::payment::{Credentials, Gateway, GatewayConfig};
use crate::domain::report::PipelineCounts;
use crate::domain::reservation::{
    CancelRequest, ClaimRecord, Order, PaidOutcome, PaymentInstructions, RedecideRequest, RejectRequest, ReserveRequest, SellerNotice,
    StockLevel,
};
use crate::domain::secret::SecretString;
use crate::domain::settlement::{NewLink, ProviderPayment, Settlement, SupersededLink};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Sellers' pages, catalogs, tokens and the notices shown to them.
#[async_trait]
pub trait SellerStore: Send + Sync {
    /// Brings the page's catalog in line with `catalog` without touching a claim: products and
    /// variants are upserted by code and SKU; a variant's stock number is the units for sale now
    /// (reserved included, sold excluded), never set below what is reserved (the seller gets a
    /// notice instead); raised stock goes to the waitlist first; products and variants missing
    /// from the file are hidden from new claims, not deleted. The catalog must already be valid.
    async fn import_catalog(
        &self,
        page: &PageId,
        ig_account: Option<&PageId>,
        catalog: &Catalog,
        now: DateTime<Utc>,
        ttl_secs: i64,
    ) -> Result<ImportSummary, PortError>;
    /// The page a comment addressed to `account` (a page id, or a linked Instagram account id) belongs to.
    async fn page_for_account(&self, platform: Platform, account: &PageId) -> Result<Option<PageConfig>, PortError>;
    async fn page(&self, page: &PageId) -> Result<Option<PageConfig>, PortError>;
    /// The catalog as imported, with its version.
    async fn catalog(&self, page: &PageId) -> Result<Option<(i64, Catalog)>, PortError>;
    /// Returns false when the page is unknown. The code is checked against the catalog by the caller.
    async fn set_current_product(&self, page: &PageId, code: Option<&str>) -> Result<bool, PortError>;
    /// Stores (or replaces) the page's Graph API token, encrypted, and marks it valid. False when
    /// the page is unknown.
    async fn set_page_token(&self, page: &PageId, token: &SecretString) -> Result<bool, PortError>;
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

/// The comments ledger: the unique key on (platform, comment id) is the dedupe authority, and the
/// latest state of a comment wins whatever order Meta's events arrive in.
#[async_trait]
pub trait CommentLedger: Send + Sync {
    /// Records a comment the first time; `entry` is the stream entry it came in, so a stage retry
    /// of the same entry is told apart from Meta redelivering the comment. A comment whose removal
    /// arrived first is stored removed (`Recorded::Removed`).
    async fn record(&self, comment: &Comment, seller_page: Option<&PageId>, entry: &str) -> Result<Recorded, PortError>;
    async fn load(&self, key: &CommentKey) -> Result<Option<StoredComment>, PortError>;
    /// Final states the filter decides: `Filtered` (noise, with the reason) or `Ignored`.
    async fn mark(&self, key: &CommentKey, state: CommentState, reason: &str) -> Result<(), PortError>;
    /// Applies an edit: see `EditOutcome`. Every edit is kept for the seller.
    async fn apply_edit(&self, comment: &Comment) -> Result<EditOutcome, PortError>;
    /// Stores the intent if the comment is still `Received` with exactly `text` (an edit in between
    /// makes this return false, and intent runs again on the new text).
    async fn save_classification(&self, key: &CommentKey, text: &str, cls: &Classification) -> Result<bool, PortError>;
    /// `Classified` → `Acted`. Returns false if it was not `Classified`.
    async fn mark_acted(&self, key: &CommentKey) -> Result<bool, PortError>;
    /// Marks the comment removed and cancels its unpaid claims (releasing stock, promoting the
    /// waitlist). A removal of a comment not yet seen leaves a tombstone that holds back its late
    /// arrival. Returns the claims cancelled; idempotent.
    async fn remove(&self, key: &CommentKey, now: DateTime<Utc>, ttl_secs: i64) -> Result<Vec<ClaimRecord>, PortError>;
}

/// Stock, claims, waitlists and orders. Every stock change is one conditional statement, checked
/// by the `reserved <= on_hand` constraint.
#[async_trait]
pub trait ReservationStore: Send + Sync {
    /// Reserves `qty` of the SKU if available, else waitlists the claim; attaches a reserved claim to
    /// the buyer's open order for the live. Idempotent on (comment, idx): a retry returns the stored
    /// claim. A comment removed meanwhile gets a cancelled claim; a hidden or unknown SKU a rejected one.
    async fn reserve(&self, req: &ReserveRequest) -> Result<ClaimRecord, PortError>;
    /// Records a claim that could not be reserved. Idempotent on (comment, idx).
    async fn reject(&self, req: &RejectRequest) -> Result<ClaimRecord, PortError>;
    /// An edited comment's claims decided again, in one transaction: its active claims are ended
    /// (`edited`), their units go first to the new claims, then to the waitlist. Applied once per
    /// revision; a retry returns the revision's claims.
    async fn redecide(&self, req: &RedecideRequest) -> Result<Vec<ClaimRecord>, PortError>;
    /// Applies a cancellation comment once (the comment goes `Classified` → `Acted` in the same
    /// transaction); a retry returns what the first run cancelled.
    async fn cancel(&self, req: &CancelRequest) -> Result<Vec<ClaimRecord>, PortError>;
    /// Releases every reserved claim whose expiry is at or before `now` and promotes waitlists.
    /// Returns the claims expired.
    async fn expire_due(&self, now: DateTime<Utc>, ttl_secs: i64) -> Result<Vec<ClaimRecord>, PortError>;
    /// Pays the order's live reservations (they become sold and never expire). An order with
    /// nothing reserved is not paid. Idempotent.
    async fn mark_paid(&self, order_id: i64, now: DateTime<Utc>) -> Result<PaidOutcome, PortError>;
    async fn order(&self, order_id: i64) -> Result<Option<Order>, PortError>;
    async fn set_order_payment(&self, order_id: i64, payment: &PaymentInstructions) -> Result<(), PortError>;
    async fn claims_for_comment(&self, key: &CommentKey) -> Result<Vec<ClaimRecord>, PortError>;
    async fn claims(&self, page: &PageId) -> Result<Vec<ClaimRecord>, PortError>;
    async fn orders(&self, page: &PageId) -> Result<Vec<Order>, PortError>;
    /// Stock of the page's visible SKUs, in catalog order.
    async fn stock(&self, page: &PageId) -> Result<Vec<StockLevel>, PortError>;
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
    /// Claims the public reply of a sent message, once: the page's next template number, or
    /// None when the message had its public reply already.
    async fn claim_public_reply(&self, message_id: i64, now: DateTime<Utc>) -> Result<Option<i64>, PortError>;
    async fn replies(&self, page: &PageId) -> Result<Vec<OutboundMessage>, PortError>;
}

#[async_trait]
pub trait Reports: Send + Sync {
    /// Counts over the comments addressed to the page (or all pages when None).
    async fn counts(&self, page: Option<&PageId>) -> Result<PipelineCounts, PortError>;
    /// A real round trip.
    async fn ping(&self) -> Result<(), PortError>;
    fn backend(&self) -> &'static str;
}

#[async_trait]
pub trait AiLogStore: Send + Sync {
    async fn record_ai_call(&self, call: &AiCall) -> Result<(), PortError>;
    async fn ai_calls(&self, page: &PageId) -> Result<Vec<AiCall>, PortError>;
}

/// Seller sessions, stored by a hash of their id (a leaked table opens no session).
#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, session: &SellerSession) -> Result<(), PortError>;
    /// The session if it exists (expired ones included: the caller checks `expires_at`).
    async fn session(&self, session_id: &str) -> Result<Option<SellerSession>, PortError>;
    async fn delete_session(&self, session_id: &str) -> Result<(), PortError>;
}

/// The payment gateways each page takes money through; credentials sealed at rest.
#[async_trait]
pub trait GatewayStore: Send + Sync {
    /// Adds or replaces the page's gateway (its credentials say which) at `priority` (lower is
    /// tried first). False when the page is unknown.
    async fn set_gateway(&self, page: &PageId, priority: i32, credentials: &Credentials) -> Result<bool, PortError>;
    /// False when the page had no such gateway.
    async fn remove_gateway(&self, page: &PageId, gateway: Gateway) -> Result<bool, PortError>;
    /// The page's gateways with their credentials, in the order they are tried.
    async fn gateways(&self, page: &PageId) -> Result<Vec<GatewayConfig>, PortError>;
}

/// A buyer's message as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    /// The buyer it came from, when their messaging id is known (from a private reply).
    pub buyer: Option<UserId>,
}

/// A message for a buyer, sent once inside their window.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedMessage {
    pub page: PageId,
    pub buyer: UserId,
    /// paid, reminder or cancelled.
    pub kind: &'static str,
    /// What makes it once: the order (and hold) or claim it is about.
    pub reference: String,
    pub text: String,
    pub now: DateTime<Utc>,
}

/// A queued message with what sending it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingMessage {
    pub id: i64,
    pub page: PageId,
    pub buyer: UserId,
    pub kind: String,
    pub reference: String,
    /// Empty for `promoted`: written when sent.
    pub text: String,
    pub messaging_id: Option<String>,
    pub last_inbound_at: Option<DateTime<Utc>>,
}

/// The links orders were offered and the payments made on them.
#[async_trait]
pub trait PaymentLedger: Send + Sync {
    /// Records a link with the claims it charges for and makes it the order's payment method;
    /// the order's earlier active links are superseded (returned, to be expired at their
    /// provider where it allows it) but still pay their own claims. Idempotent on the link's
    /// (gateway, external reference).
    async fn record_link(&self, link: &NewLink) -> Result<Vec<SupersededLink>, PortError>;
    /// Settles what a provider said about a payment, in one transaction: see `Settlement`.
    /// Idempotent on (gateway, payment id); a payment once settled is never settled again.
    async fn settle(&self, payment: &ProviderPayment, now: DateTime<Utc>) -> Result<Settlement, PortError>;
}

/// Buyers within Meta's messaging rules: their messaging ids, windows, and the messages queued
/// for them.
#[async_trait]
pub trait BuyerStore: Send + Sync {
    /// A private reply's answer named the buyer's messaging id (`recipient_id`): kept on the
    /// buyer who wrote the comment the reply went to.
    async fn record_recipient(&self, outbound_message_id: i64, messaging_id: &str) -> Result<(), PortError>;
    /// Records a buyer's message once (None for Meta's redelivery), matched to the buyer by
    /// messaging id; a matched message opens (moves) the buyer's 24-hour window.
    async fn record_inbound(&self, page: &PageId, msg: &InboundMessage, kind: MessageKind) -> Result<Option<Inbound>, PortError>;
    /// The buyer's latest reserved claim on the page, cancelled (units back, waitlist promoted).
    async fn cancel_latest(
        &self,
        page: &PageId,
        buyer: &UserId,
        now: DateTime<Utc>,
        ttl_secs: i64,
    ) -> Result<Option<ClaimRecord>, PortError>;
    /// Queues a message once per (page, kind, ref); false when it was queued before.
    async fn queue_buyer_message(&self, msg: &QueuedMessage) -> Result<bool, PortError>;
    /// Messages waiting to be sent, oldest first, with the buyer's messaging id and window.
    async fn pending_buyer_messages(&self, limit: i64) -> Result<Vec<PendingMessage>, PortError>;
    async fn finish_buyer_message(&self, id: i64, status: &str, now: DateTime<Utc>) -> Result<(), PortError>;
    /// Open orders whose hold ends in (now, now + within]: (order id, page, buyer, hold end).
    async fn holds_ending(
        &self,
        now: DateTime<Utc>,
        within: chrono::Duration,
    ) -> Result<Vec<(i64, PageId, UserId, DateTime<Utc>)>, PortError>;
}

/// Everything the source of truth does, as one object for wiring.
pub trait Store:
    SellerStore + CommentLedger + ReservationStore + Outbox + Reports + AiLogStore + SessionStore + GatewayStore + PaymentLedger + BuyerStore
{
}
impl<
        T: SellerStore
            + CommentLedger
            + ReservationStore
            + Outbox
            + Reports
            + AiLogStore
            + SessionStore
            + GatewayStore
            + PaymentLedger
            + BuyerStore,
    > Store for T
{
}
