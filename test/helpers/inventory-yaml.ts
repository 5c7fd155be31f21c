/**
 * Items of a small inventory as YAML list entries (a `kind: List` document's `items`), for tests
 * that write the cluster beside the matrix they check: one running bare pod labelled `app: <name>`,
 * one node with a podCIDR, one namespace with its name label; the server and host-network agent
 * of the host-network tests; a Deployment of namespace shop with its ReplicaSet and pod.
 */
export interface BarePod {
  namespace: string;
  name: string;
  ip: string;
  /** Container ports (none: a container without ports). */
  ports: readonly number[];
  node?: string;
  hostNetwork?: boolean;
  /** Creation and start time (default 2026-01-01). */
  since?: string;
}

const SINCE = '2026-01-01T00:00:00Z';

export function barePodItem(p: BarePod): string {
  const since = p.since ?? SINCE;
  const host = p.hostNetwork === undefined ? '' : `hostNetwork: ${p.hostNetwork}, `;
  return `- apiVersion: v1
  kind: Pod
  metadata: {name: ${p.name}, namespace: ${p.namespace}, labels: {app: ${p.name}}, creationTimestamp: "${since}"}
  spec: {nodeName: ${p.node ?? 'n1'}, ${host}containers: [{name: c, image: c, ports: [${p.ports.map((port) => `{containerPort: ${port}}`).join(', ')}]}]}
  status: {phase: Running, startTime: "${since}", podIP: ${p.ip}, podIPs: [{ip: ${p.ip}}]}`;
}

export function nodeItem(name: string, podCidr: string, internalIp: string, since = SINCE): string {
  return `- apiVersion: v1
  kind: Node
  metadata: {name: ${name}, creationTimestamp: "${since}"}
  spec: {podCIDR: ${podCidr}}
  status: {addresses: [{type: InternalIP, address: ${internalIp}}]}`;
}

export function namespaceItem(name: string): string {
  return `- {apiVersion: v1, kind: Namespace, metadata: {name: ${name}, labels: {kubernetes.io/metadata.name: ${name}}}}`;
}

/** Deployment a/srv (`app: srv`, container port 8080) with its ReplicaSet and one running pod on n2 at `ip`. */
export function serverDeploymentItems(ip: string, since = SINCE): string {
  return `- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: srv, namespace: a, uid: d1}
  spec: {selector: {matchLabels: {app: srv}}, template: {metadata: {labels: {app: srv}}, spec: {containers: [{name: c, image: c, ports: [{containerPort: 8080}]}]}}}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {name: srv-abc, namespace: a, uid: r1, labels: {app: srv, pod-template-hash: abc}, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: srv, uid: d1, controller: true}]}
  spec: {selector: {matchLabels: {app: srv}}, template: {metadata: {labels: {app: srv}}, spec: {containers: [{name: c, image: c}]}}}
- apiVersion: v1
  kind: Pod
  metadata: {name: srv-abc-1, namespace: a, labels: {app: srv, pod-template-hash: abc}, creationTimestamp: "${since}", ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: srv-abc, uid: r1, controller: true}]}
  spec: {nodeName: n2, containers: [{name: c, image: c, ports: [{containerPort: 8080}]}]}
  status: {phase: Running, startTime: "${since}", podIP: ${ip}, podIPs: [{ip: ${ip}}]}`;
}

/** DaemonSet b/agent (`app: agent`) in the host network, without its pods. */
export function hostNetworkAgentItem(): string {
  return `- apiVersion: apps/v1
  kind: DaemonSet
  metadata: {name: agent, namespace: b, uid: ds1}
  spec: {selector: {matchLabels: {app: agent}}, template: {metadata: {labels: {app: agent}}, spec: {hostNetwork: true, containers: [{name: c, image: c}]}}}`;
}

/**
 * Deployment shop/<name> (`app: <name>`) with its ReplicaSet and one running pod on n1 at `ip`,
 * its container ports written as YAML flow items (`{name: postgres, containerPort: 5432}`).
 */
export function shopDeploymentItems(name: string, ip: string, ports: string, since = SINCE): string {
  return `- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: ${name}, namespace: shop, uid: d-${name}}
  spec: {selector: {matchLabels: {app: ${name}}}, template: {metadata: {labels: {app: ${name}}}, spec: {containers: [{name: c, image: c, ports: [${ports}]}]}}}
- apiVersion: apps/v1
  kind: ReplicaSet
  metadata: {name: ${name}-rs, namespace: shop, uid: r-${name}, ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: ${name}, uid: d-${name}, controller: true}]}
  spec: {selector: {matchLabels: {app: ${name}}}, template: {metadata: {labels: {app: ${name}}}, spec: {containers: [{name: c, image: c, ports: [${ports}]}]}}}
- apiVersion: v1
  kind: Pod
  metadata: {name: ${name}-0, namespace: shop, labels: {app: ${name}}, creationTimestamp: "${since}", ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: ${name}-rs, uid: r-${name}, controller: true}]}
  spec: {nodeName: n1, containers: [{name: c, image: c, ports: [${ports}]}]}
  status: {phase: Running, startTime: "${since}", podIP: ${ip}, podIPs: [{ip: ${ip}}]}`;
}
