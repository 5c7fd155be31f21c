-- Every run start (and the service's) looks for runs left `running` by a process that is gone,
-- whatever their source: the few running rows, never a scan of every run.
CREATE INDEX ingest_runs_running ON ingest_runs (status) WHERE status = 'running';
