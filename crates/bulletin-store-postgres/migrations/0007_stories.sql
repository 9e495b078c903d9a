-- Stories: coverage of one event from any number of sources (issue 15).
CREATE TABLE stories (
    id BIGSERIAL PRIMARY KEY,
    title TEXT,
    representative BIGINT,
    first_at TIMESTAMPTZ NOT NULL DEFAULT 'epoch',
    latest_at TIMESTAMPTZ NOT NULL DEFAULT 'epoch',
    size INTEGER NOT NULL DEFAULT 0,
    sources INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX stories_latest ON stories (latest_at DESC, id DESC);
ALTER TABLE items ADD COLUMN story_id BIGINT;
ALTER TABLE items ADD COLUMN duplicate_of BIGINT;
CREATE INDEX items_story ON items (story_id) WHERE story_id IS NOT NULL;
