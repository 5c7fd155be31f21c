/**
 * Kyma's "customer workloads" (seed 001 line 18: the gateways take "OTLP data ingested by customer
 * workloads"; line 23: the metric agent is "scraping customer workloads metrics") are the roles
 * `otlp-clients` and `scrape-targets`, bound by default to every pod of every namespace. A role
 * never stands for a component of its own matrix (docs/matrices.md, Roles): the Telemetry
 * components' own traffic is what the ADR's flow analysis lists, and that analysis is
 * authoritative (the matrix's header: "anything else a Telemetry component sends or receives is a
 * violation to review"). The metric agent pushing OTLP to the metric gateway (the demo's
 * `telemetry-metric-agent → telemetry-metric-gateway:4317`, docs/demo.md "Traffic no document
 * mentions") is in neither list: it was documented at both ends by the roles.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recommend } from '../../recommender/recommend.ts';
import { demoDb, demoRecommendInput } from '../helpers/demo-db.ts';

// Built at the top level: a temporary directory made inside a before() hook is removed when the hook ends.
const input = demoRecommendInput(await demoDb());
const rec = recommend(input, { namespace: 'kyma-system' });

const AGENT_TO_GATEWAY = 'workload:kyma-system/DaemonSet/telemetry-metric-agent|workload:kyma-system/Deployment/telemetry-metric-gateway|4317|TCP';

function side(workload: string, direction: 'ingress' | 'egress', key: string) {
  const w = rec.workloads.find((x) => x.workload.name === workload)!;
  const edge = w.observed.find((e) => e.direction === direction && e.key === key);
  assert.ok(edge, `${workload} ${direction}: ${JSON.stringify(w.observed.map((e) => e.key))}`);
  return { w, edge };
}

test('the metric agent → metric gateway OTLP push is no customer workload\'s: undocumented, a violation at both authoritative ends (seed 001 lines 18, 23)', () => {
  const agent = side('telemetry-metric-agent', 'egress', AGENT_TO_GATEWAY);
  assert.equal(agent.edge.status, 'undocumented');
  assert.deepEqual(agent.edge.rules, []);
  assert.ok(agent.w.violations.includes(AGENT_TO_GATEWAY), JSON.stringify(agent.w.violations));
  const gateway = side('telemetry-metric-gateway', 'ingress', AGENT_TO_GATEWAY);
  assert.equal(gateway.edge.status, 'undocumented');
  assert.ok(gateway.w.violations.includes(AGENT_TO_GATEWAY), JSON.stringify(gateway.w.violations));
});

test('customer workloads stay documented by the roles: shop → trace gateway 4318 (line 18), metric agent → shop/catalog 9090 (line 23)', () => {
  const push = side('telemetry-trace-gateway', 'ingress', 'workload:shop/Deployment/cart|workload:kyma-system/Deployment/telemetry-trace-gateway|4318|TCP');
  assert.equal(push.edge.status, 'confirmed');
  assert.deepEqual(push.edge.rules, ['kyma-telemetry/trace-gateway/ingress/otlp-clients-4317']);
  const scrape = side('telemetry-metric-agent', 'egress', 'workload:kyma-system/DaemonSet/telemetry-metric-agent|workload:shop/Deployment/catalog|9090|TCP');
  assert.equal(scrape.edge.status, 'confirmed');
  assert.deepEqual(scrape.edge.rules, ['kyma-telemetry/metric-agent/egress/scrape-targets']);
});
