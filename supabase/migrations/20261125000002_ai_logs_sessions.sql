-- Every LLM decision (or cache hit): the weekly export to the warehouse reads this table (PRD 4.2).
CREATE TABLE ai_logs (
  id bigserial PRIMARY KEY,
  page_id text NOT NULL,
  comment_id text NOT NULL,
  model text NOT NULL,
  latency_ms int NOT NULL,
  tokens_in int NOT NULL DEFAULT 0,
  tokens_out int NOT NULL DEFAULT 0,
  cached boolean NOT NULL,
  outcome text NOT NULL,
  fallback_reason text,
  created_at timestamptz NOT NULL
);
CREATE INDEX ai_logs_page ON ai_logs(page_id, created_at);

-- Seller sessions for the dashboard, written through to Redis (PRD 4.2).
CREATE TABLE seller_sessions (
  session_id text PRIMARY KEY,
  page_id text NOT NULL REFERENCES pages(page_id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
