/**
 * How the CLI names a workload: `--workload name`, `Kind/name` in any case, or kubectl's
 * `deploy/name`, `deployments/name` (domain/workload-name.ts, as the REST API). Whether the
 * selection exists is app/selection.ts's to say (the REST API checks it the same way).
 */
import { canonicalWorkloadName, WORKLOAD_KIND_NAMES } from '../domain/workload-name.ts';
import { CliError } from './io.ts';

/** The workload as the store names it (`name` or `Kind/name`). */
export function workloadArg(arg: string): string {
  const w = canonicalWorkloadName(arg);
  if ('unknownKind' in w) throw new CliError(`--workload: "${w.unknownKind}" is not a workload kind (${WORKLOAD_KIND_NAMES})`);
  return w.name;
}
