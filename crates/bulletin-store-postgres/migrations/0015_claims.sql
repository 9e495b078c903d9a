-- Attributed claims (issue 19): who said what in each item, written when
-- the item is filed, and the entities who said it, merged across items by
-- the keys of their names (`bulletin_store::speaker_keys`).
CREATE TABLE entities (
    id   BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE
);
-- A name's key finds its entity; a weak key (a person's surname) finds it
-- only for a speaker named by that word alone, and only when one entity
-- has it.
CREATE TABLE entity_keys (
    key       TEXT NOT NULL,
    kind      TEXT NOT NULL,
    weak      BOOLEAN NOT NULL,
    entity_id BIGINT NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    PRIMARY KEY (key, kind, weak, entity_id)
);
CREATE INDEX entity_keys_entity ON entity_keys (entity_id);
CREATE TABLE claims (
    id           BIGSERIAL PRIMARY KEY,
    item_id      BIGINT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    entity_id    BIGINT REFERENCES entities(id) ON DELETE SET NULL,
    -- The speaker's name as this item gives it.
    speaker_name TEXT,
    source       TEXT,
    cue          TEXT NOT NULL,
    content      TEXT NOT NULL,
    direct       BOOLEAN NOT NULL,
    role         TEXT,
    channel      TEXT,
    said_from    DATE,
    said_to      DATE,
    said_text    TEXT,
    start_at     INTEGER NOT NULL,
    end_at       INTEGER NOT NULL
);
CREATE INDEX claims_item ON claims (item_id);
CREATE INDEX claims_entity ON claims (entity_id) WHERE entity_id IS NOT NULL;
