//! Ports: every I/O a stage does goes through one of these traits, one module per capability.
//! Adapters live in `adapters/`; each port has one contract suite (`tests/tests/*_contract.rs`)
//! that every adapter runs. The values they carry are domain types (`domain/`).
mod cache;
mod clock;
mod llm;
mod messenger;
mod payments;
mod store;
mod stream;

pub use cache::Cache;
pub use clock::Clock;
pub use llm::Llm;
pub use messenger::{Delivered, Messenger};
pub use payments::{address_line, CheckoutProvider, Confirmation, Notification, PaymentError, Payments, ReportedPayment};
pub use store::{
    AiLogStore, BuyerStore, CommentLedger, GatewayStore, Inbound, Outbox, PaymentLedger, PendingMessage, QueuedMessage, Reports,
    ReservationStore, SellerStore, SessionStore, Store,
};
pub use stream::{Backlog, DeadLetter, EventStream, Kicker, NoKicks, SeenMarks, StreamEntry};

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
