/**
 * How users name a workload: `name`, `Kind/name` with the kind in any case, or kubectl's names
 * for the kind (`deploy/name`, `deployments/name`). The CLI's `--workload` and the API's
 * `workload=` take the same; whether the workload exists is app/selection.ts's to say.
 */
import { WORKLOAD_KINDS, type WorkloadKind } from './peer.ts';

/** kubectl's names for the workload kinds (singular, plural, short name), lower case. */
const KIND_NAMES: ReadonlyMap<string, WorkloadKind> = new Map([
  ...WORKLOAD_KINDS.flatMap((k) => [[k.toLowerCase(), k] as const, [`${k.toLowerCase()}s`, k] as const]),
  ['deploy', 'Deployment'],
  ['sts', 'StatefulSet'],
  ['ds', 'DaemonSet'],
  ['cj', 'CronJob'],
  ['po', 'Pod'],
  // The short names of the CRDs: argo-rollouts manifests/crds/rollout-crd.yaml, openshift/api apps/v1.
  ['ro', 'Rollout'],
  ['dc', 'DeploymentConfig'],
]);

/** The kinds a workload name may start with, as an error lists them. */
export const WORKLOAD_KIND_NAMES = `${WORKLOAD_KINDS.map((k) => k.toLowerCase()).join(', ')}; kubectl's short names deploy, sts, ds, cj, po, ro, dc work too`;

/** The workload as the store names it (`name` or `Kind/name`), or the part before `/` when it is no workload kind. */
export function canonicalWorkloadName(arg: string): { name: string } | { unknownKind: string } {
  const slash = arg.indexOf('/');
  if (slash < 0) return { name: arg };
  const kind = KIND_NAMES.get(arg.slice(0, slash).toLowerCase());
  return kind === undefined ? { unknownKind: arg.slice(0, slash) } : { name: `${kind}/${arg.slice(slash + 1)}` };
}
