//! Filter: record each comment once (the ledger's unique key drops Meta's redeliveries), apply
//! edits and removals, drop noise with regexes before any AI, pass the rest to intent.
use super::{decode, encode, Deps, Handled, Stage, StageError};
use crate::domain::comment::{Comment, CommentEvent};
use crate::domain::filter::noise;
use crate::ports::{CommentState, EditOutcome, Recorded};

pub async fn handle(deps: &Deps, entry_id: &str, payload: &str) -> Result<Handled, StageError> {
    match decode::<CommentEvent>(payload)? {
        CommentEvent::Added(c) => added(deps, &c, entry_id).await,
        CommentEvent::Edited(c) => match deps.store.apply_edit(&c).await? {
            // The edit overtook its comment: the edited text is the comment.
            EditOutcome::Unknown => added(deps, &c, entry_id).await,
            EditOutcome::Applied => Ok(Handled::Dropped("edit_applied")),
            EditOutcome::RecordedOnly => Ok(Handled::Dropped("edit_after_processing")),
        },
        CommentEvent::Removed { platform, comment_id, at, .. } => {
            let key = crate::domain::comment::CommentKey { platform, comment_id };
            let cancelled = deps.store.remove(&key, at.max(deps.clock.now()), deps.settings.ttl_secs()).await?;
            tracing::info!(comment_id = %key.comment_id, cancelled = cancelled.len(), "comment removed");
            Ok(Handled::Dropped("removed"))
        }
    }
}

async fn added(deps: &Deps, c: &Comment, entry_id: &str) -> Result<Handled, StageError> {
    let page = deps.store.page_for_account(c.platform, &c.page_id).await?;
    let key = c.key();
    match deps.store.record(c, page.as_ref().map(|p| &p.page_id), entry_id).await? {
        Recorded::Duplicate => return Ok(Handled::Dropped("duplicate")),
        Recorded::New | Recorded::Retry => {}
    }
    if page.is_none() {
        deps.store.mark(&key, CommentState::Ignored, "unknown_page").await?;
        return Ok(Handled::Dropped("unknown_page"));
    }
    if let Some(reason) = noise(&c.text) {
        deps.store.mark(&key, CommentState::Filtered, reason).await?;
        return Ok(Handled::Dropped("noise"));
    }
    deps.stream.append(&deps.settings.streams.key(Stage::Intent), &encode(&key)).await?;
    Ok(Handled::Forwarded(1))
}
