/**
 * Kubernetes objects as `kubectl get -o json` lists them, for tests that import two snapshots of a
 * small cluster and ingest flows between them through the CLI (IP history across imports). Times
 * are ISO strings on 2025-03-02 unless given whole.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli.ts';
import { tmpDir } from './tmp.ts';

type Json = Record<string, unknown>;

/** `hh:mm` or `hh:mm:ss` on 2025-03-02, as an ISO time (a whole ISO time passes through). */
export const iso = (t: string): string => (t.includes('T') ? t : `2025-03-02T${t.length === 5 ? `${t}:00` : t}Z`);
export const ms = (t: string): number => Date.parse(iso(t));

const EARLY = '2025-01-01T00:00:00Z';
const portsOf = (ports: readonly number[], host = false) => ports.map((p) => ({ containerPort: p, ...(host ? { hostPort: p } : {}), protocol: 'TCP', name: `p${p}` }));

export function namespace(name: string): Json {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } };
}

export function node(name: string, ip: string, podCidr: string): Json {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, creationTimestamp: EARLY, labels: { 'kubernetes.io/hostname': name } },
    spec: { podCIDR: podCidr, podCIDRs: [podCidr] },
    status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] },
  };
}

/** A Deployment and its ReplicaSet `<name>-<hash>`. */
export function deployment(ns: string, name: string, hash: string, ports: readonly number[] = []): Json[] {
  const labels = { app: name };
  const template = (extra: Json) => ({ metadata: { labels: { ...labels, ...extra } }, spec: { containers: [{ name: 'c', image: 'x', ports: portsOf(ports) }] } });
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns, uid: `uid-${ns}-${name}`, creationTimestamp: EARLY }, spec: { selector: { matchLabels: labels }, template: template({}) } },
    {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: `${name}-${hash}`, namespace: ns, uid: `uid-${ns}-${name}-${hash}`, creationTimestamp: EARLY, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `uid-${ns}-${name}`, controller: true }] },
      spec: { selector: { matchLabels: { ...labels, 'pod-template-hash': hash } }, template: template({ 'pod-template-hash': hash }) },
    },
  ];
}

/** A host-network DaemonSet declaring `ports`. */
export function hostNetworkDaemonSet(ns: string, name: string, ports: readonly number[]): Json {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name, namespace: ns, uid: `uid-${ns}-${name}`, creationTimestamp: EARLY },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'x', ports: portsOf(ports, true) }] } } },
  };
}

export interface PodOptions {
  namespace: string;
  name: string;
  ip: string;
  node: string;
  /** status.startTime (hh:mm or ISO). */
  start: string;
  owner: { apiVersion?: string; kind: string; name: string };
  labels?: Record<string, string>;
  ports?: readonly number[];
  hostNetwork?: boolean;
  phase?: 'Running' | 'Succeeded' | 'Failed';
  /** Each container's state.terminated.finishedAt (a finished pod's). */
  finishedAt?: readonly string[];
}

export function pod(p: PodOptions): Json {
  const status: Json = { phase: p.phase ?? 'Running', startTime: iso(p.start), podIP: p.ip, podIPs: [{ ip: p.ip }] };
  if (p.finishedAt) {
    status.containerStatuses = p.finishedAt.map((f, i) => ({ name: `c${i}`, ready: false, restartCount: 0, image: 'x', imageID: 'x', state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: iso(p.start), finishedAt: iso(f) } } }));
  }
  const containers = (p.finishedAt ?? ['']).map((_, i) => ({ name: `c${i}`, image: 'x', ports: portsOf(p.ports ?? [], p.hostNetwork) }));
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: p.name, namespace: p.namespace, uid: `uid-${p.namespace}-${p.name}`, creationTimestamp: iso(p.start), labels: p.labels ?? {},
      ownerReferences: [{ apiVersion: p.owner.apiVersion ?? 'apps/v1', kind: p.owner.kind, name: p.owner.name, uid: `uid-${p.namespace}-${p.owner.name}`, controller: true }],
    },
    spec: { nodeName: p.node, ...(p.hostNetwork ? { hostNetwork: true } : {}), containers },
    status,
  };
}

/** `default/kubernetes` and its EndpointSlice listing `addresses` on `port`. */
export function apiserver(addresses: readonly string[], port = 6443): Json[] {
  return [
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default', creationTimestamp: EARLY, labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], type: 'ClusterIP', ports: [{ name: 'https', port: 443, targetPort: port, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4', endpoints: addresses.map((a) => ({ addresses: [a], conditions: { ready: true } })), ports: [{ name: 'https', port, protocol: 'TCP' }],
    },
  ];
}

/** A NetObserv record of a connection's SYN, `src` → `dst` (`ip:port`) at `t`, with extra fields (record metadata). */
export function syn(src: string, dst: string, t: string, extra: Json = {}): string {
  const [sa, sp] = src.split(':');
  const [da, dp] = dst.split(':');
  const time = ms(t);
  return JSON.stringify({ SrcAddr: sa, SrcPort: Number(sp), DstAddr: da, DstPort: Number(dp), Proto: 6, Flags: 2, Etype: 2048, Packets: 1, Bytes: 60, TimeFlowStartMs: time, TimeFlowEndMs: time, ...extra });
}

export interface Edge {
  client: string;
  server: string;
  port: number;
  flows: number;
}

/**
 * Imports `before` at 00:00 and `after` at 12:00 into a fresh store, ingests `flows` (NetObserv
 * lines), and returns the edges; `run` goes on with the same store.
 */
export async function importTwiceAndIngest(before: Json[], after: Json[], flows: readonly string[]) {
  const dir = tmpDir();
  const db = join(dir, 'f.db');
  const run = async (args: string[]) => {
    const r = await runCli([...args, '--db', db]);
    assert.equal(r.code, 0, r.err);
    return r;
  };
  writeFileSync(join(dir, 'before.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: before }));
  writeFileSync(join(dir, 'after.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: after }));
  writeFileSync(join(dir, 'flows.ndjson'), flows.map((f) => `${f}\n`).join(''));
  await run(['inventory', 'import', join(dir, 'before.json'), '--taken-at', iso('00:00')]);
  await run(['inventory', 'import', join(dir, 'after.json'), '--taken-at', iso('12:00')]);
  await run(['ingest', join(dir, 'flows.ndjson')]);
  const edges = (JSON.parse((await run(['edges', '-o', 'json'])).out) as Edge[]).map(({ client, server, port, flows: n }) => `${client} -> ${server}:${port} x${n}`);
  return { edges, run };
}

/** A ClusterIP Service `ns/name` on `ip`, selecting `selector`, each port `[port, targetPort]`, created at `created`. */
export function service(ns: string, name: string, ip: string, selector: Record<string, string>, ports: readonly [number, number][], created = EARLY): Json {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: ns, uid: `uid-${ns}-${name}-${created}`, creationTimestamp: iso(created) },
    spec: { clusterIP: ip, clusterIPs: [ip], type: 'ClusterIP', selector, ports: ports.map(([port, targetPort]) => ({ name: `p${port}`, port, targetPort, protocol: 'TCP' })) },
  };
}

/** The EndpointSlice of Service `ns/svc` listing `pods` (`[name, ip]`) on `ports`. */
export function endpointSlice(ns: string, svc: string, pods: readonly [string, string][], ports: readonly number[]): Json {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: `${svc}-abcde`, namespace: ns, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    endpoints: pods.map(([name, ip]) => ({ addresses: [ip], conditions: { ready: true }, targetRef: { kind: 'Pod', name, namespace: ns } })),
    ports: ports.map((p) => ({ name: `p${p}`, port: p, protocol: 'TCP' })),
  };
}
