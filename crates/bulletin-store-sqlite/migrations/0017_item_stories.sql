-- Where items are filed lives in narrow tables of its own (issue 15). An
-- UPDATE of `items` rewrote the whole row (text, HTML, overflow pages) to
-- set two numbers, and at a million items those scattered pages made
-- filing four times slower than at ten thousand. `items.story_id` and
-- `items.duplicate_of` are no longer read or written (dropping a column
-- rewrites the table).
CREATE TABLE item_stories (
    item_id INTEGER PRIMARY KEY,
    story_id INTEGER NOT NULL,
    duplicate_of INTEGER,
    published_at INTEGER NOT NULL,
    source_id INTEGER NOT NULL
);
INSERT INTO item_stories (item_id, story_id, duplicate_of, published_at, source_id)
    SELECT id, story_id, duplicate_of, published_at, source_id FROM items WHERE story_id IS NOT NULL;
-- A story's numbers come from this index alone.
CREATE INDEX item_stories_story ON item_stories (story_id, published_at, item_id, source_id);
CREATE INDEX item_stories_time ON item_stories (published_at, item_id);
CREATE INDEX item_stories_duplicate ON item_stories (duplicate_of) WHERE duplicate_of IS NOT NULL;
-- Items waiting to be filed, in publication order: every new item comes
-- here (by trigger, whoever inserts it); filing takes it out.
-- One B-tree, in the order filing reads it (a trigger's insert is a tenth
-- of an item's ingest; a second index made it a fifth).
CREATE TABLE unfiled (
    published_at INTEGER NOT NULL,
    item_id INTEGER NOT NULL,
    PRIMARY KEY (published_at, item_id)
) WITHOUT ROWID;
INSERT INTO unfiled (published_at, item_id) SELECT published_at, id FROM items WHERE story_id IS NULL;
CREATE TRIGGER items_to_file AFTER INSERT ON items BEGIN
    INSERT INTO unfiled (item_id, published_at) VALUES (new.id, new.published_at);
END;
CREATE TRIGGER items_unfile AFTER DELETE ON items BEGIN
    DELETE FROM unfiled WHERE published_at = old.published_at AND item_id = old.id;
    DELETE FROM item_stories WHERE item_id = old.id;
END;
CREATE TRIGGER items_filing_time AFTER UPDATE OF published_at ON items BEGIN
    UPDATE unfiled SET published_at = new.published_at
        WHERE published_at = old.published_at AND item_id = new.id;
    UPDATE item_stories SET published_at = new.published_at WHERE item_id = new.id;
END;
DROP INDEX items_unfiled;
DROP INDEX items_story;
DROP INDEX items_duplicate;
