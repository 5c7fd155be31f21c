/**
 * Items of a small inventory as YAML list entries (a `kind: List` document's `items`), for tests
 * that write the cluster beside the matrix they check: one running bare pod labelled `app: <name>`,
 * one node with a podCIDR, one namespace with its name label.
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
