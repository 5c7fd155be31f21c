/**
 * The other paths of a `must` rule whose port is a name no pod of its server declares
 * (must-flows-named-port-unanswered.test.ts has the egress rule to named workloads): ingress from
 * named workloads, ingress from the nodes, a peer that names no workload (stood in for by a
 * representative flow: any pod), and an egress rule to a role whose ports are narrowed to what each
 * of its workloads serves (mirrored-rules.ts portsServedBy). A named port matches only a pod's
 * declared container port of that name (Kubernetes NetworkPolicy API reference,
 * NetworkPolicyPort.port), so the flow has no number to be judged on: the must flow is listed in
 * `unverifiedMustFlows`, naming the rule, the port name and the server (docs/recommend.md,
 * "Verification"), on every engine — never verified silently.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/types.ts';
import { namespaceItem, nodeItem, shopDeploymentItems } from '../helpers/inventory-yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const NOW = Date.parse('2026-03-02T00:00:00Z');

// db's pods declare container port `postgres` (5432) only, behind Service shop/db; frontend's `http` (8080).
const INVENTORY = `apiVersion: v1
kind: List
items:
${namespaceItem('shop')}
${nodeItem('n1', '10.244.1.0/24', '192.168.0.11')}
${shopDeploymentItems('db', '10.244.1.20', '{name: postgres, containerPort: 5432}')}
${shopDeploymentItems('frontend', '10.244.1.10', '{name: http, containerPort: 8080}')}
- apiVersion: v1
  kind: Service
  metadata: {name: db, namespace: shop}
  spec: {selector: {app: db}, clusterIP: 10.96.0.20, ports: [{name: postgres, port: 5432, targetPort: postgres, protocol: TCP}]}
`;

const matrix = (component: 'db' | 'frontend', direction: 'ingress' | 'egress', rule: string) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: named, title: named ports }
documents: { d: { title: d, file: d.txt } }
roles:
  store: { description: the store, scope: in-cluster }
components:
  ${component}:
    namespace: shop
    selector: { matchLabels: { app: ${component} } }
    ${direction}:
      - { id: r, ${rule}, level: must, purpose: the database, source: { document: d, line: 1 } }
`;

const BINDINGS = { bindings: { roles: { store: { namespace: 'shop', selector: { matchLabels: { app: 'db' } } } } } };

function stored(component: 'db' | 'frontend', direction: 'ingress' | 'egress', rule: string) {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  applyMatrix(db, { text: matrix(component, direction, rule), origin: 'named.yaml', appliedAt: NOW });
  return readRecommendationInput(db, BINDINGS);
}

/** The must flow is listed, with the rule, the port name and the server, on every engine and mode. */
function listed(component: 'db' | 'frontend', direction: 'ingress' | 'egress', rule: string, said: RegExp): void {
  const input = stored(component, direction, rule);
  for (const engine of ENGINE_NAMES) {
    for (const mode of ['union', 'documented', 'observed'] as const) {
      const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode }), { tightness: false });
      const found = v.unverifiedMustFlows.filter((m) => said.test(m));
      assert.equal(found.length, 1, `${engine} ${mode}: ${JSON.stringify(v.unverifiedMustFlows)}`);
      assert.ok(v.warnings.includes(found[0]!), `${engine} ${mode}: the verification's warnings hold it too`);
    }
  }
}

const unanswered = (rule: string, d: 'ingress' | 'egress', peer: string, server: string) =>
  new RegExp(`named/${rule} \\(must: the database\\) needs ${d} ${d === 'egress' ? 'to' : 'from'} ${peer} on port "pg"/TCP, which no container of Deployment shop/${server} declares, .*the verification cannot tell whether the output cuts it`);

test('ingress from named workloads on a port name the rule\'s own workload does not declare: listed in unverifiedMustFlows', () => {
  listed('db', 'ingress', 'peer: { namespace: shop, selector: { matchLabels: { app: frontend } } }, ports: [{ port: pg }]', unanswered('db/ingress/r', 'ingress', 'pods in namespace shop', 'db'));
});

test('ingress from the nodes on a port name the workload does not declare: listed in unverifiedMustFlows', () => {
  listed('db', 'ingress', 'peer: nodes, ports: [{ port: pg }]', unanswered('db/ingress/r', 'ingress', 'nodes', 'db'));
});

test('ingress from any pod (a stand-in flow) on a port name the workload does not declare: listed in unverifiedMustFlows', () => {
  listed('db', 'ingress', 'peer: { namespaceSelector: {} }, ports: [{ port: pg }]', unanswered('db/ingress/r', 'ingress', '.*', 'db'));
});

test('egress to any pod (a stand-in flow) on a port name its stand-in does not declare: listed in unverifiedMustFlows', () => {
  listed('frontend', 'egress', 'peer: { namespaceSelector: {} }, ports: [{ port: pg }]', unanswered('frontend/egress/r', 'egress', '.*', 'db'));
});

test('egress to a role whose ports are narrowed to those its workloads serve: a port name none declares is not dropped unsaid', () => {
  listed('frontend', 'egress', 'peer: { role: store }, ports: [{ port: 5432 }, { port: pg }]', unanswered('frontend/egress/r', 'egress', 'role store', 'db'));
});

test('the same paths on a port name the server declares (postgres) are judged as before: verified, nothing unverified', () => {
  const cases: [ 'db' | 'frontend', 'ingress' | 'egress', string][] = [
    ['db', 'ingress', 'peer: { namespace: shop, selector: { matchLabels: { app: frontend } } }, ports: [{ port: postgres }]'],
    ['db', 'ingress', 'peer: nodes, ports: [{ port: postgres }]'],
    ['db', 'ingress', 'peer: { namespaceSelector: {} }, ports: [{ port: postgres }]'],
    ['frontend', 'egress', 'peer: { namespaceSelector: {} }, ports: [{ port: postgres }]'],
    ['frontend', 'egress', 'peer: { role: store }, ports: [{ port: 5432 }, { port: postgres }]'],
  ];
  for (const [component, direction, rule] of cases) {
    const input = stored(component, direction, rule);
    for (const engine of ENGINE_NAMES) {
      const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW }), { tightness: false });
      assert.equal(v.ok, true, `${rule} ${engine}: ${JSON.stringify(v.blocked)}`);
      assert.deepEqual(v.unverifiedMustFlows, [], `${rule} ${engine}`);
    }
  }
});
