//! What a Graph API error means for a private reply (the table in DESIGN.md, "Meta errors").
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphVerdict {
    /// 10900: the comment already has our reply (a retry after a crash): count it as delivered.
    AlreadyReplied,
    /// Throttling: retry later, slower.
    Throttled,
    /// 5xx, code 2, timeouts: retry with backoff.
    Temporary,
    /// 190: the page token is invalid or expired; pause the page's replies until a new token.
    TokenInvalid,
    /// Too old, not replyable, outside the window, policy, permissions: record for the seller.
    Final,
}

/// Sorts an error by HTTP status and Graph `code` / `error_subcode` (absent when the body had none).
pub fn verdict(http_status: u16, code: Option<i64>, subcode: Option<i64>) -> GraphVerdict {
    match code {
        Some(10900) => GraphVerdict::AlreadyReplied,
        Some(4 | 17 | 32 | 341 | 613 | 80001..=80014) => GraphVerdict::Throttled,
        Some(190) => GraphVerdict::TokenInvalid,
        Some(2) => GraphVerdict::Temporary,
        Some(10901..=10903 | 551 | 368 | 10 | 200..=299) => GraphVerdict::Final,
        Some(1) if http_status >= 500 => GraphVerdict::Temporary,
        _ if http_status == 429 => GraphVerdict::Throttled,
        _ if http_status >= 500 => GraphVerdict::Temporary,
        _ => {
            let _ = subcode; // subcodes (2018278, 1545041, 460…) refine the message, not the action
            GraphVerdict::Final
        }
    }
}

/// Exponential backoff with full jitter: attempt 1 → up to `base`, doubling, capped at `cap`.
pub fn backoff(attempt: u32, base: Duration, cap: Duration, jitter: f64) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    exp.min(cap).mul_f64(jitter.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_errors_sort_as_the_design_table_says() {
        assert_eq!(verdict(400, Some(10900), None), GraphVerdict::AlreadyReplied);
        for code in [4, 17, 32, 613, 80001, 341] {
            assert_eq!(verdict(400, Some(code), None), GraphVerdict::Throttled, "code {code}");
        }
        assert_eq!(verdict(500, Some(2), None), GraphVerdict::Temporary);
        assert_eq!(verdict(503, None, None), GraphVerdict::Temporary);
        for code in [10901, 10902, 10903, 551, 368, 10, 200, 299] {
            assert_eq!(verdict(400, Some(code), Some(2018278)), GraphVerdict::Final, "code {code}");
        }
        assert_eq!(verdict(401, Some(190), Some(460)), GraphVerdict::TokenInvalid);
        assert_eq!(verdict(429, None, None), GraphVerdict::Throttled);
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let b = Duration::from_millis(100);
        let cap = Duration::from_secs(2);
        assert_eq!(backoff(1, b, cap, 1.0), Duration::from_millis(100));
        assert_eq!(backoff(3, b, cap, 1.0), Duration::from_millis(400));
        assert_eq!(backoff(10, b, cap, 1.0), cap);
        assert_eq!(backoff(3, b, cap, 0.5), Duration::from_millis(200));
    }
}
