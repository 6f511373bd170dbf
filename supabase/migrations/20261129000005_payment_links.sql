-- livesell 5: the links an order was offered, the claims each covers, and the payments made on them.
-- A payment pays exactly its link's claims, so a superseded link's payment is never lost; an
-- amount that matches no link is flagged for the seller. `payment_state` is the order's latest
-- word from a provider (pending, rejected…), which changes nothing else.
ALTER TABLE orders ADD COLUMN payment_state text;
-- Where the buyer wants it shipped, as the provider's checkout collected it.
ALTER TABLE orders ADD COLUMN delivery_address text;

CREATE TABLE payment_links (
  id bigserial PRIMARY KEY,
  order_id bigint NOT NULL REFERENCES orders(id),
  page_id text NOT NULL,
  gateway text NOT NULL CHECK (gateway IN ('flow', 'mercadopago', 'paypal')),
  -- What livesell sent (Flow commerceOrder, Mercado Pago external_reference, PayPal custom_id).
  external_ref text NOT NULL,
  -- The provider's id for the link (Flow token, preference id, PayPal order id).
  provider_ref text NOT NULL,
  url text NOT NULL,
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  -- The part of the amount that is the order's shipping (charged once per order).
  shipping_minor bigint NOT NULL DEFAULT 0,
  currency text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'superseded', 'paid')),
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  UNIQUE (gateway, external_ref)
);
CREATE INDEX payment_links_order ON payment_links(order_id, status);

CREATE TABLE payment_link_claims (
  link_id bigint NOT NULL REFERENCES payment_links(id),
  claim_id bigint NOT NULL REFERENCES claims(id),
  PRIMARY KEY (link_id, claim_id)
);

CREATE TABLE payments (
  id bigserial PRIMARY KEY,
  page_id text NOT NULL,
  gateway text NOT NULL CHECK (gateway IN ('flow', 'mercadopago', 'paypal')),
  -- The provider's id for the payment (Flow flowOrder, Mercado Pago payment id, PayPal capture id).
  payment_ref text NOT NULL,
  external_ref text NOT NULL,
  link_id bigint REFERENCES payment_links(id),
  state text NOT NULL CHECK (state IN ('approved', 'pending', 'rejected', 'cancelled', 'refunded')),
  amount_minor bigint NOT NULL,
  currency text NOT NULL,
  outcome text NOT NULL
    CHECK (outcome IN ('paid', 'flagged', 'refund_needed', 'not_paid', 'unmatched')),
  refund_minor bigint NOT NULL DEFAULT 0,
  received_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (gateway, payment_ref)
);
CREATE INDEX payments_link ON payments(link_id);
