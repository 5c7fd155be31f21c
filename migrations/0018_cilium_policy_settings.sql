-- What an import's kube-system/cilium-config said of policy enforcement (domain/inventory.ts
-- CiliumPolicySettings): `policy-cidr-match-mode`, its entries joined by a space ('' = not set),
-- and `enable-sctp` (0/1). NULL when the import had no cilium-config, or was made by a release that
-- did not read these keys: read back as not known.
ALTER TABLE inventory_imports ADD COLUMN cilium_policy_cidr_match_mode TEXT;
ALTER TABLE inventory_imports ADD COLUMN cilium_enable_sctp INTEGER;
