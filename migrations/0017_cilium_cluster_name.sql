-- The Cilium cluster name (`cluster-name` of the kube-system/cilium-config ConfigMap) an inventory
-- import carried: every pod carries it as the label io.cilium.k8s.policy.cluster, which Cilium
-- policies may select on and its `cluster` entity selects by. NULL when the import had none.
ALTER TABLE inventory_imports ADD COLUMN cilium_cluster_name TEXT;
