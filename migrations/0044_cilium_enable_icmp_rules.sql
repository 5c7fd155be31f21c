-- `enable-icmp-rules` of an import's kube-system/cilium-config (domain/inventory.ts
-- CiliumPolicySettings): 1 or 0, an absent key 1 (Cilium's default; the Helm chart never writes
-- it). NULL when the import had no cilium-config or was made by a release that did not read the
-- key: not known, and taken as on (rules with icmps are rendered and admitted).
ALTER TABLE inventory_imports ADD COLUMN cilium_enable_icmp_rules INTEGER;
