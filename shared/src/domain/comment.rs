//! A buyer's comment on a live, and the events Meta sends about it.
use super::ids::{CommentId, LiveId, PageId, Platform, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest comment text kept; Meta's own limit is 8,000 characters.
pub const MAX_TEXT_CHARS: usize = 8_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub platform: Platform,
    /// The Facebook Page id or the Instagram professional account id the comment was sent to.
    pub page_id: PageId,
    pub comment_id: CommentId,
    pub live_id: LiveId,
    pub author_id: UserId,
    pub author_name: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// The stable key of a comment across redeliveries and stages.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CommentKey {
    pub platform: Platform,
    pub comment_id: CommentId,
}

impl Comment {
    pub fn key(&self) -> CommentKey {
        CommentKey { platform: self.platform, comment_id: self.comment_id.clone() }
    }
}

/// What a webhook says happened to a comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum CommentEvent {
    Added(Comment),
    /// The full comment with its new text.
    Edited(Comment),
    Removed {
        platform: Platform,
        page_id: PageId,
        comment_id: CommentId,
        at: DateTime<Utc>,
    },
    /// A buyer's message to the page (the `messages` webhook on the same endpoint).
    Message(super::buyer::InboundMessage),
}

impl CommentEvent {
    pub fn key(&self) -> CommentKey {
        match self {
            CommentEvent::Added(c) | CommentEvent::Edited(c) => c.key(),
            CommentEvent::Removed { platform, comment_id, .. } => CommentKey { platform: *platform, comment_id: comment_id.clone() },
            // Message ids never collide with comment ids (Meta's "m_…" / "aWdf…" ids).
            CommentEvent::Message(m) => CommentKey { platform: m.platform, comment_id: m.mid.clone() },
        }
    }
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            CommentEvent::Added(c) | CommentEvent::Edited(c) => c.created_at,
            CommentEvent::Removed { at, .. } | CommentEvent::Message(crate::domain::buyer::InboundMessage { at, .. }) => *at,
        }
    }
}
