-- Calico objects an import carried as crd.projectcalico.org/v1 and did not import, by kind
-- (domain/calico-crd.ts): every verification names them while they are stored. A kind's row is
-- replaced by the next import that carries the kind under either group (store/inventory.ts).
-- Imports before this migration did not record them: none is known until an import carries them.
CREATE TABLE calico_crd_objects (
  kind       TEXT PRIMARY KEY,
  count      INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
