//! # Schema: one definition, applied to both databases
//! `supabase/migrations` is the schema. Its first two files predate this rule and have SQLite twins
//! (`shared/migrations/sqlite`, kept as applied); from the third on, each file is written once in
//! a portable subset and SQLite runs it through `to_sqlite`, which maps the types that differ,
//! skips statements marked `-- postgres only:` and runs the ones written as `-- sqlite: …`.
//! `tests/tests/schema.rs` holds the two resulting schemas equal: tables, columns, keys, checks.

/// PostgreSQL migrations (Supabase CLI layout: `<timestamp>_<name>.sql`), in order.
pub const POSTGRES: &[(&str, &str)] = &[
    ("20261125000001_init", include_str!("../../../../supabase/migrations/20261125000001_init.sql")),
    ("20261125000002_ai_logs_sessions", include_str!("../../../../supabase/migrations/20261125000002_ai_logs_sessions.sql")),
    ("20261129000003_one_store", include_str!("../../../../supabase/migrations/20261129000003_one_store.sql")),
    ("20261129000004_payment_gateways", include_str!("../../../../supabase/migrations/20261129000004_payment_gateways.sql")),
    ("20261129000005_payment_links", include_str!("../../../../supabase/migrations/20261129000005_payment_links.sql")),
    ("20261129000006_buyer_cap", include_str!("../../../../supabase/migrations/20261129000006_buyer_cap.sql")),
    ("20261129000007_buyers", include_str!("../../../../supabase/migrations/20261129000007_buyers.sql")),
    ("20261129000008_public_replies", include_str!("../../../../supabase/migrations/20261129000008_public_replies.sql")),
    ("20261129000009_first_paid", include_str!("../../../../supabase/migrations/20261129000009_first_paid.sql")),
];

/// The embedded schema's own first files (applied by every existing embedded database).
#[cfg(feature = "embedded")]
const SQLITE_TWINS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../../migrations/sqlite/0001_init.sql")),
    ("0002_ai_cache_sessions", include_str!("../../../migrations/sqlite/0002_ai_cache_sessions.sql")),
];

/// The SQLite migrations: the twins, then every later PostgreSQL migration translated.
#[cfg(feature = "embedded")]
pub fn sqlite() -> Vec<(&'static str, String)> {
    SQLITE_TWINS
        .iter()
        .map(|(n, s)| (*n, s.to_string()))
        .chain(POSTGRES.iter().skip(SQLITE_TWINS.len()).map(|(n, s)| (*n, to_sqlite(s))))
        .collect()
}

/// PostgreSQL types and literals that SQLite spells otherwise (word-bounded, lower case as the
/// migrations write them). So a column is never named after a type (`text`, `int`): it would
/// come out upper-cased on SQLite, and SQLite's column lookups by name are case-sensitive.
const TYPE_MAP: &[(&str, &str)] = &[
    ("bigserial PRIMARY KEY", "INTEGER PRIMARY KEY AUTOINCREMENT"),
    ("timestamptz", "INTEGER"),
    ("jsonb", "TEXT"),
    ("boolean", "INTEGER"),
    ("bigint", "INTEGER"),
    ("int", "INTEGER"),
    ("text", "TEXT"),
    ("DEFAULT true", "DEFAULT 1"),
    ("DEFAULT false", "DEFAULT 0"),
];

/// A portable migration as SQLite runs it.
pub fn to_sqlite(sql: &str) -> String {
    let mut out = Vec::new();
    let mut statement = String::new();
    let mut skip = false;
    for line in sql.lines() {
        let t = line.trim();
        if t == "-- postgres only:" {
            skip = true;
            continue;
        }
        if let Some(only) = t.strip_prefix("-- sqlite:") {
            out.push(only.trim().to_string());
            continue;
        }
        if t.starts_with("--") || t.is_empty() {
            continue;
        }
        statement.push_str(line);
        statement.push('\n');
        if t.ends_with(';') {
            if !skip {
                out.push(map_types(&statement));
            }
            statement.clear();
            skip = false;
        }
    }
    out.join("\n")
}

fn map_types(statement: &str) -> String {
    let mut s = statement.to_string();
    for (pg, lite) in TYPE_MAP {
        s = replace_words(&s, pg, lite);
    }
    s
}

/// Replaces `from` where it stands as whole words (not inside an identifier).
fn replace_words(s: &str, from: &str, to: &str) -> String {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(from) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + from.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(ident) || after.is_some_and(ident) {
            out.push_str(from);
        } else {
            out.push_str(to);
        }
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_portable_migration_becomes_sqlite() {
        let pg = "-- a comment\n-- postgres only:\nDROP FUNCTION f(int);\nCREATE TABLE t (\n  id bigserial PRIMARY KEY,\n  at timestamptz NOT NULL,\n  \
                  ok boolean NOT NULL DEFAULT true,\n  n int, printed text\n);\n-- sqlite: CREATE INDEX i ON t(at);\nALTER TABLE t ADD COLUMN j jsonb;\n";
        let lite = to_sqlite(pg);
        assert!(!lite.contains("DROP FUNCTION"));
        assert!(lite.contains("id INTEGER PRIMARY KEY AUTOINCREMENT"), "{lite}");
        assert!(lite.contains("at INTEGER NOT NULL") && lite.contains("ok INTEGER NOT NULL DEFAULT 1"), "{lite}");
        assert!(lite.contains("n INTEGER, printed TEXT"), "identifiers are left alone: {lite}");
        assert!(lite.contains("CREATE INDEX i ON t(at);") && lite.contains("ADD COLUMN j TEXT;"), "{lite}");
    }
}
