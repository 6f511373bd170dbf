//! The cache contract on every adapter (the embedded file's table, Redis), and the seen-marks
//! contract on every adapter (Upstash REST through the local bridge): volatile values that are
//! never served past their time to live.
use shared::adapters::cache::{RedisCache, SqliteCache};
use shared::adapters::upstash::{ReqwestTransport, UpstashEventStream};
use shared::domain::secret::SecretString;
use shared::ports::{Cache, SeenMarks};
use std::sync::Arc;
use std::time::Duration;
use testkit::upstash_bridge::UpstashBridge;

struct Subject<T: ?Sized> {
    port: Arc<T>,
    prefix: String,
    _file: Option<testkit::TempFile>,
}

impl<T: ?Sized> Subject<T> {
    fn key(&self, k: &str) -> String {
        format!("{}:{k}", self.prefix)
    }
}

async fn embedded() -> Subject<dyn Cache> {
    let (store, file) = testkit::sqlite_store().await;
    let cache = SqliteCache::new(store.sqlite_pool().expect("sqlite").clone());
    Subject { port: Arc::new(cache), prefix: testkit::unique("c"), _file: Some(file) }
}

async fn redis() -> Subject<dyn Cache> {
    let cache = RedisCache::connect(&testkit::redis_url(), None).await.expect("redis");
    Subject { port: Arc::new(cache), prefix: testkit::unique("c"), _file: None }
}

async fn a_value_is_read_back_until_deleted_or_replaced(c: Subject<dyn Cache>) {
    let (k, port) = (c.key("catalog:P1"), &c.port);
    assert_eq!(port.get(&k).await.expect("get"), None);
    port.set(&k, "{\"v\":1} — ñandú 🛍", Duration::from_secs(60)).await.expect("set");
    assert_eq!(port.get(&k).await.expect("get").as_deref(), Some("{\"v\":1} — ñandú 🛍"));
    port.set(&k, "v2", Duration::from_secs(60)).await.expect("replace");
    assert_eq!(port.get(&k).await.expect("get").as_deref(), Some("v2"));
    port.delete(&k).await.expect("delete");
    assert_eq!(port.get(&k).await.expect("get"), None);
    port.delete(&k).await.expect("deleting a missing key is harmless");
    assert_eq!(port.get(&c.key("other")).await.expect("get"), None, "keys are apart");
}

async fn a_value_is_never_served_past_its_time_to_live(c: Subject<dyn Cache>) {
    let (k, port) = (c.key("token:P1"), &c.port);
    port.set(&k, "sealed", Duration::from_millis(150)).await.expect("set");
    assert!(port.get(&k).await.expect("get").is_some());
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(port.get(&k).await.expect("get"), None);
    // A longer time to live set again keeps it.
    port.set(&k, "again", Duration::from_secs(60)).await.expect("set");
    assert_eq!(port.get(&k).await.expect("get").as_deref(), Some("again"));
}

macro_rules! cache_contract {
    ($($name:ident),* $(,)?) => {
        mod embedded {
            $( #[tokio::test] async fn $name() { super::$name(super::embedded().await).await; } )*
        }
        mod redis {
            $( #[tokio::test] async fn $name() { super::$name(super::redis().await).await; } )*
        }
    };
}

cache_contract!(a_value_is_read_back_until_deleted_or_replaced, a_value_is_never_served_past_its_time_to_live);

async fn upstash_marks() -> (Subject<dyn SeenMarks>, UpstashBridge) {
    let bridge = UpstashBridge::start(&testkit::redis_url(), "bridge-token", "127.0.0.1:0").await;
    let client = UpstashEventStream::new(ReqwestTransport::new(&bridge.url, SecretString::new(&bridge.token)).expect("transport"));
    (Subject { port: Arc::new(client), prefix: testkit::unique("seen"), _file: None }, bridge)
}

async fn marked_keys_are_seen_until_their_time_to_live(m: Subject<dyn SeenMarks>) {
    let keys: Vec<String> = ["a", "b", "c"].iter().map(|k| m.key(k)).collect();
    assert_eq!(m.port.seen(&keys).await.expect("seen"), [false, false, false]);
    m.port.mark_seen(&keys[..2], Duration::from_secs(1)).await.expect("mark");
    m.port.mark_seen(&keys[..1], Duration::from_secs(1)).await.expect("marking twice is harmless");
    assert_eq!(m.port.seen(&keys).await.expect("seen"), [true, true, false]);
    assert!(m.port.seen(&[]).await.expect("nothing").is_empty());
    m.port.mark_seen(&[], Duration::from_secs(1)).await.expect("nothing to mark");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(m.port.seen(&keys).await.expect("seen"), [false, false, false], "marks are hints that expire");
}

mod upstash_rest {
    #[tokio::test]
    async fn marked_keys_are_seen_until_their_time_to_live() {
        let (subject, _bridge) = super::upstash_marks().await;
        super::marked_keys_are_seen_until_their_time_to_live(subject).await;
    }
}
