-- Authors by name, for author pages and feeds: kept from items.authors by
-- triggers, so every way items are written keeps it in step.
CREATE TABLE item_authors (
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    name    TEXT NOT NULL COLLATE NOCASE
);
CREATE INDEX item_authors_by_name ON item_authors (name, item_id);
CREATE INDEX item_authors_by_item ON item_authors (item_id);

CREATE TRIGGER item_authors_insert AFTER INSERT ON items BEGIN
    INSERT INTO item_authors (item_id, name)
    SELECT new.id, trim(json_extract(value, '$.name')) FROM json_each(new.authors)
    WHERE trim(coalesce(json_extract(value, '$.name'), '')) <> '';
END;
CREATE TRIGGER item_authors_update AFTER UPDATE OF authors ON items BEGIN
    DELETE FROM item_authors WHERE item_id = old.id;
    INSERT INTO item_authors (item_id, name)
    SELECT new.id, trim(json_extract(value, '$.name')) FROM json_each(new.authors)
    WHERE trim(coalesce(json_extract(value, '$.name'), '')) <> '';
END;

INSERT INTO item_authors (item_id, name)
SELECT items.id, trim(json_extract(value, '$.name')) FROM items, json_each(items.authors)
WHERE trim(coalesce(json_extract(value, '$.name'), '')) <> '';
