/**
 * The kubelet's probes in the tightness figure (allowed (peer, port) pairs ÷ observed pairs,
 * docs/recommend.md "Verification", 3). A probe is traffic the recommendation must keep: the
 * kubelet restarts a pod whose liveness probe fails (Kubernetes "Configure Liveness, Readiness and
 * Startup Probes"), and on Cilium under `allow-localhost: policy` only a rule lets it in
 * (cilium/cilium pkg/policy mapstate.go determineAllowLocalhostIngress). So it is an observed pair
 * of its side like any edge: in `observed`, and in `allowed` where the engine lets it in, never
 * counted as looseness — the figure's node probe at the probed node and port is that pair.
 * Input: web, on worker-1, probed by the kubelet of worker-1 on 8080 (and reached by pod cli
 * there too, or not); expected: every figure 1 where the recommendation keeps the probe, the
 * probe left out of `allowed` where the output cuts it.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import type { EngineName } from '../../recommender/engines/types.ts';
import { localHostCluster, T } from '../helpers/local-host-cluster.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
/** cli, the other client of web. */
const CLI_POD = `  - { apiVersion: v1, kind: Pod, metadata: { name: cli, namespace: shop, labels: { app: cli }, creationTimestamp: "${T}" }, spec: { nodeName: worker-1, containers: [{ name: c, image: i }] }, status: { phase: Running, startTime: "${T}", podIP: 10.244.1.11, podIPs: [{ ip: 10.244.1.11 }] } }
`;

/** A Hubble record of a TCP SYN to web on 8080. */
const toWeb = (source: string, ids: unknown) =>
  JSON.stringify({
    time: new Date(NOW - 120_000).toISOString(),
    verdict: 'FORWARDED',
    IP: { source, destination: '10.244.1.10', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40001, destination_port: 8080, flags: { SYN: true } } },
    source: ids,
    destination: { namespace: 'shop', pod_name: 'web-x', labels: ['k8s:app=web'] },
    node_name: 'worker-1',
    traffic_direction: 'INGRESS',
  });
const PROBE = toWeb('172.18.0.3', { identity: 1, labels: ['reserved:host'] });
const CLI = toWeb('10.244.1.11', { namespace: 'shop', pod_name: 'cli', labels: ['k8s:app=cli'] });

/** web's ingress figure for `engine` (`config`: the cilium-config's data beyond cluster-name; undefined: no Cilium). */
async function webIngress(engine: EngineName, config: string | undefined, lines: string[]) {
  const { db } = tmpDb();
  importInventory(db, { text: localHostCluster(config, CLI_POD), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${lines.join('\n')}\n`]) }], { format: 'hubble' });
  const { verification } = runRecommendation(readRecommendationInput(db, {}), engine, recommendOptions({ namespace: 'shop' }), { tightness: true });
  const [t] = verification.tightness.filter((x) => x.workload === 'shop/DaemonSet/web' && x.direction === 'ingress');
  return { t, ok: verification.ok };
}

test('a side reached by the kubelet probe and a pod: the probe is an observed pair, allowed where the engine lets it in, and no node probe counts it as looseness', async () => {
  // Cilium's local host gets in by default (allow-localhost auto), by the host entity under policy; Calico does not police it.
  const cases: [EngineName, string | undefined][] = [
    ['cilium', ''],
    ['kubernetes', ''],
    ['cilium', ', allow-localhost: policy'],
    ['kubernetes', ', allow-localhost: policy, policy-cidr-match-mode: nodes'],
    ['calico', undefined],
    ['kubernetes', undefined],
  ];
  for (const [engine, config] of cases) {
    const { t, ok } = await webIngress(engine, config, [PROBE, CLI]);
    assert.equal(ok, true, `${engine} ${config}`);
    assert.deepEqual(t, { workload: 'shop/DaemonSet/web', direction: 'ingress', observed: 2, allowed: 2, ratio: 1 }, `${engine} ${config}`);
  }
});

test('a side reached by the kubelet probe alone is measured on it: ratio 1 where the output keeps it, never "unbounded"', async () => {
  for (const [engine, config] of [['cilium', ', allow-localhost: policy'], ['kubernetes', ', allow-localhost: policy, policy-cidr-match-mode: nodes']] as const) {
    const { t, ok } = await webIngress(engine, config, [PROBE]);
    assert.equal(ok, true, `${engine} ${config}`);
    assert.deepEqual(t, { workload: 'shop/DaemonSet/web', direction: 'ingress', observed: 1, allowed: 1, ratio: 1 }, `${engine} ${config}`);
  }
});

test('a probe the output cuts is observed and not allowed: the kubernetes engine under allow-localhost: policy without the nodes mode (blocked)', async () => {
  const { t, ok } = await webIngress('kubernetes', ', allow-localhost: policy', [PROBE, CLI]);
  assert.equal(ok, false);
  assert.deepEqual(t, { workload: 'shop/DaemonSet/web', direction: 'ingress', observed: 2, allowed: 1, ratio: 0.5 });
});
