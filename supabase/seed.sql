-- Local development seed: nothing to insert. Catalogs are loaded with
--   livesell catalog import --page-id PAGE [--ig-user-id IG] [--page-token-env VAR] CATALOG.json
-- which validates the file and writes pages, products and variants in one transaction.
SELECT 1;
