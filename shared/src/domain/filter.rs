//! (interim) noise filter.
pub fn noise(text: &str) -> Option<&'static str> {
    let t = text.trim();
    if t.is_empty() {
        return Some("empty");
    }
    if t.starts_with('@') {
        return Some("tag");
    }
    if t.contains("http") || t.contains("bit.ly") {
        return Some("link");
    }
    if !t.chars().any(char::is_alphanumeric) {
        return Some("emoji_only");
    }
    None
}
