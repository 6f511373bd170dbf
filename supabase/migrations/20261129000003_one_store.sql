-- livesell 3: one store. The transactional rules moved out of PL/pgSQL into the application, where
-- one source serves PostgreSQL and the embedded SQLite alike (shared/src/adapters/sql). From this
-- migration on, each file here is also the embedded schema's: SQLite applies it through
-- shared/src/adapters/sql/schema.rs, which maps the few types that differ, skips a statement
-- marked "postgres only" and runs the statements written as "-- sqlite: …" comments.

-- postgres only:
DROP FUNCTION IF EXISTS livesell_mark_paid(bigint, timestamptz);
-- postgres only:
DROP FUNCTION IF EXISTS livesell_expire(timestamptz, int);
-- postgres only:
DROP FUNCTION IF EXISTS livesell_remove_comment(bigint, timestamptz, int);
-- postgres only:
DROP FUNCTION IF EXISTS livesell_cancel(bigint, text, text, text, jsonb, timestamptz, int);
-- postgres only:
DROP FUNCTION IF EXISTS livesell_cancel_target(bigint, text, text, text, text, text[], int, timestamptz, int, int);
-- postgres only:
DROP FUNCTION IF EXISTS livesell_reserve(bigint, int, text, text, text, text, text, text, int, bigint, text, timestamptz, int);
-- postgres only:
DROP FUNCTION IF EXISTS livesell_release(bigint, text, text, timestamptz, int);
-- postgres only:
DROP FUNCTION IF EXISTS livesell_promote(text, text, timestamptz, int);
-- postgres only:
DROP FUNCTION IF EXISTS livesell_take_stock(text, text, int);
-- postgres only:
DROP FUNCTION IF EXISTS livesell_order_for(text, text, text, text, text, timestamptz);

-- A catalog edit never deletes what a claim points at: gone from the file means hidden.
ALTER TABLE products ADD COLUMN active boolean NOT NULL DEFAULT true;
ALTER TABLE variants ADD COLUMN active boolean NOT NULL DEFAULT true;

-- An edit re-opens a comment: its revision, and the revision whose claims the store holds.
ALTER TABLE comments ADD COLUMN revision int NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN acted_revision int;
UPDATE comments SET acted_revision = 0 WHERE state = 'acted';

-- A removal that arrived before its comment: holds the late comment back.
CREATE TABLE comment_tombstones (
  platform text NOT NULL,
  comment_id text NOT NULL,
  removed_at timestamptz NOT NULL,
  PRIMARY KEY (platform, comment_id)
);

-- Sessions are kept by a hash of their id; the ones open before this migration end (12 h at most).
DROP TABLE seller_sessions;
CREATE TABLE seller_sessions (
  session_hash text PRIMARY KEY,
  page_id text NOT NULL REFERENCES pages(page_id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);

-- Where the two schemas had drifted apart (the schema test now holds them equal): the currency
-- is checked by the domain (Currency::parse), the receipt time is written by the store.
-- postgres only:
ALTER TABLE pages DROP CONSTRAINT IF EXISTS pages_currency_check;
-- postgres only:
ALTER TABLE comments ALTER COLUMN recorded_at DROP DEFAULT;
-- sqlite: CREATE INDEX comment_edits_comment ON comment_edits(comment_ref);
-- sqlite: CREATE VIEW order_items AS SELECT c.id AS claim_id, c.order_id, c.page_id, c.live_id, c.code, c.sku, c.qty, c.unit_price_minor, c.currency, c.status, c.created_at, c.updated_at FROM claims c WHERE c.order_id IS NOT NULL;
CREATE INDEX variants_code ON variants(page_id, code);
