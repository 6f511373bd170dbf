//! One handler per stage. Each is a plain async function over the ports: no runtime types, no
//! direct I/O. The stream stages share one shape: a batch of entries in, one outcome per entry
//! out; each entry is decoded, acted on idempotently (keyed by the comment id, and claim index)
//! and forwarded to the next stream.
pub mod buyers;
pub mod checkout;
pub mod filter;
#[cfg(feature = "native")]
pub mod health;
pub mod ingest;
pub mod intent;
#[cfg(feature = "native")]
pub mod notify;
pub mod reserve;
#[cfg(feature = "native")]
pub mod respond;
pub mod sweep;

#[cfg(all(test, feature = "embedded"))]
pub(crate) mod testing;

#[cfg(feature = "native")]
use crate::pipeline::{Deps, Outcomes, Stage};
#[cfg(feature = "native")]
use crate::ports::StreamEntry;

/// Runs the stage's handler on a batch of entries.
#[cfg(feature = "native")]
pub async fn handle(deps: &Deps, stage: Stage, batch: &[StreamEntry]) -> Outcomes {
    match stage {
        Stage::Filter => filter::handle(deps, batch).await,
        Stage::Intent => intent::handle(deps, batch).await,
        Stage::Reserve => reserve::handle(deps, batch).await,
        Stage::Respond => respond::handle(deps, batch).await,
    }
}
