//! Intent: classify the comment's current text (an edit made before now is what is read) with the
//! catalog-aware rules, store the decision once, pass it on to reserve.
use super::{decode, encode, Deps, Handled, Stage, StageError};
use crate::domain::comment::CommentKey;
use crate::domain::intent::classify;
use crate::ports::CommentState;

/// An edit racing the classification makes the save fail; try again on the new text this many times.
const EDIT_RACE_RETRIES: usize = 3;

pub async fn handle(deps: &Deps, payload: &str) -> Result<Handled, StageError> {
    let key: CommentKey = decode(payload)?;
    for _ in 0..EDIT_RACE_RETRIES {
        let stored = deps.store.load(&key).await?.ok_or_else(|| StageError::Poison(format!("unknown comment {}", key.comment_id)))?;
        match stored.state {
            CommentState::Received => {}
            CommentState::Classified | CommentState::Acted => return forward(deps, &key).await,
            CommentState::Filtered | CommentState::Ignored | CommentState::Removed => return Ok(Handled::Dropped("not_actionable")),
        }
        let page_id = stored.seller_page.ok_or_else(|| StageError::Poison(format!("comment {} has no page", key.comment_id)))?;
        let page = deps.store.page(&page_id).await?.ok_or_else(|| StageError::Poison(format!("page {page_id} is gone")))?;
        let catalog = deps
            .catalogs
            .get(deps.store.as_ref(), &page_id, page.catalog_version)
            .await?
            .ok_or_else(|| StageError::Poison(format!("page {page_id} has no catalog")))?;
        let cls = classify(&stored.comment.text, &catalog.index, page.current_product.as_deref());
        tracing::debug!(comment_id = %key.comment_id, intent = ?cls.intent, claims = cls.claims.len(), confidence = cls.confidence, "classified");
        if deps.store.save_classification(&key, &stored.comment.text, &cls).await? {
            return forward(deps, &key).await;
        }
    }
    Err(StageError::Retry(crate::ports::PortError::Unavailable { backend: "intent", message: "comment kept changing".into() }))
}

async fn forward(deps: &Deps, key: &CommentKey) -> Result<Handled, StageError> {
    deps.stream.append(&deps.settings.streams.key(Stage::Reserve), &encode(key)).await?;
    Ok(Handled::Forwarded(1))
}
