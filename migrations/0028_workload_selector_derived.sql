-- Where a workload's selector came from (store/inventory.ts, writeWorkloads): 0 = the owner object's
-- own (its spec.selector, a CronJob's template, a bare pod's labels); 1 = made from the labels of
-- its pods, ReplicaSets or Jobs, the import not holding the owner. An import without the owner keeps
-- a stored owner's selector: a selector made of the pods' labels misses the next rollout's pods.
--
-- A store imported before this migration does not say it; each selector was written by the import
-- of the workload's last_seen, which held the owner when it held objects of its kind (the import's
-- counts, by kind key: domain/inventory.ts WORKLOAD_SCOPE_KIND). Otherwise it is taken as made from
-- labels, so the next import writes it as before this migration did.
ALTER TABLE workloads ADD COLUMN selector_derived INTEGER NOT NULL DEFAULT 1 CHECK (selector_derived IN (0, 1));
UPDATE workloads SET selector_derived = 0
WHERE kind = 'Pod'
   OR EXISTS (
     SELECT 1 FROM inventory_imports i
     WHERE i.taken_at = workloads.last_seen
       AND json_extract(i.counts, '$."' || CASE workloads.kind
             WHEN 'Deployment' THEN 'Deployment.apps'
             WHEN 'StatefulSet' THEN 'StatefulSet.apps'
             WHEN 'DaemonSet' THEN 'DaemonSet.apps'
             WHEN 'Job' THEN 'Job.batch'
             WHEN 'CronJob' THEN 'CronJob.batch'
             WHEN 'Rollout' THEN 'Rollout.argoproj.io'
             WHEN 'DeploymentConfig' THEN 'DeploymentConfig.apps.openshift.io'
           END || '"') > 0
   );
