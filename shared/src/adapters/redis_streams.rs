//! # Redis Streams event stream
//! XADD / XREADGROUP / XACK with consumer groups, XAUTOCLAIM for entries a dead consumer left
//! pending, and `<stream>:dead` for poison. Works against Redis or Upstash over the Redis protocol
//! (`rediss://` for TLS). Blocking reads get a connection of their own per consumer: a BLOCK on the
//! shared multiplexed connection would stall every other command behind it.
use super::parse_dead_letter;
use crate::ports::{Backlog, DeadLetter, EventStream, PortError, StreamEntry};
use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig, MultiplexedConnection};
use redis::streams::{StreamAutoClaimReply, StreamId, StreamPendingCountReply, StreamRangeReply, StreamReadReply};
use redis::{AsyncConnectionConfig, Client, Value};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::Mutex;

const B: &str = "redis";

fn err(e: redis::RedisError) -> PortError {
    if e.is_io_error() || e.is_timeout() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_unrecoverable_error() {
        PortError::Unavailable { backend: B, message: e.to_string() }
    } else if e.code() == Some("NOGROUP") {
        PortError::NotFound(e.to_string())
    } else {
        PortError::Rejected { backend: B, message: e.to_string() }
    }
}

pub struct RedisEventStream {
    client: Client,
    conn: ConnectionManager,
    blocking: Mutex<HashMap<String, MultiplexedConnection>>,
}

impl RedisEventStream {
    /// `redis://` or `rediss://` (TLS, checked against the system's roots — Upstash).
    pub async fn connect(url: &str) -> Result<Self, PortError> {
        Self::connect_with_ca(url, None).await
    }

    /// Like `connect`, trusting `root_ca` (PEM) instead of the system's roots: a Redis behind a
    /// private CA.
    pub async fn connect_with_ca(url: &str, root_ca: Option<Vec<u8>>) -> Result<Self, PortError> {
        let client = match root_ca {
            None => Client::open(url).map_err(err)?,
            Some(pem) => Client::build_with_tls(url, redis::TlsCertificates { client_tls: None, root_cert: Some(pem) }).map_err(err)?,
        };
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(5)))
            .set_response_timeout(Some(Duration::from_secs(5)))
            .set_number_of_retries(3);
        let conn = client.get_connection_manager_with_config(config).await.map_err(err)?;
        Ok(RedisEventStream { client, conn, blocking: Mutex::new(HashMap::new()) })
    }

    fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    async fn blocking_conn(&self, consumer: &str) -> Result<MultiplexedConnection, PortError> {
        let mut map = self.blocking.lock().await;
        if let Some(c) = map.get(consumer) {
            return Ok(c.clone());
        }
        // No response timeout of the library's: the BLOCK itself bounds the wait (plus a margin below).
        let config = AsyncConnectionConfig::new().set_connection_timeout(Some(Duration::from_secs(5))).set_response_timeout(None);
        let c = self.client.get_multiplexed_async_connection_with_config(&config).await.map_err(err)?;
        map.insert(consumer.to_string(), c.clone());
        Ok(c)
    }

    /// Delivery counts of pending entries (XPENDING's extended form), by id.
    async fn delivery_counts(&self, stream: &str, group: &str, ids: &[&StreamId]) -> Result<HashMap<String, u32>, PortError> {
        let (Some(first), Some(last)) = (ids.first(), ids.last()) else { return Ok(HashMap::new()) };
        let reply: StreamPendingCountReply = redis::cmd("XPENDING")
            .arg(stream)
            .arg(group)
            .arg(&first.id)
            .arg(&last.id)
            .arg(ids.len().max(1) * 2)
            .query_async(&mut self.conn())
            .await
            .map_err(err)?;
        Ok(reply.ids.into_iter().map(|p| (p.id, p.times_delivered as u32)).collect())
    }
}

fn payload_of(id: &StreamId) -> Result<String, PortError> {
    id.get::<String>("payload").ok_or_else(|| PortError::Rejected { backend: B, message: format!("entry {} has no payload field", id.id) })
}

fn info_field<'a>(fields: &'a [Value], name: &str) -> Option<&'a Value> {
    fields.chunks(2).find_map(|kv| match kv {
        [Value::BulkString(k), v] if k.as_slice() == name.as_bytes() => Some(v),
        [Value::SimpleString(k), v] if k == name => Some(v),
        _ => None,
    })
}

fn as_u64(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Int(n) => u64::try_from(*n).ok(),
        Value::BulkString(b) => std::str::from_utf8(b).ok()?.parse().ok(),
        _ => None,
    }
}

fn as_string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
        Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    }
}

fn dead_stream(stream: &str) -> String {
    format!("{stream}:dead")
}

#[async_trait]
impl EventStream for RedisEventStream {
    fn backend(&self) -> &'static str {
        B
    }

    async fn append(&self, stream: &str, payload: &str) -> Result<String, PortError> {
        redis::cmd("XADD").arg(stream).arg("*").arg("payload").arg(payload).query_async(&mut self.conn()).await.map_err(err)
    }

    async fn ensure_group(&self, stream: &str, group: &str) -> Result<(), PortError> {
        let created: Result<(), _> =
            redis::cmd("XGROUP").arg("CREATE").arg(stream).arg(group).arg("0").arg("MKSTREAM").query_async(&mut self.conn()).await;
        match created {
            Err(e) if e.code() == Some("BUSYGROUP") => Ok(()),
            other => other.map_err(err),
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
        let mut cmd = redis::cmd("XREADGROUP");
        cmd.arg("GROUP").arg(group).arg(consumer).arg("COUNT").arg(count.max(1));
        if let Some(b) = block {
            cmd.arg("BLOCK").arg(b.as_millis().max(1) as u64);
        }
        cmd.arg("STREAMS").arg(stream).arg(">");
        let reply: Option<StreamReadReply> = match block {
            None => cmd.query_async(&mut self.conn()).await.map_err(err)?,
            Some(b) => {
                let key = format!("{consumer}\u{0}{stream}");
                let mut conn = self.blocking_conn(&key).await?;
                match tokio::time::timeout(b + Duration::from_secs(10), cmd.query_async(&mut conn)).await {
                    Ok(r) => r.map_err(|e| {
                        // A broken dedicated connection is dropped and made again on the next read.
                        if let Ok(mut map) = self.blocking.try_lock() {
                            map.remove(&key);
                        }
                        err(e)
                    })?,
                    Err(_) => {
                        self.blocking.lock().await.remove(&key);
                        return Err(PortError::Unavailable { backend: B, message: "XREADGROUP BLOCK did not return".into() });
                    }
                }
            }
        };
        let mut out = Vec::new();
        for key in reply.map(|r| r.keys).unwrap_or_default() {
            for id in key.ids {
                out.push(StreamEntry { payload: payload_of(&id)?, id: id.id, deliveries: 1 });
            }
        }
        Ok(out)
    }

    async fn reclaim(
        &self,
        stream: &str,
        group: &str,
        consumer: &str,
        min_idle: Duration,
        count: usize,
    ) -> Result<Vec<StreamEntry>, PortError> {
        let reply: StreamAutoClaimReply = redis::cmd("XAUTOCLAIM")
            .arg(stream)
            .arg(group)
            .arg(consumer)
            .arg(min_idle.as_millis() as u64)
            .arg("0-0")
            .arg("COUNT")
            .arg(count.max(1))
            .query_async(&mut self.conn())
            .await
            .map_err(err)?;
        // Entries trimmed from the stream while pending are dropped from the PEL by XAUTOCLAIM itself.
        let claimed: Vec<&StreamId> = reply.claimed.iter().collect();
        let counts = self.delivery_counts(stream, group, &claimed).await?;
        claimed
            .into_iter()
            .map(|id| Ok(StreamEntry { payload: payload_of(id)?, deliveries: counts.get(&id.id).copied().unwrap_or(2), id: id.id.clone() }))
            .collect()
    }

    async fn touch(&self, stream: &str, group: &str, consumer: &str, ids: &[String]) -> Result<(), PortError> {
        if ids.is_empty() {
            return Ok(());
        }
        // XCLAIM with no minimum idle time resets the idle clock; JUSTID counts no delivery.
        redis::cmd("XCLAIM")
            .arg(stream)
            .arg(group)
            .arg(consumer)
            .arg(0)
            .arg(ids)
            .arg("JUSTID")
            .query_async::<Vec<String>>(&mut self.conn())
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn ack(&self, stream: &str, group: &str, id: &str) -> Result<(), PortError> {
        redis::cmd("XACK").arg(stream).arg(group).arg(id).query_async::<i64>(&mut self.conn()).await.map_err(err)?;
        Ok(())
    }

    async fn dead_letter(&self, stream: &str, group: &str, entry: &StreamEntry, error: &str) -> Result<(), PortError> {
        let body = super::dead_letter_body(stream, entry, error);
        redis::pipe()
            .atomic()
            .cmd("XADD")
            .arg(dead_stream(stream))
            .arg("*")
            .arg("payload")
            .arg(&body)
            .ignore()
            .cmd("XACK")
            .arg(stream)
            .arg(group)
            .arg(&entry.id)
            .ignore()
            .query_async::<()>(&mut self.conn())
            .await
            .map_err(err)
    }

    async fn backlog(&self, stream: &str, group: &str) -> Result<Backlog, PortError> {
        let groups: Value = match redis::cmd("XINFO").arg("GROUPS").arg(stream).query_async(&mut self.conn()).await {
            Ok(v) => v,
            Err(e) if e.to_string().contains("no such key") => return Ok(Backlog::default()),
            Err(e) => return Err(err(e)),
        };
        let Value::Array(groups) = groups else { return Ok(Backlog::default()) };
        for g in groups {
            let fields = match g {
                Value::Array(f) => f,
                Value::Map(m) => m.into_iter().flat_map(|(k, v)| [k, v]).collect(),
                _ => continue,
            };
            if as_string(info_field(&fields, "name")).as_deref() != Some(group) {
                continue;
            }
            let pending = as_u64(info_field(&fields, "pending")).unwrap_or(0);
            let lag = match as_u64(info_field(&fields, "lag")) {
                Some(lag) => lag,
                None => {
                    // Redis can't always compute lag (after deletions): count what follows the cursor.
                    let last = as_string(info_field(&fields, "last-delivered-id")).unwrap_or_else(|| "0-0".into());
                    let after: StreamRangeReply = redis::cmd("XRANGE")
                        .arg(stream)
                        .arg(format!("({last}"))
                        .arg("+")
                        .query_async(&mut self.conn())
                        .await
                        .map_err(err)?;
                    after.ids.len() as u64
                }
            };
            return Ok(Backlog { pending, lag });
        }
        Ok(Backlog::default())
    }

    async fn dead_letters(&self, stream: &str, limit: usize) -> Result<Vec<DeadLetter>, PortError> {
        let reply: StreamRangeReply = redis::cmd("XRANGE")
            .arg(dead_stream(stream))
            .arg("-")
            .arg("+")
            .arg("COUNT")
            .arg(limit.max(1))
            .query_async(&mut self.conn())
            .await
            .map_err(err)?;
        reply.ids.iter().map(|id| parse_dead_letter(&id.id, &payload_of(id)?, B)).collect()
    }

    async fn retry_dead_letter(&self, stream: &str, dead_id: &str) -> Result<bool, PortError> {
        let dead = dead_stream(stream);
        let reply: StreamRangeReply =
            redis::cmd("XRANGE").arg(&dead).arg(dead_id).arg(dead_id).query_async(&mut self.conn()).await.map_err(err)?;
        let Some(id) = reply.ids.first() else { return Ok(false) };
        let letter = parse_dead_letter(&id.id, &payload_of(id)?, B)?;
        redis::pipe()
            .atomic()
            .cmd("XADD")
            .arg(stream)
            .arg("*")
            .arg("payload")
            .arg(&letter.payload)
            .ignore()
            .cmd("XDEL")
            .arg(&dead)
            .arg(dead_id)
            .ignore()
            .query_async::<()>(&mut self.conn())
            .await
            .map_err(err)?;
        Ok(true)
    }

    async fn ping(&self) -> Result<(), PortError> {
        redis::cmd("PING").query_async::<String>(&mut self.conn()).await.map_err(err)?;
        Ok(())
    }
}
