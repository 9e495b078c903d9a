-- Search moves to a narrow table of its own. A search sorts its matches by
-- date before it can take a page; with the vector in `items`, every match
-- was a visit to a wide row (text and HTML fill a page each), thousands per
-- two-word search. Here a match is a visit to a row of a few dozen bytes
-- (the vector itself is stored out of line, read only to rank), so the
-- whole table stays in memory.
CREATE TABLE item_search (
    item_id      BIGINT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    published_at TIMESTAMPTZ NOT NULL,
    source_id    BIGINT NOT NULL,
    words        TSVECTOR NOT NULL
) WITH (toast_tuple_target = 128);

-- The item's words in its own language (stemmed), weighted headline >
-- summary > body. A zero-width space after each "<" keeps words after it
-- searchable (see 0004).
CREATE FUNCTION bulletin_item_words(lang TEXT, title TEXT, summary TEXT, body TEXT)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector(bulletin_ts_config(lang), replace(coalesce(title, ''), '<', '<' || chr(8203))), 'A') ||
           setweight(to_tsvector(bulletin_ts_config(lang), replace(coalesce(summary, ''), '<', '<' || chr(8203))), 'B') ||
           setweight(to_tsvector(bulletin_ts_config(lang), replace(body, '<', '<' || chr(8203))), 'C')
$$;

INSERT INTO item_search (item_id, published_at, source_id, words)
    SELECT id, published_at, source_id, search FROM items;
DROP INDEX items_search;
ALTER TABLE items DROP COLUMN search;
CREATE INDEX item_search_words ON item_search USING GIN (words);
-- A word in many items is found fastest by walking the newest matches.
CREATE INDEX item_search_newest ON item_search (published_at DESC, item_id DESC);

CREATE FUNCTION bulletin_index_item() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO item_search (item_id, published_at, source_id, words)
    VALUES (NEW.id, NEW.published_at, NEW.source_id,
            bulletin_item_words(NEW.lang, NEW.title, NEW.summary, NEW.text))
    ON CONFLICT (item_id) DO UPDATE
        SET published_at = EXCLUDED.published_at,
            source_id = EXCLUDED.source_id,
            words = EXCLUDED.words;
    RETURN NULL;
END
$$;
CREATE TRIGGER items_index AFTER INSERT OR UPDATE OF title, summary, text, lang, published_at, source_id
    ON items FOR EACH ROW EXECUTE FUNCTION bulletin_index_item();
