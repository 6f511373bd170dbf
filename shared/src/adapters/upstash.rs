//! # Upstash Redis over REST
//! Where TCP is awkward (the Cloudflare Worker), Redis Streams are reached through Upstash's REST
//! API: `POST /` with a JSON command array, `POST /pipeline` with an array of them, a Bearer token,
//! and `{"result": …}` / `{"error": …}` answers. The transport is a port of its own so the same
//! client runs over reqwest (native, tested against a local bridge) and over the Worker's fetch.
//! REST cannot block: `read_new` with a block polls instead.
use super::parse_dead_letter;
use crate::ports::{Backlog, DeadLetter, EventStream, PortError, SeenMarks, StreamEntry};
use async_trait::async_trait;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

const B: &str = "upstash";

/// Sends one JSON body to a path of the Upstash REST endpoint; returns the HTTP status and body.
#[async_trait]
pub trait RestTransport: Send + Sync {
    async fn post(&self, path: &str, body: String) -> Result<(u16, String), PortError>;
    /// Waits between polls of a non-blocking read (a timer is host-specific).
    async fn sleep(&self, d: Duration);
}

pub struct UpstashEventStream<T> {
    transport: T,
}

fn unavailable(message: impl Into<String>) -> PortError {
    PortError::Unavailable { backend: B, message: message.into() }
}

fn rejected(message: impl Into<String>) -> PortError {
    PortError::Rejected { backend: B, message: message.into() }
}

/// One command's answer: `{"result": …}` or `{"error": …}`.
fn result_of(v: Value) -> Result<Value, PortError> {
    match v {
        Value::Object(mut o) => {
            if let Some(Value::String(e)) = o.remove("error") {
                return Err(if e.starts_with("NOGROUP") { PortError::NotFound(e) } else { rejected(e) });
            }
            Ok(o.remove("result").unwrap_or(Value::Null))
        }
        other => Err(rejected(format!("unexpected answer {other}"))),
    }
}

fn s(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn n(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// `[id, [field, value, …]]` → (id, payload).
fn entry(v: &Value) -> Option<(String, String)> {
    let pair = v.as_array()?;
    let id = s(pair.first()?)?;
    let fields = pair.get(1)?.as_array()?;
    let payload = fields.chunks(2).find(|kv| kv.first().and_then(s).as_deref() == Some("payload")).and_then(|kv| kv.get(1)).and_then(s)?;
    Some((id, payload))
}

fn dead_stream(stream: &str) -> String {
    format!("{stream}:dead")
}

impl<T: RestTransport> UpstashEventStream<T> {
    pub fn new(transport: T) -> Self {
        UpstashEventStream { transport }
    }

    async fn call(&self, path: &str, body: Value) -> Result<Value, PortError> {
        let (status, text) = self.transport.post(path, body.to_string()).await?;
        let parsed: Value = serde_json::from_str(&text).map_err(|_| {
            if status >= 500 || status == 429 {
                unavailable(format!("HTTP {status}"))
            } else {
                rejected(format!("HTTP {status}: {}", text.chars().take(200).collect::<String>()))
            }
        })?;
        if status == 401 || status == 403 {
            return Err(rejected(format!("HTTP {status}: token refused")));
        }
        if status >= 500 || status == 429 {
            return Err(unavailable(format!("HTTP {status}: {parsed}")));
        }
        Ok(parsed)
    }

    /// One command.
    pub async fn command(&self, args: &[&str]) -> Result<Value, PortError> {
        result_of(self.call("/", json!(args)).await?)
    }

    /// Several commands in one round trip (not atomic): one result per command, in order.
    pub async fn pipeline(&self, commands: &[Vec<String>]) -> Result<Vec<Result<Value, PortError>>, PortError> {
        match self.call("/pipeline", json!(commands)).await? {
            Value::Array(items) => Ok(items.into_iter().map(result_of).collect()),
            other => Err(rejected(format!("pipeline answered {other}"))),
        }
    }

    /// Commands in a MULTI/EXEC transaction: all or nothing.
    pub async fn transaction(&self, commands: &[Vec<String>]) -> Result<Vec<Value>, PortError> {
        match self.call("/multi-exec", json!(commands)).await? {
            Value::Array(items) => items.into_iter().map(result_of).collect(),
            other => result_of(other).and_then(|v| Err(rejected(format!("transaction answered {v}")))),
        }
    }

    async fn delivery_counts(&self, stream: &str, group: &str, ids: &[String]) -> Result<HashMap<String, u32>, PortError> {
        let (Some(first), Some(last)) = (ids.first(), ids.last()) else { return Ok(HashMap::new()) };
        let count = (ids.len() * 2).to_string();
        let v = self.command(&["XPENDING", stream, group, first, last, &count]).await?;
        Ok(v.as_array()
            .map(|rows| {
                rows.iter()
                    .filter_map(|r| {
                        let r = r.as_array()?;
                        Some((s(r.first()?)?, n(r.get(3)?)? as u32))
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    async fn read_once(&self, stream: &str, group: &str, consumer: &str, count: usize) -> Result<Vec<StreamEntry>, PortError> {
        let count = count.max(1).to_string();
        let v = self.command(&["XREADGROUP", "GROUP", group, consumer, "COUNT", &count, "STREAMS", stream, ">"]).await?;
        let mut out = Vec::new();
        for key in v.as_array().into_iter().flatten() {
            for e in key.as_array().and_then(|k| k.get(1)).and_then(Value::as_array).into_iter().flatten() {
                let (id, payload) = entry(e).ok_or_else(|| rejected(format!("malformed stream entry {e}")))?;
                out.push(StreamEntry { id, payload, deliveries: 1 });
            }
        }
        Ok(out)
    }
}

#[async_trait]
impl<T: RestTransport> EventStream for UpstashEventStream<T> {
    fn backend(&self) -> &'static str {
        B
    }

    async fn append(&self, stream: &str, payload: &str) -> Result<String, PortError> {
        let v = self.command(&["XADD", stream, "*", "payload", payload]).await?;
        s(&v).ok_or_else(|| rejected(format!("XADD answered {v}")))
    }

    async fn append_many(&self, stream: &str, payloads: &[String]) -> Result<Vec<String>, PortError> {
        if payloads.is_empty() {
            return Ok(Vec::new());
        }
        let commands: Vec<Vec<String>> =
            payloads.iter().map(|p| vec!["XADD".into(), stream.into(), "*".into(), "payload".into(), p.clone()]).collect();
        let mut ids = Vec::with_capacity(payloads.len());
        for r in self.pipeline(&commands).await? {
            let v = r?;
            ids.push(s(&v).ok_or_else(|| rejected(format!("XADD answered {v}")))?);
        }
        Ok(ids)
    }

    async fn ensure_group(&self, stream: &str, group: &str) -> Result<(), PortError> {
        match self.command(&["XGROUP", "CREATE", stream, group, "0", "MKSTREAM"]).await {
            Err(PortError::Rejected { message, .. }) if message.contains("BUSYGROUP") => Ok(()),
            other => other.map(|_| ()),
        }
    }

    async fn read_new(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        count: usize,
        block: Option<Duration>,
    ) -> Result<Vec<StreamEntry>, PortError> {
        // REST has no BLOCK: poll until something arrives or the wait is over.
        let mut waited = Duration::ZERO;
        let step = Duration::from_millis(100);
        loop {
            let got = self.read_once(stream, group, consumer, count).await?;
            match block {
                Some(b) if got.is_empty() && waited < b => {
                    self.transport.sleep(step).await;
                    waited += step;
                }
                _ => return Ok(got),
            }
        }
    }

    async fn reclaim(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        min_idle: Duration,
        count: usize,
    ) -> Result<Vec<StreamEntry>, PortError> {
        let idle = (min_idle.as_millis() as u64).to_string();
        let count = count.max(1).to_string();
        let v = self.command(&["XAUTOCLAIM", stream, group, consumer, &idle, "0-0", "COUNT", &count]).await?;
        let claimed: Vec<(String, String)> =
            v.as_array().and_then(|a| a.get(1)).and_then(Value::as_array).into_iter().flatten().filter_map(entry).collect();
        let ids: Vec<String> = claimed.iter().map(|(id, _)| id.clone()).collect();
        let counts = self.delivery_counts(stream, group, &ids).await?;
        Ok(claimed
            .into_iter()
            .map(|(id, payload)| StreamEntry { deliveries: counts.get(&id).copied().unwrap_or(2), id, payload })
            .collect())
    }

    async fn touch(&self, stream: &str, group: &str, consumer: &str, ids: &[String]) -> Result<(), PortError> {
        if ids.is_empty() {
            return Ok(());
        }
        // XCLAIM with no minimum idle time resets the idle clock; JUSTID counts no delivery.
        let mut cmd: Vec<&str> = vec!["XCLAIM", stream, group, consumer, "0"];
        cmd.extend(ids.iter().map(String::as_str));
        cmd.push("JUSTID");
        self.command(&cmd).await.map(|_| ())
    }

    async fn ack(&self, stream: &str, group: &str, id: &str) -> Result<(), PortError> {
        self.command(&["XACK", stream, group, id]).await.map(|_| ())
    }

    async fn dead_letter(&self, stream: &str, group: &str, entry: &StreamEntry, error: &str) -> Result<(), PortError> {
        let body = super::dead_letter_body(stream, entry, error);
        self.transaction(&[
            vec!["XADD".into(), dead_stream(stream), "*".into(), "payload".into(), body],
            vec!["XACK".into(), stream.into(), group.into(), entry.id.clone()],
        ])
        .await
        .map(|_| ())
    }

    async fn backlog(&self, stream: &str, group: &str) -> Result<Backlog, PortError> {
        let v = match self.command(&["XINFO", "GROUPS", stream]).await {
            Ok(v) => v,
            Err(PortError::Rejected { message, .. }) if message.contains("no such key") => return Ok(Backlog::default()),
            Err(e) => return Err(e),
        };
        for g in v.as_array().into_iter().flatten() {
            let fields: HashMap<String, &Value> = g
                .as_array()
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .chunks(2)
                .filter_map(|kv| Some((s(kv.first()?)?, *kv.get(1)?)))
                .collect();
            if fields.get("name").and_then(|v| s(v)).as_deref() != Some(group) {
                continue;
            }
            let pending = fields.get("pending").and_then(|v| n(v)).unwrap_or(0);
            let lag = match fields.get("lag").and_then(|v| n(v)) {
                Some(lag) => lag,
                None => {
                    let last = fields.get("last-delivered-id").and_then(|v| s(v)).unwrap_or_else(|| "0-0".into());
                    let after = self.command(&["XRANGE", stream, &format!("({last}"), "+"]).await?;
                    after.as_array().map_or(0, |a| a.len() as u64)
                }
            };
            return Ok(Backlog { pending, lag });
        }
        Ok(Backlog::default())
    }

    async fn dead_letters(&self, stream: &str, limit: usize) -> Result<Vec<DeadLetter>, PortError> {
        let v = self.command(&["XRANGE", &dead_stream(stream), "-", "+", "COUNT", &limit.max(1).to_string()]).await?;
        v.as_array().into_iter().flatten().filter_map(entry).map(|(id, body)| parse_dead_letter(&id, &body, B)).collect()
    }

    async fn retry_dead_letter(&self, stream: &str, dead_id: &str) -> Result<bool, PortError> {
        let dead = dead_stream(stream);
        let v = self.command(&["XRANGE", &dead, dead_id, dead_id]).await?;
        let Some((id, body)) = v.as_array().and_then(|a| a.first()).and_then(entry) else { return Ok(false) };
        let letter = parse_dead_letter(&id, &body, B)?;
        self.transaction(&[
            vec!["XADD".into(), stream.into(), "*".into(), "payload".into(), letter.payload],
            vec!["XDEL".into(), dead, dead_id.into()],
        ])
        .await?;
        Ok(true)
    }

    async fn ping(&self) -> Result<(), PortError> {
        self.command(&["PING"]).await.map(|_| ())
    }
}

#[async_trait]
impl<T: RestTransport> SeenMarks for UpstashEventStream<T> {
    async fn seen(&self, keys: &[String]) -> Result<Vec<bool>, PortError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut cmd = vec!["MGET".to_string()];
        cmd.extend(keys.iter().cloned());
        let v = result_of(self.call("/", json!(cmd)).await?)?;
        Ok(v.as_array().map(|a| a.iter().map(|x| !x.is_null()).collect()).unwrap_or_else(|| vec![false; keys.len()]))
    }

    async fn mark_seen(&self, keys: &[String], ttl: Duration) -> Result<(), PortError> {
        if keys.is_empty() {
            return Ok(());
        }
        let secs = ttl.as_secs().max(1).to_string();
        let commands: Vec<Vec<String>> =
            keys.iter().map(|k| vec!["SET".into(), k.clone(), "1".into(), "NX".into(), "EX".into(), secs.clone()]).collect();
        for r in self.pipeline(&commands).await? {
            r?;
        }
        Ok(())
    }
}

/// The native transport: reqwest to `UPSTASH_REDIS_REST_URL` with the REST token.
#[cfg(feature = "native")]
pub struct ReqwestTransport {
    http: reqwest::Client,
    base_url: String,
    token: crate::domain::secret::SecretString,
}

#[cfg(feature = "native")]
impl ReqwestTransport {
    pub fn new(base_url: &str, token: crate::domain::secret::SecretString) -> Result<Self, PortError> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().map_err(|e| rejected(e.to_string()))?;
        Ok(ReqwestTransport { http, base_url: base_url.trim_end_matches('/').to_string(), token })
    }
}

#[cfg(feature = "native")]
#[async_trait]
impl RestTransport for ReqwestTransport {
    async fn post(&self, path: &str, body: String) -> Result<(u16, String), PortError> {
        let url = if path == "/" { self.base_url.clone() } else { format!("{}{path}", self.base_url) };
        let resp = self
            .http
            .post(url)
            .bearer_auth(self.token.expose())
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| unavailable(e.without_url().to_string()))?;
        let status = resp.status().as_u16();
        Ok((status, resp.text().await.map_err(|e| unavailable(e.without_url().to_string()))?))
    }

    async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d).await;
    }
}
