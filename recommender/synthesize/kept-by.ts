/**
 * What keeps a flow a documented `must` rule requires when the recommendation cuts it: the
 * option that renders the rule (mode union, or the status `--include` leaves out), and for an
 * edge seen long ago only, the `--stale-days` that counts it as recent — named as the CLI flag and
 * the API's query parameter both. Said where the verification reports the cut (`blocked`), so that
 * the way out comes with it.
 */
import { DAY_MS, type DocumentedRuleStatus } from '../compare/status.ts';
import type { RecommendOptions } from './options.ts';

/**
 * `status`: the rule's; `lastSeen`: the edge's, when the edge is stale (undefined otherwise);
 * `now`: the run's reference time. Undefined when no option would keep it.
 */
export function keptBy(opts: RecommendOptions, status: DocumentedRuleStatus, now: number, lastSeen?: number): string | undefined {
  const ways: string[] = [];
  const include = opts.include as readonly string[];
  // The status ruleIncluded asks --include for: a rule whose edges are all stale counts as unobserved.
  const asked = status === 'stale' && !include.includes('stale') ? 'documented-unobserved' : status;
  if (opts.mode === 'observed') ways.push('mode union keeps it (--mode union, mode=union)');
  else if (!include.includes(asked)) ways.push(`including ${asked} keeps it (--include, include=)`);
  if (lastSeen !== undefined) {
    const days = Math.ceil((now - lastSeen) / DAY_MS);
    ways.push(`${days} stale days count it as recent (--stale-days ${days}, staleDays=${days})`);
  }
  return ways.length > 0 ? ways.join(', or ') : undefined;
}
