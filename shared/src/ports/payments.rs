//! Payment links (or instructions) for an order.
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
