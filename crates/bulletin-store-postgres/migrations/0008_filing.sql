-- Filing items into stories (issue 15): one process at a time files, under
-- a named lease; unfiled items are found by a partial index; near-duplicates
-- are looked up by what they repeat; a story shows its first picture.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until TIMESTAMPTZ NOT NULL
);
CREATE INDEX items_unfiled ON items (published_at, id) WHERE story_id IS NULL;
CREATE INDEX items_duplicate ON items (duplicate_of) WHERE duplicate_of IS NOT NULL;
ALTER TABLE stories ADD COLUMN lead_image JSONB;
