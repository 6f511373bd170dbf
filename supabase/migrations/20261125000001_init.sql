-- livesell: PostgreSQL (Supabase) schema, the source of truth. Immutable: change it with a new
-- numbered migration. Applied by `livesell migrate` (or `supabase db push`).
--
-- The transactional rules live in SQL functions (livesell_*): the stage functions call them over a
-- direct connection, and Supabase serves the same functions to the dashboard over REST RPC.
-- Stock is taken by one conditional UPDATE (`on_hand - reserved >= qty` checked and changed in the
-- same statement); the CHECK (reserved <= on_hand) is the last line of defence.

CREATE TABLE pages (
  page_id text PRIMARY KEY,
  ig_account_id text UNIQUE,
  seller_name text NOT NULL DEFAULT '',
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  current_product text,
  transfer_instructions text,
  catalog jsonb NOT NULL,
  catalog_version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- Kept apart from `pages` so no dashboard query on pages ever reads a token.
CREATE TABLE page_tokens (
  page_id text PRIMARY KEY REFERENCES pages(page_id) ON DELETE CASCADE,
  token text NOT NULL,
  valid boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL
);

CREATE TABLE products (
  page_id text NOT NULL REFERENCES pages(page_id) ON DELETE CASCADE,
  code text NOT NULL,
  name text NOT NULL,
  category text NOT NULL DEFAULT '',
  price_minor bigint NOT NULL CHECK (price_minor >= 0),
  currency text NOT NULL,
  PRIMARY KEY (page_id, code)
);

CREATE TABLE variants (
  page_id text NOT NULL,
  sku text NOT NULL,
  code text NOT NULL,
  size text,
  color text,
  position int NOT NULL,
  on_hand int NOT NULL CHECK (on_hand >= 0),
  reserved int NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  PRIMARY KEY (page_id, sku),
  FOREIGN KEY (page_id, code) REFERENCES products(page_id, code) ON DELETE CASCADE,
  CHECK (reserved <= on_hand)
);

CREATE TABLE comments (
  id bigserial PRIMARY KEY,
  platform text NOT NULL CHECK (platform IN ('facebook', 'instagram')),
  comment_id text NOT NULL,
  account_id text NOT NULL,
  page_id text,
  live_id text NOT NULL,
  author_id text NOT NULL,
  author_name text NOT NULL DEFAULT '',
  text text NOT NULL,
  created_at timestamptz NOT NULL,
  first_entry text NOT NULL,
  state text NOT NULL DEFAULT 'received'
    CHECK (state IN ('received', 'filtered', 'ignored', 'classified', 'acted', 'removed')),
  reason text,
  intent text,
  classification jsonb,
  redeliveries int NOT NULL DEFAULT 0,
  edited_at timestamptz,
  removed_at timestamptz,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  -- The dedupe authority for Meta's redeliveries.
  UNIQUE (platform, comment_id)
);
CREATE INDEX comments_page ON comments(page_id, state);

CREATE TABLE comment_edits (
  id bigserial PRIMARY KEY,
  comment_ref bigint NOT NULL REFERENCES comments(id),
  text text NOT NULL,
  edited_at timestamptz NOT NULL,
  applied boolean NOT NULL
);
CREATE INDEX comment_edits_comment ON comment_edits(comment_ref);

CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  page_id text NOT NULL,
  live_id text NOT NULL,
  buyer_id text NOT NULL,
  buyer_name text NOT NULL DEFAULT '',
  currency text NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid')),
  payment jsonb,
  created_at timestamptz NOT NULL,
  paid_at timestamptz
);
CREATE UNIQUE INDEX orders_open_per_buyer ON orders(page_id, live_id, buyer_id) WHERE status = 'open';
CREATE INDEX orders_page ON orders(page_id);

CREATE TABLE claims (
  id bigserial PRIMARY KEY,
  comment_ref bigint NOT NULL REFERENCES comments(id),
  idx int NOT NULL,
  page_id text NOT NULL,
  live_id text NOT NULL,
  buyer_id text NOT NULL,
  buyer_name text NOT NULL DEFAULT '',
  code text,
  sku text,
  qty int NOT NULL CHECK (qty > 0),
  status text NOT NULL CHECK (status IN ('reserved', 'waitlisted', 'rejected', 'cancelled', 'expired', 'paid')),
  reason text,
  unit_price_minor bigint,
  currency text,
  order_id bigint REFERENCES orders(id),
  expires_at timestamptz,
  cancelled_by bigint REFERENCES comments(id),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (comment_ref, idx)
);
CREATE INDEX claims_waitlist ON claims(page_id, sku, status, id);
CREATE INDEX claims_expiry ON claims(expires_at) WHERE status = 'reserved';
CREATE INDEX claims_buyer ON claims(page_id, live_id, buyer_id, status);
CREATE INDEX claims_order ON claims(order_id);
CREATE INDEX claims_cancelled_by ON claims(cancelled_by);

-- The order items the weekly warehouse export reads (PRD 4.2 "pedido_items").
CREATE VIEW order_items AS
  SELECT c.id AS claim_id, c.order_id, c.page_id, c.live_id, c.code, c.sku, c.qty, c.unit_price_minor, c.currency,
         c.status, c.created_at, c.updated_at
  FROM claims c WHERE c.order_id IS NOT NULL;

CREATE TABLE outbound_messages (
  id bigserial PRIMARY KEY,
  comment_ref bigint NOT NULL UNIQUE REFERENCES comments(id),
  page_id text NOT NULL,
  text text NOT NULL,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'sending', 'sent', 'outbox', 'failed', 'paused')),
  attempts int NOT NULL DEFAULT 0,
  error_code bigint,
  error text,
  meta_message_id text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  sent_at timestamptz
);
CREATE INDEX outbound_page ON outbound_messages(page_id, status);

CREATE TABLE seller_notices (
  id bigserial PRIMARY KEY,
  page_id text NOT NULL,
  kind text NOT NULL,
  claim_id bigint,
  message text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX seller_notices_page ON seller_notices(page_id, id);

-- ───────────────────────── transactional rules ─────────────────────────

-- The buyer's open order for the live, created on first use.
CREATE FUNCTION livesell_order_for(p_page text, p_live text, p_buyer text, p_buyer_name text, p_currency text, p_now timestamptz)
RETURNS bigint LANGUAGE sql AS $$
  INSERT INTO orders (page_id, live_id, buyer_id, buyer_name, currency, status, created_at)
  VALUES (p_page, p_live, p_buyer, p_buyer_name, p_currency, 'open', p_now)
  ON CONFLICT (page_id, live_id, buyer_id) WHERE status = 'open' DO UPDATE SET buyer_name = excluded.buyer_name
  RETURNING id;
$$;

-- The one atomic statement that takes stock: the row changes only if enough units are free.
CREATE FUNCTION livesell_take_stock(p_page text, p_sku text, p_qty int)
RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  UPDATE variants SET reserved = reserved + p_qty
   WHERE page_id = p_page AND sku = p_sku AND on_hand - reserved >= p_qty;
  RETURN FOUND;
END $$;

-- Gives freed units of a SKU to its waitlist, oldest first (a claim too big for what is free is
-- skipped, not blocking smaller ones); each promotion becomes a notice for the seller.
CREATE FUNCTION livesell_promote(p_page text, p_sku text, p_now timestamptz, p_ttl_secs int)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE w claims; v_order bigint;
BEGIN
  FOR w IN SELECT * FROM claims WHERE page_id = p_page AND sku = p_sku AND status = 'waitlisted' ORDER BY id FOR UPDATE LOOP
    IF livesell_take_stock(p_page, p_sku, w.qty) THEN
      v_order := livesell_order_for(p_page, w.live_id, w.buyer_id, w.buyer_name, coalesce(w.currency, 'XXX'), p_now);
      UPDATE claims SET status = 'reserved', order_id = v_order, expires_at = p_now + make_interval(secs => p_ttl_secs), updated_at = p_now
       WHERE id = w.id;
      INSERT INTO seller_notices (page_id, kind, claim_id, message, created_at)
      VALUES (p_page, 'waitlist_promoted', w.id,
              format('Waitlist: %s× %s is now reserved for %s (claim %s, order %s); tell the buyer.', w.qty, p_sku, w.buyer_name, w.id, v_order),
              p_now);
    END IF;
  END LOOP;
END $$;

-- Ends an active (reserved or waitlisted) claim with p_status, frees its units and promotes the
-- waitlist. Returns false if the claim was not active.
CREATE FUNCTION livesell_release(p_claim bigint, p_status text, p_reason text, p_now timestamptz, p_ttl_secs int)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE c claims;
BEGIN
  SELECT * INTO c FROM claims WHERE id = p_claim FOR UPDATE;
  IF NOT FOUND OR c.status NOT IN ('reserved', 'waitlisted') THEN
    RETURN false;
  END IF;
  UPDATE claims SET status = p_status, reason = coalesce(p_reason, reason), updated_at = p_now WHERE id = p_claim;
  IF c.status = 'reserved' AND c.sku IS NOT NULL THEN
    UPDATE variants SET reserved = reserved - c.qty WHERE page_id = c.page_id AND sku = c.sku;
    PERFORM livesell_promote(c.page_id, c.sku, p_now, p_ttl_secs);
  END IF;
  RETURN true;
END $$;

-- Reserves p_qty of the SKU for claim (comment, idx), or waitlists it. Idempotent: a retry returns
-- the stored claim. A claim of a removed comment is stored cancelled.
CREATE FUNCTION livesell_reserve(
  p_comment bigint, p_idx int, p_page text, p_live text, p_buyer text, p_buyer_name text,
  p_code text, p_sku text, p_qty int, p_unit_price bigint, p_currency text, p_now timestamptz, p_ttl_secs int)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v_id bigint; v_state text; v_order bigint;
BEGIN
  -- Serialises with a concurrent removal of the same comment.
  SELECT state INTO v_state FROM comments WHERE id = p_comment FOR SHARE;
  INSERT INTO claims (comment_ref, idx, page_id, live_id, buyer_id, buyer_name, code, sku, qty, status, reason,
                      unit_price_minor, currency, created_at, updated_at)
  VALUES (p_comment, p_idx, p_page, p_live, p_buyer, p_buyer_name, p_code, p_sku, p_qty,
          CASE WHEN v_state = 'removed' THEN 'cancelled' ELSE 'waitlisted' END,
          CASE WHEN v_state = 'removed' THEN 'comment_removed' END,
          p_unit_price, p_currency, p_now, p_now)
  ON CONFLICT (comment_ref, idx) DO NOTHING
  RETURNING id INTO v_id;
  IF v_id IS NULL THEN
    SELECT id INTO v_id FROM claims WHERE comment_ref = p_comment AND idx = p_idx;
    RETURN v_id;
  END IF;
  IF v_state = 'removed' THEN
    RETURN v_id;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM variants WHERE page_id = p_page AND sku = p_sku) THEN
    UPDATE claims SET status = 'rejected', reason = 'unknown_variant' WHERE id = v_id;
  ELSIF livesell_take_stock(p_page, p_sku, p_qty) THEN
    v_order := livesell_order_for(p_page, p_live, p_buyer, p_buyer_name, p_currency, p_now);
    UPDATE claims SET status = 'reserved', order_id = v_order, expires_at = p_now + make_interval(secs => p_ttl_secs) WHERE id = v_id;
  END IF;
  RETURN v_id;
END $$;

-- One target of a cancellation comment: the buyer's matching active claims, newest first, up to
-- p_qty units (all when null). A partial cancel keeps the rest on the claim and records the
-- cancelled units as a claim of the cancelling comment.
CREATE FUNCTION livesell_cancel_target(
  p_comment bigint, p_page text, p_live text, p_buyer text, p_code text, p_skus text[], p_qty int,
  p_now timestamptz, p_ttl_secs int, p_split_idx int)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE c claims; v_left int := p_qty; v_split bigint; v_splits int := 0;
BEGIN
  FOR c IN
    SELECT * FROM claims
     WHERE page_id = p_page AND live_id = p_live AND buyer_id = p_buyer AND status IN ('reserved', 'waitlisted')
       AND (p_code IS NULL OR code = p_code)
       AND (p_skus IS NULL OR sku = ANY(p_skus))
     ORDER BY id DESC
     LIMIT CASE WHEN p_code IS NULL THEN 1 END
     FOR UPDATE
  LOOP
    EXIT WHEN v_left IS NOT NULL AND v_left <= 0;
    IF v_left IS NOT NULL AND v_left < c.qty THEN
      UPDATE claims SET qty = qty - v_left, updated_at = p_now WHERE id = c.id;
      INSERT INTO claims (comment_ref, idx, page_id, live_id, buyer_id, buyer_name, code, sku, qty, status, reason,
                          unit_price_minor, currency, cancelled_by, created_at, updated_at)
      VALUES (p_comment, p_split_idx + v_splits, c.page_id, c.live_id, c.buyer_id, c.buyer_name, c.code, c.sku, v_left,
              'cancelled', 'cancelled_by_buyer', c.unit_price_minor, c.currency, p_comment, p_now, p_now)
      RETURNING id INTO v_split;
      v_splits := v_splits + 1;
      IF c.status = 'reserved' AND c.sku IS NOT NULL THEN
        UPDATE variants SET reserved = reserved - v_left WHERE page_id = c.page_id AND sku = c.sku;
        PERFORM livesell_promote(c.page_id, c.sku, p_now, p_ttl_secs);
      END IF;
      v_left := 0;
    ELSE
      PERFORM livesell_release(c.id, 'cancelled', 'cancelled_by_buyer', p_now, p_ttl_secs);
      UPDATE claims SET cancelled_by = p_comment WHERE id = c.id;
      v_left := v_left - c.qty;
    END IF;
  END LOOP;
  RETURN v_splits;
END $$;

-- Applies a cancellation comment once: it goes classified → acted in the same transaction, so a
-- retry finds it acted and changes nothing. p_targets is a JSON array of
-- {"code": text|null, "skus": [text]|null, "qty": int|null}. Returns the ids of the cancelled claims.
CREATE FUNCTION livesell_cancel(p_comment bigint, p_page text, p_live text, p_buyer text, p_targets jsonb, p_now timestamptz, p_ttl_secs int)
RETURNS SETOF bigint LANGUAGE plpgsql AS $$
DECLARE t jsonb; v_splits int := 0;
BEGIN
  UPDATE comments SET state = 'acted' WHERE id = p_comment AND state = 'classified';
  IF FOUND THEN
    FOR t IN SELECT * FROM jsonb_array_elements(p_targets) LOOP
      v_splits := v_splits + livesell_cancel_target(
        p_comment, p_page, p_live, p_buyer, t->>'code',
        CASE WHEN jsonb_typeof(t->'skus') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(t->'skus')) END,
        (t->>'qty')::int, p_now, p_ttl_secs, v_splits);
    END LOOP;
  END IF;
  RETURN QUERY SELECT id FROM claims WHERE cancelled_by = p_comment ORDER BY id;
END $$;

-- Marks a comment removed and cancels its unpaid claims. Returns the claims cancelled.
CREATE FUNCTION livesell_remove_comment(p_comment bigint, p_now timestamptz, p_ttl_secs int)
RETURNS SETOF bigint LANGUAGE plpgsql AS $$
DECLARE c claims;
BEGIN
  UPDATE comments SET state = 'removed', removed_at = coalesce(removed_at, p_now) WHERE id = p_comment;
  FOR c IN SELECT * FROM claims WHERE comment_ref = p_comment AND status IN ('reserved', 'waitlisted') ORDER BY id LOOP
    IF livesell_release(c.id, 'cancelled', 'comment_removed', p_now, p_ttl_secs) THEN
      INSERT INTO seller_notices (page_id, kind, claim_id, message, created_at)
      VALUES (c.page_id, 'comment_removed', c.id, format('Claim %s cancelled: the buyer deleted the comment.', c.id), p_now);
      RETURN NEXT c.id;
    END IF;
  END LOOP;
END $$;

-- Releases every reservation past its expiry and promotes the waitlists. Returns the claims expired.
CREATE FUNCTION livesell_expire(p_now timestamptz, p_ttl_secs int)
RETURNS SETOF bigint LANGUAGE plpgsql AS $$
DECLARE c claims;
BEGIN
  FOR c IN SELECT * FROM claims WHERE status = 'reserved' AND expires_at <= p_now ORDER BY expires_at, id LOOP
    IF livesell_release(c.id, 'expired', 'not_paid_in_time', p_now, p_ttl_secs) THEN
      INSERT INTO seller_notices (page_id, kind, claim_id, message, created_at)
      VALUES (c.page_id, 'expired', c.id,
              format('Claim %s (%s× %s) of %s expired unpaid; the units are back in stock.', c.id, c.qty, c.sku, c.buyer_name), p_now);
      RETURN NEXT c.id;
    END IF;
  END LOOP;
END $$;

-- The seller marks an order paid: its reserved claims are sold (they leave on-hand and reserved,
-- and never expire). Idempotent.
CREATE FUNCTION livesell_mark_paid(p_order bigint, p_now timestamptz)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE c claims;
BEGIN
  UPDATE orders SET status = 'paid', paid_at = p_now WHERE id = p_order AND status = 'open';
  IF NOT FOUND THEN
    RETURN EXISTS (SELECT 1 FROM orders WHERE id = p_order);
  END IF;
  FOR c IN SELECT * FROM claims WHERE order_id = p_order AND status = 'reserved' ORDER BY id FOR UPDATE LOOP
    UPDATE claims SET status = 'paid', expires_at = NULL, updated_at = p_now WHERE id = c.id;
    UPDATE variants SET on_hand = on_hand - c.qty, reserved = reserved - c.qty WHERE page_id = c.page_id AND sku = c.sku;
  END LOOP;
  RETURN true;
END $$;
