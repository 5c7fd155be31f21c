-- The apiserver's former endpoints (default/kubernetes): each address and port it had, until the
-- inventory import that no longer listed it. Flows resolve through them at the flow's time, as pod
-- addresses resolve through ip_intervals: a flow that arrives late, to an address the apiserver
-- had then, is the apiserver's, not an external address's. The current endpoints stay in
-- apiserver_endpoints, whose `since` says from which import on they were listed (NULL: from the
-- first import that listed any, or before this migration: since ever).
ALTER TABLE apiserver_endpoints ADD COLUMN since INTEGER;
CREATE TABLE apiserver_history (
  ip          TEXT NOT NULL,
  port        INTEGER NOT NULL,
  protocol    TEXT NOT NULL,
  valid_from  INTEGER,
  valid_to    INTEGER NOT NULL,
  PRIMARY KEY (ip, port, protocol, valid_to)
) STRICT;
