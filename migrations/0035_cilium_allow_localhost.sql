-- `allow-localhost` of an import's kube-system/cilium-config (domain/inventory.ts
-- CiliumPolicySettings): auto, always or policy. NULL when the import had no cilium-config, or was
-- made by a release that did not read the key: read back as Cilium's default, auto.
ALTER TABLE inventory_imports ADD COLUMN cilium_allow_localhost TEXT;
