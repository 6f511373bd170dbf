//! Payment links (or instructions) for an order.
use crate::domain::ids::PageId;
use crate::domain::payment::{Credentials, Gateway};
use crate::domain::reservation::{PaymentInstructions, PaymentRequest};
use crate::domain::settlement::{PaymentState, SupersededLink};
use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PaymentError {
    #[error("{provider} unavailable: {message}")]
    Unavailable { provider: &'static str, message: String },
    #[error("{provider} refused: {message}")]
    Refused { provider: &'static str, message: String },
    #[error("{provider} is not configured for this seller")]
    NotConfigured { provider: &'static str },
    /// A notification that fails the provider's own check (signature, verification call).
    #[error("{provider} notification not authentic: {reason}")]
    Forged { provider: &'static str, reason: String },
    /// A notification that can't be read (no token, no id, not JSON).
    #[error("{provider} notification malformed: {reason}")]
    Malformed { provider: &'static str, reason: String },
}

/// A provider's notification as it reached `/payments/{gateway}/{page_id}`: the raw parts each
/// provider's check needs.
#[derive(Debug, Clone, Default)]
pub struct Notification {
    pub query: Vec<(String, String)>,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Notification {
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A payment as the provider's own API states it (never as the notification claims it).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportedPayment {
    pub payment_ref: String,
    pub external_ref: String,
    pub state: PaymentState,
    /// The amount as the provider wrote it ("12990", "12.90").
    pub amount: String,
    pub currency: String,
    /// The delivery address the checkout collected (PayPal's shipping, Mercado Pago's shipments).
    pub delivery_address: Option<String>,
}

/// An address object's non-empty string fields, in the order given, on one line.
pub fn address_line(v: Option<&serde_json::Value>, fields: &[&str]) -> Option<String> {
    let v = v?;
    let parts: Vec<String> = fields
        .iter()
        .filter_map(|f| match v.get(*f)? {
            serde_json::Value::String(s) => Some(s.trim().to_string()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|s| !s.is_empty())
        .map(|s| crate::domain::text::excerpt(&s, 120))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// What a verified notification is about.
#[derive(Debug, Clone, PartialEq)]
pub enum Confirmation {
    Payment(ReportedPayment),
    /// Authentic but not about a payment livesell settles (another topic or event type).
    Ignored(String),
}

#[async_trait]
pub trait Payments: Send + Sync {
    fn provider(&self) -> &'static str;
    /// A payment link (or instructions) for the order's current total.
    async fn create(&self, req: &PaymentRequest) -> Result<PaymentInstructions, PaymentError>;
    /// Expires a superseded link at its provider where the provider allows it: true when done,
    /// false when the provider has no way (the link then lapses with its hold).
    async fn expire(&self, _page: &PageId, _link: &SupersededLink) -> Result<bool, PaymentError> {
        Ok(false)
    }
    /// Checks a notification to the page the gateway's way and reads the payment from the
    /// provider's API.
    async fn confirm(&self, gateway: Gateway, _page: &PageId, _n: &Notification) -> Result<Confirmation, PaymentError> {
        Err(PaymentError::NotConfigured { provider: gateway.as_str() })
    }
}

/// One payment provider's API: a checkout link for a request, with a seller's credentials.
#[async_trait]
pub trait CheckoutProvider: Send + Sync {
    fn gateway(&self) -> Gateway;
    /// A link the buyer pays in one tap, valid until the request's `expires_at` where the
    /// provider allows it. `deadline` is what is left of the whole chain's time.
    async fn create_link(
        &self,
        req: &PaymentRequest,
        creds: &Credentials,
        deadline: std::time::Duration,
    ) -> Result<PaymentInstructions, PaymentError>;
    /// Verifies a notification with the seller's credentials (401-worthy `Forged` when it fails)
    /// and reads the payment it is about from the provider's API.
    async fn confirm(&self, n: &Notification, creds: &Credentials) -> Result<Confirmation, PaymentError>;
    /// Ends a link before its time (`provider_ref` as `create_link` returned it); false when the
    /// provider offers no way to.
    async fn expire_link(&self, _provider_ref: &str, _creds: &Credentials) -> Result<bool, PaymentError> {
        Ok(false)
    }
}
