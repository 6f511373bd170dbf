//! A seller's page as livesell knows it, and a seller's dashboard session.
use super::ids::PageId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A page (seller) as configured by `catalog import`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageConfig {
    pub page_id: PageId,
    pub ig_account_id: Option<PageId>,
    pub seller_name: String,
    pub current_product: Option<String>,
    pub catalog_version: i64,
}

/// A seller's dashboard session. Only a hash of `session_id` is stored or cached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SellerSession {
    pub session_id: String,
    pub page_id: PageId,
    pub expires_at: DateTime<Utc>,
}

impl SellerSession {
    /// What a session is kept under (store and cache): a leaked table opens no session.
    pub fn hash_id(session_id: &str) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(session_id.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sessions_are_kept_by_a_hash_of_their_id() {
        let h = super::SellerSession::hash_id("0123456789abcdef0123456789abcdef");
        assert_eq!(h.len(), 64);
        assert!(!h.contains("0123456789abcdef0123456789abcdef"));
    }
}
