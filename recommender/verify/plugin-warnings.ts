/**
 * What a NetworkPolicy leaves to the network plugin, said for the plugin the inventory shows.
 * The API leaves to the plugin whether an ipBlock matches node and apiserver addresses
 * (Kubernetes "Network Policies": an ipBlock is meant for cluster-external addresses).
 * - Calico matches them: felix matches `nets` against the packet's addresses. No warning.
 * - Cilium matches them only with `policy-cidr-match-mode: nodes`: a warning per manifest,
 *   pointing to the cilium engine.
 * - A plugin the inventory does not show: one warning, naming the manifests.
 * Per-manifest warnings come as each emit (each chunk of one) is added; the summaries once all
 * are (`summaries`), so a run in chunks says the same as one whole emit.
 */
import type { AppliedPolicy } from '../../domain/inventory.ts';
import { cidrContains, hostCidr, parseCidr, type Cidr } from '../../domain/ip.ts';
import { isPlainObject } from '../../domain/plain-object.ts';
import type { EmitResult, EngineName, Manifest } from '../engines/types.ts';
import { compareStrings } from '../policy/order.ts';
import type { ClusterModel } from '../simulate/cluster.ts';
import { manifestId } from './index.ts';

export type NetworkPlugin = 'cilium' | 'calico' | 'unknown';

const SHOWN_NAMES = 5;

/** Names sorted, the first few shown and the rest counted. */
export function shownNames(names: readonly string[]): string {
  const sorted = [...names].sort(compareStrings);
  return sorted.length > SHOWN_NAMES ? `${sorted.slice(0, SHOWN_NAMES).join(', ')}, … ${sorted.length - SHOWN_NAMES} more` : sorted.join(', ');
}

/** Cilium runs in the cluster: its agent DaemonSet is in the inventory, or Cilium policies are applied. */
export function runsCilium(model: ClusterModel, applied: readonly AppliedPolicy[]): boolean {
  return model.cluster.pods.some((p) => p.labels['k8s-app'] === 'cilium') || applied.some((p) => p.apiVersion.startsWith('cilium.io/'));
}

/**
 * Calico runs in the cluster: its calico-node DaemonSet is in the inventory (labelled
 * `k8s-app: calico-node` by the manifests, charts/calico/templates/calico-node.yaml, and by the
 * operator, tigera/operator pkg/render/node.go), or Calico policies are applied.
 */
export function runsCalico(model: ClusterModel, applied: readonly AppliedPolicy[]): boolean {
  return model.cluster.pods.some((p) => p.labels['k8s-app'] === 'calico-node') || applied.some((p) => /^(crd\.)?projectcalico\.org\//.test(p.apiVersion));
}

/** Cilium first: its warnings were said whenever it shows, whatever else does. */
export function networkPlugin(model: ClusterModel, applied: readonly AppliedPolicy[]): NetworkPlugin {
  return runsCilium(model, applied) ? 'cilium' : runsCalico(model, applied) ? 'calico' : 'unknown';
}

const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

interface ClusterAddress {
  ip: string;
  cidr: Cidr;
  kind: 'node' | 'apiserver';
}

/** The node and apiserver addresses an ipBlock of the manifest covers. */
function clusterAddressHits(m: Manifest, addresses: readonly ClusterAddress[]): ClusterAddress[] {
  const hits = new Map<string, ClusterAddress>();
  for (const dir of ['ingress', 'egress'] as const) {
    for (const rule of arr(m.spec[dir])) {
      for (const peer of arr(isPlainObject(rule) ? rule[dir === 'ingress' ? 'from' : 'to'] : undefined)) {
        const block = isPlainObject(peer) && isPlainObject(peer.ipBlock) ? parseCidr(String(peer.ipBlock.cidr)) : undefined;
        if (!block) continue;
        for (const a of addresses) if (cidrContains(block, a.cidr)) hits.set(`${a.kind} ${a.ip}`, a);
      }
    }
  }
  return [...hits.values()];
}

const sortedUnique = (xs: string[]): string[] => [...new Set(xs)].sort(compareStrings);

const UNKNOWN_PLUGIN = 'the inventory does not show the network plugin (no Cilium or Calico agent, none of their policies applied)';

export class PluginWarnings {
  readonly plugin: NetworkPlugin;
  private readonly addresses: ClusterAddress[];
  /** Manifest ids, for the summary of a plugin not shown. */
  private readonly byIpBlock = new Set<string>();
  private readonly addressKinds = new Set<ClusterAddress['kind']>();

  constructor(
    readonly engine: EngineName,
    model: ClusterModel,
    applied: readonly AppliedPolicy[],
  ) {
    this.plugin = networkPlugin(model, applied);
    const address = (ip: string, kind: ClusterAddress['kind']): ClusterAddress[] => {
      const cidr = parseCidr(hostCidr(ip));
      return cidr ? [{ ip, cidr, kind }] : [];
    };
    this.addresses = [...model.cluster.apiserver.flatMap((a) => address(a.ip, 'apiserver')), ...model.cluster.nodes.flatMap((n) => n.ips.flatMap((ip) => address(ip, 'node')))];
  }

  /** The warnings of each manifest of the emit; what the summaries will say is kept. */
  add(emitted: EmitResult): string[] {
    if (emitted.engine !== 'kubernetes' || this.plugin === 'calico') return [];
    const out: string[] = [];
    for (const m of emitted.manifests) {
      const id = manifestId(m);
      const hits = clusterAddressHits(m, this.addresses);
      if (this.plugin === 'cilium') {
        if (hits.length > 0) out.push(kubernetesIpBlockOnCilium(id, hits));
        continue;
      }
      if (hits.length > 0) this.byIpBlock.add(id);
      for (const h of hits) this.addressKinds.add(h.kind);
    }
    return out;
  }

  /** One warning over every manifest added, where the inventory does not show the plugin. */
  summaries(): string[] {
    const out: string[] = [];
    const allow = (ids: Set<string>) => `${ids.size} NetworkPolic${ids.size === 1 ? 'y' : 'ies'} (${shownNames([...ids])}) allow${ids.size === 1 ? 's' : ''}`;
    if (this.byIpBlock.size > 0) {
      const kinds = (['node', 'apiserver'] as const).filter((k) => this.addressKinds.has(k)).join(' and ');
      out.push(
        `${UNKNOWN_PLUGIN}: ${allow(this.byIpBlock)} ${kinds} addresses by ipBlock, which holds only where the plugin matches ipBlocks against node addresses (Calico does; Cilium only with policy-cidr-match-mode: nodes, or use the cilium engine); the NetworkPolicy API leaves it to the plugin (ipBlocks are meant for cluster-external addresses), and elsewhere that traffic is cut`,
      );
    }
    return out;
  }
}

/**
 * By default Cilium gives node and apiserver addresses the host/remote-node/kube-apiserver
 * identities, which no CIDR selects (Cilium docs, "Selecting nodes with CIDR / ipBlock").
 */
function kubernetesIpBlockOnCilium(id: string, hits: readonly ClusterAddress[]): string {
  const ips = sortedUnique(hits.map((h) => h.ip));
  return `${id}: this cluster runs Cilium, where an ipBlock matches node and apiserver addresses (${ips.join(', ')}) only with policy-cidr-match-mode: nodes; without it, use the cilium engine (entities host, remote-node, kube-apiserver)`;
}

