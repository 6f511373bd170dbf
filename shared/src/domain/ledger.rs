//! A comment's life in the ledger: the states it moves through and how a delivery, an edit or a
//! removal was taken.
use super::comment::Comment;
use super::ids::PageId;
use super::intent::Classification;
use serde::Serialize;

/// How `record` saw a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// First time.
    New,
    /// The same stream entry again (a stage retry): carry on.
    Retry,
    /// Another delivery of a comment already recorded (Meta redelivered it): drop.
    Duplicate,
    /// Its removal arrived first (a tombstone was waiting): stored as removed, never acted on.
    Removed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentState {
    /// Waiting for intent.
    Received,
    /// Dropped as noise by the filter.
    Filtered,
    /// Not for a known page.
    Ignored,
    /// Intent decided, waiting for reserve.
    Classified,
    /// Reserve has applied its effects.
    Acted,
    /// The author removed it.
    Removed,
}

impl CommentState {
    pub const ALL: [CommentState; 6] = [Self::Received, Self::Filtered, Self::Ignored, Self::Classified, Self::Acted, Self::Removed];

    pub fn as_str(self) -> &'static str {
        match self {
            CommentState::Received => "received",
            CommentState::Filtered => "filtered",
            CommentState::Ignored => "ignored",
            CommentState::Classified => "classified",
            CommentState::Acted => "acted",
            CommentState::Removed => "removed",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == raw)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredComment {
    pub comment: Comment,
    /// The seller page it belongs to (None when no page matched).
    pub seller_page: Option<PageId>,
    pub state: CommentState,
    pub classification: Option<Classification>,
    /// How many times an edit re-opened it after it was classified (0: never).
    pub revision: u32,
    /// The revision whose claims the store holds (None: reserve never acted on it).
    pub acted_revision: Option<u32>,
}

impl StoredComment {
    /// An edit re-opened a comment whose claims were already made: they must be decided again.
    pub fn needs_redecision(&self) -> bool {
        self.acted_revision.is_some_and(|r| r < self.revision)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditOutcome {
    /// Not classified yet: the new text is what intent will read.
    Applied,
    /// Already classified (and perhaps acted on): the text changed and the comment is open for
    /// intent again; its claims are decided again while their stock is still held.
    Reopened,
    /// Nothing left to decide (removed, noise, or its claims are over): the edit is kept for the seller.
    RecordedOnly,
    /// No such comment (the edit overtook the comment): the caller records it as new.
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_states_round_trip_through_their_names() {
        for s in CommentState::ALL {
            assert_eq!(CommentState::parse(s.as_str()), Some(s));
        }
        assert_eq!(CommentState::parse("deleted"), None);
    }
}
