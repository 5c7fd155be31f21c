-- DNS names seen answering with an in-cluster workload's pods (Hubble destination_names of a flow
-- to a pod: a split-horizon name, a gateway pod behind a public name), or with a Service's ClusterIP
-- (an outside name CNAMEd to a non-headless in-cluster Service), kept for its backend workloads
-- with the Service it went through (`service`, namespace/name; '' for a name the pod's own address
-- answered): a matrix rule naming it names the Service port, which
-- recommender/matrix/service-names.ts translates to the target port. Kept per workload
-- (namespace/Kind/name), not per pod IP: pod IPs are reused. A matrix rule naming such a name is
-- those workloads too: no engine's DNS peer selects a pod.
CREATE TABLE workload_names (
  workload    TEXT NOT NULL,
  service     TEXT NOT NULL DEFAULT '',
  name        TEXT NOT NULL,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  PRIMARY KEY (workload, service, name)
) STRICT;
-- Names not kept for a workload past the per-workload cap (collectors/flows/name-budget.ts): a
-- record stream may invent names for a real workload, which the inventory does not bound.
ALTER TABLE ingest_runs ADD COLUMN names_capped INTEGER NOT NULL DEFAULT 0;
