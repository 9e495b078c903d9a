-- Search results are ordered newest first: this index gives each match's
-- date without reading the item's row (which holds the whole article), so
-- a word found in 50,000 items sorts in milliseconds, not a second.
CREATE INDEX items_id_published ON items (id, published_at, source_id);
