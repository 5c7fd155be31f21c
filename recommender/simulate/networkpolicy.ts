/**
 * A small evaluator of Kubernetes NetworkPolicy (networking.k8s.io/v1) semantics: is a
 * connection (client, server, port, protocol) allowed? A pod is isolated in a direction when a
 * policy of its namespace selects it with that policy type; it may then do only what the union
 * of those policies' rules allows; a connection needs the client's egress and the server's
 * ingress. Non-pod endpoints (nodes, external addresses) are never isolated. ipBlock matches by
 * IP whatever the endpoint (pod IPs included: the spec leaves that to the CNI, and the stricter
 * reading is the safe one for a checker).
 */
import type { ContainerPort, LabelSelector, Labels } from '../../domain/inventory.ts';
import { selectorMatches } from '../matrix/selector.ts';
import { cidrContains, hostCidr, parseCidr } from '../../domain/ip.ts';

export interface SimPod {
  namespace: string;
  labels: Labels;
  ip: string;
  ports?: ContainerPort[];
}

export type SimEndpoint = { kind: 'pod'; pod: SimPod } | { kind: 'ip'; ip: string };

export interface SimConnection {
  client: SimEndpoint;
  server: SimEndpoint;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

interface NpPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface NpPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}
interface NpRule {
  from?: NpPeer[];
  to?: NpPeer[];
  ports?: NpPort[];
}
export interface NetworkPolicyManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: { podSelector: LabelSelector; policyTypes?: string[]; ingress?: NpRule[]; egress?: NpRule[] };
}

export interface SideVerdict {
  isolated: boolean;
  allowed: boolean;
  /** `namespace/name#ingress[i]` of the first rule that allowed it. */
  by?: string;
}

export interface Verdict {
  verdict: 'allow' | 'deny';
  egress: SideVerdict;
  ingress: SideVerdict;
}

function ipOf(e: SimEndpoint): string {
  return e.kind === 'pod' ? e.pod.ip : e.ip;
}

function inBlock(ip: string, block: { cidr: string; except?: string[] }): boolean {
  const host = parseCidr(hostCidr(ip));
  const outer = parseCidr(block.cidr);
  if (!host || !outer || !cidrContains(outer, host)) return false;
  return !(block.except ?? []).some((x) => {
    const c = parseCidr(x);
    return c !== undefined && cidrContains(c, host);
  });
}

function peerMatches(peer: NpPeer, policyNs: string, other: SimEndpoint, nsLabels: (ns: string) => Labels): boolean {
  if (peer.ipBlock) return inBlock(ipOf(other), peer.ipBlock);
  if (other.kind !== 'pod') return false;
  const pod = other.pod;
  if (peer.namespaceSelector) {
    if (!selectorMatches(peer.namespaceSelector, nsLabels(pod.namespace))) return false;
  } else if (pod.namespace !== policyNs) return false;
  return peer.podSelector ? selectorMatches(peer.podSelector, pod.labels) : true;
}

function portMatches(p: NpPort, port: number, protocol: string, server: SimEndpoint): boolean {
  if ((p.protocol ?? 'TCP') !== protocol) return false;
  if (p.port === undefined) return true;
  if (typeof p.port === 'string') {
    if (server.kind !== 'pod') return false;
    return (server.pod.ports ?? []).some((cp) => cp.name === p.port && cp.protocol === protocol && cp.port === port);
  }
  return p.endPort !== undefined ? port >= p.port && port <= p.endPort : port === p.port;
}

function policyTypes(np: NetworkPolicyManifest): string[] {
  if (np.spec.policyTypes) return np.spec.policyTypes;
  return np.spec.egress ? ['Ingress', 'Egress'] : ['Ingress'];
}

function side(policies: readonly NetworkPolicyManifest[], direction: 'ingress' | 'egress', subject: SimEndpoint, other: SimEndpoint, c: SimConnection, nsLabels: (ns: string) => Labels): SideVerdict {
  if (subject.kind !== 'pod') return { isolated: false, allowed: true };
  const type = direction === 'ingress' ? 'Ingress' : 'Egress';
  const selecting = policies.filter((np) => (np.metadata.namespace ?? 'default') === subject.pod.namespace && policyTypes(np).includes(type) && selectorMatches(np.spec.podSelector, subject.pod.labels));
  if (selecting.length === 0) return { isolated: false, allowed: true };
  for (const np of selecting) {
    const rules = np.spec[direction] ?? [];
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      const peers = direction === 'ingress' ? r.from : r.to;
      const peerOk = !peers || peers.length === 0 || peers.some((p) => peerMatches(p, np.metadata.namespace ?? 'default', other, nsLabels));
      const portOk = !r.ports || r.ports.length === 0 || r.ports.some((p) => portMatches(p, c.port, c.protocol, c.server));
      if (peerOk && portOk) return { isolated: true, allowed: true, by: `${np.metadata.namespace ?? 'default'}/${np.metadata.name}#${direction}[${i}]` };
    }
  }
  return { isolated: true, allowed: false };
}

/** Verdict for one connection; `nsLabels` gives a namespace's labels (kubernetes.io/metadata.name is added). */
export function evaluate(policies: readonly NetworkPolicyManifest[], c: SimConnection, nsLabels: (ns: string) => Labels = () => ({})): Verdict {
  const labels = (ns: string): Labels => ({ ...nsLabels(ns), 'kubernetes.io/metadata.name': ns });
  const nps = policies.filter((p) => p.apiVersion === 'networking.k8s.io/v1' && p.kind === 'NetworkPolicy');
  const egress = side(nps, 'egress', c.client, c.server, c, labels);
  const ingress = side(nps, 'ingress', c.server, c.client, c, labels);
  return { verdict: egress.allowed && ingress.allowed ? 'allow' : 'deny', egress, ingress };
}
