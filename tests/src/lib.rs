//! Test kit: real PostgreSQL and Redis, isolated per test (a schema, a stream prefix), and small
//! local HTTP servers that speak the wire formats of the services we can't reach from here.
pub mod gateways;
pub mod graph;
pub mod harness;
pub mod openai;
pub mod proxy;
pub mod upstash_bridge;

use shared::adapters::sql::SqlStore;
use shared::domain::catalog::Catalog;
use shared::secrets::SecretBox;
use std::path::PathBuf;
use std::sync::Arc;

/// `LIVESELL_TEST_DATABASE_URL`, default the machines' local server (trust auth, database `test`).
pub fn pg_url() -> String {
    std::env::var("LIVESELL_TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// `LIVESELL_TEST_REDIS_URL`, default the local server.
pub fn redis_url() -> String {
    std::env::var("LIVESELL_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// The operator token the tests' servers take (start refuses one shorter than 32 characters).
pub const API_TOKEN: &str = "test-operator-token-0123456789abcdef";

/// A name no other test (or run) uses.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}_{}_{}", chrono::Utc::now().timestamp(), &shared::domain::ids::random_token()[..10])
}

/// A fresh schema of its own, migrated; returns the URL that selects it. Schemas of runs older
/// than an hour are dropped on the way, so the shared database doesn't fill up.
pub async fn pg_schema_url() -> String {
    let admin = SqlStore::connect_postgres(&pg_url(), 1)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {} is not reachable ({e}); run scripts/services.sh", pg_url()));
    let pool = admin.postgres_pool().expect("postgres").clone();
    let schema = unique("lt");
    let old = chrono::Utc::now().timestamp() - 3600;
    let stale: Vec<String> =
        sqlx::query_scalar("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'lt\\_%'").fetch_all(&pool).await.unwrap_or_default();
    for s in stale {
        let ts = s.split('_').nth(1).and_then(|t| t.parse::<i64>().ok()).unwrap_or(i64::MAX);
        if ts < old {
            let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{s}\" CASCADE")).execute(&pool).await;
        }
    }
    sqlx::query(&format!("CREATE SCHEMA \"{schema}\"")).execute(&pool).await.expect("create schema");
    admin.close().await;
    let url = with_search_path(&pg_url(), &schema);
    let store = SqlStore::connect_postgres(&url, 1).await.expect("connect to the test schema");
    store.migrate().await.expect("migrate the test schema");
    store.close().await;
    url
}

fn with_search_path(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{schema}")
}

/// The tests' `LIVESELL_SECRETS_KEY`: processes they start open the tokens the tests stored.
pub const SECRETS_KEY: &str = "NGjmqUAyOpyNur6NaUeOaIYa1pzGtSVE8u2C7pmbg3o=";

/// The key that seals page tokens in tests.
pub fn sealer() -> Option<Arc<SecretBox>> {
    Some(Arc::new(SecretBox::from_base64(&shared::domain::secret::SecretString::new(SECRETS_KEY)).expect("test key")))
}

/// A migrated PostgreSQL store on a schema of its own (pool capped well below the server's limit).
pub async fn postgres_store(max_connections: u32) -> SqlStore {
    SqlStore::connect_postgres(&pg_schema_url().await, max_connections).await.expect("connect postgres store").with_sealer(sealer())
}

/// A file that is removed when dropped (with SQLite's -wal and -shm).
pub struct TempFile(pub PathBuf);

impl TempFile {
    pub fn new(ext: &str) -> Self {
        TempFile(std::env::temp_dir().join(format!("{}.{ext}", unique("livesell-test"))))
    }
    pub fn sqlite_url(&self) -> String {
        format!("sqlite://{}", self.0.display())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", ".key"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
}

/// A fresh SQLite store in a temporary file.
pub async fn sqlite_store() -> (SqlStore, TempFile) {
    let f = TempFile::new("db");
    let store = SqlStore::connect_sqlite(&f.sqlite_url(), sealer()).await.expect("open sqlite store");
    (store, f)
}

/// A small catalog: a sized polera, sandals by size and colour, earrings with no variants.
pub fn catalog() -> Catalog {
    serde_json::from_value(serde_json::json!({
    "seller": "Tienda Test", "currency": "CLP", "current_product": "B3",
    "transfer_instructions": "Banco Test, cuenta 123, RUT 1-9",
    "products": [
        {"code": "A12", "name": "Polera básica", "category": "ropa", "price_cents": 12990,
         "variants": [{"sku": "A12-S", "size": "S", "color": null}, {"sku": "A12-M", "size": "M", "color": null}],
         "stock": {"A12-S": 3, "A12-M": 20}},
        {"code": "B3", "name": "Sandalias", "category": "calzado", "price_cents": 27990,
         "variants": [{"sku": "B3-38-NEGRO", "size": "38", "color": "negro"}, {"sku": "B3-39-BEIGE", "size": "39", "color": "beige"}],
         "stock": {"B3-38-NEGRO": 2, "B3-39-BEIGE": 1}},
        {"code": "B5", "name": "Aros de plata", "category": "accesorios", "price_cents": 12990, "variants": [], "stock": {"B5": 10}}
    ]}))
    .expect("test catalog")
}

/// A Facebook Page feed webhook body with one comment per (comment id, author id, text).
pub fn fb_webhook(page: &str, post: &str, created: i64, comments: &[(&str, &str, &str)]) -> String {
    let changes: Vec<serde_json::Value> = comments
        .iter()
        .map(|(cid, author, text)| {
            serde_json::json!({"field": "feed", "value": {
                "from": {"id": author, "name": format!("Buyer {author}")},
                "post": {"id": post, "status_type": "added_video"},
                "message": text, "post_id": post, "comment_id": cid, "created_time": created,
                "item": "comment", "parent_id": post, "verb": "add"}})
        })
        .collect();
    serde_json::json!({"object": "page", "entry": [{"id": page, "time": created, "changes": changes}]}).to_string()
}

/// Child processes killed (newest first) when dropped: functions, emulators.
pub struct Procs(pub Vec<std::process::Child>);

impl Drop for Procs {
    fn drop(&mut self) {
        for c in self.0.iter_mut().rev() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A workspace binary built by `cargo build --workspace --bins` (scripts/test.sh runs it first).
pub fn workspace_binary(name: &str) -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|_| repo_root().join("target"));
    let path = target.join("debug").join(name);
    assert!(path.exists(), "{} is missing: run `cargo build --workspace --bins` first (scripts/test.sh does)", path.display());
    path
}
