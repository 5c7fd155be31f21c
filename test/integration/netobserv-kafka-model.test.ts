/**
 * NetObserv in the Kafka deployment model, as the operator really deploys it: the flow consumer is
 * the Deployment flowlogs-pipeline-transformer, whose pods carry app=flowlogs-pipeline-transformer
 * (netobserv/network-observability-operator internal/controller/flp/flp_transfo_objects.go,
 * appLabel(); controllers/flowlogspipeline/flp_test.go TestLabels). Seed 002 names the component by
 * app=flowlogs-pipeline only (line 40), the monolith's label. The built-in matrix selected nothing
 * there: `component-absent flowlogs-pipeline`, and `recommend --mode documented --default-deny`
 * came out verified while its policies cut the transformer's documented must traffic — to Kafka
 * (seed 002 lines 50-51), to Loki (52-53), Prometheus' scrape of 9401 (42) — and its DNS.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import type { SimEndpoint } from '../../recommender/simulate/types.ts';
import { fixtureStoreWithFlows } from '../helpers/fixture-flows-store.ts';

const NOW = Date.now();
const TRANSFORMER = '10.244.0.20';
const LOKI = '10.244.0.30';
const KAFKA = '10.244.0.40';
const PROMETHEUS = '10.244.0.50';
const DNS = '10.244.0.2';
const NODE = '10.0.0.10';

const CONFIG: MatricesConfigT = {
  bindings: {
    roles: {
      kafka: { namespace: 'kafka', selector: { matchLabels: { 'app.kubernetes.io/name': 'kafka' } }, ports: [{ port: 9092 }] },
      loki: { namespace: 'netobserv', selector: { matchLabels: { 'app.kubernetes.io/name': 'loki' } }, ports: [{ port: 3100 }] },
      prometheus: { namespace: 'monitoring', selector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } },
    },
  },
  systems: { netobserv: { parameters: { deploymentModel: 'Kafka' } } },
};

/** The observed traffic, one flow each. */
const FLOWS = [
  { src: NODE, dst: KAFKA, dstPort: 9092, proto: 6 }, // the agents write flows to Kafka
  { src: TRANSFORMER, dst: KAFKA, dstPort: 9092, proto: 6 },
  { src: TRANSFORMER, dst: LOKI, dstPort: 3100, proto: 6 },
  { src: PROMETHEUS, dst: TRANSFORMER, dstPort: 9401, proto: 6 },
  { src: TRANSFORMER, dst: DNS, dstPort: 53, proto: 17 },
] as const;

const kafkaModelStore = () => fixtureStoreWithFlows('netobserv-kafka', FLOWS, NOW);

test('NetObserv Kafka model: flowlogs-pipeline-transformer is the flowlogs-pipeline component, and its documented must traffic is allowed and verified on every engine (--mode documented --default-deny)', async () => {
  const db = await kafkaModelStore();
  const input = readRecommendationInput(db, CONFIG);
  const model = clusterModel(input.inventory, input.externalNames);
  const pod = (ip: string): SimEndpoint => ({ kind: 'pod', pod: model.cluster.pods.find((p) => p.ips.includes(ip))! });
  const must = [
    { what: 'transformer → Kafka 9092', client: pod(TRANSFORMER), server: pod(KAFKA), port: 9092, protocol: 'TCP' as const },
    { what: 'transformer → Loki 3100', client: pod(TRANSFORMER), server: pod(LOKI), port: 3100, protocol: 'TCP' as const },
    { what: 'Prometheus → transformer 9401', client: pod(PROMETHEUS), server: pod(TRANSFORMER), port: 9401, protocol: 'TCP' as const },
    { what: 'transformer → DNS 53', client: pod(TRANSFORMER), server: pod(DNS), port: 53, protocol: 'UDP' as const },
  ];
  for (const engine of ENGINE_NAMES) {
    const { rec, verification, emitted } = runRecommendation(input, engine, recommendOptions({ mode: 'documented', defaultDeny: true, namespace: 'netobserv' }), { tightness: false });
    const transformer = rec.workloads.find((w) => w.workload.name === 'flowlogs-pipeline-transformer');
    assert.ok(transformer, engine);
    const status = (id: string) => transformer.documented.find((d) => d.id === id)?.status;
    for (const id of ['netobserv/flowlogs-pipeline/egress/kafka', 'netobserv/flowlogs-pipeline/egress/loki', 'netobserv/flowlogs-pipeline/ingress/prometheus-9401']) {
      assert.equal(status(id), 'confirmed', `${engine} ${id}: ${JSON.stringify(transformer.documented.map((d) => [d.id, d.status]))}`);
    }
    assert.deepEqual(verification.blocked, [], engine);
    assert.equal(verification.ok, true, engine);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    for (const { what, ...flow } of must) {
      const v = sim.evaluate(flow);
      assert.equal(v.verdict, 'allow', `${engine} ${what}: ${v.egress.reason} / ${v.ingress.reason}`);
    }
  }
});
