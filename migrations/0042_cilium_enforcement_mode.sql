-- `enable-policy` ('default', 'always' or 'never', lower-cased as the agent reads it) and
-- `policy-audit-mode` (1 or 0) of an import's kube-system/cilium-config (domain/inventory.ts
-- CiliumPolicySettings); an absent key is stored as Cilium's default ('default', 0). NULL when the
-- import had no cilium-config or was made by a release that did not read the keys: not known, and
-- policy is then judged as under `default` with audit mode off.
ALTER TABLE inventory_imports ADD COLUMN cilium_enable_policy TEXT;
ALTER TABLE inventory_imports ADD COLUMN cilium_policy_audit_mode INTEGER;
