/**
 * The other side of a flow, as docs/design.md §3 names it. Peers are stored as stable text keys
 * (`peerKey`) so that edges aggregate and sort deterministically.
 */

/**
 * Rollout is Argo Rollouts' (argoproj.io), DeploymentConfig OpenShift's (apps.openshift.io): both
 * replace their pods on every rollout, so their pods are one workload, not one bare pod each.
 */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'Rollout', 'DeploymentConfig'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export interface WorkloadRef {
  namespace: string;
  kind: WorkloadKind;
  name: string;
}

export type Peer =
  | { kind: 'workload'; workload: WorkloadRef }
  /** A cluster DNS workload (CoreDNS, kube-dns, OpenShift dns-default). */
  | { kind: 'dns'; workload: WorkloadRef }
  | { kind: 'apiserver' }
  /**
   * Cilium's Ingress / Gateway API proxy: the per-node Envoy that forwards Ingress and Gateway
   * API traffic to the backends under Cilium's reserved identity `ingress` (8), at an address
   * from the node's pod CIDR, yet no pod (cilium/cilium Documentation/network/servicemesh/
   * ingress-reference.rst, "Cilium's ingress config and CiliumNetworkPolicy").
   */
  | { kind: 'cilium-ingress' }
  /** A node's host network (host-network pods that could not be told apart, node agents). */
  | { kind: 'node'; node: string }
  /** The server pod's own node: kubelet probes and node-local agents. Recorded, never a policy rule. */
  | { kind: 'kubelet'; node: string }
  | { kind: 'external'; ip: string }
  /** An in-cluster IP that resolved to nothing at the flow's time. */
  | { kind: 'unknown'; ip: string };

export type PeerKind = Peer['kind'];

/**
 * An `unknown` peer as a reason names it: one in-cluster address, or the block ingest's edge caps
 * folded such addresses into (`::/0` is those addresses, not one; collectors/flows/edge-budget.ts).
 */
export function unknownAddressText(ip: string): string {
  return ip.includes('/') ? `in-cluster addresses folded into ${ip} by the ingest's edge caps` : `in-cluster address ${ip}`;
}

export function workloadKey(w: WorkloadRef): string {
  return `${w.namespace}/${w.kind}/${w.name}`;
}

/** The namespace of a workload key (`namespace/Kind/name`), without parsing the rest. */
export function namespaceOfWorkloadKey(key: string): string {
  return key.slice(0, key.indexOf('/'));
}

export function parseWorkloadKey(key: string): WorkloadRef {
  const parts = key.split('/');
  if (parts.length !== 3 || !parts[0] || !parts[2] || !isWorkloadKind(parts[1])) {
    throw new Error(`invalid workload key "${key}": expected namespace/Kind/name`);
  }
  return { namespace: parts[0], kind: parts[1], name: parts[2] };
}

export function isWorkloadKind(s: string | undefined): s is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(s ?? '');
}

/** A peer as messages name it: a workload as `namespace/Kind/name`, anything else by its key (peerKey). */
export const peerText = (p: Peer): string => (p.kind === 'workload' ? workloadKey(p.workload) : peerKey(p));

export function peerKey(p: Peer): string {
  switch (p.kind) {
    case 'workload':
    case 'dns':
      return `${p.kind}:${workloadKey(p.workload)}`;
    case 'apiserver':
    case 'cilium-ingress':
      return p.kind;
    case 'node':
    case 'kubelet':
      return `${p.kind}:${p.node}`;
    case 'external':
    case 'unknown':
      return `${p.kind}:${p.ip}`;
  }
}

export function parsePeerKey(key: string): Peer {
  if (key === 'apiserver' || key === 'cilium-ingress') return { kind: key };
  const i = key.indexOf(':');
  const kind = key.slice(0, i);
  const rest = key.slice(i + 1);
  if (i > 0 && rest) {
    switch (kind) {
      case 'workload':
      case 'dns':
        return { kind, workload: parseWorkloadKey(rest) };
      case 'node':
      case 'kubelet':
        return { kind, node: rest };
      case 'external':
      case 'unknown':
        return { kind, ip: rest };
    }
  }
  throw new Error(`invalid peer key "${key}"`);
}

/** The namespace a peer lives in, when it has one. */
export function peerNamespace(p: Peer): string | undefined {
  return p.kind === 'workload' || p.kind === 'dns' ? p.workload.namespace : undefined;
}
