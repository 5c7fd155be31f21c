/**
 * The extra (peer, port) pairs a workload side is probed with to measure how tight its policies
 * are, beside the observed pairs: one peer of each class a looser policy would open up — a pod of
 * the subject's namespace that was not observed, a pod of another namespace, the apiserver, a
 * node and an address outside the cluster — on every port of the side (the observed ports, and
 * for ingress the ports the subject declares). Bounded per side by 5 × ports, never by flows or
 * by the size of the cluster.
 */
import type { Direction } from '../policy/ir.ts';
import { isSimProtocol, type ClusterModel } from '../simulate/cluster.ts';
import type { SimEndpoint, SimPod, SimProtocol } from '../simulate/types.ts';
import { ipFamily } from '../../domain/ip.ts';

export interface Probe {
  peer: SimEndpoint;
  port: number;
  protocol: SimProtocol;
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

/** The probes of one side beyond its observed pairs. */
export function extraProbes(model: ClusterModel, subject: SimEndpoint, direction: Direction, observed: readonly Probe[]): Probe[] {
  const ports = new Map<string, { port: number; protocol: SimProtocol }>();
  // The port and protocol only: an observed probe also carries its peer, which a probe must not.
  const addPort = (p: { port: number; protocol: SimProtocol }): void => void ports.set(`${p.port}/${p.protocol}`, { port: p.port, protocol: p.protocol });
  for (const p of observed) addPort(p);
  if (direction === 'ingress' && subject.kind === 'pod') for (const p of declaredPorts(subject.pod)) addPort(p);
  const observedPods = new Set(observed.flatMap((p) => (p.peer.kind === 'pod' ? [p.peer.pod] : [])));
  // Observed pods are never probe peers; the other observed peers (apiserver, node, world) may be.
  const seen = new Set(observed.filter((p) => p.peer.kind !== 'pod').map(probeKey));
  const out: Probe[] = [];
  for (const peer of peerClasses(model, subject, observedPods)) {
    for (const port of ports.values()) {
      const probe = { peer, ...port };
      if (!seen.has(probeKey(probe))) out.push(probe);
    }
  }
  return out;
}
