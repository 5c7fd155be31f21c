/**
 * Kubernetes NetworkPolicies as Calico enforces them: libcalico-go
 * lib/backend/k8s/conversion/conversion.go (K8sNetworkPolicyToCalico) turns each into a
 * namespaced Calico policy `knp.default.<name>` in the `default` tier at order 1000 whose rules
 * are all Allow: so a pod a Kubernetes policy selects is denied at the end of the default tier
 * unless a rule of some policy of that tier allows, exactly the Kubernetes semantics, while
 * Calico policies of lower order (or earlier tiers) decide first.
 */
import { selectorMatchesBy } from '../../matrix/selector.ts';
import type { LabelSelector } from '../../../domain/inventory.ts';
import type { EndpointView } from './endpoints.ts';
import { parseNet, type CompiledRule, type Match } from './rules.ts';
import type { LabelMap } from './selector.ts';
import { cidrContains, type Cidr } from '../../../domain/ip.ts';
import { apiServerCidr } from '../../../domain/legacy-cidr.ts';
import type { SimProtocol } from '../types.ts';
import type { Direction } from '../../../domain/direction.ts';

interface K8sPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface K8sPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}
interface K8sRule {
  from?: K8sPeer[];
  to?: K8sPeer[];
  ports?: K8sPort[];
}
export interface K8sNetworkPolicy {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: { name: string; namespace?: string };
  spec: { podSelector?: LabelSelector; policyTypes?: string[]; ingress?: K8sRule[]; egress?: K8sRule[] };
}

/** metav1.LabelSelector over a label map. */
export function labelSelectorMatches(s: LabelSelector | undefined, labels: LabelMap): boolean {
  return s === undefined || selectorMatchesBy(s, (key) => labels.get(key));
}

function peerMatch(p: K8sPeer, namespace: string): (e: EndpointView, family: 4 | 6) => boolean {
  if (p.ipBlock) {
    // Calico converts the policy the API server stored: its CIDRs as the API server reads them (domain/legacy-cidr.ts).
    const cidr = parseNet(apiServerCidr(p.ipBlock.cidr));
    const except = (p.ipBlock.except ?? []).map((e) => parseNet(apiServerCidr(e))).filter((c): c is Cidr => c !== undefined);
    return (e, family) => {
      const ip = family === 4 ? e.v4 : e.v6;
      return !!ip && !!cidr && cidrContains(cidr, ip) && !except.some((x) => cidrContains(x, ip));
    };
  }
  const { podSelector, namespaceSelector } = p;
  return (e) => e.workload && (namespaceSelector ? labelSelectorMatches(namespaceSelector, e.nsLabels) : e.namespace === namespace) && labelSelectorMatches(podSelector, e.labels);
}

function portMatch(p: K8sPort): (port: number, protocol: SimProtocol, server: EndpointView) => boolean {
  const proto = (p.protocol ?? 'TCP') as SimProtocol;
  const { port, endPort } = p;
  if (port === undefined) return (_n, protocol) => protocol === proto;
  if (typeof port === 'string') return (n, protocol, server) => protocol === proto && server.workload && (server.pod?.ports ?? []).some((cp) => cp.name === port && cp.protocol === protocol && cp.port === n);
  return (n, protocol) => protocol === proto && (endPort !== undefined ? n >= port && n <= endPort : n === port);
}

/** policyTypes as the API server defaults them: Ingress, plus Egress when there are egress rules. */
export function k8sPolicyTypes(np: K8sNetworkPolicy): string[] {
  if (np.spec.policyTypes && np.spec.policyTypes.length > 0) return np.spec.policyTypes;
  return np.spec.egress && np.spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** The Allow rules of one direction, one per Kubernetes rule (pointer `/spec/<direction>/<i>`). */
export function k8sRules(np: K8sNetworkPolicy, direction: Direction): CompiledRule[] {
  const namespace = np.metadata.namespace ?? 'default';
  return (np.spec[direction] ?? []).map((r, i) => {
    const peers = (direction === 'ingress' ? r.from : r.to) ?? [];
    const peerTests = peers.map((p) => peerMatch(p, namespace));
    const portTests = (r.ports ?? []).map(portMatch);
    const match: Match = (c) => {
      const other = direction === 'ingress' ? c.client : c.server;
      if (peerTests.length > 0 && !peerTests.some((t) => t(other, c.family))) return false;
      // A rule without ports gets no protocol, so it matches ICMP too; one with ports never does (conversion.go k8sPortToCalicoFields).
      if (portTests.length === 0) return true;
      const flow = c.flow;
      return flow.icmp === undefined && portTests.some((t) => t(flow.port, flow.protocol, c.server));
    };
    return { action: 'Allow', pointer: `/spec/${direction}/${i}`, match };
  });
}
