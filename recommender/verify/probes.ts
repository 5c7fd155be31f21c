/**
 * The (peer, port) pairs a workload side is probed with to measure how tight its policies are:
 * the observed pairs, plus the peers a looser policy would most likely open up — every workload
 * of the subject's namespace, one workload of each other namespace, the apiserver, a node and an
 * address outside the cluster — on the ports that matter for the side (the subject's declared
 * ports for ingress; the peer's declared ports for egress; the observed ports for both).
 * Bounded per side by (namespace size + namespaces + observed peers) × ports, never by flows.
 */
import type { Direction } from '../policy/ir.ts';
import type { ClusterModel } from '../simulate/cluster.ts';
import type { SimEndpoint, SimPod, SimProtocol } from '../simulate/types.ts';

export interface Probe {
  peer: SimEndpoint;
  port: number;
  protocol: SimProtocol;
}

/** An address of TEST-NET-2 (RFC 5737): outside any cluster, standing for "the world". */
export const WORLD_PROBE = '198.51.100.1';

function endpointId(e: SimEndpoint): string {
  switch (e.kind) {
    case 'pod':
      return `pod:${e.pod.namespace}/${e.pod.name ?? e.pod.ips.join(',')}`;
    case 'node':
      return `node:${e.node.name}`;
    case 'apiserver':
    case 'external':
      return `${e.kind}:${e.ip}`;
  }
}

function declaredPorts(pod: SimPod): { port: number; protocol: SimProtocol }[] {
  return pod.ports.filter((p): p is typeof p & { protocol: SimProtocol } => p.protocol === 'TCP' || p.protocol === 'UDP' || p.protocol === 'SCTP');
}

function candidatePeers(model: ClusterModel, subject: SimEndpoint): SimEndpoint[] {
  const { cluster } = model;
  const namespace = subject.kind === 'pod' ? subject.pod.namespace : undefined;
  const peers: SimEndpoint[] = [];
  const otherNamespaces = new Set<string>();
  for (const pod of cluster.pods) {
    if (pod.namespace === namespace) peers.push({ kind: 'pod', pod });
    else if (!otherNamespaces.has(pod.namespace)) {
      otherNamespaces.add(pod.namespace);
      peers.push({ kind: 'pod', pod });
    }
  }
  const api = cluster.apiserver[0];
  if (api) peers.push({ kind: 'apiserver', ip: api.ip });
  const node = cluster.nodes.find((n) => n.ips.length > 0);
  if (node) peers.push({ kind: 'node', node, ip: node.ips[0]! });
  peers.push({ kind: 'external', ip: WORLD_PROBE });
  return peers;
}

/** The probes of one side and how many distinct observed pairs they include. */
export function probePairs(model: ClusterModel, subject: SimEndpoint, direction: Direction, observed: readonly Probe[]): { observed: number; probes: Probe[] } {
  const seen = new Set<string>();
  const probes: Probe[] = [];
  const add = (p: Probe): void => {
    const k = `${endpointId(p.peer)}|${p.port}|${p.protocol}`;
    if (seen.has(k)) return;
    seen.add(k);
    probes.push(p);
  };
  for (const p of observed) add(p);
  const observedCount = probes.length;
  const observedPorts = observed.map((p) => ({ port: p.port, protocol: p.protocol }));
  const subjectPorts = direction === 'ingress' && subject.kind === 'pod' ? declaredPorts(subject.pod) : [];
  for (const peer of candidatePeers(model, subject)) {
    const peerPorts = direction === 'egress' && peer.kind === 'pod' ? declaredPorts(peer.pod) : [];
    for (const port of [...observedPorts, ...subjectPorts, ...peerPorts]) add({ peer, ...port });
  }
  return { observed: observedCount, probes };
}
