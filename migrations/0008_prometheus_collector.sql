-- The Prometheus collector (collectors/prometheus): how far each query has been counted, so that
-- a restart neither counts a step twice nor skips one; written in the same transaction as the
-- edges of that step.
CREATE TABLE prometheus_cursors (
  url       TEXT NOT NULL,    -- the Prometheus base URL
  query     TEXT NOT NULL,    -- metric{matchers}, or 'targets'
  position  INTEGER NOT NULL, -- epoch ms: everything up to here is stored
  PRIMARY KEY (url, query)
) STRICT, WITHOUT ROWID;

-- What a metric series lacked and how the edge made of it was completed: a series without a port
-- (Istio, Hubble tcp_flags) becomes an edge only when the server's port is unambiguous; `filled_by`
-- says how ('service-port': the one port of the Service the client addressed, 'declared-port': the
-- one port the server workload declares), 'none' (port 0) when it could not be, and no edge was made.
CREATE TABLE edge_gaps (
  client     TEXT NOT NULL,
  server     TEXT NOT NULL,
  port       INTEGER NOT NULL,
  protocol   TEXT NOT NULL,
  source     TEXT NOT NULL,     -- flow source (domain/flow.ts FLOW_SOURCES)
  metric     TEXT NOT NULL,     -- the metric the series came from
  lacks      TEXT NOT NULL,     -- 'port'
  filled_by  TEXT NOT NULL,     -- 'service-port' | 'declared-port' | 'none'
  first_seen INTEGER NOT NULL,
  last_seen  INTEGER NOT NULL,
  flows      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (client, server, port, protocol, source, metric, lacks)
) STRICT, WITHOUT ROWID;
