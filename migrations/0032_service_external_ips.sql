-- A Service's spec.externalIPs (JSON array of addresses, sorted) and spec.externalTrafficPolicy
-- (Cluster | Local; NULL: not given, or stored before this migration, read as Cluster, the API's
-- default). A Service with external IPs is exposed on them, and its Local policy keeps the client's
-- address, so no node stands for its clients (domain/service-links.ts exposureOf,
-- recommender/synthesize/exposure-flows.ts). Rows stored before know neither until the next import
-- with Services.
ALTER TABLE services ADD COLUMN external_ips TEXT NOT NULL DEFAULT '[]';
ALTER TABLE services ADD COLUMN external_traffic_policy TEXT;
