//! The sweep, every minute (and by the replay as its clock moves): unpaid reservations past their
//! expiry give their units back and the waitlist is promoted; buyers whose hold is about to end
//! are reminded; queued buyer messages go out inside their window (or become seller notices).
use crate::domain::reservation::ClaimRecord;
use crate::pipeline::Deps;
use crate::ports::PortError;

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Swept {
    pub expired: usize,
    pub reminders: usize,
    pub messages_sent: usize,
}

pub async fn run(deps: &Deps) -> Result<Swept, PortError> {
    let expired = expire(deps).await?.len();
    let reminders = super::buyers::remind(deps).await?;
    let messages_sent = super::buyers::deliver(deps).await?;
    Ok(Swept { expired, reminders, messages_sent })
}

pub async fn expire(deps: &Deps) -> Result<Vec<ClaimRecord>, PortError> {
    let expired = deps.store.expire_due(deps.clock.now(), deps.settings.ttl_secs()).await?;
    if !expired.is_empty() {
        tracing::info!(expired = expired.len(), "reservations expired");
    }
    Ok(expired)
}

#[cfg(all(test, feature = "embedded"))]
mod tests {
    use super::*;
    use crate::domain::comment::CommentEvent;
    use crate::domain::ids::Platform;
    use crate::pipeline::Stage;
    use crate::stages::testing::{comment, Bench};
    use std::time::Duration;

    #[tokio::test]
    async fn unpaid_reservations_expire_when_their_time_comes_and_not_before() {
        let b = Bench::new().await;
        b.through(Stage::Reserve, &[CommentEvent::Added(comment(Platform::Facebook, "C1", "U1", "quiero B5"))]).await;
        b.advance(b.deps.settings.reservation_ttl - Duration::from_secs(1));
        assert!(expire(&b.deps).await.expect("sweep").is_empty());
        b.advance(Duration::from_secs(1));
        let expired = expire(&b.deps).await.expect("sweep");
        assert_eq!(expired.iter().map(|c| c.sku.clone().unwrap_or_default()).collect::<Vec<_>>(), ["B5"]);
    }
}
