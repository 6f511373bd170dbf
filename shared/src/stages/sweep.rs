//! The reservation-expiry sweep: unpaid reservations past their expiry give their units back, and
//! the waitlist is promoted. Run every minute (and by the replay as its clock moves).
use super::Deps;
use crate::domain::reservation::ClaimRecord;
use crate::ports::PortError;

pub async fn expire(deps: &Deps) -> Result<Vec<ClaimRecord>, PortError> {
    let expired = deps.store.expire_due(deps.clock.now(), deps.settings.ttl_secs()).await?;
    if !expired.is_empty() {
        tracing::info!(expired = expired.len(), "reservations expired");
    }
    Ok(expired)
}
