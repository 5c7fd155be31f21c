/**
 * Traffic to an in-cluster address that resolved to nothing at the flow's time (here a Service the
 * inventory lists without any EndpointSlice: no backend is known) can get no rule: a restricted
 * egress cuts it. The recommendation says so, naming the address, instead of leaving it to a
 * `skipped` count in the verification.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions } from '../../app/recommendation.ts';
import { recommend } from '../../recommender/recommend.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T0 = Date.parse('2026-11-20T00:00:00Z');

test('egress to an in-cluster address that resolved to nothing is named in a warning where egress is restricted', async () => {
  const { db } = tmpDb();
  const list = JSON.parse(readFileSync(new URL('../fixtures/named-ports/inventory.json', import.meta.url), 'utf8')) as { items: unknown[] };
  list.items.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'extdb', namespace: 'apps', creationTimestamp: '2026-11-01T00:00:00Z' }, spec: { clusterIP: '10.96.1.20', clusterIPs: ['10.96.1.20'], ports: [{ name: 'pg', port: 5432, targetPort: 5432, protocol: 'TCP' }] } });
  importInventory(db, { text: JSON.stringify(list), takenAt: T0, source: 'inventory.json', now: T0 });
  const record = { SrcAddr: '10.244.1.20', SrcPort: 48000, DstAddr: '10.96.1.20', DstPort: 5432, Proto: 6, Flags: 2, Packets: 5, Bytes: 500, TimeFlowStartMs: T0 + 3_600_000, TimeFlowEndMs: T0 + 3_600_000 };
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${JSON.stringify(record)}\n`]) }], { format: 'netobserv', now: () => T0 + 7_200_000 });
  const input = readRecommendationInput(db, {});
  const warned = (egress: boolean) => recommend(input, recommendOptions({ namespace: 'apps', egress })).workloads.flatMap((w) => w.warnings).filter((x) => x.includes('resolved to nothing'));
  assert.deepEqual(warned(true), ["egress: traffic observed to in-cluster addresses that resolved to nothing at the flow's time (10.96.1.20 5432/TCP) will be denied: no rule can name them; import the inventory of that time (the pods, the Service's EndpointSlices) and ingest the flows again — unless they are another ClusterMesh cluster's pods or nodes, which flowmatrix does not render"]);
  assert.deepEqual(warned(false), [], 'egress left open cuts nothing');
});

test('in-cluster addresses that resolved to nothing and were folded past the edge cap are said as folded blocks, with advice that fits: never as one in-cluster address', async () => {
  const { db } = tmpDb();
  const list = readFileSync(new URL('../fixtures/named-ports/inventory.json', import.meta.url), 'utf8');
  importInventory(db, { text: list, takenAt: T0, source: 'inventory.json', now: T0 });
  // Five addresses of node-1's podCIDR no pod held: past a cap of 1 the first keeps its edge, the
  // others fold into their /24 (docs/ingest.md "Bounded by design").
  const records = [200, 201, 202, 203, 204].map((n, i) => ({ SrcAddr: '10.244.1.20', SrcPort: 48000 + i, DstAddr: `10.244.1.${n}`, DstPort: 7000, Proto: 6, Flags: 2, Packets: 5, Bytes: 500, TimeFlowStartMs: T0 + 3_600_000, TimeFlowEndMs: T0 + 3_600_000 }));
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from(records.map((r) => `${JSON.stringify(r)}\n`)) }], { format: 'netobserv', now: () => T0 + 7_200_000, caps: { maxEdgesPerWorkload: 1 } });
  const input = readRecommendationInput(db, {});
  const warned = recommend(input, recommendOptions({ namespace: 'apps', egress: true })).workloads.flatMap((w) => w.warnings).filter((x) => x.includes('resolved to nothing'));
  assert.deepEqual(warned, [
    "egress: traffic observed to in-cluster addresses that resolved to nothing at the flow's time (10.244.1.200 7000/TCP) will be denied: no rule can name them; import the inventory of that time (the pods, the Service's EndpointSlices) and ingest the flows again — unless they are another ClusterMesh cluster's pods or nodes, which flowmatrix does not render",
    "egress: traffic observed to in-cluster addresses that resolved to nothing at the flow's time, folded into blocks by the ingest's edge caps (10.244.1.0/24 7000/TCP: a block stands for the addresses folded into it, not for one), will be denied: no rule can name them; import the inventory of that time (the pods, the Service's EndpointSlices) and ingest the flows again, with higher edge caps (--max-edges-per-workload, --max-edges-per-run; service: ingest.maxEdgesPerWorkload, ingest.maxEdgesPerRun) to keep each address apart — unless they are another ClusterMesh cluster's pods or nodes, which flowmatrix does not render",
  ]);
});
