-- `enable-host-firewall` of an import's kube-system/cilium-config (domain/inventory.ts
-- CiliumPolicySettings): 1 or 0. NULL when the import had no cilium-config, the ConfigMap did not
-- set the key, or the import was made by a release that did not read it: not known, and host
-- policies are then said to be left unjudged.
ALTER TABLE inventory_imports ADD COLUMN cilium_enable_host_firewall INTEGER;
