-- A Service's metadata.creationTimestamp (ms): its ClusterIP is immutable, so the Service holds the
-- address from then on, and a flow to that address before then was to another (deleted) Service
-- (collectors/flows/resolve.ts). NULL for Services imported before this column or without the field.
ALTER TABLE services ADD COLUMN created_at INTEGER;
