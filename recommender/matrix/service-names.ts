/**
 * DNS names of in-cluster Services in a rule's `fqdns` peer, resolved from the inventory.
 *
 * `<service>.<namespace>.svc` (and a headless Service's pod `<hostname>.<service>.<namespace>.svc`),
 * under the default cluster domain `cluster.local` or written without it, is a Service's name
 * (kubernetes.io "DNS for Services and Pods"): it resolves to the Service's ClusterIP, or to its
 * backends' addresses for a headless one — never to an address outside the cluster. A policy sees
 * the backend pods after the Service's translation, and no engine's DNS peer selects them: Cilium's
 * toFQDNs "selects remote, non-cluster, peers" and "shares all limitations of the CIDR based rules"
 * (docs.cilium.io "Layer 3 Policies", DNS based; pkg/policy/api/fqdn.go: the IPs "are later added as
 * toCIDRSet entries"), and the other engines render a name as addresses outside the cluster. So such
 * a name is the Service's workloads, as a `{namespace, selector}` peer, on the pod ports its Service
 * ports send to. An ExternalName Service's name leads outside (a CNAME), and stays a DNS name.
 */
import type { InventorySnapshot, Service } from '../../domain/inventory.ts';
import { canonicalDnsName } from '../../domain/dns-name.ts';
import { serviceTargetPorts } from '../../domain/service-links.ts';
import { workloadKey } from '../../domain/peer.ts';
import { bindingPeer, uniquePorts } from './bindings.ts';
import type { ResolvedPeer, ResolvedPort } from './resolved.ts';

/** The Service a DNS name names: `<…>.<service>.<namespace>.svc[.cluster.local]`, not a wildcard. */
export function serviceOfName(name: string): { namespace: string; service: string } | undefined {
  const labels = canonicalDnsName(name).replace(/\.cluster\.local$/, '').split('.');
  if (labels.length < 3 || labels[labels.length - 1] !== 'svc' || labels[0] === '*') return undefined;
  return { service: labels[labels.length - 3]!, namespace: labels[labels.length - 2]! };
}

/**
 * An `fqdns` peer's names as peers, with the rule's ports: the Service names (`serviceOfName`) as
 * the Service's workloads, each on the target ports of the rule's ports that are its Service ports
 * (a port it does not serve is taken as a pod port, as a headless Service's client uses it), and
 * the other names as one `fqdn` peer. Several peers each carry their ports, the rule's being their
 * union (as a role's bindings: resolved.ts ResolvedPeer). A Service name the inventory does not
 * hold, or whose Service selects no pods, is unresolved, said in `unresolved`.
 */
export function resolveFqdns(names: readonly string[], ports: readonly ResolvedPort[], inv: InventorySnapshot, unresolved: string[]): { peers: ResolvedPeer[]; ports: ResolvedPort[] } {
  const outside: string[] = [];
  const peers: ResolvedPeer[] = [];
  for (const name of names) {
    const ref = serviceOfName(name);
    const svc = ref && inv.services.find((s) => s.namespace === ref.namespace && s.name === ref.service);
    if (ref === undefined || svc?.type === 'ExternalName') {
      outside.push(name);
    } else if (svc === undefined) {
      unresolved.push(`${name} names Service ${ref.namespace}/${ref.service}, which the inventory does not hold`);
    } else if (svc.selector === undefined) {
      unresolved.push(`${name} names Service ${ref.namespace}/${ref.service}, which has no selector: name its endpoints' addresses as cidrs`);
    } else {
      const peer = bindingPeer({ namespace: svc.namespace, selector: { matchLabels: { ...svc.selector } } }, inv);
      peers.push({ ...peer, ports: targetPorts(svc, ports, peer, inv) });
    }
  }
  if (outside.length > 0) peers.push({ kind: 'fqdn', fqdns: outside, ports: [...ports] });
  if (peers.length === 0) return { peers, ports: [...ports] };
  if (peers.length === 1) {
    const { ports: own, ...peer } = peers[0]!;
    return { peers: [peer as ResolvedPeer], ports: own ?? [] };
  }
  return { peers, ports: uniquePorts(peers.flatMap((p) => p.ports ?? [])) };
}

/** The rule's ports as the Service's backends see them: a Service port → every number its target port has on the selected workloads' pods. */
function targetPorts(svc: Service, ports: readonly ResolvedPort[], peer: ResolvedPeer, inv: InventorySnapshot): ResolvedPort[] {
  const selected = new Set(peer.kind === 'pods' ? peer.workloads.map(workloadKey) : []);
  const workloads = inv.workloads.filter((w) => selected.has(workloadKey(w)));
  return uniquePorts(
    ports.flatMap((p) => {
      const sp = p.endPort === undefined ? svc.ports.find((s) => s.protocol === p.protocol && (s.port === p.port || (p.port === undefined && s.name === p.name))) : undefined;
      if (sp === undefined) return [p];
      if (typeof sp.targetPort === 'number') return [{ protocol: p.protocol, port: sp.targetPort }];
      const numbers = [...new Set(workloads.flatMap((w) => serviceTargetPorts(sp, w)))];
      return numbers.length > 0 ? numbers.map((port) => ({ protocol: p.protocol, port })) : [{ protocol: p.protocol, name: sp.targetPort }];
    }),
  );
}
