//! Meta webhook bodies → comment events. Facebook Page `feed` changes with `item: "comment"`,
//! Instagram `comments` / `live_comments`, and buyers' text messages (Messenger and Instagram
//! `messaging`); everything else posted to the same endpoint (reactions, shares, mentions, echoes,
//! unknown fields) is counted and ignored, never an error.
use super::buyer::InboundMessage;
use super::comment::{Comment, CommentEvent, MAX_TEXT_CHARS};
use super::ids::{CommentId, LiveId, PageId, Platform, UserId};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("body is JSON but not a Meta webhook: {0}")]
    NotAWebhook(&'static str),
}

/// The comment events of one POST, and how many other changes it carried.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookBatch {
    pub events: Vec<CommentEvent>,
    /// Changes that are not comments, the page's own comments, or comment changes missing ids.
    pub ignored: usize,
}

/// Parses one webhook POST body. Every comment of every entry and change is kept; text is made
/// safe for every store once, here (see `clean`), and one comment's lone surrogate escape does
/// not sink the others of its POST.
pub fn parse(body: &[u8]) -> Result<WebhookBatch, WebhookError> {
    let body = repair_lone_surrogates(body);
    let root: Value = serde_json::from_slice(&body).map_err(|e| WebhookError::MalformedJson(e.to_string()))?;
    let object = root.get("object").and_then(Value::as_str).ok_or(WebhookError::NotAWebhook("no \"object\" field"))?;
    let entries = root.get("entry").and_then(Value::as_array).ok_or(WebhookError::NotAWebhook("no \"entry\" array"))?;
    let platform = match object {
        "page" => Some(Platform::Facebook),
        "instagram" => Some(Platform::Instagram),
        _ => None,
    };
    let mut batch = WebhookBatch::default();
    for entry in entries {
        if let (Some(platform), Some(messaging)) = (platform, entry.get("messaging").and_then(Value::as_array)) {
            for m in messaging {
                match inbound_message(platform, m) {
                    Some(msg) => batch.events.push(CommentEvent::Message(msg)),
                    None => batch.ignored += 1,
                }
            }
            continue;
        }
        let changes = entry.get("changes").and_then(Value::as_array);
        let (Some(platform), Some(changes)) = (platform, changes) else {
            // Messenger `messaging` entries, other objects: not comments.
            batch.ignored += 1;
            continue;
        };
        let Some(page_id) = entry.get("id").and_then(id_value).and_then(|s| PageId::parse(s).ok()) else {
            batch.ignored += changes.len().max(1);
            continue;
        };
        let entry_time = entry.get("time").and_then(timestamp);
        for change in changes {
            let field = change.get("field").and_then(Value::as_str).unwrap_or_default();
            let value = change.get("value").unwrap_or(&Value::Null);
            let event = match (platform, field) {
                (Platform::Facebook, "feed") => facebook_comment(&page_id, value, entry_time),
                (Platform::Instagram, "comments" | "live_comments") => instagram_comment(&page_id, value, entry_time),
                _ => None,
            };
            match event {
                Some(event) => batch.events.push(event),
                None => batch.ignored += 1,
            }
        }
    }
    Ok(batch)
}

/// The latest event time a body carries (the replay's clock follows it); None for bodies with no
/// comment events.
pub fn latest_time(body: &[u8]) -> Option<DateTime<Utc>> {
    parse(body).ok()?.events.iter().map(CommentEvent::at).max()
}

/// Every (object, entry id) a body is addressed to, in order of appearance.
pub fn addressees(body: &[u8]) -> Vec<(String, String)> {
    let Ok(root) = serde_json::from_slice::<Value>(body) else { return Vec::new() };
    let object = root.get("object").and_then(Value::as_str).unwrap_or_default().to_string();
    root.get("entry")
        .and_then(Value::as_array)
        .map(|entries| entries.iter().filter_map(|e| e.get("id").and_then(id_value)).map(|id| (object.clone(), id)).collect())
        .unwrap_or_default()
}

/// Meta sends ids as strings, but some test tools send numbers.
fn id_value(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Unix seconds (or milliseconds, as some objects send), or an ISO 8601 string such as
/// `2025-11-25T19:01:00+0000`.
fn timestamp(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::Number(n) => {
            let n = n.as_i64()?;
            let secs = if n > 100_000_000_000 { n / 1000 } else { n };
            Utc.timestamp_opt(secs, 0).single()
        }
        Value::String(s) => DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z")
            .or_else(|_| DateTime::parse_from_rfc3339(s))
            .ok()
            .map(|d| d.with_timezone(&Utc))
            .or_else(|| s.parse::<i64>().ok().and_then(|n| timestamp(&Value::from(n)))),
        _ => None,
    }
}

/// Longest author name kept (Meta's display names are far shorter).
const MAX_NAME_CHARS: usize = 100;

/// Text every store takes: NUL and the other control characters out (PostgreSQL refuses NUL in
/// text; the rest only garbles replies and logs), newlines and tabs as spaces, clipped.
pub fn clean(text: &str, max_chars: usize) -> String {
    text.chars().map(|c| if c == '\n' || c == '\t' || c == '\r' { ' ' } else { c }).filter(|c| !c.is_control()).take(max_chars).collect()
}

fn clip(text: &str) -> String {
    clean(text, MAX_TEXT_CHARS)
}

fn name(text: &str) -> String {
    clean(text, MAX_NAME_CHARS).trim().to_string()
}

/// JSON may escape a UTF-16 surrogate alone (`"\ud83d"`), which is no character: serde refuses
/// the whole body for it. Such escapes become U+FFFD, so the rest of the POST still parses.
/// Surrogate pairs are left as they are.
pub fn repair_lone_surrogates(body: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    fn escape_at(b: &[u8], i: usize) -> Option<u16> {
        if b.get(i) != Some(&b'\\') || b.get(i + 1) != Some(&b'u') {
            return None;
        }
        let hex = std::str::from_utf8(b.get(i + 2..i + 6)?).ok()?;
        u16::from_str_radix(hex, 16).ok()
    }
    let is_high = |u: u16| (0xD800..0xDC00).contains(&u);
    let is_low = |u: u16| (0xDC00..0xE000).contains(&u);
    if !body.windows(2).any(|w| w == b"\\u") {
        return std::borrow::Cow::Borrowed(body);
    }
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'\\' && body.get(i + 1) == Some(&b'\\') {
            out.extend_from_slice(b"\\\\");
            i += 2;
            continue;
        }
        match escape_at(body, i) {
            Some(hi) if is_high(hi) && escape_at(body, i + 6).is_some_and(is_low) => {
                out.extend_from_slice(&body[i..i + 12]);
                i += 12;
            }
            Some(u) if is_high(u) || is_low(u) => {
                out.extend_from_slice(b"\\ufffd");
                i += 6;
            }
            _ => {
                out.push(body[i]);
                i += 1;
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A buyer's text message (`entry[].messaging[]`): `sender.id` the buyer, `recipient.id` the page
/// or Instagram account. The page's own echoes, reads, reactions and attachments without text are
/// not messages livesell acts on.
fn inbound_message(platform: Platform, v: &Value) -> Option<InboundMessage> {
    let message = v.get("message")?;
    if message.get("is_echo").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let text = message.get("text").and_then(Value::as_str)?;
    Some(InboundMessage {
        platform,
        page_id: PageId::parse(v.get("recipient").and_then(|r| r.get("id")).and_then(id_value)?).ok()?,
        sender_id: UserId::parse(v.get("sender").and_then(|s| s.get("id")).and_then(id_value)?).ok()?,
        mid: CommentId::parse(message.get("mid").and_then(id_value)?).ok()?,
        text: clip(text),
        at: v.get("timestamp").and_then(timestamp).unwrap_or_else(Utc::now),
    })
}

fn facebook_comment(page_id: &PageId, v: &Value, entry_time: Option<DateTime<Utc>>) -> Option<CommentEvent> {
    if v.get("item").and_then(Value::as_str) != Some("comment") {
        return None;
    }
    let comment_id = CommentId::parse(v.get("comment_id").and_then(id_value)?).ok()?;
    let at = v.get("created_time").and_then(timestamp).or(entry_time).unwrap_or_else(Utc::now);
    let verb = v.get("verb").and_then(Value::as_str).unwrap_or("add");
    let from = v.get("from");
    let author_id = from.and_then(|f| f.get("id")).and_then(id_value);
    if author_id.as_deref() == Some(page_id.as_str()) {
        return None; // the seller's own comment
    }
    if verb == "remove" {
        return Some(CommentEvent::Removed { platform: Platform::Facebook, page_id: page_id.clone(), comment_id, at });
    }
    let live = v.get("post_id").and_then(id_value).or_else(|| v.get("post").and_then(|p| p.get("id")).and_then(id_value))?;
    let comment = Comment {
        platform: Platform::Facebook,
        page_id: page_id.clone(),
        comment_id,
        live_id: LiveId::parse(live).ok()?,
        author_id: UserId::parse(author_id?).ok()?,
        author_name: name(from.and_then(|f| f.get("name")).and_then(Value::as_str).unwrap_or_default()),
        text: clip(v.get("message").and_then(Value::as_str).unwrap_or_default()),
        created_at: at,
    };
    match verb {
        "add" => Some(CommentEvent::Added(comment)),
        "edited" => Some(CommentEvent::Edited(comment)),
        _ => None, // "hide", "unhide", …: nothing to do
    }
}

fn instagram_comment(account_id: &PageId, v: &Value, entry_time: Option<DateTime<Utc>>) -> Option<CommentEvent> {
    let comment_id = CommentId::parse(v.get("id").and_then(id_value)?).ok()?;
    let from = v.get("from")?;
    let author_id = from.get("id").and_then(id_value)?;
    if author_id == account_id.as_str() {
        return None;
    }
    let media = v.get("media").and_then(|m| m.get("id")).and_then(id_value)?;
    Some(CommentEvent::Added(Comment {
        platform: Platform::Instagram,
        page_id: account_id.clone(),
        comment_id,
        live_id: LiveId::parse(media).ok()?,
        author_id: UserId::parse(author_id).ok()?,
        author_name: name(from.get("username").and_then(Value::as_str).unwrap_or_default()),
        text: clip(v.get("text").and_then(Value::as_str).unwrap_or_default()),
        created_at: v.get("timestamp").and_then(timestamp).or(entry_time).unwrap_or_else(Utc::now),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fb_change(verb: &str, from: &str, comment: &str, text: &str) -> Value {
        serde_json::json!({"field": "feed", "value": {
            "from": {"id": from, "name": "Ana"}, "post": {"id": "P_1"}, "message": text,
            "post_id": "P_1", "comment_id": comment, "created_time": 1764097260,
            "item": "comment", "parent_id": "P_1", "verb": verb}})
    }

    fn body(object: &str, entries: Value) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({"object": object, "entry": entries})).expect("json")
    }

    #[test]
    fn every_comment_of_every_entry_and_change_is_kept() {
        let b = body(
            "page",
            serde_json::json!([
                {"id": "P", "time": 1, "changes": [fb_change("add", "U1", "C1", "A12 M"), fb_change("add", "U2", "C2", "yo")]},
                {"id": "P", "time": 1, "changes": [fb_change("add", "U3", "C3", "mío")]}
            ]),
        );
        let batch = parse(&b).expect("parses");
        assert_eq!(batch.events.len(), 3);
        assert_eq!(batch.ignored, 0);
        let CommentEvent::Added(c) = &batch.events[0] else { panic!("added") };
        assert_eq!(c.text, "A12 M");
        assert_eq!(c.live_id.as_str(), "P_1");
        assert_eq!(c.created_at.timestamp(), 1764097260);
    }

    #[test]
    fn reactions_messenger_events_and_the_pages_own_comments_are_ignored() {
        let b = body(
            "page",
            serde_json::json!([
                {"id": "P", "time": 1, "changes": [
                    {"field": "feed", "value": {"item": "reaction", "verb": "add", "reaction_type": "love"}},
                    {"field": "mention", "value": {}},
                    fb_change("add", "P", "C9", "Ahora el A12!")]},
                {"id": "P", "time": 1, "messaging": [{"sender": {"id": "U"}, "message": {"text": "hola"}}]}
            ]),
        );
        let batch = parse(&b).expect("parses");
        assert!(batch.events.is_empty());
        assert_eq!(batch.ignored, 4);
    }

    #[test]
    fn edits_and_removals_become_their_own_events() {
        let b = body(
            "page",
            serde_json::json!([{"id": "P", "time": 1, "changes": [
            fb_change("edited", "U1", "C1", "A12 L"), fb_change("remove", "U1", "C2", "")]}]),
        );
        let batch = parse(&b).expect("parses");
        assert!(matches!(&batch.events[0], CommentEvent::Edited(c) if c.text == "A12 L"));
        assert!(matches!(&batch.events[1], CommentEvent::Removed { comment_id, .. } if comment_id.as_str() == "C2"));
    }

    #[test]
    fn instagram_live_comments_use_the_account_id_and_entry_time() {
        let b = body(
            "instagram",
            serde_json::json!([{"id": "IG", "time": 1764097300, "changes": [
            {"field": "live_comments", "value": {"from": {"id": "IGU", "username": "mari"},
              "media": {"id": "M1", "media_product_type": "LIVE"}, "id": "IC1", "text": "eu quero"}},
            {"field": "comments", "value": {"from": {"id": "IG", "username": "shop"},
              "media": {"id": "M1"}, "id": "IC2", "text": "own comment"}}]}]),
        );
        let batch = parse(&b).expect("parses");
        assert_eq!(batch.events.len(), 1);
        assert_eq!(batch.ignored, 1);
        let CommentEvent::Added(c) = &batch.events[0] else { panic!("added") };
        assert_eq!((c.platform, c.page_id.as_str(), c.author_name.as_str()), (Platform::Instagram, "IG", "mari"));
        assert_eq!(c.created_at.timestamp(), 1764097300);
    }

    #[test]
    fn malformed_bodies_are_errors_not_panics() {
        assert!(matches!(parse(b"{not json"), Err(WebhookError::MalformedJson(_))));
        assert!(matches!(parse(b"[1,2]"), Err(WebhookError::NotAWebhook(_))));
        assert!(matches!(parse(b"{\"object\":\"page\"}"), Err(WebhookError::NotAWebhook(_))));
    }

    #[test]
    fn iso_timestamps_and_milliseconds_are_understood() {
        assert_eq!(timestamp(&Value::from("2025-11-25T19:01:00+0000")).map(|t| t.timestamp()), Some(1764097260));
        assert_eq!(timestamp(&Value::from(1764097260000i64)).map(|t| t.timestamp()), Some(1764097260));
    }

    #[test]
    fn control_characters_leave_the_text_and_the_name() {
        let b = body(
            "page",
            serde_json::json!([{"id": "PAGE", "time": 1764097260,
            "changes": [fb_change("add", "U1", "C1", "quiero\u{0000} A12\nM\u{0007}")]}]),
        );
        let batch = parse(&b).expect("parses");
        let CommentEvent::Added(c) = &batch.events[0] else { panic!("a comment") };
        assert_eq!(c.text, "quiero A12 M");
        assert_eq!(clean("Ana\u{0000}\u{009f} María", 100), "Ana María");
    }

    #[test]
    fn a_lone_surrogate_in_one_comment_does_not_sink_the_others() {
        let good = fb_change("add", "U1", "C1", "A12 M");
        let text = r#"{"object":"page","entry":[{"id":"PAGE","time":1764097260,"changes":[CHANGE,{"field":"feed","value":{"from":{"id":"U2","name":"Bo\ud83d"},"post":{"id":"P_1"},"message":"quiero \udc00 B5 \ud83d\ude00 y \\ud800 literal","post_id":"P_1","comment_id":"C2","created_time":1764097260,"item":"comment","verb":"add"}}]}]}"#
            .replace("CHANGE", &good.to_string());
        assert!(serde_json::from_str::<Value>(&text).is_err(), "serde alone refuses it");
        let batch = parse(text.as_bytes()).expect("parses");
        assert_eq!(batch.events.len(), 2);
        let CommentEvent::Added(c) = &batch.events[1] else { panic!("a comment") };
        assert_eq!(c.text, "quiero \u{fffd} B5 😀 y \\ud800 literal", "pairs kept, escaped backslashes left alone");
        assert_eq!(c.author_name, "Bo\u{fffd}");
    }
}
