-- No silent loss: an ingest run that stopped says why, and how many of its records had counters
-- saturated or edges folded into a covering block (collectors/flows/edge-budget.ts).
ALTER TABLE ingest_runs ADD COLUMN error TEXT;
ALTER TABLE ingest_runs ADD COLUMN saturated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ingest_runs ADD COLUMN folded INTEGER NOT NULL DEFAULT 0;
-- Retention deletes buckets by hour across all edges, and edges by last_seen.
CREATE INDEX edge_hours_hour ON edge_hours (hour);
CREATE INDEX edges_last_seen ON edges (last_seen);
