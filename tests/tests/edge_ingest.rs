//! The edge's ingest (what the Cloudflare Worker runs) over the Upstash REST client, against the
//! local Upstash bridge in front of real Redis.
use async_trait::async_trait;
use shared::adapters::upstash::{ReqwestTransport, UpstashEventStream};
use shared::domain::secret::SecretString;
use shared::domain::signature;
use shared::pipeline::{Stage, Streams};
use shared::ports::{EventStream, PortError, SeenMarks};
use shared::stages::ingest::{receive_at_edge, IngestError};
use std::time::Duration;
use testkit::upstash_bridge::UpstashBridge;

const SECRET: &str = "edge-secret";

async fn setup() -> (UpstashEventStream<ReqwestTransport>, Streams, UpstashBridge) {
    let bridge = UpstashBridge::start(&testkit::redis_url(), "tok", "127.0.0.1:0").await;
    let client = UpstashEventStream::new(ReqwestTransport::new(&bridge.url, SecretString::new("tok")).expect("transport"));
    (client, Streams::new(&testkit::unique("edge")), bridge)
}

fn signed(body: &str) -> String {
    signature::sign(SECRET.as_bytes(), body.as_bytes())
}

#[tokio::test]
async fn new_comments_are_queued_once_and_redeliveries_dropped_at_the_edge() {
    let (up, streams, _bridge) = setup().await;
    let secret = SecretString::new(SECRET);
    let body = testkit::fb_webhook("P1", "P1_L", 1_764_097_200, &[("C1", "U1", "A12 M"), ("C2", "U2", "yo")]);
    let first = receive_at_edge(&up, &up, &streams, &secret, Some(&signed(&body)), body.as_bytes()).await.expect("accepted");
    assert_eq!((first.queued, first.already_seen), (2, 0));
    let again = receive_at_edge(&up, &up, &streams, &secret, Some(&signed(&body)), body.as_bytes()).await.expect("accepted");
    assert_eq!((again.queued, again.already_seen), (0, 2), "Meta's redelivery is dropped early");
    let key = streams.key(Stage::Filter);
    up.ensure_group(&key, "filter").await.expect("group");
    assert_eq!(up.read_new(&key, "filter", "c", 10, None).await.expect("read").len(), 2);
    let ttl = up.command(&["TTL", &format!("{key}:seen:facebook:C1")]).await.expect("ttl");
    assert!(ttl.as_i64().is_some_and(|t| t > 86_000), "marked for a day: {ttl}");
}

#[tokio::test]
async fn an_edit_of_a_seen_comment_still_passes() {
    let (up, streams, _bridge) = setup().await;
    let secret = SecretString::new(SECRET);
    let body = testkit::fb_webhook("P1", "P1_L", 1, &[("C1", "U1", "A12 M")]);
    receive_at_edge(&up, &up, &streams, &secret, Some(&signed(&body)), body.as_bytes()).await.expect("accepted");
    let edit = body.replace("\"verb\":\"add\"", "\"verb\":\"edited\"").replace("A12 M", "A12 L");
    let got = receive_at_edge(&up, &up, &streams, &secret, Some(&signed(&edit)), edit.as_bytes()).await.expect("accepted");
    assert_eq!((got.queued, got.already_seen), (1, 0));
}

#[tokio::test]
async fn unsigned_or_malformed_posts_queue_nothing() {
    let (up, streams, bridge) = setup().await;
    let secret = SecretString::new(SECRET);
    let body = testkit::fb_webhook("P1", "P1_L", 1, &[("C1", "U1", "A12 M")]);
    let before = bridge.requests();
    assert!(matches!(receive_at_edge(&up, &up, &streams, &secret, None, body.as_bytes()).await, Err(IngestError::Unauthorized(_))));
    let forged = signature::sign(b"nope", body.as_bytes());
    assert!(matches!(
        receive_at_edge(&up, &up, &streams, &secret, Some(&forged), body.as_bytes()).await,
        Err(IngestError::Unauthorized(_))
    ));
    assert!(matches!(receive_at_edge(&up, &up, &streams, &secret, Some(&signed("{x")), b"{x").await, Err(IngestError::Malformed(_))));
    assert_eq!(bridge.requests(), before, "nothing reached Redis");
}

/// A stream whose appends fail, with marks recorded: the mark must never come first.
struct Down;

#[async_trait]
impl EventStream for Down {
    fn backend(&self) -> &'static str {
        "down"
    }
    async fn append(&self, _: &str, _: &str) -> Result<String, PortError> {
        Err(PortError::Unavailable { backend: "down", message: "503".into() })
    }
    async fn ensure_group(&self, _: &str, _: &str) -> Result<(), PortError> {
        Ok(())
    }
    async fn read_new(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: usize,
        _: Option<Duration>,
    ) -> Result<Vec<shared::ports::StreamEntry>, PortError> {
        Ok(Vec::new())
    }
    async fn reclaim(&self, _: &str, _: &str, _: &str, _: Duration, _: usize) -> Result<Vec<shared::ports::StreamEntry>, PortError> {
        Ok(Vec::new())
    }
    async fn touch(&self, _: &str, _: &str, _: &str, _: &[String]) -> Result<(), PortError> {
        Ok(())
    }
    async fn ack(&self, _: &str, _: &str, _: &str) -> Result<(), PortError> {
        Ok(())
    }
    async fn dead_letter(&self, _: &str, _: &str, _: &shared::ports::StreamEntry, _: &str) -> Result<(), PortError> {
        Ok(())
    }
    async fn backlog(&self, _: &str, _: &str) -> Result<shared::ports::Backlog, PortError> {
        Ok(Default::default())
    }
    async fn dead_letters(&self, _: &str, _: usize) -> Result<Vec<shared::ports::DeadLetter>, PortError> {
        Ok(Vec::new())
    }
    async fn retry_dead_letter(&self, _: &str, _: &str) -> Result<bool, PortError> {
        Ok(false)
    }
    async fn ping(&self) -> Result<(), PortError> {
        Ok(())
    }
}

#[tokio::test]
async fn a_failed_append_leaves_no_seen_mark_so_metas_retry_gets_through() {
    let (up, streams, _bridge) = setup().await;
    let secret = SecretString::new(SECRET);
    let body = testkit::fb_webhook("P1", "P1_L", 1, &[("C1", "U1", "A12 M")]);
    let failed = receive_at_edge(&Down, &up, &streams, &secret, Some(&signed(&body)), body.as_bytes()).await;
    assert!(matches!(failed, Err(IngestError::Unavailable(_))));
    assert_eq!(up.seen(&[format!("{}:seen:facebook:C1", streams.key(Stage::Filter))]).await.expect("seen"), vec![false]);
    let retried = receive_at_edge(&up, &up, &streams, &secret, Some(&signed(&body)), body.as_bytes()).await.expect("accepted");
    assert_eq!(retried.queued, 1);
}
