//! Meta's Graph API: the private reply to a comment, and messages to a buyer inside their window.
use crate::domain::ids::{CommentId, PageId};
use crate::domain::outbound::SendError;
use crate::domain::secret::SecretString;
use async_trait::async_trait;

/// What Meta answered to a send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivered {
    pub message_id: Option<String>,
    /// The buyer's messaging id (`recipient_id`): how the page writes to them later, inside the
    /// 24-hour window their own message opens.
    pub recipient_id: Option<String>,
}

#[async_trait]
pub trait Messenger: Send + Sync {
    /// Sends the one private reply Meta allows for `comment`, through the seller's `page` (Instagram
    /// comments too: their account is linked to the page).
    async fn private_reply(&self, page: &PageId, token: &SecretString, comment: &CommentId, text: &str) -> Result<Delivered, SendError>;
    /// A message to a buyer's messaging id (`messaging_type: RESPONSE`): only inside the 24 hours
    /// after the buyer's last message, which the caller checks.
    async fn send_message(&self, page: &PageId, token: &SecretString, recipient: &str, text: &str) -> Result<Delivered, SendError>;
    /// A public reply under a Facebook comment (`POST /{comment-id}/comments`).
    async fn public_reply(&self, token: &SecretString, comment: &CommentId, text: &str) -> Result<Delivered, SendError>;
}
