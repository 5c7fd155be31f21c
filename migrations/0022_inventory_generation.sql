-- A counter every inventory import bumps, in its transaction: the service plans an import's
-- IP-history changes on a worker's read connection and applies that plan only while the counter
-- still has the value it read (store/ip-history-plan.ts). PRAGMA data_version cannot tell: it
-- does not move for the writing connection's own commits.
CREATE TABLE inventory_generation (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  n   INTEGER NOT NULL
) STRICT;
INSERT INTO inventory_generation (id, n) VALUES (1, 0);
