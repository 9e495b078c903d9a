-- Search, language-aware: the index holds each word as its stem in the
-- item's language (see words.rs), which only Rust can compute, so the index
-- is written by the store as items are (no insert or update trigger), and
-- holds no text of its own (contentless). Filled again right after this
-- migration from the stored items.
DROP TRIGGER items_fts_insert;
DROP TRIGGER items_fts_delete;
DROP TRIGGER items_fts_update;
DROP TABLE items_fts;
CREATE VIRTUAL TABLE items_fts USING fts5(
    title, summary, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    DELETE FROM items_fts WHERE rowid = old.id;
END;
