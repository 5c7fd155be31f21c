-- The cluster's Service IP ranges: one row per ServiceCIDR object (networking.k8s.io/v1), cidrs its
-- canonical CIDRs (JSON array), replaced by each import that holds the kind (or a live collector
-- that lists it). A flow to an address inside them that no Service known held at its time is
-- unknown, never an outside address (collectors/flows/resolve.ts). A store from before has none:
-- such an address stays an outside one until an import carries the ServiceCIDRs.
CREATE TABLE service_cidrs (
  name        TEXT PRIMARY KEY,
  cidrs       TEXT NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;
