-- Which workloads each Service sent to, and when (store/service-backends.ts): one row per state of
-- a Service — its creation time, ports and backends — from valid_from (the import that first saw
-- it; the Service's creation for one created after the import before) until valid_to (the import
-- that saw it change or the Service gone; NULL: the state of today). A flow to a ClusterIP resolves
-- to the backends of its time, as a pod IP resolves through its IP history (collectors/flows/resolve.ts).
-- Rows are written per change, never per flow, and pruned with the IP history (store/retention.ts).
CREATE TABLE service_backends (
  namespace   TEXT NOT NULL,
  name        TEXT NOT NULL,
  created_at  INTEGER,         -- the Service's metadata.creationTimestamp (NULL: not known)
  ports       TEXT NOT NULL,   -- the Service's ports, as services.ports
  backends    TEXT NOT NULL,   -- ["ns/Kind/name"], sorted
  valid_from  INTEGER NOT NULL,
  valid_to    INTEGER
) STRICT;
CREATE UNIQUE INDEX service_backends_open ON service_backends (namespace, name) WHERE valid_to IS NULL;
CREATE INDEX service_backends_closed ON service_backends (valid_to) WHERE valid_to IS NOT NULL;
-- A store from before this migration knows each Service's backends as of its last import with
-- Services (services.updated_at) and nothing earlier: that is its first state. Its backends as the
-- store links them (store/service-backends.ts backendsByService): the workloads listing the Service
-- among theirs, and those its EndpointSlices' pods are aliased to.
INSERT INTO service_backends (namespace, name, created_at, ports, backends, valid_from, valid_to)
SELECT s.namespace, s.name, s.created_at, s.ports,
  (SELECT json_group_array(k ORDER BY k) FROM (
     SELECT w.namespace || '/' || w.kind || '/' || w.name AS k
       FROM workloads AS w, json_each(w.services) AS j
      WHERE j.value = s.namespace || '/' || s.name
     UNION
     SELECT a.workload AS k
       FROM endpoint_slices AS e, json_each(e.endpoints) AS ep
       JOIN owner_aliases AS a
         ON a.namespace = coalesce(json_extract(ep.value, '$.targetRef.namespace'), s.namespace)
        AND a.kind = 'Pod' AND a.name = json_extract(ep.value, '$.targetRef.name')
      WHERE e.namespace = s.namespace AND e.service = s.name AND json_extract(ep.value, '$.targetRef.kind') = 'Pod')),
  s.updated_at, NULL
FROM services AS s;
