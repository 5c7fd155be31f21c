-- Inventory: the cluster as last imported or watched.
CREATE TABLE namespaces (
  name        TEXT PRIMARY KEY,
  labels      TEXT NOT NULL DEFAULT '{}',
  updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE nodes (
  name        TEXT PRIMARY KEY,
  labels      TEXT NOT NULL DEFAULT '{}',
  addresses   TEXT NOT NULL DEFAULT '[]',  -- [{type, address}]
  pod_cidrs   TEXT NOT NULL DEFAULT '[]',
  updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE workloads (
  id               INTEGER PRIMARY KEY,
  namespace        TEXT NOT NULL,
  kind             TEXT NOT NULL,
  name             TEXT NOT NULL,
  labels           TEXT NOT NULL DEFAULT '{}',   -- pod template labels
  selector         TEXT NOT NULL DEFAULT '{}',   -- LabelSelector
  host_network     INTEGER NOT NULL DEFAULT 0,
  ports            TEXT NOT NULL DEFAULT '[]',   -- [{name, port, protocol, container}]
  services         TEXT NOT NULL DEFAULT '[]',   -- ["ns/name"]
  exposure         TEXT NOT NULL DEFAULT '[]',   -- [{via, object, port, protocol}]
  service_account  TEXT,
  first_seen       INTEGER NOT NULL,
  last_seen        INTEGER NOT NULL,
  present          INTEGER NOT NULL DEFAULT 1,   -- 0 once a later snapshot no longer has it
  UNIQUE (namespace, kind, name)
) STRICT;

CREATE TABLE services (
  namespace    TEXT NOT NULL,
  name         TEXT NOT NULL,
  type         TEXT NOT NULL,
  cluster_ips  TEXT NOT NULL DEFAULT '[]',
  ports        TEXT NOT NULL DEFAULT '[]',   -- [{name, port, targetPort, protocol, nodePort}]
  selector     TEXT,                         -- NULL for selector-less Services
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (namespace, name)
) STRICT;

CREATE TABLE endpoint_slices (
  namespace     TEXT NOT NULL,
  name          TEXT NOT NULL,
  service       TEXT,
  address_type  TEXT NOT NULL,
  endpoints     TEXT NOT NULL DEFAULT '[]',
  ports         TEXT NOT NULL DEFAULT '[]',
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (namespace, name)
) STRICT;

CREATE TABLE apiserver_endpoints (
  ip          TEXT NOT NULL,
  port        INTEGER NOT NULL,
  protocol    TEXT NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (ip, port, protocol)
) STRICT;

CREATE TABLE network_policies (
  api_version  TEXT NOT NULL,
  kind         TEXT NOT NULL,
  namespace    TEXT NOT NULL DEFAULT '',   -- '' for cluster-scoped kinds
  name         TEXT NOT NULL,
  manifest     TEXT NOT NULL,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (kind, namespace, name)
) STRICT;

-- Who held an IP when: pod IPs are reused, so a flow resolves through the interval holding its time.
CREATE TABLE ip_history (
  id            INTEGER PRIMARY KEY,
  ip            TEXT NOT NULL,
  peer          TEXT NOT NULL,       -- peer key
  node          TEXT,
  host_network  INTEGER NOT NULL DEFAULT 0,
  valid_from    INTEGER NOT NULL,
  valid_to      INTEGER              -- NULL: still holds it
) STRICT;
CREATE INDEX ip_history_ip ON ip_history (ip, valid_from);
CREATE UNIQUE INDEX ip_history_open ON ip_history (ip, host_network, peer) WHERE valid_to IS NULL;

CREATE TABLE inventory_imports (
  id        INTEGER PRIMARY KEY,
  taken_at  INTEGER NOT NULL,
  source    TEXT NOT NULL,
  counts    TEXT NOT NULL DEFAULT '{}'
) STRICT;

-- Observed traffic, aggregated.
CREATE TABLE edges (
  id          INTEGER PRIMARY KEY,
  client      TEXT NOT NULL,    -- peer key
  server      TEXT NOT NULL,    -- peer key
  port        INTEGER NOT NULL,
  protocol    TEXT NOT NULL,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  flows       INTEGER NOT NULL DEFAULT 0,
  packets     INTEGER NOT NULL DEFAULT 0,
  bytes       INTEGER NOT NULL DEFAULT 0,
  forwarded   INTEGER NOT NULL DEFAULT 0,
  dropped     INTEGER NOT NULL DEFAULT 0,
  sources     INTEGER NOT NULL DEFAULT 0,   -- bitmask of FLOW_SOURCE_BITS
  UNIQUE (client, server, port, protocol)
) STRICT;
CREATE INDEX edges_server ON edges (server);

CREATE TABLE edge_hours (
  edge_id  INTEGER NOT NULL REFERENCES edges (id) ON DELETE CASCADE,
  hour     INTEGER NOT NULL,   -- epoch hours
  flows    INTEGER NOT NULL DEFAULT 0,
  packets  INTEGER NOT NULL DEFAULT 0,
  bytes    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (edge_id, hour)
) STRICT, WITHOUT ROWID;

-- Flows whose client could not be told: kept apart, never an edge to an ephemeral port.
CREATE TABLE ambiguous_pairs (
  id          INTEGER PRIMARY KEY,
  peer_a      TEXT NOT NULL,
  peer_b      TEXT NOT NULL,
  protocol    TEXT NOT NULL,
  port_a      INTEGER NOT NULL,   -- ports of the last example seen
  port_b      INTEGER NOT NULL,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  flows       INTEGER NOT NULL DEFAULT 0,
  packets     INTEGER NOT NULL DEFAULT 0,
  bytes       INTEGER NOT NULL DEFAULT 0,
  sources     INTEGER NOT NULL DEFAULT 0,
  UNIQUE (peer_a, peer_b, protocol)
) STRICT;

-- DNS names seen for external IPs (Hubble destination_names, DNS answers).
CREATE TABLE external_names (
  ip          TEXT NOT NULL,
  name        TEXT NOT NULL,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  PRIMARY KEY (ip, name)
) STRICT;

CREATE TABLE ingest_runs (
  id           INTEGER PRIMARY KEY,
  source       TEXT NOT NULL,     -- file name, '-', or collector name
  format       TEXT NOT NULL,
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER,
  status       TEXT NOT NULL DEFAULT 'running',  -- running | done | failed
  records      INTEGER NOT NULL DEFAULT 0,
  accepted     INTEGER NOT NULL DEFAULT 0,
  rejected     INTEGER NOT NULL DEFAULT 0,
  skipped      INTEGER NOT NULL DEFAULT 0,
  ambiguous    INTEGER NOT NULL DEFAULT 0,
  rejects      TEXT NOT NULL DEFAULT '{}'   -- {reason: count}
) STRICT;

CREATE TABLE collector_state (
  collector   TEXT PRIMARY KEY,
  state       TEXT NOT NULL DEFAULT '{}',
  updated_at  INTEGER NOT NULL
) STRICT;
