-- The ClusterIPs of Services an import no longer lists, one row per address: the Service held it
-- from its creation (created_at; NULL: not known, since ever) until valid_to, the time of the
-- import that no longer listed it, as a gone pod holds its IP until then. A flow of that time to
-- the address resolves through the Service to its backends (backends: the workload keys it sent
-- to when last listed), and a flow to it at a time no Service held it is unknown, never an
-- outside address (collectors/flows/resolve.ts). Services deleted before this migration are not known.
CREATE TABLE former_cluster_ips (
  ip          TEXT NOT NULL,
  namespace   TEXT NOT NULL,
  name        TEXT NOT NULL,
  ports       TEXT NOT NULL,   -- the Service's ports, as services.ports
  backends    TEXT NOT NULL,   -- ["ns/Kind/name"], sorted
  created_at  INTEGER,
  valid_to    INTEGER NOT NULL
) STRICT;
CREATE INDEX former_cluster_ips_ip ON former_cluster_ips (ip, valid_to);
