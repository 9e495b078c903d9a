-- A story's numbers (size, sources, first and latest times) come from this
-- index: refreshing a story of hundreds of items reads few item rows.
DROP INDEX items_story;
CREATE INDEX items_story ON items (story_id, published_at, id) INCLUDE (source_id) WHERE story_id IS NOT NULL;
