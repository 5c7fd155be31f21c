/**
 * The stored external addresses by the DNS names they were seen resolved from (`external_names`),
 * for the peers that name a DNS name: one lookup per name, not a scan of every stored address,
 * whose number grows with what the cluster resolves. A `*.domain` pattern is every name under the
 * domain at any depth (compare/match.ts fqdnMatches): each name is also filed under every domain
 * above it. Built on first use: most recommendations have no rule naming a DNS name.
 */
import { canonicalDnsName } from '../../domain/dns-name.ts';

export type AddressesOfName = (pattern: string) => readonly string[];

export function addressesByName(externalNames: ReadonlyMap<string, readonly string[]>): AddressesOfName {
  let exact: Map<string, string[]> | undefined;
  let under: Map<string, string[]> | undefined;
  const build = (): void => {
    exact = new Map();
    under = new Map();
    for (const [ip, names] of externalNames) {
      for (const raw of names) {
        const name = canonicalDnsName(raw);
        file(exact, name, ip);
        for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) file(under, name.slice(dot + 1), ip);
      }
    }
  };
  return (pattern) => {
    if (exact === undefined || under === undefined) build();
    const p = canonicalDnsName(pattern);
    return (p.startsWith('*.') ? under!.get(p.slice(2)) : exact!.get(p)) ?? [];
  };
}

/** Adds `ip` to `key`'s addresses, once (an address may be stored with two names under one domain). */
function file(index: Map<string, string[]>, key: string, ip: string): void {
  const ips = index.get(key);
  if (ips === undefined) index.set(key, [ip]);
  else if (ips[ips.length - 1] !== ip && !ips.includes(ip)) ips.push(ip);
}
