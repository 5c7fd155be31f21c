-- Which Services select a workload and how it is exposed follow from what the store holds, not
-- from one import (domain/service-links.ts): an import of Services alone links the stored
-- workloads, an import of pods alone the stored Services. For that the store keeps what the
-- links are decided from and an import did not store before:
-- the distinct label sets of each workload's pods (per-pod Services select on them), '[]' for
-- workloads imported by a release that did not keep them, until their pods are imported again;
ALTER TABLE workloads ADD COLUMN pod_labels TEXT NOT NULL DEFAULT '[]';
-- the Ingresses, a kind replaced like the others (an import without Ingresses leaves them).
CREATE TABLE ingresses (
  namespace   TEXT NOT NULL,
  name        TEXT NOT NULL,
  backends    TEXT NOT NULL,   -- JSON [{service, port}]
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (namespace, name)
) STRICT;
