//! Filter: record each comment once (the ledger's unique key drops Meta's redeliveries), apply
//! edits and removals, drop noise with regexes before any AI, pass the rest to intent.
use crate::domain::comment::{Comment, CommentEvent};
use crate::domain::filter::noise;
use crate::domain::ledger::{CommentState, EditOutcome, Recorded};
use crate::pipeline::{decode, encode, in_order, Deps, Handled, Outcomes, Stage, StageError};
use crate::ports::StreamEntry;

pub async fn handle(deps: &Deps, batch: &[StreamEntry]) -> Outcomes {
    in_order(batch, |e| one(deps, &e.id, &e.payload)).await
}

async fn one(deps: &Deps, entry_id: &str, payload: &str) -> Result<Handled, StageError> {
    match decode::<CommentEvent>(payload)? {
        CommentEvent::Added(c) => added(deps, &c, entry_id).await,
        CommentEvent::Edited(c) => match deps.store.apply_edit(&c).await? {
            // The edit overtook its comment: the edited text is the comment.
            EditOutcome::Unknown => added(deps, &c, entry_id).await,
            // Intent is still to read it: the entry already on its way reads the new text.
            EditOutcome::Applied => Ok(Handled::Dropped("edit_applied")),
            // Classified (or acted on) already: intent decides again on the new text.
            EditOutcome::Reopened => screen(deps, &c).await,
            EditOutcome::RecordedOnly => Ok(Handled::Dropped("edit_after_processing")),
        },
        CommentEvent::Removed { platform, comment_id, at, .. } => {
            let key = crate::domain::comment::CommentKey { platform, comment_id };
            let cancelled = deps.store.remove(&key, at.max(deps.clock.now()), deps.settings.ttl_secs()).await?;
            tracing::info!(comment_id = %key.comment_id, cancelled = cancelled.len(), "comment removed");
            Ok(Handled::Dropped("removed"))
        }
        // A buyer's message never makes a claim: it opens their window and may say paid or cancel.
        CommentEvent::Message(m) => super::buyers::inbound(deps, &m).await,
    }
}

async fn added(deps: &Deps, c: &Comment, entry_id: &str) -> Result<Handled, StageError> {
    let page = deps.store.page_for_account(c.platform, &c.page_id).await?;
    let key = c.key();
    match deps.store.record(c, page.as_ref().map(|p| &p.page_id), entry_id).await? {
        Recorded::Duplicate => return Ok(Handled::Dropped("duplicate")),
        Recorded::Removed => return Ok(Handled::Dropped("removed_before_arrival")),
        Recorded::New | Recorded::Retry => {}
    }
    if page.is_none() {
        deps.store.mark(&key, CommentState::Ignored, "unknown_page").await?;
        return Ok(Handled::Dropped("unknown_page"));
    }
    screen(deps, c).await
}

/// Noise stops here; the rest goes to intent.
async fn screen(deps: &Deps, c: &Comment) -> Result<Handled, StageError> {
    let key = c.key();
    if let Some(reason) = noise(&c.text) {
        deps.store.mark(&key, CommentState::Filtered, reason).await?;
        return Ok(Handled::Dropped("noise"));
    }
    deps.stream.append(&deps.settings.streams.key(Stage::Intent), &encode(&key)).await?;
    Ok(Handled::Forwarded(1))
}

#[cfg(all(test, feature = "embedded"))]
mod tests {
    use super::*;
    use crate::domain::comment::CommentEvent;
    use crate::domain::ids::Platform;
    use crate::stages::testing::{comment, t0, Bench};

    fn added(id: &str, text: &str) -> String {
        encode(&CommentEvent::Added(comment(Platform::Facebook, id, "U1", text)))
    }

    #[tokio::test]
    async fn a_comment_goes_to_intent_once_and_redeliveries_are_dropped() {
        let b = Bench::new().await;
        let out = b.run(Stage::Filter, &[added("C1", "quiero A12 M"), added("C1", "quiero A12 M")]).await;
        assert_eq!(
            out.iter().map(|o| o.as_ref().ok().cloned()).collect::<Vec<_>>(),
            [Some(Handled::Forwarded(1)), Some(Handled::Dropped("duplicate"))]
        );
        assert_eq!(b.queued(Stage::Intent).await.len(), 1);
    }

    #[tokio::test]
    async fn noise_and_unknown_pages_stop_here() {
        let b = Bench::new().await;
        let stranger = Comment {
            page_id: crate::domain::ids::PageId::parse("OTHER").expect("id"),
            ..comment(Platform::Facebook, "C2", "U2", "A12 M")
        };
        let out = b.run(Stage::Filter, &[added("C1", "jajajaja"), encode(&CommentEvent::Added(stranger))]).await;
        assert!(matches!(out[0], Ok(Handled::Dropped("noise"))));
        assert!(matches!(out[1], Ok(Handled::Dropped("unknown_page"))));
        assert!(b.queued(Stage::Intent).await.is_empty());
    }

    #[tokio::test]
    async fn a_removal_that_arrives_first_keeps_its_comment_out() {
        let b = Bench::new().await;
        let c = comment(Platform::Facebook, "C1", "U1", "quiero A12 M");
        let removed =
            CommentEvent::Removed { platform: c.platform, page_id: c.page_id.clone(), comment_id: c.comment_id.clone(), at: t0() };
        let out = b.run(Stage::Filter, &[encode(&removed), added("C1", "quiero A12 M")]).await;
        assert!(matches!(out[1], Ok(Handled::Dropped("removed_before_arrival"))), "{out:?}");
        assert!(b.queued(Stage::Intent).await.is_empty());
    }

    #[tokio::test]
    async fn an_edit_of_a_classified_comment_goes_back_to_intent() {
        let b = Bench::new().await;
        b.through(Stage::Intent, &[CommentEvent::Added(comment(Platform::Facebook, "C1", "U1", "quiero A12 M"))]).await;
        b.queued(Stage::Reserve).await;
        let edited = CommentEvent::Edited(comment(Platform::Facebook, "C1", "U1", "mejor A12 S"));
        assert!(matches!(b.run(Stage::Filter, &[encode(&edited)]).await[0], Ok(Handled::Forwarded(1))));
        assert_eq!(b.queued(Stage::Intent).await.len(), 1);
        // Edited into noise: filtered again.
        let noise = CommentEvent::Edited(comment(Platform::Facebook, "C1", "U1", "jajaja"));
        b.run(Stage::Intent, &b.queued(Stage::Intent).await).await;
        assert!(matches!(b.run(Stage::Filter, &[encode(&noise)]).await[0], Ok(Handled::Dropped(_))));
    }

    #[tokio::test]
    async fn an_undecodable_entry_is_poison_and_does_not_hold_back_the_others() {
        let b = Bench::new().await;
        let out = b.run(Stage::Filter, &["{not json".to_string(), added("C1", "A12 M")]).await;
        assert!(matches!(out[0], Err(StageError::Poison(_))));
        assert!(matches!(out[1], Ok(Handled::Forwarded(1))));
    }
}
