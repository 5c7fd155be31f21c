/**
 * Which CronJob made a Job, read from the Job's name when the Job object itself is not at hand (it
 * was removed by ttlSecondsAfterFinished or the CronJob's history limits, or has not been seen
 * yet). The CronJob controller names each run `<cronjob>-<scheduled time in minutes since the
 * epoch>` (kubernetes pkg/controller/cronjob/cronjob_controllerv2.go `getJobName`, utils.go
 * `getTimeHashInMinutes`: `scheduledTime.Unix() / 60`, 8 digits from 1989 to 2160); istio
 * pkg/kube/util.go and cilium pkg/k8s/utils/workload.go read it with this same pattern. The name
 * alone could be any Job's: it is the CronJob's run only when the namespace has that CronJob (the
 * import's, or the store's when the import does not list CronJobs).
 */
import type { WorkloadRef } from './peer.ts';

const CRONJOB_RUN = /^(.+)-\d{8,10}$/;

/** The CronJob `jobName` is a run of, when `isListed` says the namespace has a CronJob of that name. */
export function cronJobOfRun(namespace: string, jobName: string, isListed: (cronJob: WorkloadRef) => boolean): WorkloadRef | undefined {
  const name = CRONJOB_RUN.exec(jobName)?.[1];
  if (name === undefined) return undefined;
  const ref: WorkloadRef = { namespace, kind: 'CronJob', name };
  return isListed(ref) ? ref : undefined;
}
