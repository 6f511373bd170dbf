//! # Meta Graph API messenger
//! The private reply: `POST {META_GRAPH_URL}/{page-id}/messages` with `recipient.comment_id`, the
//! page token as a Bearer header (never in the URL, so it can't leak into access logs). Instagram
//! comments are answered the same way, through the page the account is linked to (Meta's
//! Messenger Platform guide for Instagram private replies with a Page token); the IG-account
//! path answers error #3 to Page tokens.
use crate::domain::graph_errors::{verdict, GraphVerdict};
use crate::domain::ids::{CommentId, PageId};
use crate::domain::outbound::SendError;
use crate::domain::secret::SecretString;
use crate::ports::{Delivered, Messenger};
use async_trait::async_trait;
use serde::Deserialize;
use std::time::Duration;

pub struct MetaMessenger {
    http: reqwest::Client,
    base_url: String,
}

impl MetaMessenger {
    /// `base_url` includes the API version, e.g. `https://graph.facebook.com/v21.0`.
    pub fn new(base_url: &str, timeout: Duration) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder().timeout(timeout).connect_timeout(Duration::from_secs(5)).build()?;
        Ok(MetaMessenger { http, base_url: base_url.trim_end_matches('/').to_string() })
    }
}

#[derive(Deserialize)]
struct Sent {
    message_id: Option<String>,
    #[serde(default)]
    recipient_id: Option<String>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: GraphError,
}

#[derive(Deserialize)]
struct GraphError {
    #[serde(default)]
    message: String,
    code: Option<i64>,
    error_subcode: Option<i64>,
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

impl MetaMessenger {
    async fn post(&self, page: &PageId, token: &SecretString, body: serde_json::Value) -> Result<Delivered, SendError> {
        self.post_to(&format!("{}/{}/messages", self.base_url, page), token, body).await
    }

    async fn post_to(&self, url: &str, token: &SecretString, body: serde_json::Value) -> Result<Delivered, SendError> {
        let resp = self
            .http
            .post(url)
            .bearer_auth(token.expose())
            .json(&body)
            .send()
            .await
            .map_err(|e| SendError::Temporary { code: None, message: format!("request failed: {}", e.without_url()) })?;
        let status = resp.status();
        let after = retry_after(resp.headers());
        let bytes = resp.bytes().await.map_err(|e| SendError::Temporary { code: None, message: e.without_url().to_string() })?;
        if status.is_success() {
            // `recipient_id` is optional: Meta's docs show it for the Send API; a private reply's
            // answer carrying it was not confirmed from a primary source.
            let sent = serde_json::from_slice::<Sent>(&bytes).ok();
            return Ok(sent.map(|s| Delivered { message_id: s.message_id, recipient_id: s.recipient_id }).unwrap_or_default());
        }
        let parsed = serde_json::from_slice::<ErrorBody>(&bytes).ok().map(|b| b.error);
        let (code, subcode, message) = match parsed {
            Some(e) => (e.code, e.error_subcode, e.message),
            None => (None, None, format!("HTTP {status} without a Graph error body")),
        };
        let message = match subcode {
            Some(sub) => format!("{message} (subcode {sub})"),
            None => message,
        };
        Err(match verdict(status.as_u16(), code, subcode) {
            GraphVerdict::AlreadyReplied => SendError::AlreadyReplied,
            GraphVerdict::Throttled => SendError::Throttled { code, message, retry_after: after },
            GraphVerdict::Temporary => SendError::Temporary { code, message },
            GraphVerdict::TokenInvalid => SendError::TokenInvalid { code, message },
            GraphVerdict::Final => SendError::Final { code, message },
        })
    }
}

#[async_trait]
impl Messenger for MetaMessenger {
    async fn private_reply(&self, page: &PageId, token: &SecretString, comment: &CommentId, text: &str) -> Result<Delivered, SendError> {
        self.post(page, token, serde_json::json!({"recipient": {"comment_id": comment.as_str()}, "message": {"text": text}})).await
    }

    async fn send_message(&self, page: &PageId, token: &SecretString, recipient: &str, text: &str) -> Result<Delivered, SendError> {
        let body = serde_json::json!({"recipient": {"id": recipient}, "messaging_type": "RESPONSE", "message": {"text": text}});
        self.post(page, token, body).await
    }

    async fn public_reply(&self, token: &SecretString, comment: &CommentId, text: &str) -> Result<Delivered, SendError> {
        // Graph answers {"id": "<new comment id>"}: no message id to keep.
        self.post_to(&format!("{}/{}/comments", self.base_url, comment), token, serde_json::json!({"message": text})).await
    }
}
