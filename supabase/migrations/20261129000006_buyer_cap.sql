-- livesell 6: a page's cap of units per buyer per live (CommentSold's per-shopper limit), from the
-- catalog's `max_units_per_buyer`. NULL: no cap. Claims over it wait (reason `buyer_cap`) and are
-- promoted only while the buyer is under the cap.
ALTER TABLE pages ADD COLUMN buyer_cap int CHECK (buyer_cap IS NULL OR buyer_cap > 0);
