-- An API upload sent with an Idempotency-Key (source `api:key:<key>`) can be resumed: each commit
-- stores, with its batch, how much of the request body it covers (records, lines, bytes, counted
-- from the body's start across the key's runs) and the SHA-256 of those bytes; a finished run keeps
-- the summary it answered, to answer it again. NULL for every other run.
ALTER TABLE ingest_runs ADD COLUMN body_records INTEGER;
ALTER TABLE ingest_runs ADD COLUMN body_lines INTEGER;
ALTER TABLE ingest_runs ADD COLUMN body_bytes INTEGER;
ALTER TABLE ingest_runs ADD COLUMN body_sha256 TEXT;
ALTER TABLE ingest_runs ADD COLUMN summary TEXT;
-- A key's latest run, by source.
CREATE INDEX ingest_runs_source ON ingest_runs (source, id);
