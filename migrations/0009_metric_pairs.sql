-- Observed pairs (collectors/prometheus): two peers a metric saw exchanging traffic, with neither
-- the direction, the port nor the protocol (NetObserv's predefined netobserv_workload_* metrics).
-- Never an edge and never an ambiguous pair (those carry a protocol): kept apart with the metric
-- they came from and what they lack, as evidence that the two workloads talk.
CREATE TABLE metric_pairs (
  peer_a     TEXT NOT NULL,     -- peer key; peer_a <= peer_b (the pair is unordered)
  peer_b     TEXT NOT NULL,
  source     TEXT NOT NULL,     -- flow source (domain/flow.ts FLOW_SOURCES)
  metric     TEXT NOT NULL,     -- the metric the series came from
  lacks      TEXT NOT NULL,     -- 'direction,port,protocol'
  first_seen INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL,
  flows      INTEGER NOT NULL DEFAULT 0,
  packets    INTEGER NOT NULL DEFAULT 0,
  bytes      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (peer_a, peer_b, source, metric)
) STRICT, WITHOUT ROWID;
