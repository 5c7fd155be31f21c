/**
 * A small cluster with Istio in both data plane modes, as `kubectl get … -o json` lists it:
 * istiod; an ambient namespace `amb` (web → Service api 80 → 9090); `kyma-system` enrolled in
 * ambient too, where Kyma's metric gateway runs without a proxy and its log gateway with an
 * injected sidecar (the `istio-proxy` container and the injector's annotation exist on the pod
 * only, as after admission); `shop/cart` with Istio's native sidecar (an init container with
 * restartPolicy Always, no port, no annotation); a Prometheus outside the mesh; the cluster DNS
 * and the apiserver.
 */

type Obj = Record<string, unknown>;

export const TAKEN_AT = '2026-11-01T00:00:00Z';
export const IP = {
  apiserver: '10.0.0.10',
  coredns: '10.244.1.3',
  istiod: '10.244.1.5',
  web: '10.244.1.30',
  api: '10.244.2.31',
  cart: '10.244.2.21',
  metricGateway: '10.244.1.50',
  logGateway: '10.244.2.51',
  prometheus: '10.244.2.40',
} as const;

const NODES: [string, string][] = [
  ['cp-1', '10.0.0.10'],
  ['w-1', '10.0.0.11'],
  ['w-2', '10.0.0.12'],
];

const nodeOf = (ip: string): string => (ip.startsWith('10.244.1.') ? 'w-1' : 'w-2');

interface WorkloadSpec {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ports: [string, number][];
  ip: string;
  /** What the injector added to the pod (never to the template). */
  injected?: 'sidecar' | 'native-sidecar';
}

function container(name: string, ports: [string, number][]): Obj {
  return { name, image: 'x', ports: ports.map(([n, p]) => ({ name: n, containerPort: p, protocol: 'TCP' })) };
}

function deployment(w: WorkloadSpec, uid: number): Obj[] {
  const template = { metadata: { labels: w.labels }, spec: { containers: [container('app', w.ports)] } };
  const podSpec: Obj = { nodeName: nodeOf(w.ip), containers: [container('app', w.ports)] };
  const annotations: Record<string, string> = {};
  if (w.injected === 'sidecar') {
    (podSpec.containers as Obj[]).push(container('istio-proxy', [['http-envoy-prom', 15090]]));
    annotations['sidecar.istio.io/status'] = '{"initContainers":["istio-init"],"containers":["istio-proxy"]}';
  }
  if (w.injected === 'native-sidecar') podSpec.initContainers = [{ name: 'istio-proxy', image: 'x', restartPolicy: 'Always' }];
  const rs = `${w.name}-abc12`;
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: w.name, namespace: w.namespace, uid: `d-${uid}`, creationTimestamp: TAKEN_AT }, spec: { selector: { matchLabels: w.labels }, template } },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: rs, namespace: w.namespace, uid: `r-${uid}`, creationTimestamp: TAKEN_AT, labels: { ...w.labels, 'pod-template-hash': 'abc12' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: w.name, uid: `d-${uid}`, controller: true }] },
      spec: { selector: { matchLabels: w.labels }, template },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${rs}-x`, namespace: w.namespace, uid: `p-${uid}`, creationTimestamp: TAKEN_AT, labels: { ...w.labels, 'pod-template-hash': 'abc12' }, ...(Object.keys(annotations).length > 0 ? { annotations } : {}), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `r-${uid}`, controller: true }] },
      spec: podSpec,
      status: { phase: 'Running', podIP: w.ip, podIPs: [{ ip: w.ip }], hostIP: NODES.find(([n]) => n === nodeOf(w.ip))![1] },
    },
  ];
}

function service(namespace: string, name: string, selector: Record<string, string> | undefined, ports: [number, number, string?][], clusterIP: string): Obj {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, creationTimestamp: TAKEN_AT }, spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], ...(selector ? { selector } : {}), ports: ports.map(([port, targetPort, protocol]) => ({ port, targetPort, protocol: protocol ?? 'TCP' })) } };
}

export interface MeshOptions {
  /** Leave istiod out (a sidecar whose control plane the inventory does not show). */
  withoutIstiod?: boolean;
  /** Leave the Namespace objects out (their labels, ambient mode among them, unknown). */
  withoutNamespaces?: boolean;
}

/** The inventory as one `v1 List`. */
export function meshInventory(opts: MeshOptions = {}): string {
  const items: Obj[] = [];
  const ns = (name: string, labels: Record<string, string> = {}): void => {
    if (!opts.withoutNamespaces) items.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels }, creationTimestamp: TAKEN_AT } });
  };
  for (const n of ['default', 'kube-system', 'istio-system', 'monitoring']) ns(n);
  ns('shop', { 'istio-injection': 'enabled' });
  ns('amb', { 'istio.io/dataplane-mode': 'ambient' });
  ns('kyma-system', { 'istio.io/dataplane-mode': 'ambient' });
  for (const [name, ip] of NODES) {
    items.push({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name }, creationTimestamp: TAKEN_AT }, spec: { podCIDR: `10.244.${name === 'w-1' ? 1 : name === 'w-2' ? 2 : 0}.0/24` }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
  }
  items.push(service('default', 'kubernetes', undefined, [[443, 6443]], '10.96.0.1'));
  items.push({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' }, creationTimestamp: TAKEN_AT }, endpoints: [{ addresses: [IP.apiserver], conditions: { ready: true } }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] });
  const workloads: WorkloadSpec[] = [
    { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ports: [['dns-tcp', 53]], ip: IP.coredns },
    { namespace: 'amb', name: 'web', labels: { app: 'web' }, ports: [['http', 8080]], ip: IP.web },
    { namespace: 'amb', name: 'api', labels: { app: 'api' }, ports: [['http', 9090]], ip: IP.api },
    { namespace: 'shop', name: 'cart', labels: { app: 'cart' }, ports: [['http', 8080]], ip: IP.cart, injected: 'native-sidecar' },
    { namespace: 'kyma-system', name: 'telemetry-metric-gateway', labels: { 'app.kubernetes.io/name': 'telemetry-metric-gateway' }, ports: [['health', 13133], ['otlp-grpc', 4317]], ip: IP.metricGateway },
    { namespace: 'kyma-system', name: 'telemetry-log-gateway', labels: { 'app.kubernetes.io/name': 'telemetry-log-gateway' }, ports: [['health', 13133], ['otlp-grpc', 4317]], ip: IP.logGateway, injected: 'sidecar' },
    { namespace: 'monitoring', name: 'prometheus', labels: { app: 'prometheus' }, ports: [['web', 9090]], ip: IP.prometheus },
  ];
  if (!opts.withoutIstiod) workloads.push({ namespace: 'istio-system', name: 'istiod', labels: { app: 'istiod', istio: 'pilot' }, ports: [['grpc-xds', 15010], ['https-dns', 15012], ['https-webhooks', 15017]], ip: IP.istiod });
  workloads.forEach((w, i) => items.push(...deployment(w, i + 1)));
  items.push(service('kube-system', 'kube-dns', { 'k8s-app': 'kube-dns' }, [[53, 53, 'UDP'], [53, 53]], '10.96.0.10'));
  items.push(service('amb', 'api', { app: 'api' }, [[80, 9090]], '10.96.9.31'));
  if (!opts.withoutIstiod) items.push(service('istio-system', 'istiod', { app: 'istiod', istio: 'pilot' }, [[15010, 15010], [15012, 15012], [443, 15017]], '10.96.5.12'));
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

/** A NetObserv record of a connection's SYN from `src` to `dst:port`, with the Kubernetes fields left to the inventory. */
export function synRecord(src: string, dst: string, port: number, time: number, srcPort = 45000): string {
  return JSON.stringify({ SrcAddr: src, DstAddr: dst, SrcPort: srcPort, DstPort: port, Proto: 6, Etype: 2048, Flags: 2, Packets: 1, Bytes: 60, TimeFlowStartMs: time, TimeFlowEndMs: time });
}
