/**
 * "Did you mean" for names a matrix refers to (roles, components, parameters, fields): the known
 * name closest to a misspelt one, by edit distance (fastest-levenshtein), when it is close enough
 * to be evidently meant — at most a third of the name's length, at least one edit.
 */
import { closest, distance } from 'fastest-levenshtein';

/** Fields Kubernetes manifests spell differently, and what a matrix calls them. */
const KUBERNETES_SPELLINGS: Readonly<Record<string, string>> = {
  podSelector: 'selector',
  ipBlock: 'cidrs',
  cidr: 'cidrs',
};

export function closestName(name: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const alias = KUBERNETES_SPELLINGS[name];
  if (alias !== undefined && known.includes(alias)) return alias;
  const best = closest(name, [...known]);
  return distance(name, best) <= Math.max(1, Math.floor(name.length / 3)) ? best : undefined;
}

/** ` (did you mean "x"?)` or ` (known: a, b)`, to end a message about an unknown `name`. */
export function knownNames(name: string, known: readonly string[], what = 'known'): string {
  const best = closestName(name, known);
  if (best !== undefined) return ` (did you mean "${best}"?)`;
  return ` (${what}: ${known.length > 0 ? [...known].sort().join(', ') : 'none'})`;
}
