-- How the flows of an edge reached its server's port (domain/edge.ts TargetPortWays): `http`
-- through that Service target port name (`targetPort: http`, resolved on each backend pod:
-- collectors/flows/resolve.ts serviceSides); `+http` through it and by number too (a connection
-- recorded again after the Service's translation, a client dialling the pod); '' by number only.
-- A name once seen stays. NULL: not known — stored before this migration; the next flow sets it.
-- The rules follow the name: a rollout renumbering `http` on the workload's pods opens the new
-- number too, and the verification judges the edge there (recommender/synthesize/workload.ts
-- targetPortPorts); a rollout's ReplicaSets giving `http` 8080 and 9090 get an ingress rule naming
-- `http`, which each pod resolves on its own container ports, rather than both numbers on every pod.
ALTER TABLE edges ADD COLUMN target_port_name TEXT;
-- The named edges only, read beside the covering index edges_traffic (store/recommend-read.ts):
-- `<> ''` leaves out the edges reached by number ('', most of them) and those not known (NULL).
CREATE INDEX edges_target_port_names ON edges (client, server, port, protocol, target_port_name) WHERE target_port_name <> '';
