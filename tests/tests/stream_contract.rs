//! The event-stream contract: every test runs against the embedded stream (SQLite file) and Redis
//! Streams (the real server, a key prefix of its own), so the at-least-once behaviour is the same.
use shared::adapters::embedded_stream::EmbeddedStream;
use shared::adapters::redis_streams::RedisEventStream;
use shared::adapters::sql::SqlStore;
use shared::adapters::upstash::{ReqwestTransport, UpstashEventStream};
use shared::domain::secret::SecretString;
use shared::ports::EventStream;
use std::sync::Arc;
use std::time::{Duration, Instant};
use testkit::upstash_bridge::UpstashBridge;

/// A stream backend for one test, and how to open a second connection to the same data (a
/// restarted process).
struct Backend {
    stream: Arc<dyn EventStream>,
    prefix: String,
    reopen: Reopen,
    _file: Option<testkit::TempFile>,
}

enum Reopen {
    Sqlite(String),
    Redis(String),
    Upstash(String, String),
}

impl Backend {
    fn key(&self, name: &str) -> String {
        format!("{}:{name}", self.prefix)
    }

    /// A second connection to the same data, as a restarted process would open.
    async fn reopen(&self) -> Arc<dyn EventStream> {
        match &self.reopen {
            Reopen::Sqlite(url) => Arc::new(EmbeddedStream::new(
                SqlStore::connect_sqlite(url, None).await.expect("reopen sqlite").sqlite_pool().expect("sqlite").clone(),
            )),
            Reopen::Redis(url) => Arc::new(RedisEventStream::connect(url).await.expect("reconnect redis")),
            Reopen::Upstash(url, token) => upstash_client(url, token),
        }
    }
}

async fn embedded() -> Backend {
    let file = testkit::TempFile::new("db");
    let url = file.sqlite_url();
    let store = SqlStore::connect_sqlite(&url, None).await.expect("sqlite");
    Backend {
        stream: Arc::new(EmbeddedStream::new(store.sqlite_pool().expect("sqlite").clone())),
        prefix: testkit::unique("s"),
        reopen: Reopen::Sqlite(url),
        _file: Some(file),
    }
}

async fn redis() -> Backend {
    let url = testkit::redis_url();
    let stream =
        RedisEventStream::connect(&url).await.unwrap_or_else(|e| panic!("Redis at {url} is not reachable ({e}); run scripts/services.sh"));
    Backend { stream: Arc::new(stream), prefix: testkit::unique("lt"), reopen: Reopen::Redis(url), _file: None }
}

fn upstash_client(url: &str, token: &str) -> Arc<dyn EventStream> {
    Arc::new(UpstashEventStream::new(ReqwestTransport::new(url, SecretString::new(token)).expect("transport")))
}

/// Upstash's REST API, through the local bridge in front of the real Redis.
async fn upstash() -> Backend {
    let bridge = UpstashBridge::start(&testkit::redis_url(), "bridge-token", "127.0.0.1:0").await;
    Backend {
        stream: upstash_client(&bridge.url, &bridge.token),
        prefix: testkit::unique("up"),
        reopen: Reopen::Upstash(bridge.url.clone(), bridge.token.clone()),
        _file: None,
    }
}

async fn entries_are_delivered_once_per_group_and_stay_pending_until_acked(b: Backend) {
    let s = &b.stream;
    let key = b.key("comments");
    s.ensure_group(&key, "filter").await.expect("group");
    s.ensure_group(&key, "filter").await.expect("creating a group twice is fine");
    s.ensure_group(&key, "audit").await.expect("group");
    let id1 = s.append(&key, "{\"n\":1}").await.expect("append");
    let id2 = s.append(&key, "{\"n\":2}").await.expect("append");
    assert_ne!(id1, id2);
    let got = s.read_new(&key, "filter", "c1", 10, None).await.expect("read");
    assert_eq!(
        got.iter().map(|e| (e.id.clone(), e.payload.as_str(), e.deliveries)).collect::<Vec<_>>(),
        vec![(id1.clone(), "{\"n\":1}", 1), (id2.clone(), "{\"n\":2}", 1)]
    );
    assert!(s.read_new(&key, "filter", "c2", 10, None).await.expect("read").is_empty(), "a group delivers each entry once");
    assert_eq!(s.read_new(&key, "audit", "a1", 10, None).await.expect("read").len(), 2, "every group gets every entry");
    let backlog = s.backlog(&key, "filter").await.expect("backlog");
    assert_eq!((backlog.pending, backlog.lag), (2, 0));
    s.ack(&key, "filter", &id1).await.expect("ack");
    s.ack(&key, "filter", &id1).await.expect("acking twice is fine");
    assert_eq!(s.backlog(&key, "filter").await.expect("backlog").pending, 1);
    s.append(&key, "{\"n\":3}").await.expect("append");
    assert_eq!(s.backlog(&key, "filter").await.expect("backlog").lag, 1);
}

async fn a_dead_consumers_entries_are_reclaimed_with_their_delivery_count(b: Backend) {
    let s = &b.stream;
    let key = b.key("intents");
    s.ensure_group(&key, "reserve").await.expect("group");
    let id = s.append(&key, "p").await.expect("append");
    assert_eq!(s.read_new(&key, "reserve", "dead", 10, None).await.expect("read").len(), 1);
    assert!(s.reclaim(&key, "reserve", "alive", Duration::from_secs(60), 10).await.expect("reclaim").is_empty(), "not idle long enough");
    tokio::time::sleep(Duration::from_millis(30)).await;
    let got = s.reclaim(&key, "reserve", "alive", Duration::from_millis(20), 10).await.expect("reclaim");
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].id.as_str(), got[0].deliveries), (id.as_str(), 2));
    tokio::time::sleep(Duration::from_millis(30)).await;
    let again = s.reclaim(&key, "reserve", "third", Duration::from_millis(20), 10).await.expect("reclaim");
    assert_eq!(again[0].deliveries, 3);
    s.ack(&key, "reserve", &id).await.expect("ack");
    tokio::time::sleep(Duration::from_millis(30)).await;
    assert!(s.reclaim(&key, "reserve", "alive", Duration::from_millis(20), 10).await.expect("reclaim").is_empty());
}

async fn a_held_entry_is_kept_by_touching_it_and_counts_no_delivery(b: Backend) {
    let s = &b.stream;
    let key = b.key("intents");
    s.ensure_group(&key, "reserve").await.expect("group");
    let id = s.append(&key, "p").await.expect("append");
    assert_eq!(s.read_new(&key, "reserve", "holder", 10, None).await.expect("read").len(), 1);
    // The holder waits out an outage, touching the entry more often than the idle time.
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(25)).await;
        s.touch(&key, "reserve", "holder", std::slice::from_ref(&id)).await.expect("touch");
        assert!(s.reclaim(&key, "reserve", "thief", Duration::from_millis(60), 10).await.expect("reclaim").is_empty(), "still held");
    }
    s.touch(&key, "reserve", "holder", &[]).await.expect("touching nothing is fine");
    tokio::time::sleep(Duration::from_millis(80)).await;
    let got = s.reclaim(&key, "reserve", "thief", Duration::from_millis(60), 10).await.expect("reclaim");
    assert_eq!((got.len(), got[0].deliveries), (1, 2), "touches count no delivery");
}

async fn poison_goes_to_the_dead_letter_stream_and_can_be_retried(b: Backend) {
    let s = &b.stream;
    let key = b.key("replies");
    s.ensure_group(&key, "respond").await.expect("group");
    s.append(&key, "{\"message_id\":7}").await.expect("append");
    let entry = s.read_new(&key, "respond", "c", 1, None).await.expect("read").remove(0);
    s.dead_letter(&key, "respond", &entry, "gave up after 5 deliveries").await.expect("dead letter");
    assert_eq!(s.backlog(&key, "respond").await.expect("backlog").pending, 0, "a dead letter is no longer pending");
    let dead = s.dead_letters(&key, 10).await.expect("list");
    assert_eq!(dead.len(), 1);
    assert_eq!(
        (dead[0].entry_id.as_str(), dead[0].payload.as_str(), dead[0].error.as_str()),
        (entry.id.as_str(), "{\"message_id\":7}", "gave up after 5 deliveries")
    );
    assert!(s.retry_dead_letter(&key, &dead[0].id).await.expect("retry"));
    assert!(!s.retry_dead_letter(&key, &dead[0].id).await.expect("retry twice"), "a retried dead letter is gone");
    assert!(s.dead_letters(&key, 10).await.expect("list").is_empty());
    let back = s.read_new(&key, "respond", "c", 10, None).await.expect("read");
    assert_eq!(back.iter().map(|e| e.payload.as_str()).collect::<Vec<_>>(), vec!["{\"message_id\":7}"]);
}

async fn a_blocked_reader_wakes_when_an_entry_arrives(b: Backend) {
    let key = b.key("candidates");
    b.stream.ensure_group(&key, "intent").await.expect("group");
    let reader = b.stream.clone();
    let k = key.clone();
    let started = Instant::now();
    let task = tokio::spawn(async move { reader.read_new(&k, "intent", "c", 10, Some(Duration::from_secs(5))).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    b.stream.append(&key, "hello").await.expect("append");
    let got = task.await.expect("task").expect("read");
    assert_eq!(got.len(), 1);
    assert!(started.elapsed() < Duration::from_secs(4), "woke after {:?}", started.elapsed());
    let empty_started = Instant::now();
    assert!(b.stream.read_new(&key, "intent", "c", 10, Some(Duration::from_millis(200))).await.expect("read").is_empty());
    assert!(empty_started.elapsed() >= Duration::from_millis(150), "waited for the block");
}

async fn pending_work_survives_a_restart(b: Backend) {
    let key = b.key("comments");
    b.stream.ensure_group(&key, "filter").await.expect("group");
    b.stream.append(&key, "one").await.expect("append");
    b.stream.append(&key, "two").await.expect("append");
    assert_eq!(b.stream.read_new(&key, "filter", "crashed", 1, None).await.expect("read").len(), 1);
    let restarted = b.reopen().await;
    tokio::time::sleep(Duration::from_millis(30)).await;
    let reclaimed = restarted.reclaim(&key, "filter", "new", Duration::from_millis(20), 10).await.expect("reclaim");
    let fresh = restarted.read_new(&key, "filter", "new", 10, None).await.expect("read");
    assert_eq!(reclaimed.iter().chain(fresh.iter()).map(|e| e.payload.as_str()).collect::<Vec<_>>(), vec!["one", "two"]);
}

async fn the_stream_answers_a_ping(b: Backend) {
    b.stream.ping().await.expect("ping");
    assert_eq!(b.stream.backlog(&b.key("nothing"), "g").await.expect("backlog").pending, 0);
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $( #[tokio::test] async fn $name() { super::$name(super::embedded().await).await; } )*
        }
        mod redis {
            $( #[tokio::test] async fn $name() { super::$name(super::redis().await).await; } )*
        }
        mod upstash_rest {
            $( #[tokio::test] async fn $name() { super::$name(super::upstash().await).await; } )*
        }
    };
}

contract!(
    entries_are_delivered_once_per_group_and_stay_pending_until_acked,
    a_dead_consumers_entries_are_reclaimed_with_their_delivery_count,
    a_held_entry_is_kept_by_touching_it_and_counts_no_delivery,
    poison_goes_to_the_dead_letter_stream_and_can_be_retried,
    a_blocked_reader_wakes_when_an_entry_arrives,
    pending_work_survives_a_restart,
    the_stream_answers_a_ping,
);
