/**
 * The cluster of test/integration/service-followed*.test.ts: namespaces `shop` and `client`, node-a,
 * the apiserver, Deployment client/cli (10.244.0.21), and whatever `shop` holds; NetObserv SYN
 * records of cli; each engine's verdicts of cli's next connections under its verified export.
 */
import assert from 'node:assert/strict';
import { runRecommendation, recommendOptions, type StoredRecommendInput } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { toMultiDocYaml } from '../../recommender/engines/yaml.ts';
import type { tmpDb } from './tmp.ts';

export const NIGHT_A = Date.parse('2025-03-02T12:00:00Z');
export const FLOW_TIME = Date.parse('2025-03-03T11:06:40Z');
export const NIGHT_B = Date.parse('2025-03-04T12:00:00Z');
export const AFTER = Date.parse('2025-03-04T13:00:00Z');
export const T = '2025-02-01T00:00:00Z';
export const CLUSTER_IP = '10.96.5.5';
export const CLI_IP = '10.244.0.21';

export type Port = { name?: string; containerPort: number };
export type Pod = { name: string; ip: string; hash: string };

export const WEB_A: Pod = { name: 'web-aaa-1', ip: '10.244.0.11', hash: 'aaa' };
export const WEB_B: Pod = { name: 'web-bbb-1', ip: '10.244.0.12', hash: 'bbb' };
export const CANARY: Pod = { name: 'web-canary-ccc-1', ip: '10.244.0.13', hash: 'ccc' };

const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name }, creationTimestamp: T } });

/** A Deployment with one ReplicaSet (`pod.hash`) and its one pod, every container declaring `ports`. */
export function deployment(ns: string, name: string, labels: Record<string, string>, ports: Port[], pod: Pod): unknown[] {
  const containers = [{ name: 'c', image: 'x', ports }];
  const podLabels = { ...labels, 'pod-template-hash': pod.hash };
  const rs = `${name}-${pod.hash}`;
  const owner = (kind: string, n: string) => [{ apiVersion: 'apps/v1', kind, name: n, uid: `u-${kind}-${n}`, controller: true }];
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns, uid: `u-Deployment-${name}`, labels, creationTimestamp: T }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers } } } },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: rs, namespace: ns, uid: `u-ReplicaSet-${rs}`, labels: podLabels, creationTimestamp: T, ownerReferences: owner('Deployment', name) }, spec: { selector: { matchLabels: podLabels }, template: { metadata: { labels: podLabels }, spec: { containers } } } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.name, namespace: ns, uid: `u-pod-${pod.name}`, labels: podLabels, creationTimestamp: T, ownerReferences: owner('ReplicaSet', rs) }, spec: { nodeName: 'node-a', containers }, status: { phase: 'Running', startTime: T, podIP: pod.ip, podIPs: [{ ip: pod.ip }] } },
  ];
}

/** Service shop/`name` at `clusterIP` (selector app=web) mapping `port`/TCP (named `http`) to `targetPort`, with one EndpointSlice per backend pod. */
export function shopService(name: string, clusterIP: string, port: number, targetPort: string | number, endpoints: { pod: Pod; port: number }[]): unknown[] {
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop', creationTimestamp: T }, spec: { type: 'ClusterIP', selector: { app: 'web' }, ports: [{ name: 'http', port, protocol: 'TCP', targetPort }], clusterIP, clusterIPs: [clusterIP] } },
    ...endpoints.map(({ pod, port: p }) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-${pod.hash}`, namespace: 'shop', labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [pod.ip], conditions: { ready: true }, targetRef: { kind: 'Pod', name: pod.name, namespace: 'shop' } }],
      ports: [{ name: 'http', port: p, protocol: 'TCP' }],
    })),
  ];
}

/** Service shop/web (10.96.5.5, selector app=web) mapping 80/TCP (named `http`) to `targetPort`. */
export const webService = (targetPort: string | number, endpoints: { pod: Pod; port: number }[]): unknown[] => shopService('web', CLUSTER_IP, 80, targetPort, endpoints);

/** A kubectl List: the namespaces, node-a, the apiserver, client/cli, and `shop`. */
export function list(shop: unknown[]): string {
  const base = [
    namespace('default'),
    namespace('kube-system'),
    namespace('shop'),
    namespace('client'),
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a', creationTimestamp: T, labels: { 'kubernetes.io/hostname': 'node-a' } }, spec: { podCIDR: '10.244.0.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '192.168.1.10' }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default', creationTimestamp: T }, spec: { type: 'ClusterIP', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }], clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'] } },
    { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } }, addressType: 'IPv4', endpoints: [{ addresses: ['192.168.1.10'], conditions: { ready: true } }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
    ...deployment('client', 'cli', { app: 'cli' }, [], { name: 'cli-ccc-1', ip: CLI_IP, hash: 'ccc' }),
  ];
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...base, ...shop] });
}

/** A NetObserv record of a connection's first packet (SYN) from cli to dst at `time`. */
export const syn = (srcPort: number, dst: string, dstPort: number, time = FLOW_TIME): string =>
  JSON.stringify({ SrcAddr: CLI_IP, DstAddr: dst, SrcPort: srcPort, DstPort: dstPort, Proto: 6, Flags: 2, Bytes: 100, Packets: 1, TimeFlowStartMs: time - 100, TimeFlowEndMs: time, TimeReceived: Math.floor(time / 1000) });

/** Each engine's verdicts of `flows` (NetObserv records) under its verified export of `input`, per connection. */
export function nextConnections(db: ReturnType<typeof tmpDb>['db'], input: StoredRecommendInput, flows: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, recommendOptions({ now: AFTER }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    const next = simulateFlows(db, { engine, policies: toMultiDocYaml(emitted.manifests), flows, format: 'netobserv' });
    out.set(engine, next.decisions.flatMap((d) => (d.connections ?? [d]).map((x) => `${x.verdict} ${x.port}`)).sort());
  }
  return out;
}
