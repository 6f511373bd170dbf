//! What the replay summary and `/health` count.
use super::reservation::ClaimStatus;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PipelineCounts {
    pub comments: u64,
    /// Comments whose intent was decided.
    pub classified: u64,
    /// Of those, how many the rules were unsure of (what went, or would go, to the LLM).
    pub unclear: u64,
    pub duplicates: u64,
    pub filtered_out: u64,
    pub ignored: u64,
    pub removed: u64,
    pub edits: u64,
    pub intents: BTreeMap<String, u64>,
    pub claims: BTreeMap<String, u64>,
    pub replies: BTreeMap<String, u64>,
}

/// Claim counts by status, every status present.
pub fn empty_claim_counts() -> BTreeMap<String, u64> {
    ClaimStatus::ALL.iter().map(|s| (s.as_str().to_string(), 0)).collect()
}
