/**
 * A workload's other policies are named by suffixing its own (`-exposed`, `-dns`, and the
 * ClusterNetworkPolicy `-isolation`): a workload whose own name ends so (`web-isolation`) would be
 * given another workload's policy name. Exported one workload at a time (`export --workload`),
 * each export verifies, but applying both keeps one object of the name — `web`'s isolation
 * replaced `web-isolation`'s allowlist and cut its egress. Names stay distinct whatever the
 * selection (recommender/policy/names.ts). So do `web.v2` and `web-v2`, which clean to one name.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { manifestId } from '../../recommender/engines/manifest-id.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
const pod = (name: string, ip: string, port?: number) =>
  `  - { apiVersion: v1, kind: Pod, metadata: { name: ${name}, namespace: app, labels: { app: ${name} }, creationTimestamp: "2026-01-01T00:00:00Z" }, spec: { nodeName: w1, containers: [{ name: c, image: i${port ? `, ports: [{ containerPort: ${port} }]` : ''} }] }, status: { phase: Running, startTime: "2026-01-01T00:00:00Z", podIP: ${ip}, podIPs: [{ ip: ${ip} }] } }`;
const INVENTORY = `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: app, labels: { kubernetes.io/metadata.name: app } } }
  - { apiVersion: v1, kind: Node, metadata: { name: w1, creationTimestamp: "2026-01-01T00:00:00Z" }, spec: { podCIDR: 10.244.1.0/24 }, status: { addresses: [{ type: InternalIP, address: 10.0.0.11 }] } }
${pod('web', '10.244.1.5', 8080)}
${pod('web-isolation', '10.244.1.6')}
${pod('web-dns', '10.244.1.7')}
${pod('web.v2', '10.244.1.8')}
${pod('web-v2', '10.244.1.9')}
`;

test('exported one workload at a time, or all at once, `web`, `web-isolation`, `web-dns`, `web.v2` and `web-v2` get distinct policy names on every engine, and applied together they keep the observed traffic', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  const flow = (src: string, i: number) => JSON.stringify({ SrcAddr: src, DstAddr: '10.244.1.5', SrcPort: 40000 + i, DstPort: 8080, Proto: 6, Flags: 2, Etype: 2048, Packets: 1, Bytes: 80, TimeFlowStartMs: NOW - 60_000 + i, TimeFlowEndMs: NOW - 60_000 + i });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${['10.244.1.6', '10.244.1.7', '10.244.1.8', '10.244.1.9'].map(flow).join('\n')}\n`]) }], { format: 'netobserv' });
  const input = readRecommendationInput(db, {});
  const model = clusterModel(input.inventory, input.externalNames);
  const endpoint = (name: string) => ({ kind: 'pod' as const, pod: model.cluster.pods.find((p) => p.name === name)! });
  for (const engine of ENGINE_NAMES) {
    // The whole cluster at once has no two names alike either (`web.v2` and `web-v2` clashed: nothing was exported).
    assert.equal(runRecommendation(input, engine, recommendOptions({}), { tightness: false }).verification.ok, true, engine);
    const manifests = ['Pod/web', 'Pod/web-isolation', 'Pod/web-dns', 'Pod/web.v2', 'Pod/web-v2'].flatMap((workload) => {
      const { verification, emitted } = runRecommendation(input, engine, recommendOptions({ namespace: 'app', workload }), { tightness: false });
      assert.equal(verification.ok, true, `${engine} ${workload}: ${JSON.stringify(verification)}`);
      assert.ok(emitted.manifests.length > 0, `${engine} ${workload}: a policy`);
      return emitted.manifests;
    });
    const ids = manifests.map(manifestId);
    assert.deepEqual(ids.filter((id, i) => ids.indexOf(id) !== i), [], `${engine}: ${ids.join(', ')}`);
    const sim = SIMULATORS[engine](manifests, model.cluster);
    for (const client of ['web-isolation', 'web-dns', 'web.v2', 'web-v2']) {
      const v = sim.evaluate({ client: endpoint(client), server: endpoint('web'), port: 8080, protocol: 'TCP' });
      assert.equal(v.verdict, 'allow', `${engine} ${client} → web: egress ${v.egress.reason}; ingress ${v.ingress.reason}`);
    }
  }
});
