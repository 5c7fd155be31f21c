/**
 * How the CLI names a workload: `--workload name`, `Kind/name` in any case, or kubectl's
 * `deploy/name`, `deployments/name`. Whether the selection exists is app/selection.ts's to say
 * (the REST API checks it the same way).
 */
import { WORKLOAD_KINDS, type WorkloadKind } from '../domain/peer.ts';
import { CliError } from './io.ts';

/** kubectl's names for the workload kinds (singular, plural, short name), lower case. */
const KIND_NAMES: ReadonlyMap<string, WorkloadKind> = new Map([
  ...WORKLOAD_KINDS.flatMap((k) => [[k.toLowerCase(), k] as const, [`${k.toLowerCase()}s`, k] as const]),
  ['deploy', 'Deployment'],
  ['sts', 'StatefulSet'],
  ['ds', 'DaemonSet'],
  ['cj', 'CronJob'],
  ['po', 'Pod'],
]);

/** The workload as the store names it (`name` or `Kind/name`). */
export function workloadArg(arg: string): string {
  const slash = arg.indexOf('/');
  if (slash < 0) return arg;
  const kind = KIND_NAMES.get(arg.slice(0, slash).toLowerCase());
  if (kind === undefined) throw new CliError(`--workload: "${arg.slice(0, slash)}" is not a workload kind (${WORKLOAD_KINDS.map((k) => k.toLowerCase()).join(', ')}; kubectl's short names deploy, sts, ds, cj, po work too)`);
  return `${kind}/${arg.slice(slash + 1)}`;
}
