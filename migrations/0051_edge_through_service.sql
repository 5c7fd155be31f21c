-- The Service ports an edge's flows came through, `namespace/name:port` (the edge's protocol): a flow
-- to a Service's ClusterIP resolved to this backend (collectors/flows/resolve.ts serviceSides). The
-- client keeps dialling that Service port, and the Service sends the next connection to its backends
-- and target ports of that time: the recommendation follows each Service as it maps the port today
-- (recommender/follow-services.ts), every current backend on its own target port. Every Service port
-- seen is kept (two Services selecting the same pods: a ClusterIP one and a metrics one, an old and a
-- new one): the distinct ones sorted and joined by `,`, at most 8, then `,+` where more came
-- (domain/edge.ts mergeThroughServices, as the aggregator and the upsert merge them). One Service
-- port is the text `shop/web:80` alone. NULL: none seen, or not known (stored before this migration:
-- today's behaviour, the observed port alone, until the next flow through the Service sets it).
ALTER TABLE edges ADD COLUMN through_service TEXT;
-- The edges through a Service only, read beside the covering index edges_traffic (store/recommend-read.ts).
CREATE INDEX edges_through_services ON edges (client, server, port, protocol, through_service) WHERE through_service IS NOT NULL;
