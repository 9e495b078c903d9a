-- Stories: coverage of one event from any number of sources (issue 15).
CREATE TABLE stories (
    id INTEGER PRIMARY KEY,
    title TEXT,
    representative INTEGER,
    first_at INTEGER NOT NULL DEFAULT 0,
    latest_at INTEGER NOT NULL DEFAULT 0,
    size INTEGER NOT NULL DEFAULT 0,
    sources INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX stories_latest ON stories (latest_at DESC, id DESC);
ALTER TABLE items ADD COLUMN story_id INTEGER;
ALTER TABLE items ADD COLUMN duplicate_of INTEGER;
CREATE INDEX items_story ON items (story_id) WHERE story_id IS NOT NULL;
