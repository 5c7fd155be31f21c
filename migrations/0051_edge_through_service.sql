-- The Service port an edge's flows came through, `namespace/name:port` (the edge's protocol): a flow
-- to a Service's ClusterIP resolved to this backend (collectors/flows/resolve.ts serviceSides). The
-- client keeps dialling that Service port, and the Service sends the next connection to its backends
-- and target ports of that time: the recommendation follows the Service as it maps the port today
-- (recommender/follow-services.ts), every current backend on its own target port. The first Service
-- seen stays (a flow by number, or through another Service, to the same edge keeps it). NULL: none
-- seen, or not known (stored before this migration: today's behaviour, the observed port alone,
-- until the next flow through the Service sets it).
ALTER TABLE edges ADD COLUMN through_service TEXT;
-- The edges through a Service only, read beside the covering index edges_traffic (store/recommend-read.ts).
CREATE INDEX edges_through_services ON edges (client, server, port, protocol, through_service) WHERE through_service IS NOT NULL;
