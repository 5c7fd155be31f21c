/**
 * Kyma Telemetry as the current telemetry-manager deploys it (test/fixtures/kyma-otlp-gateway):
 * the per-signal gateway Deployments of seed 001's table (lines 40, 42, 43) are replaced by one
 * DaemonSet telemetry-otlp-gateway (kyma-project/telemetry-manager
 * internal/resources/otelcollector/legacy_gateway_cleanup.go: "old per-signal gateway Deployments
 * (telemetry-trace-gateway, telemetry-metric-gateway, telemetry-log-gateway) ... the centralized
 * OTLP Gateway DaemonSet"; testdata/otlp-gateway.yaml). The built-in matrix selected the gateways by
 * their old names only, so the OTLP gateway was no component: the self-monitor's scrape of it on
 * 8888 (seed 001 line 27; the self-monitor's own NetworkPolicy in
 * internal/resources/selfmonitor/resources.go allows egress to app.kubernetes.io/component=gateway
 * on 8888) was a violation of the self-monitor's authoritative egress and denied on every engine
 * while the recommendation came out verified; with --default-deny the applications' OTLP push
 * (line 18) and the gateway's egress to the backends (line 19) were cut too.
 *
 * The self-monitor scrapes Fluent Bit on 2020 only: it keeps the endpoints of Services labelled
 * telemetry.kyma-project.io/self-monitor=enabled (internal/selfmonitor/config/testdata/config.yaml),
 * which telemetry-fluent-bit-metrics (2020) carries and telemetry-fluent-bit-exporter-metrics (2021)
 * does not (internal/resources/fluentbit/testdata/fluentbit.yaml), and its NetworkPolicy allows
 * fbports.HTTP (2020) to Fluent Bit. Seed 001 lists 2021 among the ports open to any IP (line 38),
 * not as a self-monitor target (line 14 names no port).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { fixtureStoreWithFlows, simEndpointAt } from '../helpers/fixture-flows-store.ts';

const NOW = Date.now();
const DNS = '10.244.0.2';
const MANAGER = '10.244.0.11';
const FLUENT_BIT = '10.244.0.12';
const LOG_AGENT = '10.244.0.13';
const METRIC_AGENT = '10.244.0.14';
const GATEWAY = '10.244.0.15';
const SELF_MONITOR = '10.244.0.16';
const APP = '10.244.0.30';
const PROMETHEUS = '10.244.0.50';
const NODE = '10.0.0.10';
const CLS = '203.0.113.10';
const DYNATRACE = '203.0.113.20';

// Unpinned, the roles are bound from observation: one OTLP gateway ships every signal, so what it
// reaches cannot tell a log backend from a trace one — those edges are documented when set, allowed,
// with a warning to pin the roles. Pinned as the docs ask (docs/matrices.md, roles bound from
// observation), they are documented outright.
const PINNED: MatricesConfigT = {
  bindings: {
    roles: {
      'log-backends': { cidrs: [`${CLS}/32`], ports: [{ port: 443 }] },
      'metric-backends': { cidrs: [`${DYNATRACE}/32`], ports: [{ port: 443 }] },
      'trace-backends': { cidrs: [`${DYNATRACE}/32`], ports: [{ port: 443 }] },
      rma: { namespace: 'monitoring', selector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } },
    },
  },
};

/** The documented traffic (seed 001 lines 13-31), one flow each, as observed. */
const FLOWS = [
  { what: 'self-monitor → OTLP gateway 8888 (line 27)', src: SELF_MONITOR, dst: GATEWAY, dstPort: 8888, proto: 6 },
  { what: 'self-monitor → Fluent Bit 2020 (line 27)', src: SELF_MONITOR, dst: FLUENT_BIT, dstPort: 2020, proto: 6 },
  { what: 'self-monitor → log agent 8888 (line 27)', src: SELF_MONITOR, dst: LOG_AGENT, dstPort: 8888, proto: 6 },
  { what: 'self-monitor → metric agent 8888 (line 27)', src: SELF_MONITOR, dst: METRIC_AGENT, dstPort: 8888, proto: 6 },
  { what: 'self-monitor → manager webhook 9443 (line 30)', src: SELF_MONITOR, dst: MANAGER, dstPort: 9443, proto: 6 },
  { what: 'manager → self-monitor 9090 (line 31)', src: MANAGER, dst: SELF_MONITOR, dstPort: 9090, proto: 6 },
  { what: 'application → OTLP gateway 4317 (line 18)', src: APP, dst: GATEWAY, dstPort: 4317, proto: 6 },
  { what: 'application → OTLP gateway 4318 (line 18)', src: APP, dst: GATEWAY, dstPort: 4318, proto: 6 },
  { what: 'OTLP gateway → log backend 443 (line 19)', src: GATEWAY, dst: CLS, dstPort: 443, proto: 6 },
  { what: 'OTLP gateway → trace/metric backend 443 (line 19)', src: GATEWAY, dst: DYNATRACE, dstPort: 443, proto: 6 },
  { what: 'Fluent Bit → log backend 443 (line 15)', src: FLUENT_BIT, dst: CLS, dstPort: 443, proto: 6 },
  { what: 'RMA → OTLP gateway 8888 (line 18)', src: PROMETHEUS, dst: GATEWAY, dstPort: 8888, proto: 6 },
  { what: 'RMA → Fluent Bit 2020 (line 14)', src: PROMETHEUS, dst: FLUENT_BIT, dstPort: 2020, proto: 6 },
  { what: 'RMA → Fluent Bit 2021 (line 14, 38)', src: PROMETHEUS, dst: FLUENT_BIT, dstPort: 2021, proto: 6 },
  { what: 'metric agent → kubelet 10250 (line 23)', src: METRIC_AGENT, dst: NODE, dstPort: 10250, proto: 6 },
  { what: 'metric agent → application metrics 8080 (line 23)', src: METRIC_AGENT, dst: APP, dstPort: 8080, proto: 6 },
  { what: 'OTLP gateway → DNS 53 (line 19)', src: GATEWAY, dst: DNS, dstPort: 53, proto: 17 },
  { what: 'OTLP gateway → API server 6443 (line 19)', src: GATEWAY, dst: NODE, dstPort: 6443, proto: 6 },
] as const;

const currentOperatorStore = () => fixtureStoreWithFlows('kyma-otlp-gateway', FLOWS, NOW);

test('Kyma Telemetry with the OTLP gateway DaemonSet: every documented must flow is allowed and verified on every engine (modes documented and union, with and without --default-deny)', async () => {
  const db = await currentOperatorStore();
  for (const [config, matrices] of [['unpinned', {}], ['pinned', PINNED]] as const) {
    const input = readRecommendationInput(db, matrices);
    const model = clusterModel(input.inventory, input.externalNames);
    const end = (ip: string, port?: number) => simEndpointAt(model.cluster, ip, port);
    for (const mode of ['documented', 'union'] as const) {
      for (const defaultDeny of [false, true]) {
        for (const engine of ENGINE_NAMES) {
          const what = `${config} ${engine} --mode ${mode}${defaultDeny ? ' --default-deny' : ''}`;
          const { rec, verification, emitted } = runRecommendation(input, engine, recommendOptions({ mode, defaultDeny, namespace: 'kyma-system' }), { tightness: false });
          const gateway = rec.workloads.find((w) => w.workload.name === 'telemetry-otlp-gateway');
          assert.deepEqual(gateway?.components, ['kyma-telemetry/log-gateway', 'kyma-telemetry/metric-gateway', 'kyma-telemetry/trace-gateway'], what);
          for (const w of rec.workloads) assert.deepEqual(w.violations, [], `${what} ${w.workload.name}: the documented traffic is no violation`);
          assert.deepEqual(verification.blocked, [], what);
          assert.equal(verification.ok, true, what);
          const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
          for (const f of FLOWS) {
            const v = sim.evaluate({ client: end(f.src), server: end(f.dst, f.dstPort), port: f.dstPort, protocol: f.proto === 6 ? 'TCP' : 'UDP' });
            assert.equal(v.verdict, 'allow', `${what} ${f.what}: ${v.egress.reason} / ${v.ingress.reason}`);
          }
          // Not documented: the self-monitor scrapes Fluent Bit's exporter (2021) through no Service it keeps.
          const exporter = sim.evaluate({ client: end(SELF_MONITOR), server: end(FLUENT_BIT), port: 2021, protocol: 'TCP' });
          assert.equal(exporter.verdict, 'deny', `${what} self-monitor → Fluent Bit 2021`);
        }
      }
    }
  }
});
