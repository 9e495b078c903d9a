-- Other articles an item's page points to ("Read also", "Related"): a JSON
-- array of {title, url}, read with the item's text for its own page.
ALTER TABLE items ADD COLUMN related_links TEXT NOT NULL DEFAULT '[]';
