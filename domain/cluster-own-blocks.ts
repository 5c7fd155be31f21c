/**
 * The cluster's own addresses, as blocks, and the ones a wider block holds.
 *
 * Past its edge cap, ingest folds a workload's outside addresses into a covering block
 * (docs/ingest.md "Bounded by design"): `external:203.0.113.0/24`, then `0.0.0.0/0`. The folded
 * edge stands for outside addresses only: an address of a node, of the apiserver or in a pod CIDR
 * resolves to its node, the apiserver or a pod (or to `unknown:`), never to `external:`. So a
 * rule for the block holds the cluster's own addresses out (synthesize/peers.ts), and the
 * verification judges the block without them (simulate/folded-blocks.ts): both from this module,
 * so that they agree.
 */
import { canonicalCidr, cidrContains, compareCidrs, hostCidr, isIpAddress, parseCidr, storedAddress, type Cidr } from './ip.ts';

export interface ClusterOwnBlocks {
  /** Node addresses and apiserver endpoints, as /32 and /128 blocks. */
  hosts: string[];
  /** The nodes' pod CIDRs. */
  pods: string[];
}

/**
 * `hostIps`: every node address the simulators take as the node's host network
 * (domain/inventory.ts NODE_HOST_ADDRESS_TYPES) and every apiserver endpoint; `podCIDRs`: the
 * nodes' pod CIDRs. Invalid text is left out (the inventory import already refused it).
 */
export function clusterOwnBlocks(hostIps: Iterable<string>, podCIDRs: Iterable<string>): ClusterOwnBlocks {
  const hosts: string[] = [];
  // An IPv4-mapped address is the IPv4 host it maps, as flows are stored (ip.ts storedAddress).
  for (const ip of hostIps) if (isIpAddress(ip)) hosts.push(hostCidr(storedAddress(ip)));
  const pods: string[] = [];
  for (const c of podCIDRs) if (parseCidr(c)) pods.push(canonicalCidr(c));
  return { hosts: minimalCidrs(hosts), pods: minimalCidrs(pods) };
}

/**
 * The blocks of `own` strictly inside `block` (what an ipBlock `except` may hold: Kubernetes
 * ValidateIPBlock refuses an except that is not a strict subset of the cidr), minimal and in
 * `compareCidrs` order. A block of the cluster's own that holds `block` whole is not returned:
 * no engine can cut all of a block out of itself.
 */
export function ownBlocksInside(block: string, own: readonly string[]): string[] {
  const outer = parseCidr(block);
  if (!outer) throw new Error(`invalid CIDR "${block}"`);
  const inside: string[] = [];
  for (const text of own) {
    const c = parseCidr(text);
    if (c && c.prefix > outer.prefix && cidrContains(outer, c)) inside.push(text);
  }
  return minimalCidrs(inside);
}

/** Canonical, without duplicates or a block another one holds, in `compareCidrs` order. */
export function minimalCidrs(cidrs: readonly string[]): string[] {
  const sorted = [...new Set(cidrs.map(canonicalCidr))].sort(compareCidrs);
  const out: string[] = [];
  let last: Cidr | undefined;
  // In compareCidrs order a block comes before the blocks it holds and the kept ones are
  // disjoint, so a block another one holds is held by the last one kept.
  for (const text of sorted) {
    const c = parseCidr(text)!;
    if (last !== undefined && cidrContains(last, c)) continue;
    last = c;
    out.push(text);
  }
  return out;
}
