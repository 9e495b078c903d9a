-- The change log (issue 16): one row per new, changed or removed item and
-- per story update, in commit order, so that a live client that reconnects
-- with its last position gets exactly what it missed. Rows are written by
-- triggers, whoever writes the items (a `fetch` in another process, the
-- newsroom, pruning); story rows by `apply_filing`. SQLite has one writer,
-- so `seq` follows commit order. AUTOINCREMENT: a position is never reused,
-- even after the newest rows are pruned.
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,            -- item | removed | story | reset
    item_id INTEGER,
    story_id INTEGER,
    at INTEGER NOT NULL            -- milliseconds since 1970, UTC
);
CREATE INDEX changes_at ON changes (at);
-- The newest position pruned: a client behind it is told to start again.
CREATE TABLE change_log (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pruned_through INTEGER NOT NULL
);
INSERT INTO change_log (id, pruned_through) VALUES (1, 0);
CREATE TRIGGER items_log_insert AFTER INSERT ON items BEGIN
    INSERT INTO changes (kind, item_id, at)
    VALUES ('item', new.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER items_log_update AFTER UPDATE OF kind, url, title, summary, published_at, modified_at,
    lang, site_name, authors, lead_image, text, html ON items BEGIN
    INSERT INTO changes (kind, item_id, at)
    VALUES ('item', new.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER items_log_delete AFTER DELETE ON items BEGIN
    INSERT INTO changes (kind, item_id, at)
    VALUES ('removed', old.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
