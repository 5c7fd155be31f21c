-- Retention of what only explains the past (store/retention.ts): IP-history intervals and former
-- apiserver endpoints that ended before a cut-off, and finished ingest runs (with the
-- Idempotency-Key summaries they keep). Once intervals are gone, a flow from before the cut-off
-- could no longer be told from one of the address's later holder: the cut-off is kept here, and
-- ingest skips such a flow (`before-history`) rather than resolve it wrongly.
CREATE TABLE history_horizon (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  before  INTEGER NOT NULL
) STRICT;
CREATE INDEX ip_history_closed ON ip_history (valid_to) WHERE valid_to IS NOT NULL;
CREATE INDEX ingest_runs_finished ON ingest_runs (finished_at) WHERE status <> 'running';
