-- A feed that answers with permanent redirects moves: where to, and how many
-- fetches in a row have said so (the URL is updated after three).
ALTER TABLE sources ADD COLUMN moved_to TEXT;
ALTER TABLE sources ADD COLUMN moved_seen INTEGER NOT NULL DEFAULT 0;
