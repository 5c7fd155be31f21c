/**
 * A `must` rule whose port is a name (`ports: [{port: pg}]`) that no pod of the rule's server
 * declares as a container port opens nothing on any engine: a NetworkPolicy named port matches
 * only a pod's declared container port of that name (Kubernetes NetworkPolicy API reference,
 * NetworkPolicyPort.port: "a named port on a pod"; the simulators resolve a name on the pods'
 * declared container ports, recommender/simulate/). The flow the rule
 * requires has no number to be judged on, so the verification cannot tell whether the output
 * keeps it (docs/recommend.md, "Verification": `unverifiedMustFlows`).
 *
 * Before, synthesize/workload.ts unobservedMustFlows built no flow for it (the name resolves to no
 * number) and said nothing: `verification.ok: true`, no warning, `unverifiedMustFlows: []`. Now the
 * must flow is listed there, naming the rule, the port name and the peer, on every engine, and
 * `export` prints it as a warning. A named port that the peer's pods do declare is unchanged.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/types.ts';
import { runCli } from '../helpers/cli.ts';
import { namespaceItem, nodeItem, shopDeploymentItems } from '../helpers/inventory-yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const NOW = Date.parse('2026-03-02T00:00:00Z');

// db's pods declare container port `postgres` (5432) only.
const INVENTORY = `apiVersion: v1
kind: List
items:
${namespaceItem('shop')}
${nodeItem('n1', '10.244.1.0/24', '192.168.0.11')}
${shopDeploymentItems('db', '10.244.1.20', '{name: postgres, containerPort: 5432}')}
${shopDeploymentItems('frontend', '10.244.1.10', '{name: http, containerPort: 8080}')}
`;

const matrix = (port: string) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: named, title: named ports }
documents: { d: { title: d, file: d.txt } }
components:
  frontend:
    namespace: shop
    selector: { matchLabels: { app: frontend } }
    egress:
      - { id: db-named, peer: { namespace: shop, selector: { matchLabels: { app: db } } }, ports: [{ port: ${port} }], level: must, purpose: the database, source: { document: d, line: 1 } }
`;

function stored(port: string) {
  const { db, path } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  applyMatrix(db, { text: matrix(port), origin: 'named.yaml', appliedAt: NOW });
  return { path, input: readRecommendationInput(db, {}) };
}

// The rule, the port name and the peer, and why the verification cannot judge the flow.
const UNANSWERED = /named\/frontend\/egress\/db-named \(must: the database\) needs egress to pods in namespace shop on port "pg"\/TCP, which no container of Deployment shop\/db declares, .*the verification cannot tell whether the output cuts it/;

test('a must rule on a port name no pod of its peer declares: the must flow is listed in unverifiedMustFlows on every engine, never passed silently', () => {
  const { input } = stored('pg');
  for (const engine of ENGINE_NAMES) {
    for (const mode of ['union', 'documented', 'observed'] as const) {
      const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode }), { tightness: false });
      const said = v.unverifiedMustFlows.filter((m) => UNANSWERED.test(m));
      assert.equal(said.length, 1, `${engine} ${mode}: ${JSON.stringify(v.unverifiedMustFlows)}`);
      assert.ok(v.warnings.includes(said[0]!), `${engine} ${mode}: the verification's warnings hold it too`);
    }
  }
});

test('export prints the warning of that must flow; on ClusterNetworkPolicy the name, of no number, is kept as destinationNamedPort, which the standard channel\'s CRD lacks since network-policy-api#392: withheld (exit 2), saying so', async () => {
  const { path } = stored('pg');
  for (const engine of ENGINE_NAMES) {
    const r = await runCli(['export', '--db', path, '--engine', engine]);
    assert.match(r.err, UNANSWERED, engine);
    if (engine !== 'clusternetworkpolicy') {
      assert.equal(r.code, 0, `${engine}: ${r.err}`);
      continue;
    }
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /named-port-experimental: port name pg kept as destinationNamedPort/);
    assert.match(r.err, /verification failed: ClusterNetworkPolicy\/shop-deployment-frontend \/spec\/egress\/0\/protocols\/0\/destinationNamedPort: .*experimental channel only.* \(the network-policy-api standard-channel CRD refuses it\)/);
  }
});

test('a must rule on a port name its peer declares (postgres) is judged as before: verified, nothing unverified', () => {
  const { input } = stored('postgres');
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW }), { tightness: false });
    assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
    assert.deepEqual(v.unverifiedMustFlows, [], engine);
  }
});
