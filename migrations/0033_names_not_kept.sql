-- The Hubble edges stored before migration 0031 kept the DNS names pods answered (`workload_names`):
-- the release before it kept the names of outside addresses only (`external_names`), so whether a
-- pod answered a name in their flows is not known, and 0031's empty table says nothing of them
-- (docs/operations.md "Upgrading"). Listed here while they are stored: a matrix rule's name with no
-- in-cluster answer may be one a pod answered in those flows, which the recommendation says it
-- cannot tell (recommender/matrix/service-names.ts). Deleting an edge drops it from the list; its
-- flow logs ingested again keep their names. Only Hubble records carry DNS names (`sources` bit 2,
-- domain/flow.ts FLOW_SOURCE_BITS).
--
-- 0031 is released together with this migration: a store upgraded from before it has
-- `workload_names` empty here. One that kept names since 0031 (made by a build before this
-- migration) knows them, and is not listed.
CREATE TABLE edges_names_not_kept (
  edge_id  INTEGER PRIMARY KEY REFERENCES edges (id) ON DELETE CASCADE
) STRICT;
INSERT INTO edges_names_not_kept (edge_id)
SELECT id FROM edges WHERE (sources & 2) <> 0 AND NOT EXISTS (SELECT 1 FROM workload_names);
