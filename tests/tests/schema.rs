//! The two schemas are one: after every migration, PostgreSQL's (supabase/migrations) and the
//! embedded SQLite's have the same tables, columns (types as the dialect maps them), nullability,
//! keys, unique indexes, foreign keys, checks and views. Read from the live databases' catalogs.
use std::collections::{BTreeMap, BTreeSet};

/// Tables only the embedded file has: the embedded stream and cache (other ports), SQLite's own.
const EMBEDDED_ONLY: &[&str] =
    &["stream_entries", "stream_groups", "stream_pending", "cache_entries", "sqlite_sequence", "livesell_migrations"];

#[derive(Debug, Default, PartialEq)]
struct Schema {
    /// table → column → (SQLite type, not null)
    columns: BTreeMap<String, BTreeMap<String, (String, bool)>>,
    /// (table, columns, partial): primary keys and unique constraints or indexes
    unique: BTreeSet<(String, Vec<String>, bool)>,
    /// (table, columns, referenced table, referenced columns)
    foreign: BTreeSet<(String, Vec<String>, String, Vec<String>)>,
    /// table → the columns each CHECK mentions
    checks: BTreeMap<String, BTreeSet<Vec<String>>>,
    views: BTreeSet<String>,
}

/// How the dialect stores each PostgreSQL type in SQLite (`adapters/sql/schema.rs`).
fn as_sqlite(pg_type: &str) -> String {
    match pg_type {
        "text" | "jsonb" => "TEXT",
        "bigint" | "integer" | "smallint" | "boolean" | "timestamp with time zone" => "INTEGER",
        other => other,
    }
    .to_string()
}

/// The table's columns an expression mentions, by name (string literals and `::type` casts aside).
fn mentioned(expr: &str, columns: &BTreeMap<String, (String, bool)>) -> Vec<String> {
    let mut bare = String::new();
    let mut in_literal = false;
    for ch in expr.chars() {
        if ch == '\'' {
            in_literal = !in_literal;
        } else if !in_literal {
            bare.push(ch);
        }
    }
    let expr = without_casts(&bare);
    let words: BTreeSet<String> =
        expr.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    columns.keys().filter(|c| words.contains(*c)).cloned().collect()
}

/// `x::text[]` → `x`: PostgreSQL writes casts into the constraints it prints back.
fn without_casts(expr: &str) -> String {
    let mut out = String::new();
    let mut rest = expr;
    while let Some(i) = rest.find("::") {
        out.push_str(&rest[..i]);
        rest = rest[i + 2..].trim_start_matches(|c: char| c.is_alphanumeric() || c == '_' || c == '[' || c == ']');
    }
    out.push_str(rest);
    out
}

async fn postgres() -> Schema {
    let pool = sqlx::PgPool::connect(&testkit::pg_schema_url().await).await.expect("connect");
    let q = |sql: &'static str| sqlx::query_as::<_, (String, String, String, String)>(sql).fetch_all(&pool);
    let mut s = Schema::default();
    for (table, column, ty, nullable) in q("SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable::text \
         FROM information_schema.columns c JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema \
         WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'")
    .await
    .expect("columns")
    {
        if !EMBEDDED_ONLY.contains(&table.as_str()) {
            s.columns.entry(table).or_default().insert(column, (as_sqlite(&ty), nullable == "NO"));
        }
    }
    let unique: Vec<(String, Vec<String>, bool)> = sqlx::query_as(
        "SELECT t.relname::text, array_agg(a.attname::text ORDER BY k.n), i.indpred IS NOT NULL \
         FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace \
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
         WHERE ns.nspname = current_schema() AND i.indisunique GROUP BY t.relname, i.indexrelid, i.indpred",
    )
    .fetch_all(&pool)
    .await
    .expect("unique");
    s.unique = unique.into_iter().filter(|(t, _, _)| !EMBEDDED_ONLY.contains(&t.as_str())).collect();
    let foreign: Vec<(String, Vec<String>, String, Vec<String>)> = sqlx::query_as(
        "SELECT t.relname::text, \
           ARRAY(SELECT attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = c.conrelid AND attnum = k.n ORDER BY o), \
           r.relname::text, \
           ARRAY(SELECT attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = c.confrelid AND attnum = k.n ORDER BY o) \
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid \
         JOIN pg_namespace ns ON ns.oid = t.relnamespace WHERE c.contype = 'f' AND ns.nspname = current_schema()",
    )
    .fetch_all(&pool)
    .await
    .expect("foreign keys");
    s.foreign = foreign.into_iter().collect();
    let checks: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.relname::text, pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
         JOIN pg_namespace ns ON ns.oid = t.relnamespace WHERE c.contype = 'c' AND ns.nspname = current_schema()",
    )
    .fetch_all(&pool)
    .await
    .expect("checks");
    for (table, def) in checks {
        let cols = mentioned(&def, &s.columns[&table]);
        s.checks.entry(table).or_default().insert(cols);
    }
    let views: Vec<String> =
        sqlx::query_scalar("SELECT table_name::text FROM information_schema.views WHERE table_schema = current_schema()")
            .fetch_all(&pool)
            .await
            .expect("views");
    s.views = views.into_iter().collect();
    pool.close().await;
    s
}

/// The CHECK (…) expressions of a CREATE TABLE statement.
fn check_clauses(create: &str) -> Vec<String> {
    let mut out = Vec::new();
    let upper = create.to_uppercase();
    let mut from = 0;
    while let Some(at) = upper[from..].find("CHECK (").map(|i| from + i + "CHECK ".len()) {
        let mut depth = 0;
        let mut end = at;
        for (i, ch) in create[at..].char_indices() {
            depth += match ch {
                '(' => 1,
                ')' => -1,
                _ => 0,
            };
            if depth == 0 {
                end = at + i;
                break;
            }
        }
        out.push(create[at..=end].to_string());
        from = end;
    }
    out
}

async fn sqlite() -> Schema {
    let (store, _file) = testkit::sqlite_store().await;
    let pool = store.sqlite_pool().expect("sqlite").clone();
    let mut s = Schema::default();
    let tables: Vec<(String, String)> =
        sqlx::query_as("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetch_all(&pool).await.expect("tables");
    for (table, create) in tables.into_iter().filter(|(t, _)| !EMBEDDED_ONLY.contains(&t.as_str())) {
        let cols: Vec<(String, String, i64, i64)> = sqlx::query_as("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?1)")
            .bind(&table)
            .fetch_all(&pool)
            .await
            .expect("columns");
        let pk: Vec<String> = cols.iter().filter(|c| c.3 > 0).map(|c| c.0.clone()).collect();
        let columns: BTreeMap<String, (String, bool)> =
            cols.into_iter().map(|(name, ty, notnull, pk)| (name, (ty.to_uppercase(), notnull == 1 || pk > 0))).collect();
        for expr in check_clauses(&create) {
            s.checks.entry(table.clone()).or_default().insert(mentioned(&expr, &columns));
        }
        if !pk.is_empty() {
            s.unique.insert((table.clone(), pk, false));
        }
        let indexes: Vec<(String, i64, String, i64)> =
            sqlx::query_as("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?1)")
                .bind(&table)
                .fetch_all(&pool)
                .await
                .expect("indexes");
        for (index, unique, origin, partial) in indexes {
            if unique == 1 && origin != "pk" {
                let cols: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(&pool)
                    .await
                    .expect("index");
                s.unique.insert((table.clone(), cols, partial == 1));
            }
        }
        let fks: Vec<(i64, String, String, Option<String>)> =
            sqlx::query_as("SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?1) ORDER BY id, seq")
                .bind(&table)
                .fetch_all(&pool)
                .await
                .expect("fks");
        let mut grouped: BTreeMap<i64, (String, Vec<String>, Vec<String>)> = BTreeMap::new();
        for (id, target, from, to) in fks {
            let g = grouped.entry(id).or_insert_with(|| (target.clone(), Vec::new(), Vec::new()));
            g.1.push(from);
            g.2.push(to.unwrap_or_else(|| "id".into()));
        }
        for (target, from, to) in grouped.into_values() {
            s.foreign.insert((table.clone(), from, target, to));
        }
        s.columns.insert(table, columns);
    }
    let views: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'view'").fetch_all(&pool).await.expect("views");
    s.views = views.into_iter().collect();
    store.close().await;
    s
}

#[tokio::test]
async fn the_postgresql_and_sqlite_schemas_are_the_same() {
    let (pg, lite) = (postgres().await, sqlite().await);
    assert!(pg.columns.len() >= 13, "read the schema: {:?}", pg.columns.keys());
    assert_eq!(pg.columns.keys().collect::<Vec<_>>(), lite.columns.keys().collect::<Vec<_>>(), "tables");
    for (table, cols) in &pg.columns {
        assert_eq!(Some(cols), lite.columns.get(table), "columns of {table} (type as SQLite stores it, not null)");
    }
    assert_eq!(pg.unique, lite.unique, "primary keys and unique constraints or indexes");
    assert_eq!(pg.foreign, lite.foreign, "foreign keys");
    assert_eq!(pg.checks, lite.checks, "checks (by the columns they constrain)");
    assert_eq!(pg.views, lite.views, "views");
}

#[tokio::test]
async fn the_embedded_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let (store, file) = testkit::sqlite_store().await;
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", file.0.display());
        let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(mode, 0o600, "{path}");
    }
    store.close().await;
}

/// A page and its token written the way stores wrote them before tokens were sealed.
const PLAIN: &str =
    "INSERT INTO pages (page_id, seller_name, currency, catalog, created_at, updated_at) VALUES ('P1', 'T', 'CLP', $1, $2, $2)";

#[tokio::test]
async fn migrate_seals_page_tokens_stored_in_plain_text_on_both_databases() {
    use shared::ports::SellerStore;
    let page = shared::domain::ids::PageId::parse("P1").expect("id");
    let catalog = serde_json::to_string(&testkit::catalog()).expect("json");
    // PostgreSQL: without the key, migrate refuses and names it; with it, the token is sealed.
    let url = testkit::pg_schema_url().await;
    let pg = shared::adapters::sql::SqlStore::connect_postgres(&url, 2).await.expect("connect");
    let pool = pg.postgres_pool().expect("pg").clone();
    sqlx::query(PLAIN)
        .bind(serde_json::from_str::<serde_json::Value>(&catalog).expect("v"))
        .bind(chrono::Utc::now())
        .execute(&pool)
        .await
        .expect("page");
    sqlx::query("INSERT INTO page_tokens (page_id, token, valid, updated_at) VALUES ('P1', 'EAAB-plain', true, now())")
        .execute(&pool)
        .await
        .expect("token");
    let refused = pg.migrate().await.expect_err("no key");
    assert!(refused.to_string().contains("LIVESELL_SECRETS_KEY must be set to seal the page tokens stored in plain text"), "{refused}");
    let pg = pg.with_sealer(testkit::sealer());
    pg.migrate().await.expect("migrate");
    let stored: String = sqlx::query_scalar("SELECT token FROM page_tokens").fetch_one(&pool).await.expect("token");
    assert!(stored.starts_with("sealed:v1:") && !stored.contains("EAAB"), "{stored}");
    assert_eq!(pg.page_token(&page).await.expect("read").map(|(t, _)| t.expose().to_string()).as_deref(), Some("EAAB-plain"));
    pg.close().await;
    // SQLite: the same on the embedded file.
    let (lite, _file) = testkit::sqlite_store().await;
    let pool = lite.sqlite_pool().expect("sqlite").clone();
    sqlx::query(PLAIN).bind(&catalog).bind(0i64).execute(&pool).await.expect("page");
    sqlx::query("INSERT INTO page_tokens (page_id, token, valid, updated_at) VALUES ('P1', 'EAAB-plain', 1, 0)")
        .execute(&pool)
        .await
        .expect("token");
    lite.migrate().await.expect("migrate");
    let stored: String = sqlx::query_scalar("SELECT token FROM page_tokens").fetch_one(&pool).await.expect("token");
    assert!(stored.starts_with("sealed:v1:") && !stored.contains("EAAB"), "{stored}");
    assert_eq!(lite.page_token(&page).await.expect("read").map(|(t, _)| t.expose().to_string()).as_deref(), Some("EAAB-plain"));
    lite.close().await;
}
