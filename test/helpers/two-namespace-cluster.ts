/**
 * A cluster reduced to a far side: DaemonSet client (namespace a, 10.244.1.10) calls DaemonSet
 * server (namespace b, 10.244.1.11) on 8080, both on node worker-1; the kubectl List of it (items
 * after the workloads: `extra`, indented as List items), the Hubble record of the call, and its edge.
 */

const T = '2026-01-01T00:00:00Z';

const daemonSet = (ns: string, name: string, ip: string, port: number) => `
  - { apiVersion: apps/v1, kind: DaemonSet, metadata: { name: ${name}, namespace: ${ns}, uid: u-${name} }, spec: { selector: { matchLabels: { app: ${name} } }, template: { metadata: { labels: { app: ${name} } }, spec: { containers: [{ name: c, image: i, ports: [{ containerPort: ${port} }] }] } } } }
  - { apiVersion: v1, kind: Pod, metadata: { name: ${name}-x, namespace: ${ns}, labels: { app: ${name} }, ownerReferences: [{ apiVersion: apps/v1, kind: DaemonSet, name: ${name}, uid: u-${name}, controller: true }], creationTimestamp: "${T}" }, spec: { nodeName: worker-1, containers: [{ name: c, image: i, ports: [{ containerPort: ${port} }] }] }, status: { phase: Running, startTime: "${T}", podIP: ${ip}, podIPs: [{ ip: ${ip} }] } }`;

/** The inventory: namespaces a and b, node worker-1, client and server, then `extra`. */
export const twoNamespaceInventory = (extra: string): string => `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: a, labels: { kubernetes.io/metadata.name: a } } }
  - { apiVersion: v1, kind: Namespace, metadata: { name: b, labels: { kubernetes.io/metadata.name: b } } }
  - { apiVersion: v1, kind: Node, metadata: { name: worker-1, creationTimestamp: "${T}" }, spec: { podCIDR: 10.244.1.0/24 }, status: { addresses: [{ type: InternalIP, address: 172.18.0.3 }] } }
${daemonSet('a', 'client', '10.244.1.10', 8000)}
${daemonSet('b', 'server', '10.244.1.11', 8080)}
${extra}`;

/** The Hubble record of client's SYN to server:8080, two minutes before `now`. */
export const clientCall = (now: number): string =>
  JSON.stringify({
    time: new Date(now - 120_000).toISOString(),
    verdict: 'FORWARDED',
    IP: { source: '10.244.1.10', destination: '10.244.1.11', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40001, destination_port: 8080, flags: { SYN: true } } },
    source: { namespace: 'a', pod_name: 'client-x', labels: ['k8s:app=client'] },
    destination: { namespace: 'b', pod_name: 'server-x', labels: ['k8s:app=server'] },
    node_name: 'worker-1',
    traffic_direction: 'EGRESS',
  });

/** The edge of that call. */
export const CLIENT_SERVER_EDGE = 'workload:a/DaemonSet/client|workload:b/DaemonSet/server|8080|TCP';
