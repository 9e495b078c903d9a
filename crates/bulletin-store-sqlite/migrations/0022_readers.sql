-- Each reader's own state (see bulletin_store::reader).
-- Folders, per reader.
CREATE TABLE reader_categories (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title   TEXT NOT NULL,
    UNIQUE (user_id, title)
);
-- How a reader follows each source: written the first time the reader's
-- subscriptions are read (until then: followed, unread, in no folder).
-- Items of the source up to `read_through` (by id) are read, unless
-- marked otherwise in reader_items.
CREATE TABLE reader_sources (
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    source_id    INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    category_id  INTEGER REFERENCES reader_categories(id) ON DELETE SET NULL,
    title        TEXT,
    subscribed   INTEGER NOT NULL DEFAULT 1,
    read_through INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, source_id)
) WITHOUT ROWID;
CREATE INDEX reader_sources_by_source ON reader_sources (source_id);
CREATE INDEX reader_sources_by_category ON reader_sources (category_id);
-- Items marked read (1) or unread (0) one by one, against their source's mark.
CREATE TABLE reader_items (
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    item_id   INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    source_id INTEGER NOT NULL,
    read      INTEGER NOT NULL,
    PRIMARY KEY (user_id, item_id)
) WITHOUT ROWID;
CREATE INDEX reader_items_by_source ON reader_items (user_id, source_id, item_id);
CREATE INDEX reader_items_by_item ON reader_items (item_id);
-- A reader's labels on items.
CREATE TABLE item_labels (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    label   TEXT NOT NULL,
    PRIMARY KEY (user_id, label, item_id)
) WITHOUT ROWID;
CREATE INDEX item_labels_by_item ON item_labels (item_id, user_id);
-- The password reader apps sign in with, and the hash of its Fever key.
ALTER TABLE users ADD COLUMN app_password_hash TEXT;
ALTER TABLE users ADD COLUMN fever_key_hash TEXT;
CREATE UNIQUE INDEX users_by_fever_key ON users (fever_key_hash) WHERE fever_key_hash IS NOT NULL;
