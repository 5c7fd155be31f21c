/**
 * What a NetworkPolicy leaves to the network plugin, said for the plugin the inventory shows.
 * The API leaves three things the recommendations use to the plugin (Kubernetes "Network
 * Policies"): an ipBlock is meant for cluster-external addresses (whether it matches node and
 * apiserver addresses is the plugin's), `endPort` ("If your network plugin does not support the
 * endPort field ... the policy will be applied only for the single port field") and SCTP ("You
 * must be using a CNI plugin that supports SCTP protocol NetworkPolicies").
 * - Calico implements all three: felix matches `nets` against the packet's addresses, and
 *   libcalico-go's conversion (k8sPortToCalico) renders `port`–`endPort` as a range and passes
 *   the protocol, SCTP among them, through. No warning.
 * - Cilium matches node addresses only with `policy-cidr-match-mode: nodes` and lists "SCTP" and
 *   "Port ranges (endPort)" among the known missing features for Kubernetes NetworkPolicy (Cilium
 *   docs, "Network Policy"): a warning per manifest, pointing to the cilium engine and saying what
 *   the inventory's cilium-config shows. The verification judges those manifests as Cilium does
 *   (simulate/decide.ts verifyingEngine): the ipBlock warning says what it then finds, and is not
 *   given where the cilium-config sets `policy-cidr-match-mode: nodes`.
 * - A plugin the inventory does not show: one warning per concern, naming the manifests.
 * The cilium engine's SCTP ports are enforced only with `sctp.enabled=true` (beta), and its port
 * ranges (toPorts `endPort`) from Cilium 1.16 on: a warning per manifest, whatever the inventory
 * shows, but the SCTP one where the cilium-config shows SCTP enabled.
 * Per-manifest warnings come as each emit (each chunk of one) is added; the summaries once all
 * are (`summaries`), so a run in chunks says the same as one whole emit.
 */
import { cidrMatchesNodes, type AppliedPolicy } from '../../domain/inventory.ts';
import { ADDRESS_BITS, cidrContains, hostCidr, parseCidr, type Cidr } from '../../domain/ip.ts';
import { parseLegacyCidr } from '../../domain/legacy-cidr.ts';
import { isPlainObject, itemsOf } from '../../domain/plain-object.ts';
import type { EmitResult, EngineName, Manifest } from '../engines/types.ts';
import { compareStrings } from '../policy/order.ts';
import type { ClusterModel } from '../simulate/cluster.ts';
import { manifestId } from './index.ts';
import { networkPlugin, PLUGIN_SIGNS, type NetworkPlugin } from '../simulate/network-plugin.ts';
import { cidrMatchModeShown, enableSctpShown } from '../simulate/cilium/config-shown.ts';
import type { SimCluster } from '../simulate/types.ts';

const SHOWN_NAMES = 5;

/** Names sorted, the first few shown and the rest counted. */
export function shownNames(names: readonly string[]): string {
  const sorted = [...names].sort(compareStrings);
  return sorted.length > SHOWN_NAMES ? `${sorted.slice(0, SHOWN_NAMES).join(', ')}, … ${sorted.length - SHOWN_NAMES} more` : sorted.join(', ');
}

interface ClusterAddress {
  ip: string;
  cidr: Cidr;
  kind: 'node' | 'apiserver';
}

/** Node and apiserver addresses, by host block: most ipBlocks are one address (a /32 or /128 of an external peer), looked up, not scanned. */
class ClusterAddresses {
  private readonly byHost = new Map<string, ClusterAddress[]>();

  constructor(readonly all: readonly ClusterAddress[]) {
    for (const a of all) {
      const k = hostKey(a.cidr);
      this.byHost.set(k, [...(this.byHost.get(k) ?? []), a]);
    }
  }

  within(block: Cidr): readonly ClusterAddress[] {
    if (block.prefix === ADDRESS_BITS[block.family]) return this.byHost.get(hostKey(block)) ?? [];
    return this.all.filter((a) => cidrContains(block, a.cidr));
  }
}

const hostKey = (c: Cidr): string => `${c.family}:${c.base}`;

/** The node and apiserver addresses an ipBlock of the manifest covers. */
function clusterAddressHits(m: Manifest, addresses: ClusterAddresses): ClusterAddress[] {
  if (addresses.all.length === 0) return [];
  const hits = new Map<string, ClusterAddress>();
  for (const dir of ['ingress', 'egress'] as const) {
    for (const rule of itemsOf(m.spec[dir])) {
      for (const peer of itemsOf(isPlainObject(rule) ? rule[dir === 'ingress' ? 'from' : 'to'] : undefined)) {
        const ipBlock = isPlainObject(peer) && isPlainObject(peer.ipBlock) ? peer.ipBlock : undefined;
        // The block as the API server reads and stores it (leading zeros decimal, host bits cleared).
        const block = ipBlock ? parseLegacyCidr(String(ipBlock.cidr)) : undefined;
        if (!block) continue;
        // An address the ipBlock's `except` holds out is not allowed by it (a folded block's nodes).
        const holes = itemsOf(ipBlock!.except).flatMap((e) => parseLegacyCidr(String(e)) ?? []);
        for (const a of addresses.within(block)) if (!holes.some((h) => cidrContains(h, a.cidr))) hits.set(`${a.kind} ${a.ip}`, a);
      }
    }
  }
  return [...hits.values()];
}

const RULE_LISTS = ['ingress', 'egress', 'ingressDeny', 'egressDeny'] as const;

/**
 * Every port entry of the manifest's rules: a NetworkPolicy rule's `ports`, a Cilium rule's
 * `toPorts[].ports`, in `spec` and in a Cilium policy's `specs`. Read by their places, not by a
 * walk of the whole manifest: it runs on every manifest of every recommendation.
 */
function portEntries(m: Manifest): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const add = (ports: unknown): void => {
    for (const p of itemsOf(ports)) if (isPlainObject(p)) out.push(p);
  };
  const specs = [(m as { spec?: unknown }).spec, ...itemsOf((m as { specs?: unknown }).specs)];
  for (const spec of specs) {
    if (!isPlainObject(spec)) continue;
    for (const list of RULE_LISTS) {
      for (const rule of itemsOf(spec[list])) {
        if (!isPlainObject(rule)) continue;
        add(rule.ports);
        for (const to of itemsOf(rule.toPorts)) if (isPlainObject(to)) add(to.ports);
      }
    }
  }
  return out;
}

/** The `toFQDNs` patterns of a manifest that begin with `**.` (one or more labels). */
function multiLabelPatterns(m: Manifest): string[] {
  const out: string[] = [];
  const specs = [(m as { spec?: unknown }).spec, ...itemsOf((m as { specs?: unknown }).specs)];
  for (const spec of specs) {
    if (!isPlainObject(spec)) continue;
    for (const rule of itemsOf(spec.egress)) {
      if (!isPlainObject(rule)) continue;
      for (const f of itemsOf(rule.toFQDNs)) if (isPlainObject(f) && typeof f.matchPattern === 'string' && f.matchPattern.startsWith('**.')) out.push(f.matchPattern);
    }
  }
  return sortedUnique(out);
}

/** `TCP 8080`, `TCP 30000-32767`, `SCTP (every port)`: no port, or Cilium's "0", is every port of the protocol. */
function portText(p: Record<string, unknown>): string {
  const protocol = typeof p.protocol === 'string' ? p.protocol : 'TCP';
  if (p.port === undefined || p.port === '0') return `${protocol} (every port)`;
  return `${protocol} ${String(p.port)}${typeof p.endPort === 'number' ? `-${p.endPort}` : ''}`;
}

const sortedUnique = (xs: string[]): string[] => [...new Set(xs)].sort(compareStrings);

/** The port ranges (`endPort`) and SCTP ports of a manifest, as `TCP 30000-32767`, `SCTP 3868`. */
function portFeatures(m: Manifest): { ranges: string[]; sctp: string[] } {
  const entries = portEntries(m);
  return {
    ranges: sortedUnique(entries.filter((p) => typeof p.endPort === 'number').map(portText)),
    sctp: sortedUnique(entries.filter((p) => p.protocol === 'SCTP').map(portText)),
  };
}

const UNKNOWN_PLUGIN = `the inventory does not show the network plugin (${PLUGIN_SIGNS})`;

export class PluginWarnings {
  readonly plugin: NetworkPlugin;
  private readonly addresses: ClusterAddresses;
  /** Manifest ids by concern, for the summaries of a plugin not shown. */
  private readonly byIpBlock = new Set<string>();
  private apiserverOnNodes = false;
  private readonly byRange = new Set<string>();
  private readonly bySctp = new Set<string>();

  private readonly cluster: SimCluster;

  constructor(
    readonly engine: EngineName,
    model: ClusterModel,
    applied: readonly AppliedPolicy[],
  ) {
    this.plugin = networkPlugin(model, applied);
    this.cluster = model.cluster;
    const address = (ip: string, kind: ClusterAddress['kind']): ClusterAddress[] => {
      const cidr = parseCidr(hostCidr(ip));
      return cidr ? [{ ip, cidr, kind }] : [];
    };
    this.addresses = new ClusterAddresses([...model.cluster.apiserver.flatMap((a) => address(a.ip, 'apiserver')), ...model.cluster.nodes.flatMap((n) => n.ips.flatMap((ip) => address(ip, 'node')))]);
  }

  /** The warnings of each manifest of the emit; what the summaries will say is kept. */
  add(emitted: EmitResult): string[] {
    if (emitted.engine === 'cilium') return emitted.manifests.flatMap((m) => this.ciliumManifest(m));
    if (emitted.engine !== 'kubernetes' || this.plugin === 'calico') return [];
    const out: string[] = [];
    for (const m of emitted.manifests) {
      const id = manifestId(m);
      const hits = clusterAddressHits(m, this.addresses);
      const { ranges, sctp } = portFeatures(m);
      if (this.plugin === 'cilium') {
        // An apiserver off the nodes gets CIDR labels: Cilium matches an ipBlock on it (simulate/index.ts ciliumIpBlockReading).
        const onNodes = hits.filter((h) => h.kind === 'node');
        if (onNodes.length > 0 && !cidrMatchesNodes(this.cluster.ciliumPolicy)) out.push(kubernetesIpBlockOnCilium(id, onNodes, apiserverOn(onNodes, hits), cidrMatchModeShown(this.cluster)));
        if (ranges.length > 0) out.push(kubernetesEndPortOnCilium(id, ranges));
        if (sctp.length > 0) out.push(kubernetesSctpOnCilium(id, sctp, enableSctpShown(this.cluster)));
        continue;
      }
      // An apiserver off the nodes (a managed control plane) is cluster-external: any plugin matches it.
      const onNodes = hits.filter((h) => h.kind === 'node');
      if (onNodes.length > 0) this.byIpBlock.add(id);
      if (apiserverOn(onNodes, hits).length > 0) this.apiserverOnNodes = true;
      if (ranges.length > 0) this.byRange.add(id);
      if (sctp.length > 0) this.bySctp.add(id);
    }
    return out;
  }

  /**
   * A Cilium manifest's port ranges (toPorts `endPort`: cilium/cilium#32807, "policy: Add Port
   * Range Support for Policies 3/3", in 1.16), its `**.` name patterns (cilium/cilium#43420, in
   * 1.19; before, `**` is `*`), and its SCTP ports (Cilium docs, "SCTP support
   * (beta)": enabled with `--set sctp.enabled=true`, policies on SCTP traffic among what it
   * supports) unless the cilium-config shows SCTP enabled.
   */
  private ciliumManifest(m: Manifest): string[] {
    const { ranges, sctp } = portFeatures(m);
    const out: string[] = [];
    const id = manifestId(m);
    if (ranges.length > 0) {
      out.push(`${id}: port ranges (endPort: ${ranges.join(', ')}) are enforced only from Cilium 1.16 on (cilium/cilium#32807): on an older Cilium they are not enforced as written and required traffic to their other ports may be cut`);
    }
    const deep = multiLabelPatterns(m);
    if (deep.length > 0) {
      out.push(`${id}: the toFQDNs patterns ${deep.join(', ')} match names at any depth under their domain only from Cilium 1.19 on (cilium/cilium#43420): an older Cilium reads a leading "**." as "*.", one label, and cuts the names deeper down`);
    }
    if (sctp.length > 0 && this.cluster.ciliumPolicy?.enableSctp !== true) {
      out.push(`${id}: Cilium enforces rules on SCTP ports (${sctp.join(', ')}) only with sctp.enabled=true (beta), and ${enableSctpShown(this.cluster)}`);
    }
    return out;
  }

  /** One warning per concern over every manifest added, where the inventory does not show the plugin. */
  summaries(): string[] {
    const out: string[] = [];
    const allow = (ids: Set<string>) => `${ids.size} NetworkPolic${ids.size === 1 ? 'y' : 'ies'} (${shownNames([...ids])}) allow${ids.size === 1 ? 's' : ''}`;
    if (this.byIpBlock.size > 0) {
      const apiserver = this.apiserverOnNodes ? " (the apiserver's among them)" : '';
      out.push(
        `${UNKNOWN_PLUGIN}: ${allow(this.byIpBlock)} node addresses${apiserver} by ipBlock, which holds only where the plugin matches ipBlocks against node addresses (Calico does; Cilium only with policy-cidr-match-mode: nodes, or use the cilium engine); the NetworkPolicy API leaves it to the plugin (ipBlocks are meant for cluster-external addresses), and elsewhere that traffic is cut`,
      );
    }
    if (this.byRange.size > 0) {
      out.push(
        `${UNKNOWN_PLUGIN}: ${allow(this.byRange)} port ranges (endPort), which a plugin that does not implement endPort applies to their first port only, cutting required traffic to the others (Calico implements it; Cilium does not: use the cilium engine)`,
      );
    }
    if (this.bySctp.size > 0) {
      out.push(
        `${UNKNOWN_PLUGIN}: ${allow(this.bySctp)} SCTP ports, which only a plugin that supports SCTP NetworkPolicies enforces as written (Calico does; Cilium lists SCTP among the NetworkPolicy features it lacks: use the cilium engine, with sctp.enabled=true)`,
      );
    }
    return out;
  }
}

/** The node addresses among `onNodes` that are the apiserver's too (an apiserver on a node). */
function apiserverOn(onNodes: readonly ClusterAddress[], hits: readonly ClusterAddress[]): string[] {
  return sortedUnique(onNodes.filter((n) => hits.some((h) => h.kind === 'apiserver' && h.ip === n.ip)).map((n) => n.ip));
}

/**
 * By default Cilium gives node addresses, and an apiserver on a node, the host/remote-node/
 * kube-apiserver identities, which no CIDR selects (Cilium docs, "Selecting nodes with CIDR /
 * ipBlock"). The addresses are named as node addresses, the apiserver's among them only where it
 * is on one (host-network agents on the workers are not the apiserver). `shown`: what the
 * cilium-config shows of the mode.
 */
function kubernetesIpBlockOnCilium(id: string, onNodes: readonly ClusterAddress[], apiserver: readonly string[], shown: string): string {
  const ips = sortedUnique(onNodes.map((h) => h.ip));
  const nodes = ips.length === 1 ? `the node address ${ips[0]}` : `the node addresses ${ips.join(', ')}`;
  const apiservers = apiserver.length === 0 ? '' : ips.length === 1 ? ", the apiserver's" : `, the apiserver's among them: ${apiserver.join(', ')}`;
  return `${id}: this cluster runs Cilium, which matches an ipBlock against node addresses (here: ${nodes}${apiservers}) only with policy-cidr-match-mode: nodes, and ${shown}: the verification judges the traffic the ipBlock allows there as cut; set policy-cidr-match-mode: nodes, or use the cilium engine (entities host, remote-node, kube-apiserver)`;
}

/**
 * Agents that ignore endPort enforce the rule on its `port` alone (cilium/cilium#28684); those
 * of cilium/cilium#28704 refuse such a policy. CiliumNetworkPolicy `toPorts` takes `endPort`
 * since 1.16 (cilium/cilium#32807).
 */
function kubernetesEndPortOnCilium(id: string, ranges: readonly string[]): string {
  return `${id}: this cluster runs Cilium, which does not implement endPort in a NetworkPolicy: the port ranges ${ranges.join(', ')} are applied to their first port only and required traffic to their other ports is cut (some versions do not enforce the policy at all); use the cilium engine (toPorts endPort, Cilium 1.16 and later)`;
}

/** Cilium's docs list SCTP as missing for NetworkPolicy whatever `enable-sctp` says: said with what the cilium-config shows (`shown`). */
function kubernetesSctpOnCilium(id: string, ports: readonly string[], shown: string): string {
  return `${id}: this cluster runs Cilium, which lists SCTP among the NetworkPolicy features it lacks: the rules on ${ports.join(', ')} may not be enforced as written and required SCTP traffic may be cut; use the cilium engine (SCTP with sctp.enabled=true, beta; ${shown})`;
}
