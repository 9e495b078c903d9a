-- PostgreSQL's text search parser reads "<word…>" as markup, and skips
-- what follows "<script>" up to the next tag. Items' text is plain text (a
-- "<" in it is a character), so a zero-width space after each "<" keeps
-- every word searchable.
DROP INDEX items_search;
ALTER TABLE items DROP COLUMN search;
ALTER TABLE items ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
    setweight(to_tsvector(bulletin_ts_config(lang), replace(coalesce(title, ''), '<', '<' || chr(8203))), 'A') ||
    setweight(to_tsvector(bulletin_ts_config(lang), replace(coalesce(summary, ''), '<', '<' || chr(8203))), 'B') ||
    setweight(to_tsvector(bulletin_ts_config(lang), replace(text, '<', '<' || chr(8203))), 'C')
) STORED;
CREATE INDEX items_search ON items USING GIN (search);
