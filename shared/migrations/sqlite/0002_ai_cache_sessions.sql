-- Every LLM decision (or cache hit), for the weekly warehouse export and the seller's review.
CREATE TABLE ai_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  page_id TEXT NOT NULL,
  comment_id TEXT NOT NULL,
  model TEXT NOT NULL,
  latency_ms INTEGER NOT NULL,
  tokens_in INTEGER NOT NULL DEFAULT 0,
  tokens_out INTEGER NOT NULL DEFAULT 0,
  cached INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  fallback_reason TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX ai_logs_page ON ai_logs(page_id, created_at);

-- Seller sessions for the dashboard (written through to the cache).
CREATE TABLE seller_sessions (
  session_id TEXT PRIMARY KEY,
  page_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

-- The embedded cache (Redis's role when REDIS_URL is unset): volatile by contract, shared by the
-- processes using the same file so an import in one invalidates the others.
CREATE TABLE cache_entries (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
