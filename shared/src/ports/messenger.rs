//! Private replies to comments (Meta's Graph API).
use crate::domain::ids::{CommentId, PageId};
use crate::domain::outbound::SendError;
use crate::domain::secret::SecretString;
use async_trait::async_trait;

#[async_trait]
pub trait Messenger: Send + Sync {
    /// Sends the one private reply Meta allows for `comment`, through the seller's `page` (Instagram
    /// comments too: their account is linked to the page). Returns Meta's message id.
    async fn private_reply(
        &self,
        page: &PageId,
        token: &SecretString,
        comment: &CommentId,
        text: &str,
    ) -> Result<Option<String>, SendError>;
}
