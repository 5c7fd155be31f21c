/**
 * The extra (peer, port) pairs a workload side is probed with to measure how tight its policies
 * are, beside the observed pairs: one peer of each class a looser policy would open up — a pod of
 * the subject's namespace that was not observed, a pod of another namespace, the apiserver, a
 * node and an address outside the cluster — on every port of the side (the observed ports, and
 * for ingress the ports the subject declares). Besides those, the peers the manifests name
 * beyond what was observed, each on every port of the side:
 * - every other workload whose pods the selector of a pod peer's workload selects (a rule naming
 *   web admits the pods of web-canary, which carry every label web's selector names: Kubernetes
 *   "Network Policies", a podSelector selects pods by their labels, whoever owns them);
 * - the pairs of the policies of other workloads whose selector selects the subject's pods
 *   (policies are additive: what web's policy allows, the canary's pods may send);
 * - the pairs the side's documented must flows name, observed or not.
 * A side where nothing was observed is probed on every class and on `ANY_PORT_PROBE` too.
 * Bounded per side by (5 + the peers named) × ports, never by flows or by the size of the
 * cluster: which workloads a selector selects is looked up in an index of the workloads' label
 * sets made once per verification (`SelectorOverlap`).
 */
import type { Direction } from '../policy/ir.ts';
import { isSimProtocol, type ClusterModel } from '../simulate/cluster.ts';
import type { SimEndpoint, SimPod, SimProtocol } from '../simulate/types.ts';
import { ipFamily } from '../../domain/ip.ts';
import type { LabelSelector, Labels } from '../../domain/inventory.ts';
import { NamespaceLabels } from '../synthesize/namespace-labels.ts';

export interface Probe {
  peer: SimEndpoint;
  port: number;
  protocol: SimProtocol;
  /** Why the figure counts this probe when allowed, where a selector overlap brought it in (the figure's note). */
  why?: string;
}

/**
 * A port no service listens on (tcpmux, RFC 1078), probed at a side where nothing was observed:
 * a rule naming ports never opens it, a rule open on every port (or a range from 1) does.
 */
export const ANY_PORT_PROBE = { port: 1, protocol: 'TCP' } as const satisfies { port: number; protocol: SimProtocol };

/** A workload's stand-in pod as the index holds it. */
interface StandIn {
  namespace: string;
  labels: Labels;
  selector: LabelSelector;
  pod: SimPod;
  key: string;
}

/**
 * Which other workloads' pods a workload's selector selects, and which workloads' selectors select
 * its pods (namespace-labels.ts), over the cluster's workload stand-ins (one pod each: cluster.ts);
 * the index is made on first use, each answer once per workload.
 */
export class SelectorOverlap {
  private index: NamespaceLabels<StandIn> | undefined;
  /** By workload key: a pod placed at a node or an address (cluster.ts) keeps its workload's. */
  private readonly standIns = new Map<string, StandIn>();
  private readonly selectedCache = new Map<string, readonly StandIn[]>();
  private readonly selectingCache = new Map<string, readonly StandIn[]>();

  constructor(private readonly model: ClusterModel) {}

  /** The stand-ins of the other workloads whose pods `pod`'s workload's selector selects. */
  selectedBy(pod: SimPod): readonly StandIn[] {
    return this.answer(pod, this.selectedCache, (index, w) => index.selected(w));
  }

  /** The stand-ins of the other workloads whose selector selects the pods of `pod`'s workload. */
  selecting(pod: SimPod): readonly StandIn[] {
    return this.answer(pod, this.selectingCache, (index, w) => index.selecting(w));
  }

  private answer(pod: SimPod, cache: Map<string, readonly StandIn[]>, ask: (index: NamespaceLabels<StandIn>, w: StandIn) => StandIn[]): readonly StandIn[] {
    const key = pod.workload?.key;
    if (key === undefined) return [];
    let out = cache.get(key);
    if (out === undefined) {
      const index = (this.index ??= this.made());
      const w = this.standIns.get(key);
      cache.set(key, (out = w === undefined ? [] : ask(index, w)));
    }
    return out;
  }

  private made(): NamespaceLabels<StandIn> {
    for (const pod of this.model.cluster.pods) {
      // No pod selector selects a host-network pod (kubernetes.io "Network Policies").
      if (pod.workload === undefined || pod.hostNetwork) continue;
      this.standIns.set(pod.workload.key, { namespace: pod.namespace, labels: pod.labels, selector: pod.workload.selector, pod, key: pod.workload.key });
    }
    return new NamespaceLabels(this.standIns.values());
  }
}

/** An address of TEST-NET-2 (RFC 5737): outside any cluster, standing for "the world". */
export const WORLD_PROBE = '198.51.100.1';
/** The same for a subject that can only use IPv6 (an IPv6-only cluster): the documentation prefix (RFC 3849). */
export const WORLD_PROBE_V6 = '2001:db8::1';

function declaredPorts(pod: SimPod): { port: number; protocol: SimProtocol }[] {
  return pod.ports.filter((p): p is typeof p & { protocol: SimProtocol } => isSimProtocol(p.protocol));
}

/** One peer per class, none of them among `observed` (pods compared by object). */
function peerClasses(model: ClusterModel, subject: SimEndpoint, observed: ReadonlySet<SimPod>): SimEndpoint[] {
  const { cluster } = model;
  const namespace = subject.kind === 'pod' ? subject.pod.namespace : undefined;
  const self = subject.kind === 'pod' ? subject.pod : undefined;
  const unobserved = (p: SimPod): boolean => p !== self && !observed.has(p) && !p.hostNetwork;
  const peers: SimEndpoint[] = [];
  const sameNamespace = cluster.pods.find((p) => p.namespace === namespace && unobserved(p));
  if (sameNamespace) peers.push({ kind: 'pod', pod: sameNamespace });
  const otherNamespace = cluster.pods.find((p) => p.namespace !== namespace && unobserved(p));
  if (otherNamespace) peers.push({ kind: 'pod', pod: otherNamespace });
  const api = cluster.apiserver[0];
  if (api) peers.push({ kind: 'apiserver', ip: api.ip });
  // A subject that can use one family only is reached in it: a dual-stack node at its address of that family.
  // One address per peer (a plain end, never ClusterModel.nodeEnd's, so never judged at each address):
  // a probe measures how wide the rules are, and the edges themselves are judged at every address.
  const family = model.families(subject);
  const node = cluster.nodes.find((n) => n.ips.length > 0);
  if (node) peers.push({ kind: 'node', node, ip: node.ips.find((ip) => ipFamily(ip) === family) ?? node.ips[0]! });
  peers.push({ kind: 'external', ip: worldProbe(model, subject) });
  return peers;
}

/** The world address a subject is probed at: of the family it can use (IPv6 only: the IPv6 one). */
export function worldProbe(model: ClusterModel, subject: SimEndpoint): string {
  return model.families(subject) === 6 ? WORLD_PROBE_V6 : WORLD_PROBE;
}

/** Who an endpoint is, for telling probes apart: a pod by its object, the others by address. */
export function endpointKey(e: SimEndpoint): string {
  switch (e.kind) {
    case 'pod':
      return `pod:${e.pod.namespace}/${e.pod.name ?? ''}/${e.pod.ips.join(',')}`;
    case 'node':
      return `node:${e.node.name}`;
    case 'apiserver':
    case 'external':
      return `${e.kind}:${e.ip}`;
    case 'cilium-ingress':
      return e.kind;
  }
}

export const probeKey = (p: Probe): string => `${endpointKey(p.peer)}|${p.port}/${p.protocol}`;

/** What a side is probed with beyond its observed pairs and the peer classes. */
export interface MoreProbes {
  /** Pairs the side's policies are known to name (its documented must flows', other workloads' whose policies select the subject): each peer probed on every port of the side. */
  pairs?: readonly Probe[];
  /** The selector overlap of the cluster's workloads: a pod peer's alike workloads are probed too. */
  overlap?: SelectorOverlap;
  /** Nothing was observed at the side: the peers are probed on ANY_PORT_PROBE too. */
  anyPort?: boolean;
}

/** The probes of one side beyond its observed pairs. */
export function extraProbes(model: ClusterModel, subject: SimEndpoint, direction: Direction, observed: readonly Probe[], more: MoreProbes = {}): Probe[] {
  const pairs = more.pairs ?? [];
  const ports = new Map<string, { port: number; protocol: SimProtocol }>();
  // The port and protocol only: an observed probe also carries its peer, which a probe must not.
  const addPort = (p: { port: number; protocol: SimProtocol }): void => void ports.set(`${p.port}/${p.protocol}`, { port: p.port, protocol: p.protocol });
  for (const p of observed) addPort(p);
  for (const p of pairs) addPort(p);
  if (direction === 'ingress' && subject.kind === 'pod') for (const p of declaredPorts(subject.pod)) addPort(p);
  if (more.anyPort === true) addPort(ANY_PORT_PROBE);
  const observedPods = new Set(observed.flatMap((p) => (p.peer.kind === 'pod' ? [p.peer.pod] : [])));
  // A workload's pod placed at a node or an address is another object than its stand-in: told by the workload's key.
  const observedWorkloads = new Set([...observedPods].flatMap((p) => (p.workload !== undefined ? [p.workload.key] : [])));
  const self = subject.kind === 'pod' ? subject.pod : undefined;
  const isSelfOrObserved = (pod: SimPod): boolean =>
    pod === self || observedPods.has(pod) || (pod.workload !== undefined && (pod.workload.key === self?.workload?.key || observedWorkloads.has(pod.workload.key)));
  // Observed pods are never probe peers; the other observed peers (apiserver, node, world) may be.
  const seen = new Set(observed.filter((p) => p.peer.kind !== 'pod').map(probeKey));
  const out: Probe[] = [];
  const probeOnEveryPort = (peer: SimEndpoint, why: string | undefined): void => {
    if (peer.kind === 'pod' && isSelfOrObserved(peer.pod)) return;
    for (const port of ports.values()) {
      const probe: Probe = { peer, ...port, ...(why !== undefined ? { why } : {}) };
      const k = probeKey(probe);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(probe);
    }
  };
  // The peers that bring a note first: a class probe that is the same peer adds nothing.
  for (const p of pairs) probeOnEveryPort(p.peer, p.why);
  if (more.overlap !== undefined) {
    for (const p of [...observed, ...pairs]) {
      if (p.peer.kind !== 'pod' || p.peer.pod.workload === undefined) continue;
      const named = p.peer.pod.workload.key;
      for (const o of more.overlap.selectedBy(p.peer.pod)) probeOnEveryPort({ kind: 'pod', pod: o.pod }, `counts ${o.key}: ${named}'s selector selects its pods too (see ${named}'s warning)`);
    }
  }
  for (const peer of peerClasses(model, subject, observedPods)) probeOnEveryPort(peer, undefined);
  return out;
}
