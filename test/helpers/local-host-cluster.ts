/**
 * The cluster of the local-host tests (cilium-allow-localhost, tightness-kubelet-probes): DaemonSet
 * shop/web (`http` 8080) with its pod web-x at 10.244.1.10 on worker-1 (172.18.0.3), and
 * kube-system/cilium-config with `config` after its cluster-name (`, allow-localhost: policy`;
 * undefined: no cilium-config, no Cilium), then `extra` items, as a YAML List.
 */
export const T = '2026-01-01T00:00:00Z';

export const localHostCluster = (config: string | undefined, extra = '') => `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: shop, labels: { kubernetes.io/metadata.name: shop } } }
  - { apiVersion: v1, kind: Node, metadata: { name: worker-1, creationTimestamp: "${T}" }, spec: { podCIDR: 10.244.1.0/24 }, status: { addresses: [{ type: InternalIP, address: 172.18.0.3 }] } }
  - { apiVersion: apps/v1, kind: DaemonSet, metadata: { name: web, namespace: shop, uid: u-web }, spec: { selector: { matchLabels: { app: web } }, template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: c, image: i, ports: [{ name: http, containerPort: 8080 }] }] } } } }
  - { apiVersion: v1, kind: Pod, metadata: { name: web-x, namespace: shop, labels: { app: web }, ownerReferences: [{ apiVersion: apps/v1, kind: DaemonSet, name: web, uid: u-web, controller: true }], creationTimestamp: "${T}" }, spec: { nodeName: worker-1, containers: [{ name: c, image: i, ports: [{ name: http, containerPort: 8080 }] }] }, status: { phase: Running, startTime: "${T}", podIP: 10.244.1.10, podIPs: [{ ip: 10.244.1.10 }] } }
${config === undefined ? '' : `  - { apiVersion: v1, kind: ConfigMap, metadata: { name: cilium-config, namespace: kube-system }, data: { cluster-name: c1${config} } }\n`}${extra}`;
