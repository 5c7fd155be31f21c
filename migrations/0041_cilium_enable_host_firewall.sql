-- `enable-host-firewall` of an import's kube-system/cilium-config (domain/inventory.ts
-- CiliumPolicySettings): 1 or 0, an absent key 0 (Cilium's default). NULL when the import had no
-- cilium-config or was made by a release that did not read the key: not known, and host policies
-- are then said to be left unjudged.
ALTER TABLE inventory_imports ADD COLUMN cilium_enable_host_firewall INTEGER;
