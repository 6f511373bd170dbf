//! Respond: send the comment's one private reply. The attempt is recorded before the call and its
//! outcome after, so a retry (or a restart after a crash mid-send) never sends twice: a message
//! already sent is skipped, and Meta's "already replied" (10900) counts as delivered.
use crate::domain::graph_errors::backoff;
use crate::domain::outbound::{SendError, SendOutcome};
use crate::domain::reservation::ClaimStatus;
use crate::domain::secret::SecretString;
use crate::pipeline::caches::TOKEN_TTL;
use crate::pipeline::{decode, in_order, Deps, Handled, Outcomes, StageError};
use crate::ports::{PortError, StreamEntry};
use serde::Deserialize;
use std::time::Duration;

#[derive(Deserialize)]
struct ReplyEntry {
    message_id: i64,
}

/// Longest single wait inside one delivery; longer throttles are left to the stream's redelivery.
const MAX_WAIT: Duration = Duration::from_secs(10);

/// In order, so replies leave in the order their comments came.
pub async fn handle(deps: &Deps, batch: &[StreamEntry]) -> Outcomes {
    in_order(batch, |e| one(deps, &e.payload)).await
}

async fn one(deps: &Deps, payload: &str) -> Result<Handled, StageError> {
    let ReplyEntry { message_id } = decode(payload)?;
    let Some(msg) = deps.store.begin_send(message_id).await? else {
        return Ok(Handled::Dropped("already_final"));
    };
    let token = match page_token(deps, &msg.page_id).await? {
        None => {
            deps.store.finish_send(message_id, &SendOutcome::Outbox).await?;
            return Ok(Handled::Done);
        }
        Some((_, false)) => {
            let outcome = SendOutcome::Paused { code: Some(190), error: "page token flagged invalid; waiting for a new one".into() };
            deps.store.finish_send(message_id, &outcome).await?;
            return Ok(Handled::Dropped("token_invalid"));
        }
        Some((token, true)) => token,
    };
    let mut last = None;
    for attempt in 1..=deps.settings.send_attempts.max(1) {
        // Instagram comments too are answered through the page their account is linked to.
        let sent = deps.messenger.private_reply(&msg.page_id, &token, &msg.comment_id, &msg.text).await;
        let wait = match sent {
            Ok(delivered) => {
                deps.store.finish_send(message_id, &SendOutcome::Sent { meta_message_id: delivered.message_id }).await?;
                // How the page can write to this buyer later, once they answer.
                if let Some(recipient) = delivered.recipient_id.as_deref().filter(|r| crate::domain::ids::UserId::parse(*r).is_ok()) {
                    deps.store.record_recipient(message_id, recipient).await?;
                }
                public_reply(deps, &msg, &token).await;
                return Ok(Handled::Done);
            }
            Err(SendError::AlreadyReplied) => {
                deps.store.finish_send(message_id, &SendOutcome::Sent { meta_message_id: None }).await?;
                return Ok(Handled::Done);
            }
            Err(SendError::TokenInvalid { code, message }) => {
                deps.store.invalidate_page_token(&msg.page_id).await?;
                deps.caches.invalidate("token", msg.page_id.as_str()).await;
                let note = format!(
                    "Replies paused: the page token was refused ({message}). Set a new one with `livesell pages token --page-id {} --page-token-env VAR`.",
                    msg.page_id
                );
                deps.store.add_notice(&msg.page_id, "token_invalid", None, &note, deps.clock.now()).await?;
                deps.store.finish_send(message_id, &SendOutcome::Paused { code, error: message }).await?;
                return Ok(Handled::Dropped("token_invalid"));
            }
            Err(SendError::Final { code, message }) => {
                let note = format!("Could not reply to comment {}: {message}", msg.comment_id);
                deps.store.add_notice(&msg.page_id, "reply_failed", None, &note, deps.clock.now()).await?;
                deps.store.finish_send(message_id, &SendOutcome::Failed { code, error: message }).await?;
                return Ok(Handled::Dropped("reply_refused"));
            }
            Err(SendError::Throttled { code, message, retry_after }) => {
                let base = backoff(attempt, deps.settings.send_backoff * 4, MAX_WAIT, jitter());
                last = Some((code, message));
                retry_after.map_or(base, |r| r.min(MAX_WAIT))
            }
            Err(SendError::Temporary { code, message }) => {
                last = Some((code, message));
                backoff(attempt, deps.settings.send_backoff, MAX_WAIT, jitter())
            }
        };
        if attempt < deps.settings.send_attempts {
            tracing::warn!(message_id, attempt, wait_ms = wait.as_millis() as u64, "reply not delivered yet, retrying");
            tokio::time::sleep(wait).await;
        }
    }
    let (code, error) = last.unwrap_or((None, "no attempt made".into()));
    deps.store.finish_send(message_id, &SendOutcome::Retry { code, error: error.clone() }).await?;
    // Still pending for the seller to see; the consumer holds the entry and tries again with
    // capped backoff for as long as the Graph API is down. Never dead-lettered for that.
    Err(StageError::Retry(PortError::Unavailable { backend: "meta-graph", message: error }))
}

/// Facebook only, when the page asks for it: a public reply under the comment, once, best effort
/// (a failure is logged; the private reply is what counts).
async fn public_reply(deps: &Deps, msg: &crate::domain::outbound::OutboundMessage, token: &SecretString) {
    use crate::domain::reply::{public_reply as text_for, PublicOutcome};
    if msg.platform != crate::domain::ids::Platform::Facebook {
        return; // Instagram allows no replies on live comments.
    }
    let attempt = async {
        let Some(view) = deps.catalogs.page(deps.store.as_ref(), &deps.caches, &msg.page_id).await? else { return Ok(None) };
        if !view.loaded.catalog.public_replies {
            return Ok(None);
        }
        let key = crate::domain::comment::CommentKey { platform: msg.platform, comment_id: msg.comment_id.clone() };
        let claims = deps.store.claims_for_comment(&key).await?;
        let outcome = if claims.iter().any(|c| matches!(c.status, ClaimStatus::Reserved | ClaimStatus::Paid)) {
            PublicOutcome::Reserved
        } else if claims.iter().any(|c| c.status == ClaimStatus::Waitlisted) {
            PublicOutcome::Waitlisted
        } else {
            return Ok(None); // questions, refusals, cancellations: nothing to say in public
        };
        let Some(stored) = deps.store.load(&key).await? else { return Ok(None) };
        let lang = stored.classification.map_or(crate::domain::intent::Lang::Es, |c| c.lang);
        let Some(seq) = deps.store.claim_public_reply(msg.message_id, deps.clock.now()).await? else { return Ok(None) };
        Ok::<_, PortError>(Some(text_for(lang, outcome, &stored.comment.author_name, seq)))
    };
    match attempt.await {
        Ok(Some(text)) => {
            if let Err(e) = deps.messenger.public_reply(token, &msg.comment_id, &text).await {
                tracing::warn!(comment_id = %msg.comment_id, error = %e, "public reply not posted");
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(comment_id = %msg.comment_id, error = %e, "public reply skipped"),
    }
}

/// The page's token, cache-aside and sealed in the cache like in the store: only tokens still
/// believed valid are cached (24 h); a refusal (Graph 190) or a new token invalidates the entry.
async fn page_token(deps: &Deps, page: &crate::domain::ids::PageId) -> Result<Option<(SecretString, bool)>, PortError> {
    if let Some(token) = deps.caches.get_secret("token", page.as_str()).await {
        return Ok(Some((token, true)));
    }
    let found = deps.store.page_token(page).await?;
    if let Some((token, true)) = &found {
        deps.caches.put_secret("token", page.as_str(), token, TOKEN_TTL).await;
    }
    Ok(found)
}

/// Full jitter in [0.5, 1.0): enough to spread retries of many consumers apart.
fn jitter() -> f64 {
    0.5 + rand::random::<f64>() / 2.0
}

#[cfg(all(test, feature = "embedded"))]
mod tests {
    use super::*;
    use crate::config::Settings;
    use crate::domain::comment::CommentEvent;
    use crate::domain::ids::Platform;
    use crate::domain::outbound::MessageStatus;
    use crate::pipeline::Stage;
    use crate::stages::testing::{comment, page, Bench};

    async fn quick() -> Bench {
        Bench::with(Settings { send_attempts: 2, send_backoff: Duration::from_millis(1), ..Settings::default() }).await
    }

    #[tokio::test]
    async fn a_reply_is_sent_once_through_the_page() {
        let b = quick().await;
        b.through(Stage::Respond, &[CommentEvent::Added(comment(Platform::Facebook, "C1", "U1", "quiero B5"))]).await;
        let sent = b.messenger.sent();
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].0.as_str(), sent[0].1.as_str()), ("P1", "C1"));
        // Delivered again (a retry): not sent twice.
        let msg = b.deps.store.replies(&page()).await.expect("replies")[0].message_id;
        let again = serde_json::json!({ "message_id": msg }).to_string();
        assert!(matches!(b.run(Stage::Respond, &[again]).await[0], Ok(Handled::Dropped("already_final"))));
        assert_eq!(b.messenger.sent().len(), 1);
    }

    #[tokio::test]
    async fn an_instagram_comment_is_answered_through_its_page_with_the_page_token() {
        let b = quick().await;
        b.through(Stage::Respond, &[CommentEvent::Added(comment(Platform::Instagram, "IGC1", "U1", "quiero B5"))]).await;
        let sent = b.messenger.sent();
        assert_eq!((sent[0].0.as_str(), sent[0].1.as_str()), ("P1", "IGC1"), "the page's endpoint, not the IG account's");
    }

    #[tokio::test]
    async fn a_graph_outage_leaves_the_reply_pending_to_be_tried_again_never_failed() {
        let b = quick().await;
        b.messenger.fail_with(Some(SendError::Temporary { code: Some(2), message: "Service temporarily unavailable".into() }));
        let out = b.through(Stage::Respond, &[CommentEvent::Added(comment(Platform::Facebook, "C1", "U1", "quiero B5"))]).await;
        assert!(matches!(out[0], Err(StageError::Retry(_))), "{out:?}");
        let pending = &b.deps.store.replies(&page()).await.expect("replies")[0];
        assert_eq!((pending.status, pending.attempts), (MessageStatus::Pending, 1), "the seller sees it pending");
        b.messenger.fail_with(None);
        let msg = serde_json::json!({ "message_id": pending.message_id }).to_string();
        assert!(matches!(b.run(Stage::Respond, &[msg]).await[0], Ok(Handled::Done)));
        assert_eq!(b.messenger.sent().len(), 1);
        assert_eq!(b.deps.store.replies(&page()).await.expect("replies")[0].status, MessageStatus::Sent);
    }

    #[tokio::test]
    async fn a_refused_token_pauses_the_pages_replies_and_tells_the_seller_how_to_fix_it() {
        let b = quick().await;
        b.messenger.fail_with(Some(SendError::TokenInvalid { code: Some(190), message: "Session has expired".into() }));
        let out = b.through(Stage::Respond, &[CommentEvent::Added(comment(Platform::Facebook, "C1", "U1", "quiero B5"))]).await;
        assert!(matches!(out[0], Ok(Handled::Dropped("token_invalid"))));
        assert_eq!(b.deps.store.replies(&page()).await.expect("replies")[0].status, MessageStatus::Paused);
        let notices = b.deps.store.notices(&page()).await.expect("notices");
        assert!(notices.iter().any(|n| n.message.contains("livesell pages token")), "{notices:?}");
    }
}
