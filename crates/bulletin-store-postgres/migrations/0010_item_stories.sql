-- Where items are filed lives in narrow tables of its own (issue 15), as in
-- the SQLite store: an UPDATE of `items` writes a new version of the whole
-- row (and of every index entry pointing at it) to set two numbers.
-- `items.story_id` and `items.duplicate_of` are no longer read or written.
CREATE TABLE item_stories (
    item_id BIGINT PRIMARY KEY,
    story_id BIGINT NOT NULL,
    duplicate_of BIGINT,
    published_at TIMESTAMPTZ NOT NULL,
    source_id BIGINT NOT NULL,
    -- Its related coverage (items of other stories, best first), found
    -- when it is filed: an article page reads it instead of searching the
    -- archive. Items filed before have none until `stories rebuild`.
    related BIGINT[]
);
INSERT INTO item_stories (item_id, story_id, duplicate_of, published_at, source_id)
    SELECT id, story_id, duplicate_of, published_at, source_id FROM items WHERE story_id IS NOT NULL;
CREATE INDEX item_stories_story ON item_stories (story_id, published_at, item_id);
-- Whether a story already has an item from a source: one lookup (a story's
-- numbers are kept step by step, not counted again from its items).
CREATE INDEX item_stories_story_source ON item_stories (story_id, source_id);
CREATE INDEX item_stories_time ON item_stories (published_at, item_id);
CREATE INDEX item_stories_duplicate ON item_stories (duplicate_of) WHERE duplicate_of IS NOT NULL;
-- Items waiting to be filed, in publication order: every new item comes
-- here (by trigger, whoever inserts it); filing takes it out.
CREATE TABLE unfiled (
    published_at TIMESTAMPTZ NOT NULL,
    item_id BIGINT NOT NULL,
    PRIMARY KEY (published_at, item_id)
);
INSERT INTO unfiled (published_at, item_id) SELECT published_at, id FROM items WHERE story_id IS NULL;
CREATE FUNCTION items_to_file() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO unfiled (published_at, item_id) VALUES (NEW.published_at, NEW.id);
    RETURN NULL;
END $$;
CREATE FUNCTION items_unfile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM unfiled WHERE published_at = OLD.published_at AND item_id = OLD.id;
    DELETE FROM item_stories WHERE item_id = OLD.id;
    RETURN NULL;
END $$;
CREATE FUNCTION items_filing_time() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unfiled SET published_at = NEW.published_at
        WHERE published_at = OLD.published_at AND item_id = NEW.id;
    UPDATE item_stories SET published_at = NEW.published_at WHERE item_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER items_to_file AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION items_to_file();
CREATE TRIGGER items_unfile AFTER DELETE ON items FOR EACH ROW EXECUTE FUNCTION items_unfile();
CREATE TRIGGER items_filing_time AFTER UPDATE OF published_at ON items FOR EACH ROW
    WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at) EXECUTE FUNCTION items_filing_time();
DROP INDEX items_unfiled;
DROP INDEX items_story;
DROP INDEX items_duplicate;
