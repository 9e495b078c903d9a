-- A source failing for a long time is paused (not deleted): since when.
ALTER TABLE sources ADD COLUMN paused_at INTEGER;
