-- Workers claim due sources oldest-due first: without this index every
-- claim read every source.
CREATE INDEX sources_due ON sources (next_fetch_at, id) WHERE paused_at IS NULL;
