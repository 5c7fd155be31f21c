/** The label keys a selector reads: a Kubernetes label selector's, a Calico selector's. */
import { isPlainObject } from '../../domain/plain-object.ts';
import { selectorLabelKeys } from './calico/selector.ts';
import { memoByText } from '../text-memo.ts';

/** Keys a Kubernetes label selector reads. */
export function labelSelectorKeys(s: Record<string, unknown>): string[] {
  const keys = isPlainObject(s.matchLabels) ? Object.keys(s.matchLabels) : [];
  if (Array.isArray(s.matchExpressions)) for (const e of s.matchExpressions) if (isPlainObject(e) && typeof e.key === 'string') keys.push(e.key);
  return keys;
}

/** Keys a Calico selector reads; none for one that does not parse. Remembered per selector (text-memo.ts): shared, not to be changed. */
export const calicoSelectorKeys: (s: string) => readonly string[] = memoByText((s) => {
  try {
    return selectorLabelKeys(s);
  } catch {
    return []; // admission names a selector that does not parse
  }
}, 50_000);
