-- An ExternalName Service's spec.externalName (canonical DNS name; NULL: another type, or stored
-- before this migration). Its own name is a CNAME to it (kubernetes/dns docs/specification.md 2.5),
-- so a rule's name of it leads where the externalName does: a Service's pods when that is an
-- in-cluster Service's name (recommender/matrix/service-names.ts). Rows stored before know none
-- until the next import with Services, and stay DNS names.
ALTER TABLE services ADD COLUMN external_name TEXT;
