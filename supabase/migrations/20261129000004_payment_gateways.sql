-- livesell 4: the payment gateways a page takes money through, in the order they are tried.
-- Credentials are sealed by the application (XChaCha20-Poly1305 under LIVESELL_SECRETS_KEY, bound
-- to the page and gateway) before they reach this table: no role ever reads them in the clear.
CREATE TABLE payment_gateways (
  page_id text NOT NULL REFERENCES pages(page_id) ON DELETE CASCADE,
  gateway text NOT NULL CHECK (gateway IN ('flow', 'mercadopago', 'paypal')),
  priority int NOT NULL,
  credentials text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (page_id, gateway)
);
