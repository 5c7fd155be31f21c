-- 1 when the import listed kube-system/cilium-config from the API server (the live collector,
-- `collect kubernetes --once`: its snapshot's scope holds ConfigMap), so that a cilium-config it does
-- not carry is known to be absent: Cilium's settings are then not known, whatever an older import
-- carried. 0 for a file import, which cannot tell "no cilium-config" from "not exported".
ALTER TABLE inventory_imports ADD COLUMN cilium_config_listed INTEGER NOT NULL DEFAULT 0;
