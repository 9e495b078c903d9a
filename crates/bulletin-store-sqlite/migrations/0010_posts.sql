-- Editors' own posts. A published post is also an item of the newsroom
-- source (`item_id`), so it appears in the feed, the API and the outgoing
-- feeds like any other; editing it updates that item.
CREATE TABLE posts (
    id            INTEGER PRIMARY KEY,
    author_id     INTEGER NOT NULL REFERENCES users(id),
    kind          TEXT NOT NULL,
    headline      TEXT,
    markdown      TEXT NOT NULL,
    image_url     TEXT,
    image_caption TEXT,
    image_credit  TEXT,
    state         TEXT NOT NULL,
    publish_at    INTEGER,
    item_id       INTEGER REFERENCES items(id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX posts_due ON posts (state, publish_at);
