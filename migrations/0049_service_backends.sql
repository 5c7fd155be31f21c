-- Which workloads each Service sent to, and when (store/service-backends.ts): one row per state of
-- a Service — its creation time, ports and backends — from valid_from (the import that first saw
-- it; the Service's creation for one created after the import before) until valid_to (the import
-- that saw it change or the Service gone; NULL: the state of today). The change happened between
-- changed_after (when an import last showed the state: a flow before it went to these backends)
-- and valid_to, at a moment no import saw: a flow in between may have gone to these backends or
-- to the next state's. A flow to a ClusterIP resolves to the backends of its time, as a pod IP
-- resolves through its IP history (collectors/flows/resolve.ts).
-- Rows are written per change, never per flow, and pruned with the IP history (store/retention.ts).
CREATE TABLE service_backends (
  namespace   TEXT NOT NULL,
  name        TEXT NOT NULL,
  created_at  INTEGER,         -- the Service's metadata.creationTimestamp (NULL: not known)
  ports       TEXT NOT NULL,   -- the Service's ports, as services.ports
  backends    TEXT NOT NULL,   -- ["ns/Kind/name"], sorted
  valid_from  INTEGER NOT NULL,
  valid_to    INTEGER,
  changed_after INTEGER        -- set with valid_to: the state was last listed then (as ip_history.released_after)
) STRICT;
CREATE UNIQUE INDEX service_backends_open ON service_backends (namespace, name) WHERE valid_to IS NULL;
CREATE INDEX service_backends_closed ON service_backends (valid_to) WHERE valid_to IS NOT NULL;
-- A store from before this migration knows each Service's backends as of its last import with
-- Services (services.updated_at) and nothing earlier: that is its first state. Its backends as the
-- store links them (store/service-backends.ts LINKED_BACKENDS, the same query): the workloads
-- listing the Service among theirs, and those its EndpointSlices' pods are aliased to.
WITH linked AS (
  SELECT service, json_group_array(workload ORDER BY workload) AS backends FROM (
    SELECT j.value AS service, w.namespace || '/' || w.kind || '/' || w.name AS workload
      FROM workloads AS w, json_each(w.services) AS j
     WHERE w.services <> '[]'
    UNION
    SELECT e.namespace || '/' || e.service, a.workload
      FROM endpoint_slices AS e CROSS JOIN json_each(e.endpoints) AS ep CROSS JOIN owner_aliases AS a
     WHERE a.namespace = coalesce(json_extract(ep.value, '$.targetRef.namespace'), e.namespace)
       AND a.kind = 'Pod' AND a.name = json_extract(ep.value, '$.targetRef.name')
       AND e.service IS NOT NULL AND json_extract(ep.value, '$.targetRef.kind') = 'Pod')
  GROUP BY service)
INSERT INTO service_backends (namespace, name, created_at, ports, backends, valid_from)
SELECT s.namespace, s.name, s.created_at, s.ports, coalesce(l.backends, '[]'), s.updated_at
  FROM services AS s LEFT JOIN linked AS l ON l.service = s.namespace || '/' || s.name;
