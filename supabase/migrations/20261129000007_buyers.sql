-- livesell 7: buyers within Meta's messaging rules. A private reply's answer names the buyer's
-- messaging id; a message from the buyer opens 24 hours in which the page may write to them.
-- Messages to buyers are queued once per (page, kind, ref) and sent only inside that window; the
-- seller gets a notice instead when it is closed.
CREATE TABLE buyers (
  page_id text NOT NULL,
  buyer_id text NOT NULL,
  messaging_id text,
  last_inbound_at timestamptz,
  PRIMARY KEY (page_id, buyer_id)
);
CREATE UNIQUE INDEX buyers_messaging ON buyers(page_id, messaging_id);

CREATE TABLE inbound_messages (
  id bigserial PRIMARY KEY,
  platform text NOT NULL CHECK (platform IN ('facebook', 'instagram')),
  mid text NOT NULL,
  page_id text NOT NULL,
  sender_id text NOT NULL,
  -- The buyer it was matched to through their messaging id, if any.
  buyer_id text,
  kind text NOT NULL CHECK (kind IN ('says_paid', 'cancel', 'other')),
  body text NOT NULL,
  received_at timestamptz NOT NULL,
  UNIQUE (platform, mid)
);

CREATE TABLE buyer_messages (
  id bigserial PRIMARY KEY,
  page_id text NOT NULL,
  buyer_id text NOT NULL,
  -- `promoted`: the body is written when it is sent (with a link for the new order total).
  kind text NOT NULL CHECK (kind IN ('paid', 'reminder', 'cancelled', 'promoted')),
  ref text NOT NULL,
  body text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'window_closed', 'failed')),
  created_at timestamptz NOT NULL,
  sent_at timestamptz,
  UNIQUE (page_id, kind, ref)
);
CREATE INDEX buyer_messages_pending ON buyer_messages(status, id);
