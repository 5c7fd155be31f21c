-- Whether a workload's pods run an Istio proxy (domain/inventory.ts Workload.istioProxy: an
-- `istio-proxy` container, or the sidecar injector's `sidecar.istio.io/status` annotation): such a
-- proxy needs istiod's XDS and CA port, and ambient pods reach it over HBONE (domain/istio.ts).
-- 0 for workloads imported by a release that did not read it, until the next import.
ALTER TABLE workloads ADD COLUMN istio_proxy INTEGER NOT NULL DEFAULT 0;
