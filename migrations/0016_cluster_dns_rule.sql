-- The cluster DNS is now also OpenShift's openshift-dns/dns-default, answering on its Service's
-- target ports (domain/cluster-dns.ts), and which workloads it is is decided each time the store
-- is read, not by workloads.cluster_dns. A release before this one trusts that column, so it
-- would misread a store imported since (53 where the pods answer on 5353). No data changes
-- here: the migration marks the schema, so that an older flowmatrix refuses the store
-- (docs/operations.md, "Upgrading") instead of misreading it.
UPDATE workloads SET cluster_dns = cluster_dns WHERE 0;
