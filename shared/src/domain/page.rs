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

/// A seller's dashboard session. Only a hash of `session_id` is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SellerSession {
    pub session_id: String,
    pub page_id: PageId,
    pub expires_at: DateTime<Utc>,
}
