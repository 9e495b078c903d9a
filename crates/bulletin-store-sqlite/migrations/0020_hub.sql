-- Subscribers of Bulletin's own feeds, through its WebSub hub (issue 16).
CREATE TABLE hub_subscriptions (
    topic TEXT NOT NULL,
    callback TEXT NOT NULL,
    secret TEXT,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (topic, callback)
) WITHOUT ROWID;
