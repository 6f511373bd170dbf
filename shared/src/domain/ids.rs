//! Identifier newtypes: a value of these types is never empty, never huge, never holds control chars.
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a raw identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind}: {reason}")]
pub struct InvalidId {
    pub kind: &'static str,
    pub reason: &'static str,
}

fn check(kind: &'static str, raw: &str) -> Result<(), InvalidId> {
    if raw.trim().is_empty() {
        return Err(InvalidId { kind, reason: "empty" });
    }
    if raw.len() > 128 {
        return Err(InvalidId { kind, reason: "longer than 128 bytes" });
    }
    if raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(InvalidId { kind, reason: "contains whitespace or control characters" });
    }
    Ok(())
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: impl Into<String>) -> Result<Self, InvalidId> {
                let raw = raw.into();
                check($kind, &raw)?;
                Ok(Self(raw))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(raw: String) -> Result<Self, InvalidId> {
                Self::parse(raw)
            }
        }
        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A Facebook Page id (or, for Instagram, the professional account id the page is linked to).
    PageId, "page id");
id_type!(
    /// The platform's comment id: unique per platform, the dedupe key for redeliveries.
    CommentId, "comment id");
id_type!(
    /// The commenter's platform-scoped user id.
    UserId, "user id");
id_type!(
    /// The live video's post (Facebook) or media (Instagram) id; orders are per buyer and live.
    LiveId, "live id");

/// A random 128-bit hex token (throwaway secrets, unique stream prefixes).
#[cfg(feature = "native")]
pub fn random_token() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Where a comment was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Facebook,
    Instagram,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Facebook => "facebook",
            Platform::Instagram => "instagram",
        }
    }
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "facebook" => Some(Platform::Facebook),
            "instagram" => Some(Platform::Instagram),
            _ => None,
        }
    }
}

/// A numeric id as people and the API give it: decimal digits only ("+1", " 1" or "-1" are not 1).
pub fn numeric_id(raw: &str) -> Option<i64> {
    if raw.is_empty() || raw.len() > 18 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    raw.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_refuse_empty_whitespace_and_oversized_values() {
        assert!(PageId::parse("").is_err());
        assert!(PageId::parse("  ").is_err());
        assert!(CommentId::parse("a b").is_err());
        assert!(UserId::parse("x".repeat(129)).is_err());
        assert_eq!(PageId::parse("1048576").map(|p| p.to_string()), Ok("1048576".to_string()));
    }

    #[test]
    fn ids_deserialize_through_validation() {
        let bad: Result<PageId, _> = serde_json::from_str("\"\"");
        assert!(bad.is_err());
        let good: PageId = serde_json::from_str("\"42\"").expect("valid id");
        assert_eq!(good.as_str(), "42");
    }

    #[test]
    fn numeric_ids_are_digits_only() {
        assert_eq!(super::numeric_id("42"), Some(42));
        for bad in ["+1", " 1", "-1", "1e3", "", "9999999999999999999"] {
            assert_eq!(super::numeric_id(bad), None, "{bad:?}");
        }
    }
}
