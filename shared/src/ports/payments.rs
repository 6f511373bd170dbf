//! Payment links (or instructions) for an order.
use crate::domain::payment::{Credentials, Gateway};
use crate::domain::reservation::{PaymentInstructions, PaymentRequest};
use async_trait::async_trait;

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
}
