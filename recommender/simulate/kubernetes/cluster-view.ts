/**
 * What the Kubernetes-family simulators (NetworkPolicy, ClusterNetworkPolicy) need to know about
 * an endpoint, looked up once per simulator: a namespace's labels (with the
 * `kubernetes.io/metadata.name` label the apiserver adds to every namespace), and what an
 * endpoint *is* for a policy: a selectable pod, a node (host-network pods are their node), the
 * apiserver, or an outside address.
 */
import type { Labels } from '../../../domain/inventory.ts';
import type { IpFamily } from '../../../domain/ip.ts';
import { ipsOfFamily, type SimCluster, type SimEndpoint, type SimNode, type SimPod } from '../types.ts';

/** Set on every namespace by the apiserver since 1.21 (kubernetes/kubernetes pkg/apis/core/v1/defaults.go SetDefaults_Namespace). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** An endpoint as policies see it. */
export type PeerView =
  /** A pod on the pod network: selected by pod and namespace selectors. */
  | { kind: 'pod'; pod: SimPod; ips: readonly string[] }
  /** A node's host network (a node address, or a host-network pod on it). */
  | { kind: 'node'; node: SimNode | undefined; ips: readonly string[] }
  | { kind: 'apiserver'; node: SimNode | undefined; ips: readonly string[] }
  | { kind: 'external'; ips: readonly string[]; names: readonly string[] }
  /** Cilium's Ingress proxy: no pod, and no address an ipBlock selects (Cilium's CIDR selectors never select an identity it manages). */
  | { kind: 'cilium-ingress'; ips: readonly string[] };

export class ClusterView {
  private readonly nsLabels = new Map<string, Labels>();
  private readonly nodesByName = new Map<string, SimNode>();
  private readonly nodesByIp = new Map<string, SimNode>();

  constructor(readonly cluster: SimCluster) {
    for (const ns of cluster.namespaces) this.nsLabels.set(ns.name, { ...ns.labels, [NAMESPACE_NAME_LABEL]: ns.name });
    for (const n of cluster.nodes) {
      this.nodesByName.set(n.name, n);
      for (const ip of n.ips) if (!this.nodesByIp.has(ip)) this.nodesByIp.set(ip, n);
    }
  }

  namespaceLabels(ns: string): Labels {
    let l = this.nsLabels.get(ns);
    if (!l) this.nsLabels.set(ns, (l = { [NAMESPACE_NAME_LABEL]: ns }));
    return l;
  }

  nodeNamed(name: string | undefined): SimNode | undefined {
    return name === undefined ? undefined : this.nodesByName.get(name);
  }

  /** `family`: the flow's address family when known (SimFlow.family): a dual-stack end is then seen at its address of that family only. */
  view(e: SimEndpoint, family?: IpFamily): PeerView {
    switch (e.kind) {
      case 'pod': {
        if (!e.pod.hostNetwork) return { kind: 'pod', pod: e.pod, ips: ipsOfFamily(e.pod.ips, family) };
        const node = this.nodeNamed(e.pod.node) ?? e.pod.ips.map((ip) => this.nodesByIp.get(ip)).find((n) => n !== undefined);
        return { kind: 'node', node, ips: ipsOfFamily(node && node.ips.length > 0 ? node.ips : e.pod.ips, family) };
      }
      case 'node':
        return { kind: 'node', node: e.node, ips: [e.ip] };
      case 'apiserver':
        return { kind: 'apiserver', node: this.nodesByIp.get(e.ip), ips: [e.ip] };
      case 'external':
        return { kind: 'external', ips: [e.ip], names: e.names ?? this.cluster.dnsNames?.get(e.ip) ?? [] };
      case 'cilium-ingress':
        return { kind: 'cilium-ingress', ips: [] };
    }
  }
}

/** The pod a policy may select as its subject: pods on the pod network only (never host-network pods). */
export function subjectPod(e: SimEndpoint): SimPod | undefined {
  return e.kind === 'pod' && !e.pod.hostNetwork ? e.pod : undefined;
}

/** `Kind/namespace/name` or `Kind/name`. */
export function policyRef(kind: string, name: string, namespace?: string): string {
  return namespace === undefined ? `${kind}/${name}` : `${kind}/${namespace}/${name}`;
}
