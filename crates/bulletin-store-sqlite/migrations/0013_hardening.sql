-- Failed sign-ins, by account (lowercased name) and client address, so
-- throttling holds across processes and restarts.
CREATE TABLE login_failures (
    account   TEXT NOT NULL,
    address   TEXT NOT NULL,
    failed_at INTEGER NOT NULL
);
CREATE INDEX login_failures_by_account ON login_failures (account, failed_at);
CREATE INDEX login_failures_by_address ON login_failures (address, failed_at);
-- An account an admin switched off: it cannot sign in, and its sessions
-- and API tokens stop working (they are kept, for when it is switched on).
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
-- Every saved version of a post: who saved it, when, what changed.
CREATE TABLE post_revisions (
    id            INTEGER PRIMARY KEY,
    post_id       INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    editor_id     INTEGER REFERENCES users(id) ON DELETE SET NULL,
    saved_at      INTEGER NOT NULL,
    changes       TEXT NOT NULL,
    headline      TEXT,
    markdown      TEXT NOT NULL,
    image_url     TEXT,
    image_caption TEXT,
    image_credit  TEXT,
    state         TEXT NOT NULL
);
CREATE INDEX post_revisions_by_post ON post_revisions (post_id, id);
-- Items removed by pruning, so a fetch does not add them back while they
-- are still in their feeds.
CREATE TABLE pruned_items (
    source_id     INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    guid          TEXT,
    canonical_url TEXT,
    pruned_at     INTEGER NOT NULL
);
CREATE INDEX pruned_items_by_guid ON pruned_items (source_id, guid);
CREATE INDEX pruned_items_by_url ON pruned_items (canonical_url);
