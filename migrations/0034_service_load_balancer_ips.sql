-- A Service's load-balancer IPs: status.loadBalancer.ingress[].ip of the entries in VIP mode (JSON
-- array of addresses, sorted; hostname-only and ipMode Proxy entries are not stored). A pod's flow
-- to one of them on a Service port is the Service's backends, as one to its ClusterIP or an external
-- IP is (collectors/flows/resolve.ts, domain/service-links.ts externallyReachableAddresses). Rows
-- stored before know none until the next import with Services.
ALTER TABLE services ADD COLUMN load_balancer_ips TEXT NOT NULL DEFAULT '[]';
