-- livesell 8: optional public replies on Facebook comments (catalog `public_replies`). A counter
-- per page picks the next template, so consecutive public replies never repeat the same text
-- (Meta flags repeated text as spam).
ALTER TABLE pages ADD COLUMN public_reply_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE outbound_messages ADD COLUMN public_reply_at timestamptz;
