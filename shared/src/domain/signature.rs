//! Meta's `X-Hub-Signature-256`: `sha256=` + hex HMAC-SHA256 of the raw body with the app secret.
use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing X-Hub-Signature-256 header")]
    Missing,
    #[error("X-Hub-Signature-256 is not of the form sha256=<64 hex digits>")]
    Malformed,
    #[error("X-Hub-Signature-256 does not match the body")]
    Mismatch,
}

/// The header value Meta would send for `body`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    format!("sha256={}", hex::encode(mac(secret, body).finalize().into_bytes()))
}

/// Checks the header over the raw bytes; the comparison is constant-time (`Mac::verify_slice`).
pub fn verify(secret: &[u8], body: &[u8], header: Option<&str>) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let hex_part = header.trim().strip_prefix("sha256=").ok_or(SignatureError::Malformed)?;
    let expected = hex::decode(hex_part).map_err(|_| SignatureError::Malformed)?;
    if expected.len() != 32 {
        return Err(SignatureError::Malformed);
    }
    mac(secret, body).verify_slice(&expected).map_err(|_| SignatureError::Mismatch)
}

fn mac(secret: &[u8], body: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this never fails.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!("hmac takes any key length"));
    mac.update(body);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_made_with_the_secret_verifies() {
        let header = sign(b"s3cret", b"{\"object\":\"page\"}");
        assert_eq!(verify(b"s3cret", b"{\"object\":\"page\"}", Some(&header)), Ok(()));
    }

    #[test]
    fn a_changed_body_or_another_secret_is_a_mismatch() {
        let header = sign(b"s3cret", b"body");
        assert_eq!(verify(b"s3cret", b"body ", Some(&header)), Err(SignatureError::Mismatch));
        assert_eq!(verify(b"other", b"body", Some(&header)), Err(SignatureError::Mismatch));
    }

    #[test]
    fn missing_or_malformed_headers_are_refused() {
        assert_eq!(verify(b"k", b"b", None), Err(SignatureError::Missing));
        assert_eq!(verify(b"k", b"b", Some("sha1=abcd")), Err(SignatureError::Malformed));
        assert_eq!(verify(b"k", b"b", Some("sha256=zz")), Err(SignatureError::Malformed));
        assert_eq!(verify(b"k", b"b", Some("sha256=abcd")), Err(SignatureError::Malformed));
    }

    #[test]
    fn the_known_vector_from_metas_docs_shape_matches() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog")
        assert_eq!(
            sign(b"key", b"The quick brown fox jumps over the lazy dog"),
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }
}
