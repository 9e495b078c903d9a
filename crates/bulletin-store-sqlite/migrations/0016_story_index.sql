-- A story's numbers (size, sources, first and latest times) come from this
-- index alone: refreshing a story of hundreds of items reads no item row.
DROP INDEX items_story;
CREATE INDEX items_story ON items (story_id, published_at, id, source_id) WHERE story_id IS NOT NULL;
