-- What migration 0024 could not know on a store imported before it, said as not known rather than
-- as empty (store/inventory.ts, linkStoredWorkloads): while it is not known, the links the store
-- had and the relinking cannot decide are kept, so the first partial import after upgrading takes
-- away no Service or exposure an import of it all still has.
--
-- The pods' label sets: NULL = not known (a workload an older release imported, or one whose pods
-- no import has brought since), until an import with Pods. 0024 wrote '[]' for both "no pods" and
-- "not known"; taken as not known, a workload without pods keeps its links until a pods import.
ALTER TABLE workloads RENAME COLUMN pod_labels TO pod_labels_0024;
ALTER TABLE workloads ADD COLUMN pod_labels TEXT;
UPDATE workloads SET pod_labels = nullif(pod_labels_0024, '[]');
ALTER TABLE workloads DROP COLUMN pod_labels_0024;
-- A row once the Ingresses are known: an import has carried them (a store whose ingresses table
-- is still empty may only have never had one), or the store has no workload whose links an
-- Ingress could have made.
CREATE TABLE ingresses_known (
  id  INTEGER PRIMARY KEY CHECK (id = 1)
) STRICT;
INSERT INTO ingresses_known (id) SELECT 1 WHERE EXISTS (SELECT 1 FROM ingresses) OR NOT EXISTS (SELECT 1 FROM workloads);
