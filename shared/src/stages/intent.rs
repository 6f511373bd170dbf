//! Intent: classify the comment's current text (an edit made before now is what is read). The
//! catalog-aware rules decide first; only what they are unsure of goes to the LLM (when one is
//! configured), through the answer cache; an LLM answer naming anything outside the catalog is
//! thrown away, and any LLM failure leaves the rules' decision flagged for the seller's review.
use crate::domain::comment::{Comment, CommentKey};
use crate::domain::ids::PageId;
use crate::domain::intent::{classify, Classification};
use crate::domain::ledger::CommentState;
use crate::domain::llm::{accept, candidates, AiCall, LlmRequest};
use crate::domain::text::fold;
use crate::pipeline::caches::AI_TTL;
use crate::pipeline::catalogs::PageView;
use crate::pipeline::{decode, encode, Deps, Handled, Outcomes, Stage, StageError};
use crate::ports::{Llm, StreamEntry};
use sha2::{Digest, Sha256};

/// An edit racing the classification makes the save fail; try again on the new text this many times.
const EDIT_RACE_RETRIES: usize = 3;
/// Products shown to the LLM at most.
const MAX_CANDIDATES: usize = 6;

/// Entries are independent here (no stock is taken): a batch is decided concurrently, so one
/// seller's slow LLM call holds up nobody else's comment.
pub async fn handle(deps: &Deps, batch: &[StreamEntry]) -> Outcomes {
    futures::future::join_all(batch.iter().map(|e| one(deps, &e.payload))).await
}

async fn one(deps: &Deps, payload: &str) -> Result<Handled, StageError> {
    let key: CommentKey = decode(payload)?;
    for _ in 0..EDIT_RACE_RETRIES {
        let stored = deps.store.load(&key).await?.ok_or_else(|| StageError::Poison(format!("unknown comment {}", key.comment_id)))?;
        match stored.state {
            CommentState::Received => {}
            CommentState::Classified | CommentState::Acted => return forward(deps, &key).await,
            CommentState::Filtered | CommentState::Ignored | CommentState::Removed => return Ok(Handled::Dropped("not_actionable")),
        }
        let page_id = stored.seller_page.ok_or_else(|| StageError::Poison(format!("comment {} has no page", key.comment_id)))?;
        let view = deps
            .catalogs
            .page(deps.store.as_ref(), &deps.caches, &page_id)
            .await?
            .ok_or_else(|| StageError::Poison(format!("page {page_id} has no catalog")))?;
        let cls = decide(deps, &stored.comment, &page_id, &view).await?;
        tracing::debug!(comment_id = %key.comment_id, intent = ?cls.intent, claims = cls.claims.len(), confidence = cls.confidence, unclear = cls.unclear, "classified");
        if deps.store.save_classification(&key, &stored.comment.text, &cls).await? {
            return forward(deps, &key).await;
        }
    }
    Err(StageError::NotReady(format!("comment {} kept changing while it was classified", key.comment_id)))
}

async fn forward(deps: &Deps, key: &CommentKey) -> Result<Handled, StageError> {
    deps.stream.append(&deps.settings.streams.key(Stage::Reserve), &encode(key)).await?;
    Ok(Handled::Forwarded(1))
}

/// Rules first; the LLM only for what they are unsure of.
pub async fn decide(deps: &Deps, comment: &Comment, page: &PageId, view: &PageView) -> Result<Classification, StageError> {
    let rules = classify(&comment.text, &view.loaded.index, view.current_product.as_deref());
    if !rules.needs_llm() {
        return Ok(rules);
    }
    let Some(llm) = &deps.llm else { return Ok(rules) };
    ask_llm(deps, llm.as_ref(), comment, page, view, rules).await
}

/// Cache key: the normalised text, the catalog version and the product on screen (a bare "mine"
/// means another product once the seller shows another one).
fn cache_key(page: &PageId, view: &PageView, text: &str) -> String {
    let normal = fold(text).split_whitespace().collect::<Vec<_>>().join(" ");
    let digest = hex::encode(Sha256::digest(normal.as_bytes()));
    format!("{page}:{}:{}:{}", view.version, view.current_product.as_deref().unwrap_or("-"), &digest[..32])
}

async fn ask_llm(
    deps: &Deps,
    llm: &dyn Llm,
    comment: &Comment,
    page: &PageId,
    view: &PageView,
    rules: Classification,
) -> Result<Classification, StageError> {
    let started = std::time::Instant::now();
    let key = cache_key(page, view, &comment.text);
    let log = |outcome: &str, cached: bool, tokens: (u32, u32), fallback: Option<String>| AiCall {
        page_id: page.clone(),
        comment_id: comment.comment_id.clone(),
        model: llm.model().to_string(),
        latency_ms: started.elapsed().as_millis() as u64,
        tokens_in: tokens.0,
        tokens_out: tokens.1,
        cached,
        outcome: outcome.to_string(),
        fallback_reason: fallback,
        at: deps.clock.now(),
    };
    if let Some(hit) = deps.caches.get::<Classification>("ai", &key).await {
        deps.store.record_ai_call(&log("cache_hit", true, (0, 0), None)).await?;
        return Ok(hit);
    }
    let req = LlmRequest {
        page: page.clone(),
        comment_id: comment.comment_id.clone(),
        text: comment.text.clone(),
        candidates: candidates(&view.loaded.catalog, &comment.text, view.current_product.as_deref(), MAX_CANDIDATES),
        current_product: view.current_product.clone(),
    };
    let flagged = |why: String| Classification { review: Some(why), ..rules.clone() };
    match llm.classify(&req).await {
        Ok(answer) => match accept(&view.loaded.catalog, &answer, view.current_product.as_deref()) {
            Ok(claims) => {
                let decided = Classification { intent: answer.intent, claims, confidence: 0.9, review: None, ..rules.clone() };
                deps.caches.put("ai", &key, &decided, AI_TTL).await;
                deps.store.record_ai_call(&log("ok", false, (answer.tokens_in, answer.tokens_out), None)).await?;
                Ok(decided)
            }
            Err(why) => {
                let reason = format!("LLM answer rejected: {why}");
                tracing::warn!(comment_id = %comment.comment_id, %reason, "rules decide instead");
                deps.store.record_ai_call(&log("invalid_answer", false, (answer.tokens_in, answer.tokens_out), Some(why))).await?;
                Ok(flagged(reason))
            }
        },
        Err(e) => {
            let reason = format!("LLM {e}");
            tracing::warn!(comment_id = %comment.comment_id, %reason, "rules decide instead");
            deps.store.record_ai_call(&log(e.outcome(), false, (0, 0), Some(e.to_string()))).await?;
            Ok(flagged(reason))
        }
    }
}

#[cfg(all(test, feature = "embedded"))]
mod tests {
    use super::*;
    use crate::domain::comment::CommentEvent;
    use crate::domain::ids::Platform;
    use crate::domain::intent::Intent;
    use crate::stages::testing::{comment, Bench};

    #[tokio::test]
    async fn the_rules_decide_a_clear_comment_and_it_goes_to_reserve() {
        let b = Bench::new().await;
        let c = comment(Platform::Facebook, "C1", "U1", "quiero 2 A12 talla M");
        let out = b.through(Stage::Intent, &[CommentEvent::Added(c.clone())]).await;
        assert!(matches!(out[0], Ok(Handled::Forwarded(1))), "{out:?}");
        let stored = b.deps.store.load(&c.key()).await.expect("load").expect("stored");
        let cls = stored.classification.expect("decided");
        assert_eq!((cls.intent, cls.claims.len(), cls.claims[0].qty), (Intent::Purchase, 1, 2));
        assert_eq!(stored.state, CommentState::Classified);
        assert_eq!(b.queued(Stage::Reserve).await, [encode(&c.key())]);
    }

    #[tokio::test]
    async fn a_comment_decided_before_is_passed_on_without_deciding_again() {
        let b = Bench::new().await;
        let c = comment(Platform::Facebook, "C1", "U1", "quiero A12 M");
        b.through(Stage::Intent, &[CommentEvent::Added(c.clone())]).await;
        b.queued(Stage::Reserve).await;
        assert!(matches!(b.run(Stage::Intent, &[encode(&c.key())]).await[0], Ok(Handled::Forwarded(1))));
    }

    #[tokio::test]
    async fn an_unknown_comment_is_poison() {
        let b = Bench::new().await;
        let ghost = comment(Platform::Facebook, "NOPE", "U1", "x").key();
        assert!(matches!(b.run(Stage::Intent, &[encode(&ghost)]).await[0], Err(StageError::Poison(_))));
    }
}
