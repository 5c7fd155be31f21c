/**
 * What a host-network workload's advice reads of Cilium's host firewall: a host-network pod is its
 * node to Cilium, which host policies police where the cilium-config sets `enable-host-firewall:
 * "true"` — CiliumClusterwideNetworkPolicies with a `nodeSelector` (Cilium docs, "Host Policies":
 * they "apply only to the host namespace, including host-networking pods").
 */
import type { Direction } from '../../domain/direction.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { InventorySnapshot } from '../../domain/inventory.ts';
import type { WorkloadComparison } from '../compare/compare.ts';
import { CCNP_KIND } from '../engines/wire/cilium.ts';
import type { DocumentedFlow } from './documented-flow.ts';
import type { RecommendOptions } from './options.ts';
import { farEnd, farEndWords } from './edge-words.ts';
import { firstFew } from './first-few.ts';

/** The applied host policies (`CiliumClusterwideNetworkPolicy/<name>`, sorted) where the host firewall is on; undefined where it is off or not said. */
export function appliedHostPolicies(inventory: Pick<InventorySnapshot, 'ciliumPolicy' | 'policies'>): string[] | undefined {
  if (inventory.ciliumPolicy?.enableHostFirewall !== true) return undefined;
  return inventory.policies
    .filter((p) => p.kind === CCNP_KIND && hasNodeSelector(p.manifest))
    .map((p) => `${p.kind}/${p.name}`)
    .sort();
}

/** A CCNP's `spec` or any of its `specs` has a `nodeSelector`. */
function hasNodeSelector(manifest: unknown): boolean {
  const m = manifest as { spec?: { nodeSelector?: unknown }; specs?: { nodeSelector?: unknown }[] } | null;
  return m?.spec?.nodeSelector !== undefined || (m?.specs ?? []).some((s) => s?.nodeSelector !== undefined);
}

/** Where a host-network workload runs and what it requires, for its advice (hostNetworkAdvice). */
export interface HostNetworkNeeds {
  /** The nodes its pods run on, sorted (none known: its nodes). */
  nodes: readonly string[];
  /** What it requires, each `ingress 9100/TCP from stacklight/StatefulSet/prometheus-server`, sorted. */
  required: readonly string[];
}

/**
 * How a host-network workload is restricted instead of by a pod policy: on its node, in the host
 * policies where the host firewall is on — which police a host-network pod as its node's host
 * endpoint, so a host policy selecting its nodes must allow what the workload requires (Cilium
 * host.rst: host policies "apply only to the host namespace, including host-networking pods").
 */
export function hostNetworkAdvice(hostPolicies: readonly string[] | undefined, needs: HostNetworkNeeds): string {
  if (hostPolicies === undefined) return 'restrict it on the node (host firewall) instead';
  const toAllow = requiredThere(needs);
  if (hostPolicies.length === 0) return `its node's host firewall is on (cilium-config enable-host-firewall) but no host policy is applied: restrict it there, with a CiliumClusterwideNetworkPolicy with a nodeSelector${toAllow}`;
  return `its node's host firewall is on (cilium-config enable-host-firewall) and decides it: restrict it in the host policies applied (${hostPolicies.join(', ')})${toAllow}`;
}

/** `; a host policy selecting its node worker-2 must allow what it requires: …`, or nothing where it requires nothing. */
function requiredThere({ nodes, required }: HostNetworkNeeds): string {
  if (required.length === 0) return '';
  const where = nodes.length === 0 ? 'its nodes' : `its ${nodes.length === 1 ? 'node' : 'nodes'} ${firstFew(nodes)}`;
  return `; a host policy selecting ${where} must allow what it requires: ${firstFew(required)}`;
}

/**
 * What a host-network workload requires, in words: its observed edges of a status `--include` keeps
 * (in mode documented, documented ones only; never traffic with its own node, which stays in the
 * host namespace), and the flows its documented must rules require that nothing observed shows.
 */
export function requiredTraffic(comparison: WorkloadComparison, must: readonly DocumentedFlow[], opts: Pick<RecommendOptions, 'include' | 'mode'>): string[] {
  const include = new Set<string>(opts.include);
  const out = new Set<string>();
  for (const side of [comparison.ingress, comparison.egress]) {
    side.edges.forEach((edge, i) => {
      const status = side.status[i]!;
      if (!include.has(status) || (opts.mode === 'documented' && status === 'undocumented')) return;
      const far = farEnd(edge, side.direction);
      if (far.kind !== 'kubelet') out.add(trafficWords(side.direction, edge, farEndWords(edge, side.direction)));
    });
  }
  for (const f of must) {
    const far = f.stands !== undefined ? f.stands.slice(f.direction.length + 1) : farEndWords(f.edge, f.direction);
    out.add(trafficWords(f.direction, f.edge, far));
  }
  return [...out].sort();
}

const trafficWords = (direction: Direction, edge: EdgeTraffic, far: string): string => `${direction} ${edge.port}/${edge.protocol} ${far}`;
