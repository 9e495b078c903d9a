-- A story's numbers are kept step by step as items are filed (issue 15):
-- counting them again from the index cost as much as the story was long,
-- and stories that last for weeks made filing slower as the archive grew.
-- Whether a story already has an item from a source is one lookup here.
CREATE INDEX item_stories_story_source ON item_stories (story_id, source_id);
-- Each item's related coverage (items of other stories, best first, as
-- comma-separated ids), found when it is filed: an article page reads it
-- instead of searching the archive. Items filed before have none until
-- `bulletin stories rebuild`.
ALTER TABLE item_stories ADD COLUMN related TEXT;
