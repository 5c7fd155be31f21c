/**
 * A rule that names no ports takes its role's (docs/matrices.md: "A rule to a role that names no
 * ports takes the binding's ports"). A role bound to two sinks, each with its own port (by the
 * config, or by observation: "one binding per observed peer … each with the ports it was seen
 * on"), reaches each sink on its own port only — not every sink on every sink's port — at the
 * shipper's egress and at each sink's ingress, on every engine.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import type { SimEndpoint } from '../../recommender/simulate/types.ts';
import { tmpDb } from '../helpers/tmp.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/role-bindings/${name}`, import.meta.url), 'utf8');
const NOW = Date.now();
const record = (dst: string, port: number, i: number) =>
  JSON.stringify({ SrcAddr: '10.128.0.20', DstAddr: dst, SrcPort: 40000 + i, DstPort: port, Proto: 6, Flags: 2, Etype: 2048, Packets: 1, Bytes: 80, TimeFlowStartMs: NOW - 60_000 + i, TimeFlowEndMs: NOW - 60_000 + i });
const BOUND = { bindings: { roles: { sinks: [{ namespace: 'obs', selector: { matchLabels: { app: 'my-loki' } }, ports: [{ port: 3100 }] }, { namespace: 'obs', selector: { matchLabels: { app: 'otel-sink' } }, ports: [{ port: 4317 }] }] } } };

for (const [how, config] of [['bound by the config', BOUND], ['bound by observation', {}]] as const) {
  test(`a role ${how} to two sinks on their own ports: each sink reached on its own port only, at both ends, on every engine`, async () => {
    const { db } = tmpDb();
    importInventory(db, { text: fixture('inventory.yaml'), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
    applyMatrix(db, { text: fixture('matrix.yaml'), origin: 'matrix.yaml', appliedAt: NOW });
    await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${[record('10.128.0.21', 3100, 1), record('10.128.0.22', 4317, 2)].join('\n')}\n`]) }], { format: 'netobserv' });
    const input = readRecommendationInput(db, config);
    const model = clusterModel(input.inventory, input.externalNames);
    const pod = (name: string): SimEndpoint => ({ kind: 'pod', pod: model.cluster.pods.find((p) => p.namespace === 'obs' && p.name === name)! });
    for (const mode of ['union', 'documented'] as const) {
      for (const engine of ENGINE_NAMES) {
        const { verification, emitted } = runRecommendation(input, engine, recommendOptions({ mode, defaultDeny: true }), { tightness: false });
        assert.equal(verification.ok, true, `${mode} ${engine}: ${JSON.stringify(verification.blocked)}`);
        const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
        const to = (sink: string, port: number) => sim.evaluate({ client: pod('shipper'), server: pod(sink), port, protocol: 'TCP' });
        assert.equal(to('loki', 3100).verdict, 'allow', `${mode} ${engine} shipper → loki 3100`);
        assert.equal(to('otel', 4317).verdict, 'allow', `${mode} ${engine} shipper → otel 4317`);
        for (const [sink, port] of [['loki', 4317], ['otel', 3100]] as const) {
          const v = to(sink, port);
          assert.equal(v.egress.allowed, false, `${mode} ${engine} shipper's egress to ${sink} on ${port}: ${v.egress.reason}`);
          assert.equal(v.ingress.allowed, false, `${mode} ${engine} ${sink}'s ingress from shipper on ${port}: ${v.ingress.reason}`);
        }
      }
    }
  });
}
