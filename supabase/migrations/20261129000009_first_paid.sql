-- livesell 9: first-paid-first-served pages (catalog `first_paid_first_served`, CommentSold's
-- mode): a claim gets an order and a link but holds no stock (`holds_stock` false); the first
-- payments take the units, a later payer on a sold-out variant is flagged for a refund.
ALTER TABLE pages ADD COLUMN first_paid boolean NOT NULL DEFAULT false;
ALTER TABLE claims ADD COLUMN holds_stock boolean NOT NULL DEFAULT true;
