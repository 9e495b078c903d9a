-- The change log (issue 16): one row per new, changed or removed item and
-- per story update, so that a live client that reconnects with its last
-- position gets exactly what it missed.
--
-- Positions must follow commit order: a reader at position 10 must never
-- later find a 9 that committed after it read. A sequence alone does not
-- give that (a transaction takes 9, another takes 10 and commits first).
-- So positions are taken as late as possible, at commit, under a
-- per-schema advisory lock held until the commit ends: item rows by
-- deferred constraint triggers (whoever writes the items), story rows by
-- `bulletin_log_changes`, called last in a filing transaction. Two
-- writers' commits are serialized only for that last moment.
CREATE SEQUENCE changes_seq;
CREATE TABLE changes (
    seq BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,             -- item | removed | story | reset
    item_id BIGINT,
    story_id BIGINT,
    at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX changes_at ON changes (at);
-- The newest position pruned: a client behind it is told to start again.
CREATE TABLE change_log (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pruned_through BIGINT NOT NULL
);
INSERT INTO change_log (id, pruned_through) VALUES (1, 0);

-- Takes the log's lock (until the transaction ends) and writes a row per
-- item and per story, or one row naming neither (a reset).
CREATE FUNCTION bulletin_log_changes(change_kind TEXT, items BIGINT[], stories BIGINT[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(1651272812, hashtext(current_schema()));
    INSERT INTO changes (seq, kind, item_id, story_id)
    SELECT nextval('changes_seq'), change_kind, i, NULL FROM unnest(items) AS i;
    INSERT INTO changes (seq, kind, item_id, story_id)
    SELECT nextval('changes_seq'), change_kind, NULL, s FROM unnest(stories) AS s;
    IF cardinality(items) = 0 AND cardinality(stories) = 0 THEN
        INSERT INTO changes (seq, kind) VALUES (nextval('changes_seq'), change_kind);
    END IF;
    PERFORM pg_notify('bulletin_changes', current_schema());
END $$;

CREATE FUNCTION items_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM bulletin_log_changes('removed', ARRAY[OLD.id], '{}');
    ELSE
        PERFORM bulletin_log_changes('item', ARRAY[NEW.id], '{}');
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER items_log_insert AFTER INSERT ON items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION items_log_change();
CREATE CONSTRAINT TRIGGER items_log_update AFTER UPDATE OF kind, url, title, summary, published_at,
    modified_at, lang, site_name, authors, lead_image, text, html ON items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION items_log_change();
CREATE CONSTRAINT TRIGGER items_log_delete AFTER DELETE ON items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION items_log_change();
