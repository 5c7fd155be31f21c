-- Inventory details the first schema lacked.

-- The cluster DNS workload (kube-system, k8s-app=kube-dns): its pods are `dns:` peers.
ALTER TABLE workloads ADD COLUMN cluster_dns INTEGER NOT NULL DEFAULT 0;

-- Intermediate owners and pod names → workload: (ns, ReplicaSet, web-7d9f) → ns/Deployment/web.
-- Kept after the object is gone (flows from its time still name it), pruned after a retention period.
CREATE TABLE owner_aliases (
  namespace   TEXT NOT NULL,
  kind        TEXT NOT NULL,
  name        TEXT NOT NULL,
  workload    TEXT NOT NULL,   -- workload key ns/Kind/name
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  PRIMARY KEY (namespace, kind, name)
) STRICT;

-- The pods of the last snapshot that held addresses (one row per pod IP).
CREATE TABLE pod_addresses (
  namespace     TEXT NOT NULL,
  pod           TEXT NOT NULL,
  ip            TEXT NOT NULL,
  workload      TEXT NOT NULL,   -- workload key
  node          TEXT,
  host_network  INTEGER NOT NULL DEFAULT 0,
  since         INTEGER,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (namespace, pod, ip)
) STRICT;
CREATE INDEX pod_addresses_ip ON pod_addresses (ip);

-- Calico's projectcalico.org/v3 NetworkPolicy and the Kubernetes NetworkPolicy share a kind name:
-- the API group has to be part of the key.
CREATE TABLE network_policies_new (
  api_version  TEXT NOT NULL,
  kind         TEXT NOT NULL,
  namespace    TEXT NOT NULL DEFAULT '',   -- '' for cluster-scoped kinds
  name         TEXT NOT NULL,
  manifest     TEXT NOT NULL,
  updated_at   INTEGER NOT NULL,
  PRIMARY KEY (api_version, kind, namespace, name)
) STRICT;
INSERT INTO network_policies_new SELECT api_version, kind, namespace, name, manifest, updated_at FROM network_policies;
DROP TABLE network_policies;
ALTER TABLE network_policies_new RENAME TO network_policies;
