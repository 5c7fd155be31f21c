/**
 * toFQDNs and DNS rule name matching (cilium/cilium pkg/fqdn/matchpattern/matchpattern.go
 * ToAnchoredRegexp, pkg/policy/api/fqdn.go): names compare in lower case with a trailing dot;
 * in `matchPattern` a `*` is zero or more DNS characters within one label, a leading `**.`
 * one or more whole labels, and a pattern of only `*`s matches every name.
 */
import type { CiliumFqdnSelector } from '../../engines/wire/cilium.ts';
import { fqdnForm } from './identity.ts';

/** What a `*` stands for in a label: DNS characters (Cilium's `[-a-zA-Z0-9_]`), never a dot. */
const isDnsChar = (c: string): boolean => /^[-a-zA-Z0-9_]$/.test(c);

function isDnsWildcard(pattern: string): boolean {
  const p = pattern.endsWith('.') ? pattern.slice(0, -1) : pattern;
  return p.length > 0 && /^\*+$/.test(p);
}

/**
 * One label against one pattern label whose `*`s are zero or more DNS characters: a table over
 * (pattern position, label position), at most 255 × 63 steps. Cilium builds a regular expression
 * (ToAnchoredRegexp); JavaScript's backtracking engine takes exponential time on it (`*a*a*a…`
 * against a near miss), and a pattern and a name both come from input (test/helpers/cilium-fqdn-regex.ts
 * keeps that reference, and a property test holds both to the same answers).
 */
function labelMatches(pattern: string, label: string): boolean {
  // can[j]: the pattern so far matches label[0, j).
  let can = new Array<boolean>(label.length + 1).fill(false);
  can[0] = true;
  for (const p of pattern) {
    const next = new Array<boolean>(label.length + 1).fill(false);
    if (p === '*') {
      next[0] = can[0]!;
      for (let j = 1; j <= label.length; j++) next[j] = can[j]! || (next[j - 1]! && isDnsChar(label[j - 1]!));
    } else {
      for (let j = 1; j <= label.length; j++) next[j] = can[j - 1]! && label[j - 1] === p;
    }
    can = next;
  }
  return can[label.length]!;
}

/**
 * A `matchPattern` as a predicate over FQDN-form names (cilium/cilium pkg/fqdn/matchpattern
 * ToAnchoredRegexp): a pattern of only `*`s matches every name; a leading `**.` is one or more
 * whole labels; otherwise label by label.
 */
export function patternMatcher(rawPattern: string): (name: string) => boolean {
  const pattern = rawPattern.trim().toLowerCase();
  if (isDnsWildcard(pattern)) return (name) => name === '.' || (name.endsWith('.') && name.slice(0, -1).split('.').every((l) => l.length > 0 && [...l].every(isDnsChar)));
  const fq = fqdnForm(pattern);
  let stars = 0;
  while (stars < fq.length && fq[stars] === '*') stars++;
  const anyLabels = stars >= 2 && fq[stars] === '.';
  const rest = (anyLabels ? fq.slice(stars + 1) : fq).split('.');
  return (name) => {
    const labels = name.split('.');
    if (!anyLabels) return labels.length === rest.length && rest.every((p, i) => labelMatches(p, labels[i]!));
    // `**.`: one or more whole labels (each one or more DNS characters), then the rest label by label.
    const lead = labels.length - rest.length;
    if (lead < 1) return false;
    for (let i = 0; i < lead; i++) if (labels[i]!.length === 0 || ![...labels[i]!].every(isDnsChar)) return false;
    return rest.every((p, i) => labelMatches(p, labels[lead + i]!));
  };
}

/** A predicate over FQDN-form names for one selector; undefined when it names nothing. */
export function fqdnMatcher(s: CiliumFqdnSelector): ((name: string) => boolean) | undefined {
  if (s.matchName !== undefined && s.matchName.trim() !== '') {
    const want = fqdnForm(s.matchName);
    return (name) => name === want;
  }
  if (s.matchPattern !== undefined && s.matchPattern.trim() !== '') {
    return patternMatcher(s.matchPattern);
  }
  return undefined;
}
