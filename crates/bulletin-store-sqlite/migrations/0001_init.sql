-- Sources: one subscribed feed each.
CREATE TABLE sources (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL UNIQUE,
    site_url        TEXT,
    title           TEXT,
    kind            TEXT,
    etag            TEXT,
    last_modified   TEXT,
    ttl_minutes     INTEGER,
    created_at      INTEGER NOT NULL,
    last_fetch_at   INTEGER,
    last_success_at INTEGER,
    last_error      TEXT,
    error_count     INTEGER NOT NULL DEFAULT 0,
    next_fetch_at   INTEGER NOT NULL DEFAULT 0
);

-- Items: articles and short updates, stored once.
CREATE TABLE items (
    id               INTEGER PRIMARY KEY,
    source_id        INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    guid             TEXT,
    kind             TEXT NOT NULL,
    url              TEXT,
    canonical_url    TEXT UNIQUE,
    title            TEXT,
    summary          TEXT,
    published_at     INTEGER NOT NULL,
    modified_at      INTEGER,
    created_at       INTEGER NOT NULL,
    lang             TEXT,
    site_name        TEXT,
    authors          TEXT NOT NULL DEFAULT '[]',
    lead_image       TEXT,
    text             TEXT NOT NULL DEFAULT '',
    html             TEXT NOT NULL DEFAULT '',
    word_count       INTEGER NOT NULL DEFAULT 0,
    reading_time     INTEGER NOT NULL DEFAULT 1,
    UNIQUE (source_id, guid)
);
CREATE INDEX items_newest ON items (published_at DESC, id DESC);
CREATE INDEX items_source_newest ON items (source_id, published_at DESC, id DESC);

-- Full-text search over headline, summary and body.
CREATE VIRTUAL TABLE items_fts USING fts5(
    title, summary, text,
    content = 'items', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts (rowid, title, summary, text) VALUES (new.id, new.title, new.summary, new.text);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, title, summary, text) VALUES ('delete', old.id, old.title, old.summary, old.text);
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF title, summary, text ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, title, summary, text) VALUES ('delete', old.id, old.title, old.summary, old.text);
    INSERT INTO items_fts (rowid, title, summary, text) VALUES (new.id, new.title, new.summary, new.text);
END;
