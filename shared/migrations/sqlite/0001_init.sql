-- livesell embedded store (SQLite). Same meaning as supabase/migrations; timestamps are integer
-- milliseconds since the Unix epoch so they compare correctly as numbers.
CREATE TABLE pages (
  page_id TEXT PRIMARY KEY,
  ig_account_id TEXT UNIQUE,
  seller_name TEXT NOT NULL DEFAULT '',
  currency TEXT NOT NULL,
  current_product TEXT,
  transfer_instructions TEXT,
  catalog TEXT NOT NULL,
  catalog_version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE page_tokens (
  page_id TEXT PRIMARY KEY REFERENCES pages(page_id) ON DELETE CASCADE,
  token TEXT NOT NULL,
  valid INTEGER NOT NULL DEFAULT 1,
  updated_at INTEGER NOT NULL
);

CREATE TABLE products (
  page_id TEXT NOT NULL REFERENCES pages(page_id) ON DELETE CASCADE,
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  category TEXT NOT NULL DEFAULT '',
  price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
  currency TEXT NOT NULL,
  PRIMARY KEY (page_id, code)
);

-- Inventory per stock key; `reserved <= on_hand` is the last line of defence against overselling.
CREATE TABLE variants (
  page_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  code TEXT NOT NULL,
  size TEXT,
  color TEXT,
  position INTEGER NOT NULL,
  on_hand INTEGER NOT NULL CHECK (on_hand >= 0),
  reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  PRIMARY KEY (page_id, sku),
  FOREIGN KEY (page_id, code) REFERENCES products(page_id, code) ON DELETE CASCADE,
  CHECK (reserved <= on_hand)
);

CREATE TABLE comments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  platform TEXT NOT NULL CHECK (platform IN ('facebook', 'instagram')),
  comment_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  page_id TEXT,
  live_id TEXT NOT NULL,
  author_id TEXT NOT NULL,
  author_name TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  first_entry TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'received'
    CHECK (state IN ('received', 'filtered', 'ignored', 'classified', 'acted', 'removed')),
  reason TEXT,
  intent TEXT,
  classification TEXT,
  redeliveries INTEGER NOT NULL DEFAULT 0,
  edited_at INTEGER,
  removed_at INTEGER,
  recorded_at INTEGER NOT NULL,
  UNIQUE (platform, comment_id)
);
CREATE INDEX comments_page ON comments(page_id, state);

CREATE TABLE comment_edits (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  comment_ref INTEGER NOT NULL REFERENCES comments(id),
  text TEXT NOT NULL,
  edited_at INTEGER NOT NULL,
  applied INTEGER NOT NULL
);

CREATE TABLE orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  page_id TEXT NOT NULL,
  live_id TEXT NOT NULL,
  buyer_id TEXT NOT NULL,
  buyer_name TEXT NOT NULL DEFAULT '',
  currency TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid')),
  payment TEXT,
  created_at INTEGER NOT NULL,
  paid_at INTEGER
);
CREATE UNIQUE INDEX orders_open_per_buyer ON orders(page_id, live_id, buyer_id) WHERE status = 'open';
CREATE INDEX orders_page ON orders(page_id);

CREATE TABLE claims (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  comment_ref INTEGER NOT NULL REFERENCES comments(id),
  idx INTEGER NOT NULL,
  page_id TEXT NOT NULL,
  live_id TEXT NOT NULL,
  buyer_id TEXT NOT NULL,
  buyer_name TEXT NOT NULL DEFAULT '',
  code TEXT,
  sku TEXT,
  qty INTEGER NOT NULL CHECK (qty > 0),
  status TEXT NOT NULL CHECK (status IN ('reserved', 'waitlisted', 'rejected', 'cancelled', 'expired', 'paid')),
  reason TEXT,
  unit_price_minor INTEGER,
  currency TEXT,
  order_id INTEGER REFERENCES orders(id),
  expires_at INTEGER,
  cancelled_by INTEGER REFERENCES comments(id),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (comment_ref, idx)
);
CREATE INDEX claims_waitlist ON claims(page_id, sku, status, id);
CREATE INDEX claims_expiry ON claims(status, expires_at);
CREATE INDEX claims_buyer ON claims(page_id, live_id, buyer_id, status);
CREATE INDEX claims_order ON claims(order_id);
CREATE INDEX claims_cancelled_by ON claims(cancelled_by);

CREATE TABLE outbound_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  comment_ref INTEGER NOT NULL UNIQUE REFERENCES comments(id),
  page_id TEXT NOT NULL,
  text TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'sending', 'sent', 'outbox', 'failed', 'paused')),
  attempts INTEGER NOT NULL DEFAULT 0,
  error_code INTEGER,
  error TEXT,
  meta_message_id TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  sent_at INTEGER
);
CREATE INDEX outbound_page ON outbound_messages(page_id, status);

CREATE TABLE seller_notices (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  page_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  claim_id INTEGER,
  message TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX seller_notices_page ON seller_notices(page_id, id);

-- The embedded event stream (used when REDIS_URL is unset): the same consumer-group contract as
-- Redis Streams, durable across restarts.
CREATE TABLE stream_entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  stream TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX stream_entries_by_stream ON stream_entries(stream, seq);

CREATE TABLE stream_groups (
  stream TEXT NOT NULL,
  grp TEXT NOT NULL,
  last_seq INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (stream, grp)
);

CREATE TABLE stream_pending (
  stream TEXT NOT NULL,
  grp TEXT NOT NULL,
  seq INTEGER NOT NULL,
  consumer TEXT NOT NULL,
  delivered_at INTEGER NOT NULL,
  deliveries INTEGER NOT NULL,
  PRIMARY KEY (stream, grp, seq)
);
CREATE INDEX stream_pending_idle ON stream_pending(stream, grp, delivered_at);
