-- A live collector's failure streak (hubble-relay refusing the connection, retried with backoff) is
-- one failed run updated in place: started_at is the first attempt, finished_at and error the last,
-- attempts how many there were. 1 for every other run.
ALTER TABLE ingest_runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
