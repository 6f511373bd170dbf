//! Secrets at rest: page tokens (and, later, payment credentials) are sealed with
//! XChaCha20-Poly1305 under one 32-byte key, `LIVESELL_SECRETS_KEY` (standard base64). Each value
//! is bound to what it belongs to (the associated data, e.g. `page_token:<page id>`), so a sealed
//! value copied onto another row does not open. In production Supabase Vault can hold the key
//! (README); locally the embedded default keeps it in a 0600 file beside its database.
use crate::domain::secret::SecretString;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::path::Path;

/// Prefix of a sealed value (lets `migrate` tell sealed tokens from old plain ones).
const SEALED_PREFIX: &str = "sealed:v1:";
const NONCE_LEN: usize = 24;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsError {
    #[error("LIVESELL_SECRETS_KEY is invalid: {0} (expected 32 random bytes in standard base64, e.g. `openssl rand -base64 32`)")]
    BadKey(&'static str),
    #[error("LIVESELL_SECRETS_KEY must be set to {0}")]
    NoKey(&'static str),
    #[error("a sealed secret does not open with this key (wrong LIVESELL_SECRETS_KEY, or the value was moved)")]
    WrongKey,
    #[error("key file {path}: {message}")]
    KeyFile { path: String, message: String },
}

pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(***)")
    }
}

impl SecretBox {
    /// The key from its base64 text.
    pub fn from_base64(key: &SecretString) -> Result<Self, SecretsError> {
        let bytes = STANDARD.decode(key.expose().trim()).map_err(|_| SecretsError::BadKey("not standard base64"))?;
        if bytes.len() != 32 {
            return Err(SecretsError::BadKey("not 32 bytes"));
        }
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|_| SecretsError::BadKey("not 32 bytes"))?;
        Ok(SecretBox { cipher })
    }

    /// A new random key, base64.
    pub fn generate_key() -> SecretString {
        SecretString::new(STANDARD.encode(rand::random::<[u8; 32]>()))
    }

    /// The key kept in `path`, created (readable by its owner only) when missing.
    pub fn from_key_file(path: &Path) -> Result<Self, SecretsError> {
        let fail = |message: String| SecretsError::KeyFile { path: path.display().to_string(), message };
        if !path.exists() {
            let key = Self::generate_key();
            write_private(path, key.expose().as_bytes()).map_err(|e| fail(e.to_string()))?;
        }
        let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        Self::from_base64(&SecretString::new(text))
    }

    /// Seals `plain` for `context` (what it belongs to).
    pub fn seal(&self, context: &str, plain: &str) -> String {
        let nonce: [u8; NONCE_LEN] = rand::random();
        // Encrypting into a Vec can only fail on lengths far beyond any token.
        let sealed = self.cipher.encrypt(XNonce::from_slice(&nonce), Payload { msg: plain.as_bytes(), aad: context.as_bytes() });
        let mut out = nonce.to_vec();
        out.extend(sealed.unwrap_or_default());
        format!("{SEALED_PREFIX}{}", STANDARD.encode(out))
    }

    /// Opens a value sealed for `context`.
    pub fn open(&self, context: &str, sealed: &str) -> Result<SecretString, SecretsError> {
        let raw = sealed.strip_prefix(SEALED_PREFIX).ok_or(SecretsError::WrongKey)?;
        let bytes = STANDARD.decode(raw).map_err(|_| SecretsError::WrongKey)?;
        if bytes.len() < NONCE_LEN {
            return Err(SecretsError::WrongKey);
        }
        let (nonce, body) = bytes.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: context.as_bytes() })
            .map_err(|_| SecretsError::WrongKey)?;
        String::from_utf8(plain).map(SecretString::new).map_err(|_| SecretsError::WrongKey)
    }

    /// Whether a stored value is sealed (old rows may hold plain text until `migrate` seals them).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(SEALED_PREFIX)
    }
}

/// Creates `path` with mode 0600 (an existing file keeps its content) and writes `bytes` once.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = private_file(path)?;
    f.write_all(bytes)
}

/// Opens (creating) a file only its owner can read or write.
pub fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_token_opens_only_with_its_key_and_context() {
        let key = SecretBox::generate_key();
        let b = SecretBox::from_base64(&key).expect("key");
        let sealed = b.seal("page_token:P1", "EAAB-secret");
        assert!(SecretBox::is_sealed(&sealed) && !sealed.contains("EAAB"));
        assert_eq!(b.open("page_token:P1", &sealed).expect("opens").expose(), "EAAB-secret");
        assert_eq!(b.open("page_token:P2", &sealed).map(|_| ()), Err(SecretsError::WrongKey), "moved to another page");
        let other = SecretBox::from_base64(&SecretBox::generate_key()).expect("key");
        assert_eq!(other.open("page_token:P1", &sealed).map(|_| ()), Err(SecretsError::WrongKey));
        assert_ne!(b.seal("c", "x"), b.seal("c", "x"), "a fresh nonce every time");
    }

    #[test]
    fn a_bad_key_is_refused_with_the_variable_named() {
        let e = SecretBox::from_base64(&SecretString::new("c2hvcnQ=")).expect_err("short");
        assert!(e.to_string().starts_with("LIVESELL_SECRETS_KEY is invalid: not 32 bytes"), "{e}");
        assert!(SecretBox::from_base64(&SecretString::new("%%%")).is_err());
    }

    #[test]
    fn the_key_file_is_created_private_and_reused() {
        let path = std::env::temp_dir().join(format!("livesell-key-{}", rand::random::<u64>()));
        let a = SecretBox::from_key_file(&path).expect("created");
        let b = SecretBox::from_key_file(&path).expect("reused");
        assert_eq!(b.open("c", &a.seal("c", "t")).expect("same key").expose(), "t");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777, 0o600);
        }
        let _ = std::fs::remove_file(path);
    }
}
