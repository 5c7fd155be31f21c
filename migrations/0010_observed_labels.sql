-- Pod labels flow records carried for workloads the inventory did not know (domain/observed-labels.ts):
-- without an inventory, a recommendation selects those workloads' pods by them, marked inferred.
-- A workload's row stays once written, even when no label is common any more: that is what tells
-- "seen, nothing in common" (no safe selector) from "never seen" (the next label set starts afresh).
CREATE TABLE observed_workloads (
  workload   TEXT NOT NULL PRIMARY KEY, -- namespace/Kind/name
  capped     INTEGER NOT NULL DEFAULT 0, -- 1: a label set was longer than the cap, only its first labels by key were kept
  first_seen INTEGER NOT NULL,           -- epoch ms of the flows
  last_seen  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The labels common to every label set seen for the workload (at most MAX_OBSERVED_LABELS_PER_WORKLOAD).
CREATE TABLE observed_labels (
  workload TEXT NOT NULL,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (workload, key)
) STRICT, WITHOUT ROWID;
