//! Payment notifications (`/payments/{gateway}/{page_id}`): checked the provider's way, the
//! payment read from the provider's own API, then settled in one store transaction. Safe to
//! repeat and to receive out of order: the store settles a payment once, and a notification
//! only ever makes livesell read the payment's current state again.
use crate::domain::ids::PageId;
use crate::domain::money::Currency;
use crate::domain::payment::Gateway;
use crate::domain::settlement::{minor_from_decimal, ProviderPayment, Settlement};
use crate::pipeline::Deps;
use crate::ports::{Confirmation, Notification, PaymentError, PortError};

/// What a notification did.
#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    Settled(Settlement),
    /// Authentic, but about something livesell doesn't settle.
    Ignored(String),
}

/// Why a notification was not settled, sorted by what the provider should be told.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// No such page, or the page doesn't take this gateway: 404.
    #[error("{0}")]
    Unknown(String),
    /// Fails the provider's check: 401, nothing read or changed.
    #[error("{0}")]
    Forged(String),
    /// Unreadable: 400.
    #[error("{0}")]
    Malformed(String),
    /// The provider doesn't know the payment (an unknown Flow token, a payment id it won't
    /// show with the seller's credentials): 422, nothing changed.
    #[error("{0}")]
    Rejected(String),
    /// The provider or the store can't answer now: 503, so the provider delivers it again.
    #[error("{0}")]
    Unavailable(String),
}

impl From<PortError> for NotifyError {
    fn from(e: PortError) -> Self {
        NotifyError::Unavailable(e.to_string())
    }
}

pub async fn receive(deps: &Deps, gateway: Gateway, page: &PageId, n: &Notification) -> Result<Received, NotifyError> {
    let confirmation = deps.payments.confirm(gateway, page, n).await.map_err(|e| match e {
        PaymentError::NotConfigured { .. } => NotifyError::Unknown(format!("page {page} takes no {} payments", gateway.as_str())),
        PaymentError::Forged { .. } => NotifyError::Forged(e.to_string()),
        PaymentError::Malformed { .. } => NotifyError::Malformed(e.to_string()),
        PaymentError::Refused { .. } => NotifyError::Rejected(e.to_string()),
        PaymentError::Unavailable { .. } => NotifyError::Unavailable(e.to_string()),
    })?;
    let reported = match confirmation {
        Confirmation::Payment(p) => p,
        Confirmation::Ignored(why) => {
            tracing::info!(gateway = gateway.as_str(), page = %page, why, "notification ignored");
            return Ok(Received::Ignored(why));
        }
    };
    let amount_minor = Currency::parse(&reported.currency).ok().and_then(|c| minor_from_decimal(&reported.amount, c));
    let payment = ProviderPayment {
        page: page.clone(),
        gateway,
        payment_ref: reported.payment_ref,
        external_ref: reported.external_ref,
        state: reported.state,
        amount_minor,
        currency: reported.currency,
        delivery_address: reported.delivery_address,
    };
    let settled = deps.store.settle(&payment, deps.clock.now()).await?;
    // The buyer is told once (queued; sent inside their window, else the seller is told). A
    // repeat queues nothing new, but recovers a message lost to a failure after the settle.
    if let Settlement::Paid { order_id, .. } | Settlement::Repeat { order_id: Some(order_id) } = settled {
        if deps.store.order(order_id).await?.is_some_and(|o| o.status == crate::domain::reservation::OrderStatus::Paid) {
            super::buyers::paid(deps, order_id).await?;
        }
    }
    tracing::info!(
        gateway = gateway.as_str(),
        page = %page,
        payment = %payment.payment_ref,
        state = payment.state.as_str(),
        outcome = ?settled,
        "payment notification settled"
    );
    Ok(Received::Settled(settled))
}
