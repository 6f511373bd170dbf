//! Ingest: the Meta webhook. Verify the handshake or the signature over the raw bytes, split the
//! POST into comment events, append each to the `comments` stream and answer at once; the later
//! stages run on their own. Dedupe happens at the filter, against the database.
use crate::domain::secret::SecretString;
use crate::domain::signature::{self, SignatureError};
use crate::domain::webhook::{self, WebhookError};
use crate::pipeline::{encode, Stage, Streams};
use crate::ports::{EventStream, PortError, SeenMarks};
use subtle::ConstantTimeEq;

/// Meta's own limit for webhook payloads is far below this; anything bigger is not Meta.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Unauthorized(#[from] SignatureError),
    #[error(transparent)]
    Malformed(#[from] WebhookError),
    #[error("body is {0} bytes; the limit is {MAX_BODY_BYTES}")]
    TooLarge(usize),
    #[error("could not queue the comments: {0}")]
    Unavailable(#[from] PortError),
}

/// What a POST carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Accepted {
    pub queued: usize,
    pub ignored: usize,
}

/// The checks every host makes before queueing anything: size, signature over the raw bytes, shape.
fn verified(app_secret: &SecretString, signature_header: Option<&str>, body: &[u8]) -> Result<webhook::WebhookBatch, IngestError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(IngestError::TooLarge(body.len()));
    }
    signature::verify(app_secret.expose().as_bytes(), body, signature_header)?;
    Ok(webhook::parse(body)?)
}

/// Verifies and queues one webhook POST. Nothing is queued unless the signature matches.
pub async fn receive(
    stream: &dyn EventStream,
    streams: &Streams,
    app_secret: &SecretString,
    signature_header: Option<&str>,
    body: &[u8],
) -> Result<Accepted, IngestError> {
    let batch = verified(app_secret, signature_header, body)?;
    let key = streams.key(Stage::Filter);
    for event in &batch.events {
        // A failure here answers 5xx so Meta redelivers the whole POST; comments already queued
        // from it are then dropped as duplicates.
        stream.append(&key, &encode(event)).await?;
    }
    Ok(Accepted { queued: batch.events.len(), ignored: batch.ignored })
}

/// What the edge did with a POST.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct EdgeAccepted {
    pub queued: usize,
    pub ignored: usize,
    /// Comments marked seen at the edge (Meta redelivered them): not queued again.
    pub already_seen: usize,
}

/// How long the edge remembers a comment id (Meta gives up redelivering well before).
pub const SEEN_TTL: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

fn seen_key(streams: &Streams, event: &crate::domain::comment::CommentEvent) -> String {
    let key = event.key();
    format!("{}:seen:{}:{}", streams.key(Stage::Filter), key.platform.as_str(), key.comment_id)
}

/// The edge's ingest (Cloudflare Worker): the same checks as `receive`, then comments already
/// marked seen are dropped early, the rest appended in one round trip, and only then marked seen —
/// never before, so a failed append loses nothing. The ledger downstream stays the authority.
pub async fn receive_at_edge(
    stream: &dyn EventStream,
    marks: &dyn SeenMarks,
    streams: &Streams,
    app_secret: &SecretString,
    signature_header: Option<&str>,
    body: &[u8],
) -> Result<EdgeAccepted, IngestError> {
    let batch = verified(app_secret, signature_header, body)?;
    // Only new comments are deduped here; edits and removals of the same id must pass.
    let added: Vec<(usize, String)> = batch
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, crate::domain::comment::CommentEvent::Added(_)))
        .map(|(i, e)| (i, seen_key(streams, e)))
        .collect();
    let keys: Vec<String> = added.iter().map(|(_, k)| k.clone()).collect();
    // A failing mark store only costs the early filter, never the comment.
    let seen = marks.seen(&keys).await.unwrap_or_else(|_| vec![false; keys.len()]);
    let skip: Vec<usize> = added.iter().zip(&seen).filter(|(_, s)| **s).map(|((i, _), _)| *i).collect();
    let payloads: Vec<String> = batch.events.iter().enumerate().filter(|(i, _)| !skip.contains(i)).map(|(_, e)| encode(e)).collect();
    stream.append_many(&streams.key(Stage::Filter), &payloads).await?;
    let fresh: Vec<String> = added.iter().zip(&seen).filter(|(_, s)| !**s).map(|((_, k), _)| k.clone()).collect();
    if let Err(e) = marks.mark_seen(&fresh, SEEN_TTL).await {
        tracing::warn!(error = %e, "could not mark comments seen; a redelivery will be dropped downstream instead");
    }
    Ok(EdgeAccepted { queued: payloads.len(), ignored: batch.ignored, already_seen: skip.len() })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    #[error("hub.mode must be \"subscribe\" and hub.challenge present")]
    BadRequest,
    #[error("hub.verify_token does not match")]
    Forbidden,
}

/// The GET subscription handshake: echo `hub.challenge` when mode and token match.
pub fn handshake(
    verify_token: &SecretString,
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
) -> Result<String, HandshakeError> {
    let (Some("subscribe"), Some(challenge)) = (mode, challenge) else {
        return Err(HandshakeError::BadRequest);
    };
    let given = token.unwrap_or_default().as_bytes();
    if !bool::from(given.ct_eq(verify_token.expose().as_bytes())) {
        return Err(HandshakeError::Forbidden);
    }
    Ok(challenge.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handshake_echoes_the_challenge_only_with_the_right_token() {
        let t = SecretString::new("vt");
        assert_eq!(handshake(&t, Some("subscribe"), Some("vt"), Some("123")), Ok("123".into()));
        assert_eq!(handshake(&t, Some("subscribe"), Some("nope"), Some("123")), Err(HandshakeError::Forbidden));
        assert_eq!(handshake(&t, Some("subscribe"), None, Some("123")), Err(HandshakeError::Forbidden));
        assert_eq!(handshake(&t, Some("unsubscribe"), Some("vt"), Some("1")), Err(HandshakeError::BadRequest));
        assert_eq!(handshake(&t, Some("subscribe"), Some("vt"), None), Err(HandshakeError::BadRequest));
    }
}

#[cfg(all(test, feature = "embedded"))]
mod handler_tests {
    use super::*;
    use crate::domain::signature::sign;
    use crate::stages::testing::Bench;

    fn body() -> String {
        serde_json::json!({"object": "page", "entry": [{"id": "P1", "time": 1764097260, "changes": [
            {"field": "feed", "value": {"from": {"id": "U1", "name": "Ana"}, "post_id": "P1_L", "comment_id": "C1",
             "created_time": 1764097260, "item": "comment", "verb": "add", "message": "A12 M"}},
            {"field": "reactions", "value": {}}]}]})
        .to_string()
    }

    #[tokio::test]
    async fn a_signed_post_is_queued_and_anything_else_queues_nothing() {
        let b = Bench::new().await;
        let (secret, streams) = (SecretString::new("s3cret"), b.deps.settings.streams.clone());
        let good = body();
        let sig = sign(b"s3cret", good.as_bytes());
        let ok = receive(b.deps.stream.as_ref(), &streams, &secret, Some(&sig), good.as_bytes()).await.expect("accepted");
        assert_eq!(ok, Accepted { queued: 1, ignored: 1 });
        assert!(matches!(
            receive(b.deps.stream.as_ref(), &streams, &secret, Some("sha256=00"), good.as_bytes()).await,
            Err(IngestError::Unauthorized(_))
        ));
        let junk = "{not json";
        let sig = sign(b"s3cret", junk.as_bytes());
        assert!(matches!(
            receive(b.deps.stream.as_ref(), &streams, &secret, Some(&sig), junk.as_bytes()).await,
            Err(IngestError::Malformed(_))
        ));
        let huge = vec![b' '; MAX_BODY_BYTES + 1];
        assert!(matches!(receive(b.deps.stream.as_ref(), &streams, &secret, None, &huge).await, Err(IngestError::TooLarge(_))));
        assert_eq!(b.queued(Stage::Filter).await.len(), 1, "only the signed POST's comment");
    }
}
