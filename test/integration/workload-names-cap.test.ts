/**
 * Bounded by design (docs/ingest.md): the DNS names kept per workload (`workload_names`, names Hubble
 * saw answered by a pod's own address or a Service's ClusterIP) have a cap of their own. The
 * inventory bounds the workloads, not the names: a record stream inventing names for one real
 * workload grew the table without bound. Past the cap a new name is not kept, and the run counts it
 * (`ingest_runs.names_capped`), which the ingest summary and the report's ingest health say.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { gatherReportInput } from '../../app/report-input.ts';
import { buildReport } from '../../reports/build.ts';
import { renderMarkdown } from '../../reports/render/markdown.ts';
import { IngestRunStore } from '../../store/ingest-runs.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T0 = Date.parse('2026-11-20T00:00:00Z');
const CAP = 5;

/** Namespace app, a node, Deployments app/client (10.244.0.5) and app/server (10.244.1.5, port 8080). */
function inventory(): object {
  const items: object[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', uid: 'ns-app', labels: { 'kubernetes.io/metadata.name': 'app' } } }];
  items.push({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'node-n1' }, spec: { podCIDR: '10.244.0.0/16', podCIDRs: ['10.244.0.0/16'] }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } });
  for (const [name, ip] of [['client', '10.244.0.5'], ['server', '10.244.1.5']] as const) {
    const labels = { app: name };
    const containers = [{ name, image: 'x', ports: [{ containerPort: 8080, protocol: 'TCP' }] }];
    items.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'app', uid: `d-${name}` }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers } } } });
    items.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `${name}-abc`, namespace: 'app', uid: `rs-${name}`, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `d-${name}`, controller: true }] },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers } } },
    });
    items.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${name}-abc-x1`, namespace: 'app', uid: `p-${name}`, labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-abc`, uid: `rs-${name}`, controller: true }] },
      spec: { nodeName: 'n1', containers },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '10.0.0.1' },
    });
  }
  return { apiVersion: 'v1', kind: 'List', items };
}

/** A Hubble record of client → server:8080 that says the server's address answered `name`. */
function record(name: string, i: number): string {
  return JSON.stringify({
    flow: {
      time: new Date(T0 + 3_600_000 + i * 1000).toISOString(),
      verdict: 'FORWARDED',
      IP: { source: '10.244.0.5', destination: '10.244.1.5', ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 41000, destination_port: 8080, flags: { SYN: true } } },
      source: { namespace: 'app', labels: ['k8s:app=client'], pod_name: 'client-abc-x1' },
      destination: { namespace: 'app', labels: ['k8s:app=server'], pod_name: 'server-abc-x1' },
      destination_names: [name],
      Type: 'L3_L4',
      traffic_direction: 'EGRESS',
      is_reply: false,
    },
  });
}

const names = (n: number) => Array.from({ length: n }, (_, i) => `host-${String(i).padStart(2, '0')}.example.com`);

async function ingest(db: Parameters<typeof ingestFlows>[0], lines: readonly string[]) {
  return ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${lines.join('\n')}\n`]) }], { format: 'hubble', now: () => T0 + 7_200_000, caps: { maxNamesPerWorkload: CAP } });
}

test('a stream of cap + 10 distinct names for one workload keeps cap names, counts 10 not kept in the run, its summary and the report', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: JSON.stringify(inventory()), takenAt: T0, source: 'inventory.json', now: T0 });
  const summary = await ingest(db, names(CAP + 10).map(record));
  const stored = db.prepare("SELECT name FROM workload_names WHERE workload = 'app/Deployment/server' ORDER BY name").pluck().all();
  assert.deepEqual(stored, names(CAP), 'the first names under the cap are kept, in arrival order');
  assert.equal(summary.namesCapped, 10);
  assert.equal(summary.inputs[0]!.namesCapped, 10);
  assert.equal(summary.accepted, CAP + 10, 'the records themselves are kept: only their names are not');
  assert.equal(new IngestRunStore(db).list(1)[0]!.namesCapped, 10);

  // A later run counts what is stored: a name the store holds is updated, a new one is not kept.
  const again = await ingest(db, [record('host-00.example.com', 100), record('host-99.example.com', 101)]);
  assert.equal(again.namesCapped, 1);
  assert.equal(db.prepare("SELECT count(*) FROM workload_names WHERE workload = 'app/Deployment/server'").pluck().get(), CAP);

  const report = buildReport(gatherReportInput(db, { engine: 'kubernetes', mode: 'union', egress: true, staleDays: 30, matrices: {}, trigger: 'manual', generatedAt: T0 + 7_200_000 }));
  assert.equal(report.ingest.totals.namesCapped, 11);
  assert.equal(report.ingest.recent[0]!.namesCapped, 1);
  assert.match(renderMarkdown(report), /11 DNS names not kept past the cap of names per workload/);
});
