-- The process that runs an ingest run (its pid): a new run of the same source closes an earlier one
-- left `running` only when that process is gone (kill -9, a crash), never one still being written
-- by another live process. NULL for runs started before this migration (taken as gone).
ALTER TABLE ingest_runs ADD COLUMN pid INTEGER;
