-- The feed lists originals only (one card per article). Walking the
-- newest-first index of items and skipping copies costs as many steps as
-- there are copies newer than the page: 970,000 in the million-item
-- benchmark, where every item repeats the one a day later. Originals are
-- the filed items that repeat nothing, and the unfiled ones: this index
-- and the `unfiled` queue's own key list them newest first.
CREATE INDEX item_stories_originals ON item_stories (published_at DESC, item_id DESC)
    WHERE duplicate_of IS NULL;
