/**
 * The statuses that become rules, as both front ends write them (`--include`, `include=`):
 * comma-separated, no spaces, no empty item, at least one (docs/recommend.md). One syntax: the
 * REST API validates it by INCLUDE_LIST_PATTERN in its schema, the CLI by parseIncludeList, so a
 * value one refuses the other refuses too. An empty list is refused, never read as "no status":
 * that would be deny-all policies from an unset variable.
 */
import { COMPARISON_STATUSES, type ComparisonStatus } from '../recommender/compare/status.ts';

const STATUS = `(${COMPARISON_STATUSES.join('|')})`;
export const INCLUDE_LIST_PATTERN = `^${STATUS}(,${STATUS})*$`;

const isStatus = (s: string): s is ComparisonStatus => (COMPARISON_STATUSES as readonly string[]).includes(s);

/** The statuses in the order given (repeats kept: recommendOptions drops them), or what is wrong with the text. */
export function parseIncludeList(text: string): { statuses: ComparisonStatus[] } | { problem: string } {
  const all = COMPARISON_STATUSES.join(', ');
  if (text === '') return { problem: `empty: name at least one of ${all}` };
  const items = text.split(',');
  for (const [i, item] of items.entries()) {
    if (item === '') return { problem: `item ${i + 1} is empty` };
    if (!isStatus(item)) return { problem: `"${item}" is not one of ${all}${isStatus(item.trim()) ? ': no spaces around the commas' : ''}` };
  }
  return { statuses: items as ComparisonStatus[] };
}
