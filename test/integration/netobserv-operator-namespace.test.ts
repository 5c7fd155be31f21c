/**
 * NetObserv's operator has its own namespace (docs/matrices.md, "Catalog notes"): FlowCollector
 * spec.namespace holds "all pods managed by NetObserv" (seed 002 lines 12-13), which the operator
 * deploys; line 22 gives the operator its own default namespace, and OpenShift installs it in
 * openshift-netobserv-operator. Its must rules — the Kube API Server to the webhooks on 9443 (line
 * 24), the operator to the Kube API Server on 6443 (line 27) — follow it, not spec.namespace.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { parseMatricesConfig } from '../../recommender/matrix/config.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { netobservRecord } from '../helpers/netobserv-record.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
const OPERATOR_IP = '10.128.0.50';

/** The OpenShift-style fixture, plus the operator in `operatorNs` and flowlogs-pipeline in `flowCollectorNs`. */
function inventory(operatorNs: string, flowCollectorNs: string): string {
  const ns = (n: string) => `  - { apiVersion: v1, kind: Namespace, metadata: { name: ${n}, labels: { kubernetes.io/metadata.name: ${n} } } }`;
  const pod = (name: string, namespace: string, ip: string, ports: number[]) => `  - apiVersion: v1
    kind: Pod
    metadata: { name: ${name}, namespace: ${namespace}, labels: { app: ${name} }, creationTimestamp: "2026-01-01T00:00:00Z" }
    spec: { nodeName: w0, containers: [{ name: c, image: c, ports: [${ports.map((p) => `{ containerPort: ${p}, protocol: TCP }`).join(', ')}] }] }
    status: { phase: Running, startTime: "2026-01-01T00:00:00Z", podIP: ${ip}, podIPs: [{ ip: ${ip} }] }`;
  const base = readFileSync(new URL('../fixtures/openshift-dns/inventory.yaml', import.meta.url), 'utf8');
  return [base.trimEnd(), ns(operatorNs), ns(flowCollectorNs), pod('netobserv-operator', operatorNs, OPERATOR_IP, [9443, 8443]), pod('flowlogs-pipeline', flowCollectorNs, '10.128.0.51', [2055, 9401])].join('\n') + '\n';
}

async function recommendFor(operatorNs: string, parameters: string) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(operatorNs, 'observability'), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  // The operator was seen reading the apiserver; the apiserver called no webhook in the window
  // (it does so only when a FlowCollector is written).
  const flows = [netobservRecord({ src: OPERATOR_IP, dst: '10.0.0.10', dstPort: 6443, proto: 6, srcPort: 40001, time: NOW - 60_000 })];
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'netobserv' });
  const config = parseMatricesConfig(`matrices:\n  systems:\n    netobserv: { parameters: ${parameters} }\n`, 'cluster.yaml');
  const input = readRecommendationInput(db, config);
  return ENGINE_NAMES.map((engine) => ({ engine, ...runRecommendation(input, engine, recommendOptions({ mode: 'union' }), { tightness: false }) }));
}

for (const [what, operatorNs, parameters] of [
  ['FlowCollector spec.namespace moved to observability, the operator left in netobserv (line 22)', 'netobserv', '{ namespace: observability }'],
  ['OpenShift: the operator in openshift-netobserv-operator, operatorNamespace set', 'openshift-netobserv-operator', '{ namespace: observability, operatorNamespace: openshift-netobserv-operator }'],
] as const) {
  test(`${what}: the operator is documented, and mode union keeps the webhook ingress from the apiserver on 9443 although no call was observed (seed 002 line 24, must)`, async () => {
    for (const { engine, rec } of await recommendFor(operatorNs, parameters)) {
      const op = rec.workloads.find((w) => w.workload.name === 'netobserv-operator');
      assert.ok(op, engine);
      assert.deepEqual(op.components, ["netobserv/operator"], `${engine}: ${JSON.stringify(op.workload)} ${JSON.stringify(op.warnings)} ${JSON.stringify(rec.warnings)}`);
      const webhook = op.rules.find((r) => r.id === 'netobserv/operator/ingress/apiserver-9443');
      assert.ok(webhook, `${engine}: ${JSON.stringify(op.rules.map((r) => r.id))}`);
      assert.equal(webhook.status, 'documented-unobserved', engine);
      assert.deepEqual(webhook.ports, [{ kind: 'number', protocol: 'TCP', port: 9443 }], engine);
    }
  });
}
