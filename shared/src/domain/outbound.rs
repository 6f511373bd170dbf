//! Private replies as the outbox keeps them, and how a send attempt ended.
use super::ids::{CommentId, PageId, Platform};
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    Pending,
    Sending,
    Sent,
    /// No page token: kept in the local outbox instead of sent.
    Outbox,
    Failed,
    /// The page's token is invalid: waits for a new one.
    Paused,
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 6] = [Self::Pending, Self::Sending, Self::Sent, Self::Outbox, Self::Failed, Self::Paused];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Pending => "pending",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Outbox => "outbox",
            MessageStatus::Failed => "failed",
            MessageStatus::Paused => "paused",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboundMessage {
    pub message_id: i64,
    pub platform: Platform,
    pub comment_id: CommentId,
    /// The seller page that owns the comment: replies are sent through it (Instagram ones too).
    pub page_id: PageId,
    /// The account the comment was addressed to: the page, or its linked Instagram account.
    pub account_id: PageId,
    pub text: String,
    pub status: MessageStatus,
    pub attempts: u32,
    pub error_code: Option<i64>,
    pub error: Option<String>,
    pub meta_message_id: Option<String>,
}

/// How a send attempt ended, recorded after the call.
#[derive(Debug, Clone, PartialEq)]
pub enum SendOutcome {
    Sent {
        meta_message_id: Option<String>,
    },
    Outbox,
    Failed {
        code: Option<i64>,
        error: String,
    },
    Paused {
        code: Option<i64>,
        error: String,
    },
    /// Not sent this time (temporary error); stays pending.
    Retry {
        code: Option<i64>,
        error: String,
    },
}

/// Why a private reply was not delivered, sorted by what to do next (Meta's error table in
/// `../shared/DESIGN.md`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SendError {
    #[error("the comment already has a reply")]
    AlreadyReplied,
    #[error("throttled (code {code:?}): {message}")]
    Throttled { code: Option<i64>, message: String, retry_after: Option<Duration> },
    #[error("temporary failure (code {code:?}): {message}")]
    Temporary { code: Option<i64>, message: String },
    #[error("page token invalid (code {code:?}): {message}")]
    TokenInvalid { code: Option<i64>, message: String },
    #[error("refused (code {code:?}): {message}")]
    Final { code: Option<i64>, message: String },
}
