//! Respond: send the comment's one private reply. The attempt is recorded before the call and its
//! outcome after, so a retry (or a restart after a crash mid-send) never sends twice: a message
//! already sent is skipped, and Meta's "already replied" (10900) counts as delivered.
use super::caches::TOKEN_TTL;
use super::{decode, Deps, Handled, StageError};
use crate::domain::graph_errors::backoff;
use crate::domain::secret::SecretString;
use crate::ports::{PortError, SendError, SendOutcome};
use serde::Deserialize;
use std::time::Duration;

#[derive(Deserialize)]
struct ReplyEntry {
    message_id: i64,
}

/// Longest single wait inside one delivery; longer throttles are left to the stream's redelivery.
const MAX_WAIT: Duration = Duration::from_secs(10);

pub async fn handle(deps: &Deps, payload: &str) -> Result<Handled, StageError> {
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
        let sent = deps.messenger.private_reply(&msg.account_id, &token, &msg.comment_id, &msg.text).await;
        let wait = match sent {
            Ok(meta_message_id) => {
                deps.store.finish_send(message_id, &SendOutcome::Sent { meta_message_id }).await?;
                return Ok(Handled::Done);
            }
            Err(SendError::AlreadyReplied) => {
                deps.store.finish_send(message_id, &SendOutcome::Sent { meta_message_id: None }).await?;
                return Ok(Handled::Done);
            }
            Err(SendError::TokenInvalid { code, message }) => {
                deps.store.invalidate_page_token(&msg.page_id).await?;
                deps.caches.invalidate("token", msg.page_id.as_str()).await;
                let note = format!("Replies paused: the page token was refused ({message}). Import the catalog again with a new token.");
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
    // Left pending: the stream redelivers it later, and dead-letters it after max deliveries.
    Err(StageError::Retry(PortError::Unavailable { backend: "meta-graph", message: error }))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct CachedToken {
    token: String,
}

/// The page's token, cache-aside: only tokens still believed valid are cached (24 h); a refusal
/// (Graph 190) or a new token invalidates the entry.
async fn page_token(deps: &Deps, page: &crate::domain::ids::PageId) -> Result<Option<(SecretString, bool)>, PortError> {
    if let Some(c) = deps.caches.get::<CachedToken>("token", page.as_str()).await {
        return Ok(Some((SecretString::new(c.token), true)));
    }
    let found = deps.store.page_token(page).await?;
    if let Some((token, true)) = &found {
        deps.caches.put("token", page.as_str(), &CachedToken { token: token.expose().to_string() }, TOKEN_TTL).await;
    }
    Ok(found)
}

/// Full jitter in [0.5, 1.0): enough to spread retries of many consumers apart.
fn jitter() -> f64 {
    0.5 + rand::random::<f64>() / 2.0
}
