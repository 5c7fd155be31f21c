-- DNS names seen answering with an in-cluster workload's pods (Hubble destination_names of a flow
-- to a pod: a split-horizon name, a gateway pod behind a public name). Kept per workload
-- (namespace/Kind/name), not per pod IP: pod IPs are reused. A matrix rule naming such a name is
-- those workloads too (recommender/matrix/service-names.ts): no engine's DNS peer selects a pod.
CREATE TABLE workload_names (
  workload    TEXT NOT NULL,
  name        TEXT NOT NULL,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  PRIMARY KEY (workload, name)
) STRICT;
