-- Retention deletes workloads gone since before the IP-history cut-off and inventory imports taken
-- before it (store/retention.ts): both found by time, without a scan of every row. The import
-- times are also what `inventoriedNamespaces` and every import's "is this snapshot older than the
-- last" read.
CREATE INDEX workloads_gone ON workloads (last_seen) WHERE present = 0;
CREATE INDEX inventory_imports_taken_at ON inventory_imports (taken_at);
