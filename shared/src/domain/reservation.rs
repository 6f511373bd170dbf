//! Claims, reservations and orders: the states a claim moves through and the requests that move it.
use super::comment::CommentKey;
use super::ids::{CommentId, LiveId, PageId, UserId};
use super::money::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a claim stands. `Reserved` holds stock until `expires_at`; `Paid` holds it for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimStatus {
    Reserved,
    Waitlisted,
    Rejected,
    Cancelled,
    Expired,
    Paid,
}

impl ClaimStatus {
    pub const ALL: [ClaimStatus; 6] = [
        ClaimStatus::Reserved,
        ClaimStatus::Waitlisted,
        ClaimStatus::Rejected,
        ClaimStatus::Cancelled,
        ClaimStatus::Expired,
        ClaimStatus::Paid,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Reserved => "reserved",
            ClaimStatus::Waitlisted => "waitlisted",
            ClaimStatus::Rejected => "rejected",
            ClaimStatus::Cancelled => "cancelled",
            ClaimStatus::Expired => "expired",
            ClaimStatus::Paid => "paid",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        ClaimStatus::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

/// Positive quantity, capped so a typo ("quiero 1000") can't lock a whole stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Quantity(u32);

pub const MAX_QTY: u32 = 50;

impl Quantity {
    pub fn new(n: u32) -> Option<Self> {
        (1..=MAX_QTY).contains(&n).then_some(Quantity(n))
    }
    pub fn get(self) -> u32 {
        self.0
    }
}
impl TryFrom<u32> for Quantity {
    type Error = String;
    fn try_from(n: u32) -> Result<Self, String> {
        Quantity::new(n).ok_or_else(|| format!("quantity {n} is outside 1..={MAX_QTY}"))
    }
}
impl From<Quantity> for u32 {
    fn from(q: Quantity) -> u32 {
        q.0
    }
}

/// Who claims, on which live, through which comment.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimOrigin {
    pub comment: CommentKey,
    pub page: PageId,
    pub live: LiveId,
    pub buyer: UserId,
    pub buyer_name: String,
}

/// Lock `qty` of `sku` for this claim, or waitlist it. Idempotent on (comment, idx).
#[derive(Debug, Clone, PartialEq)]
pub struct ReserveRequest {
    pub origin: ClaimOrigin,
    pub idx: u32,
    pub code: String,
    pub sku: String,
    pub qty: Quantity,
    pub unit_price: Money,
    pub now: DateTime<Utc>,
    pub ttl_secs: i64,
}

/// Record a claim that can't be reserved (unknown product, variant, …). Idempotent on (comment, idx).
#[derive(Debug, Clone, PartialEq)]
pub struct RejectRequest {
    pub origin: ClaimOrigin,
    pub idx: u32,
    pub code: Option<String>,
    pub qty: Quantity,
    pub reason: String,
    pub now: DateTime<Utc>,
}

/// One claim of an edited comment, decided again.
#[derive(Debug, Clone, PartialEq)]
pub enum NewClaim {
    Reserve(ReserveRequest),
    Reject(RejectRequest),
}

/// Claim indexes of a revision start at `revision * REVISION_IDX_STRIDE`, so an edit's claims
/// never collide with the ones they replace (a comment makes at most a handful).
pub const REVISION_IDX_STRIDE: u32 = 1000;

/// The units of a claim past the page's per-buyer cap wait on a claim of their own, at the
/// claim's index plus this (a comment makes at most a handful of claims per revision).
pub const CAP_SPLIT_IDX: u32 = 500;

/// An edited comment's claims, decided again on its new text.
#[derive(Debug, Clone, PartialEq)]
pub struct RedecideRequest {
    pub origin: ClaimOrigin,
    pub revision: u32,
    pub claims: Vec<NewClaim>,
    pub now: DateTime<Utc>,
    pub ttl_secs: i64,
}

/// What a cancellation comment takes back.
#[derive(Debug, Clone, PartialEq)]
pub enum CancelTarget {
    /// "ya no lo quiero": the buyer's latest active claim on this live.
    Latest,
    /// Claims of `code` (restricted to `skus` when the comment named a size or colour), newest first,
    /// up to `qty` units (all of them when the comment gave no number).
    Product { code: String, skus: Option<Vec<String>>, qty: Option<u32> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct CancelRequest {
    pub origin: ClaimOrigin,
    /// Applied in order; one comment may cancel several products.
    pub targets: Vec<CancelTarget>,
    pub now: DateTime<Utc>,
    pub ttl_secs: i64,
}

/// What a payment provider is asked for: a link (or instructions) for an order's total.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentRequest {
    pub order_id: i64,
    pub page_id: PageId,
    pub buyer_name: String,
    /// What the link charges, shipping included.
    pub total: Money,
    /// The part of `total` that is shipping (zero when none).
    pub shipping: i64,
    pub description: String,
    /// The seller's transfer instructions from the catalog, if any.
    pub transfer_instructions: Option<String>,
    /// When the order's hold ends: the link must not outlive it.
    pub expires_at: DateTime<Utc>,
    /// The pipeline's clock when the link is asked for (the hold's remaining time is from it).
    pub now: DateTime<Utc>,
}

impl PaymentRequest {
    /// The link's reference at the provider (Flow `commerceOrder`, Mercado Pago
    /// `external_reference`, PayPal `custom_id`): the same order, amount and hold give the same
    /// reference, which is how a payment finds the link — and the claims — it pays for.
    pub fn reference(&self) -> String {
        format!("{}-{}-{}", self.order_id, self.total.minor(), self.expires_at.timestamp())
    }

    /// A retried stage gets the same link from a provider that honours idempotency keys, never a
    /// second one.
    pub fn idempotency_key(&self) -> String {
        format!("livesell-{}-{}", self.page_id, self.reference())
    }
}

/// A claim as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimRecord {
    pub claim_id: i64,
    pub comment_id: CommentId,
    pub idx: u32,
    pub buyer_id: UserId,
    pub code: Option<String>,
    pub sku: Option<String>,
    pub qty: u32,
    pub status: ClaimStatus,
    pub reason: Option<String>,
    pub unit_price_minor: Option<i64>,
    pub order_id: Option<i64>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// How the buyer pays for an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum PaymentInstructions {
    Link {
        provider: String,
        url: String,
        /// The provider's id for it (preference, token, order).
        #[serde(default)]
        reference: String,
        /// The total it charges, in minor units (a grown order needs a new link).
        #[serde(default)]
        amount_minor: i64,
    },
    Transfer {
        instructions: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Open,
    Paid,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderItem {
    pub claim_id: i64,
    pub code: String,
    pub sku: String,
    pub qty: u32,
    pub unit_price_minor: i64,
    pub status: ClaimStatus,
}

/// One order per buyer and live (a new one once the previous is paid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub order_id: i64,
    pub page_id: PageId,
    pub live_id: LiveId,
    pub buyer_id: UserId,
    pub buyer_name: String,
    pub status: OrderStatus,
    pub currency: String,
    /// Sum over reserved and paid items.
    pub total_minor: i64,
    /// Sum over the reserved items: what a new link charges.
    pub due_minor: i64,
    /// The latest word from a payment provider: approved, pending, rejected, cancelled,
    /// flagged (an amount no link charges), partly_paid or refund_needed.
    pub payment_state: Option<String>,
    pub items: Vec<OrderItem>,
    /// Shipping already paid through a link of this order (charged once per order).
    pub shipping_paid_minor: i64,
    /// Where to ship, as the provider's checkout collected it.
    pub delivery_address: Option<String>,
    /// The buyer's language, as their latest comment on the order was read.
    pub lang: Option<crate::domain::intent::Lang>,
    /// When the order's hold ends (the expiry of its reserved claims, which move together).
    pub hold_until: Option<DateTime<Utc>>,
    pub payment: Option<PaymentInstructions>,
    pub created_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
}

/// What marking an order paid did.
#[derive(Debug, Clone, PartialEq)]
pub enum PaidOutcome {
    /// Its live reservations are sold now.
    Paid(Order),
    /// It was paid before: nothing changed.
    AlreadyPaid(Order),
    /// Nothing in it is reserved any more (its reservations expired or were cancelled): not paid.
    NothingReserved(Order),
    NotFound,
}

/// Units of one stock key (SKU, or product code for products without variants).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockLevel {
    pub sku: String,
    pub code: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
}

/// Something the seller should know that the buyer can't be told (Meta allows one private reply).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SellerNotice {
    pub notice_id: i64,
    pub kind: String,
    pub claim_id: Option<i64>,
    pub message: String,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantity_is_between_one_and_the_cap() {
        assert!(Quantity::new(0).is_none());
        assert!(Quantity::new(MAX_QTY + 1).is_none());
        assert_eq!(Quantity::new(3).map(Quantity::get), Some(3));
    }

    #[test]
    fn claim_status_round_trips_through_its_name() {
        for s in ClaimStatus::ALL {
            assert_eq!(ClaimStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ClaimStatus::parse("sold"), None);
    }
}
