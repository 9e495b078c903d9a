-- A worker that claims a due source holds a lease on it until it records
-- the fetch, so processes sharing the database never fetch it together; a
-- crashed worker's lease runs out and another takes the source.
ALTER TABLE sources ADD COLUMN lease_owner TEXT;
ALTER TABLE sources ADD COLUMN lease_until INTEGER;
