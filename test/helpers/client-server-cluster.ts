/**
 * Deployments app/client (10.244.0.5) and app/server (10.244.1.5, port 8080) on node n1, each with
 * its ReplicaSet and one running pod, as `kubectl get … -o json` lists them; the Hubble records of
 * client → server connections; and the CLI steps of the tests that bring that inventory, a matrix
 * and the records in as a user would, export the client's policies and simulate flows under them.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli.ts';
import { tmpDb } from './tmp.ts';

export interface ClientServerOptions {
  /** The namespaces listed (default: default, app, kube-system). */
  namespaces?: readonly string[];
  /** The client's container ports (default: none). */
  clientPorts?: readonly number[];
  /** Objects listed after the Deployments. */
  extra?: readonly object[];
}

/** The inventory `kind: List`: the namespaces, node n1 (10.0.0.1, podCIDR 10.244.0.0/16), the client and server Deployments, then `extra`. */
export function clientServerInventory({ namespaces = ['default', 'app', 'kube-system'], clientPorts = [], extra = [] }: ClientServerOptions = {}): { apiVersion: string; kind: string; items: object[] } {
  const items: object[] = [];
  for (const n of namespaces) items.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n, uid: `ns-${n}`, labels: { 'kubernetes.io/metadata.name': n } } });
  items.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'node-n1' }, spec: { podCIDR: '10.244.0.0/16', podCIDRs: ['10.244.0.0/16'] }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } });
  items.push(...deploymentItems('client', '10.244.0.5', clientPorts), ...deploymentItems('server', '10.244.1.5', [8080]));
  return { apiVersion: 'v1', kind: 'List', items: [...items, ...extra] };
}

/** Deployment app/`name` (label app=`name`), its ReplicaSet `name`-abc and its pod `name`-abc-x1 at `ip` on n1. */
export function deploymentItems(name: string, ip: string, ports: readonly number[]): object[] {
  const labels = { app: name };
  const containers = [{ name, image: 'x', ports: ports.map((p) => ({ containerPort: p, protocol: 'TCP' })) }];
  return [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'app', uid: `d-${name}` }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers } } } },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `${name}-abc`, namespace: 'app', uid: `rs-${name}`, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `d-${name}`, controller: true }] },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers } } },
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${name}-abc-x1`, namespace: 'app', uid: `p-${name}`, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-abc`, uid: `rs-${name}`, controller: true }] },
      spec: { nodeName: 'n1', containers },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '10.0.0.1' },
    },
  ];
}

/** Matrix `t` (document `doc`): component client, the app/client pods, authoritative on its egress, with the one egress `rule` (a YAML flow mapping). */
export function clientEgressMatrix(rule: string): string {
  return `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: t, title: t }
documents:
  doc: { title: doc, file: none.txt }
components:
  client:
    namespace: app
    selector: { matchLabels: { app: client } }
    authoritative: { egress: true }
    egress:
      - ${rule}
`;
}

/** The server's pod as a Hubble record's `destination` names it. */
export const HUBBLE_SERVER_POD = { namespace: 'app', labels: ['k8s:app=server'], pod_name: 'server-abc-x1' };

export interface ClientConnection {
  /** ISO time of the record. */
  time: string;
  dst: string;
  port: number;
  sourcePort: number;
  /** The record's `destination` endpoint. */
  destination: object;
  /** The DNS names Cilium's proxy saw answered by `dst` (`destination_names`). */
  names: readonly string[];
  /** The Service the record names (`destination_service`), if any. */
  service?: { namespace: string; name: string };
}

/** A Hubble record (a JSON line) of the client's connection, the SYN of its egress. */
export function clientHubbleRecord(c: ClientConnection): string {
  return JSON.stringify({
    flow: {
      time: c.time,
      verdict: 'FORWARDED',
      IP: { source: '10.244.0.5', destination: c.dst, ipVersion: 'IPv4' },
      l4: { TCP: { source_port: c.sourcePort, destination_port: c.port, flags: { SYN: true } } },
      source: { namespace: 'app', labels: ['k8s:app=client'], pod_name: 'client-abc-x1' },
      destination: c.destination,
      ...(c.service ? { destination_service: c.service } : {}),
      destination_names: c.names,
      Type: 'L3_L4',
      traffic_direction: 'EGRESS',
      is_reply: false,
    },
  });
}

/** `flowmatrix export` of deployment app/client's policies for `engine` in `mode`. */
export const exportClient = (path: string, engine: string, mode: string) => runCli(['export', '--db', path, '--engine', engine, '--mode', mode, '--namespace', 'app', '--workload', 'deployment/client']);

/** The CLI steps that write files, writing them in `dir`. */
export function clientServerCli(dir: string) {
  return {
    /** A store holding `inventory` (taken 2026-11-19), with `matrixText` applied and the Hubble `flows` ingested, each through the CLI; its files are named for `name`. */
    async store(name: string, inventory: object, matrixText: string, flows: readonly string[]): Promise<string> {
      const { path } = tmpDb();
      const inv = join(dir, `${name}-inv.json`);
      writeFileSync(inv, JSON.stringify(inventory));
      assert.equal((await runCli(['inventory', 'import', inv, '--taken-at', '2026-11-19T00:00:00Z', '--db', path])).code, 0);
      const matrix = join(dir, `${name}.yaml`);
      writeFileSync(matrix, matrixText);
      const applied = await runCli(['matrix', 'apply', matrix, '--db', path]);
      assert.equal(applied.code, 0, applied.err);
      const f = join(dir, `${name}-flows.jsonl`);
      writeFileSync(f, `${flows.join('\n')}\n`);
      const ingested = await runCli(['ingest', '--format', 'hubble', f, '--db', path]);
      assert.equal(ingested.code, 0, ingested.err);
      return path;
    },

    /** Whether each flow of `flows` is allowed on the client's egress under the manifests, as `simulate` decides it. */
    async egressAllowed(path: string, engine: string, policies: string, flows: readonly string[], name: string): Promise<boolean[]> {
      const p = join(dir, `${name}-${engine}.yaml`);
      const f = join(dir, `${name}-${engine}-flows.jsonl`);
      writeFileSync(p, policies);
      writeFileSync(f, `${flows.join('\n')}\n`);
      const decided = await runCli(['simulate', '--engine', engine, '--policies', p, '--flows', f, '--format', 'hubble', '--db', path]);
      assert.equal(decided.code, 0, decided.err);
      return (JSON.parse(decided.out) as { egress: { allowed: boolean } }[]).map((d) => d.egress.allowed);
    },
  };
}
