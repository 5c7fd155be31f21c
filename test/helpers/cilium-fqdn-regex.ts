/**
 * Cilium's own reading of a `matchPattern`, ported line by line as a regular expression
 * (cilium/cilium pkg/fqdn/matchpattern/matchpattern.go ToAnchoredRegexp): the reference the
 * simulator's linear matcher (recommender/simulate/cilium/fqdn.ts) is tested against. Not used by
 * the product: JavaScript's backtracking engine takes exponential time on hostile patterns.
 */
import { fqdnForm } from '../../recommender/simulate/cilium/identity.ts';

const DNS_CHARS = '[-a-zA-Z0-9_]';
const DNS_LABELS = `(${DNS_CHARS}+([.]${DNS_CHARS}+){0,})[.]`;

function isDnsWildcard(pattern: string): boolean {
  const p = pattern.endsWith('.') ? pattern.slice(0, -1) : pattern;
  return p.length > 0 && /^\*+$/.test(p);
}

export function patternRegex(rawPattern: string): RegExp {
  const pattern = rawPattern.trim().toLowerCase();
  if (isDnsWildcard(pattern)) return new RegExp(`(^(${DNS_CHARS}+[.])+$)|(^[.]$)`);
  const fq = fqdnForm(pattern);
  let out = '';
  let start = 0;
  let stars = 0;
  while (stars < fq.length && fq[stars] === '*') stars++;
  if (stars >= 2 && fq[stars] === '.') {
    out += DNS_LABELS;
    start = stars + 1;
  }
  for (let i = start; i < fq.length; i++) {
    const c = fq[i]!;
    if (c === '.') out += '[.]';
    else if (c === '*') {
      while (fq[i + 1] === '*') i++;
      out += `${DNS_CHARS}*`;
    } else out += c.replace(/[\\^$+?()[\]{}|]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

