-- Each pod's own labels and container ports, beside its address: a flow record addressed to a pod
-- is that pod's connection, which the engines judge with that pod's labels (a NetworkPolicy's
-- podSelector "selects the pods", by their own labels) and whose named ports they resolve on that
-- pod's own container ports ("a named port on a pod"): a rollout's revisions may differ in both
-- (recommender/simulate/cluster.ts atAddress).
--
-- Kept once per workload, not per pod: workloads.pod_ports holds the distinct container-port lists
-- of its pods (JSON, sorted, as pod_labels holds their label sets), and each pod address row points
-- at its pod's entry of each by position. NULL: not known — stored before this migration, or (for
-- pod_ports) an import without Pods; the workload's template labels and its ports merged over all
-- its pods stand for the pod's then, as before. The next import carrying Pods sets them.
ALTER TABLE workloads ADD COLUMN pod_ports TEXT;
ALTER TABLE pod_addresses ADD COLUMN label_set INTEGER;
ALTER TABLE pod_addresses ADD COLUMN port_set INTEGER;
