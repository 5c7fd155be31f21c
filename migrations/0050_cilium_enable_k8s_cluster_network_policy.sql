-- `enable-k8s-cluster-network-policy` of an import's kube-system/cilium-config (domain/inventory.ts
-- CiliumPolicySettings): 1 or 0, an absent key 0 (Cilium's default). NULL when the import had no
-- cilium-config or was made by a release that did not read the key: not known, and taken as off
-- (applied ClusterNetworkPolicies are left out of a Cilium verification, named in a warning).
ALTER TABLE inventory_imports ADD COLUMN cilium_enable_k8s_cluster_network_policy INTEGER;
-- The image of the Cilium agent the import showed (its kube-system cilium DaemonSet's cilium-agent
-- container, else its pods' where they agree): the tag is the Cilium version, which decides how
-- Cilium enforces ClusterNetworkPolicies (domain/cilium-release.ts). NULL: the import showed none.
ALTER TABLE inventory_imports ADD COLUMN cilium_agent_image TEXT;
