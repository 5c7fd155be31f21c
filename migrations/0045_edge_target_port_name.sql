-- The name of the Service target port through which every flow of an edge reached its server
-- (`targetPort: http`, resolved on each backend pod: collectors/flows/resolve.ts serviceSides).
-- Kept only where the backend's pods give the name several numbers (a rollout), so few edges have one.
-- NULL: reached by number — directly, through a numeric targetPort, through two names, or stored
-- before this migration. A Deployment mid-rollout whose ReplicaSets give `http` 8080 and 9090 has an
-- edge on each number; where this column names `http` on both, the ingress rule names `http`, which
-- each pod resolves on its own container ports (recommender/synthesize/workload.ts
-- targetPortNamed), rather than opening both numbers on every pod.
ALTER TABLE edges ADD COLUMN target_port_name TEXT;
-- The few named edges, read beside the covering index edges_traffic (store/recommend-read.ts).
CREATE INDEX edges_target_port_names ON edges (client, server, port, protocol, target_port_name) WHERE target_port_name IS NOT NULL;
