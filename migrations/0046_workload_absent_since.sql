-- When an import marked a workload absent (store/inventory.ts writeWorkloads: the import is
-- authoritative for its kind and no longer lists it): the time of that import, so that its edges
-- are said to be left out because it was deleted then, not because its labels are unknown
-- (recommender/synthesize/peers.ts). NULL while it is present.
--
-- A store marked before this migration does not say it: the first later import that held objects
-- of the workload's kind (its counts, by kind key: domain/inventory.ts WORKLOAD_SCOPE_KIND), which
-- is the one that marked it; else (an import from the API listing none of that kind) the first
-- later import at all.
ALTER TABLE workloads ADD COLUMN absent_since INTEGER;
UPDATE workloads SET absent_since = coalesce(
    (SELECT min(i.taken_at) FROM inventory_imports i
     WHERE i.taken_at > workloads.last_seen
       AND json_extract(i.counts, '$."' || CASE workloads.kind
             WHEN 'Deployment' THEN 'Deployment.apps'
             WHEN 'StatefulSet' THEN 'StatefulSet.apps'
             WHEN 'DaemonSet' THEN 'DaemonSet.apps'
             WHEN 'Job' THEN 'Job.batch'
             WHEN 'CronJob' THEN 'CronJob.batch'
             WHEN 'Pod' THEN 'Pod'
             WHEN 'Rollout' THEN 'Rollout.argoproj.io'
             WHEN 'DeploymentConfig' THEN 'DeploymentConfig.apps.openshift.io'
           END || '"') > 0),
    (SELECT min(taken_at) FROM inventory_imports WHERE taken_at > workloads.last_seen),
    last_seen)
WHERE present = 0;
