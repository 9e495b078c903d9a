-- WebSub: at most one subscription per source, to one of its hubs.
CREATE TABLE websub_subscriptions (
    source_id        INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
    hub              TEXT NOT NULL,
    topic            TEXT NOT NULL,
    secret           TEXT NOT NULL,
    callback_token   TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL,
    requested_at     INTEGER NOT NULL,
    lease_expires_at INTEGER,
    last_error       TEXT,
    last_push_at     INTEGER
);
