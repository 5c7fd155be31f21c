/**
 * toFQDNs and DNS rule name matching (cilium/cilium pkg/fqdn/matchpattern/matchpattern.go
 * ToAnchoredRegexp, pkg/policy/api/fqdn.go): names compare in lower case with a trailing dot;
 * in `matchPattern` a `*` is zero or more DNS characters within one label, a leading `**.`
 * one or more whole labels, and a pattern of only `*`s matches every name.
 */
import type { CiliumFqdnSelector } from '../../engines/wire/cilium.ts';
import { fqdnForm } from './identity.ts';

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

/** A predicate over FQDN-form names for one selector; undefined when it names nothing. */
export function fqdnMatcher(s: CiliumFqdnSelector): ((name: string) => boolean) | undefined {
  if (s.matchName !== undefined && s.matchName.trim() !== '') {
    const want = fqdnForm(s.matchName);
    return (name) => name === want;
  }
  if (s.matchPattern !== undefined && s.matchPattern.trim() !== '') {
    const re = patternRegex(s.matchPattern);
    return (name) => re.test(name);
  }
  return undefined;
}
