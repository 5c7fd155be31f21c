/**
 * Two more paths of a `must` rule on a port name (must-flows-named-port-unanswered*.test.ts have
 * the others).
 *
 * 1. Egress on a port name to a peer that is no pod: the world, a CIDR (also through a role bound
 *    to one), the nodes, an outside DNS name. A name is resolved only against a pod's declared
 *    container ports — Kubernetes NetworkPolicyPort.port: "a named port on a pod"; Cilium resolves
 *    names on endpoints of pods off the host network only (pkg/policy/types GetNamedPort,
 *    pkg/k8s/watchers/pod.go updatePodHostData); Calico on workload endpoints (libcalico-go
 *    EndpointPort); a ClusterNetworkPolicy refuses a named port beside networks or nodes peers
 *    (network-policy-api CEL, ClusterNetworkPolicyEgressRule). So toward such a peer the port
 *    opens nothing on any engine, and the flow has no number to be judged on. Before, the
 *    representative flow (representative-flows.ts) got no number and nothing was said:
 *    `verification.ok: true`, `unverifiedMustFlows: []`. Now it is listed, naming the rule, its
 *    peer and the port name. (The apiserver is reached on its endpoint ports whatever the rule's
 *    ports say, so its rule is verified there: must-flows-non-workload-peers.test.ts.)
 * 2. Egress to any pod on a port name: one workload stood for every pod, the first by key, and the
 *    name was checked on it alone — a warning that it does not declare the name where another
 *    workload does, and no flow to the workloads that do. Now the name is looked up on every
 *    pod-network workload the peer stands for: one flow per number it has on them (to the first
 *    workload giving that number), verified as any must flow, and a warning only where none
 *    declares it — as for a peer naming workloads, whose name is verified on those that declare
 *    it (docs/recommend.md, "Verification").
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

// a-cache (first by key) declares `redis` only; db and db2 declare `pg`, as 5432 and 6432.
const INVENTORY = `apiVersion: v1
kind: List
items:
${namespaceItem('shop')}
${nodeItem('n1', '10.244.1.0/24', '192.168.0.11')}
${shopDeploymentItems('a-cache', '10.244.1.30', '{name: redis, containerPort: 6379}')}
${shopDeploymentItems('db', '10.244.1.20', '{name: pg, containerPort: 5432}')}
${shopDeploymentItems('db2', '10.244.1.21', '{name: pg, containerPort: 6432}')}
${shopDeploymentItems('frontend', '10.244.1.10', '{name: http, containerPort: 8080}')}
`;

const matrix = (rule: string) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: named, title: named ports }
documents: { d: { title: d, file: d.txt } }
roles:
  partner: { description: the partner network, scope: external }
components:
  frontend:
    namespace: shop
    selector: { matchLabels: { app: frontend } }
    egress:
      - { id: r, ${rule}, level: must, purpose: the database, source: { document: d, line: 1 } }
`;

const BINDINGS = { bindings: { roles: { partner: { cidrs: ['203.0.113.0/24'] } } } };

function stored(rule: string) {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  applyMatrix(db, { text: matrix(rule), origin: 'named.yaml', appliedAt: NOW });
  return readRecommendationInput(db, BINDINGS);
}

const MODES = ['union', 'documented', 'observed'] as const;

const noPod = (peer: string) =>
  new RegExp(`^named/frontend/egress/r \\(must: the database\\) needs egress to ${peer} on port "pg"/TCP, but a port name is resolved only against the container ports a pod declares, and (an address outside the cluster|a node) is no pod, .*the verification cannot tell whether the output cuts it; name the port by its number in the rule$`);

for (const [peer, said] of [
  ['world', 'world'],
  ['{ cidrs: [203.0.113.0/24] }', 'cidrs 203\\.0\\.113\\.0/24'],
  ['{ role: partner }', 'role partner'],
  ['nodes', 'nodes'],
  ['{ fqdns: [api.example.com] }', 'fqdns api\\.example\\.com'],
] as const) {
  test(`egress to ${peer} on a port name: listed in unverifiedMustFlows once, on every engine and mode`, () => {
    const input = stored(`peer: ${peer}, ports: [{ port: pg }]`);
    for (const engine of ENGINE_NAMES) {
      for (const mode of MODES) {
        const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode }), { tightness: false });
        const found = v.unverifiedMustFlows.filter((m) => noPod(said).test(m));
        assert.equal(found.length, 1, `${engine} ${mode}: ${JSON.stringify(v.unverifiedMustFlows)}`);
        assert.ok(v.warnings.includes(found[0]!), `${engine} ${mode}: the verification's warnings hold it too`);
      }
    }
  });
}

test('egress to the world on a port number beside the name: the number is still required (mode observed cuts it), the name listed', () => {
  const input = stored('peer: world, ports: [{ port: 443 }, { port: pg }]');
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode: 'observed' }), { tightness: false });
    assert.ok(v.blocked.some((b) => b.edge.endsWith('|443|TCP')), `${engine}: ${JSON.stringify(v.blocked)}`);
    assert.equal(v.unverifiedMustFlows.filter((m) => noPod('world').test(m)).length, 1, `${engine}: ${JSON.stringify(v.unverifiedMustFlows)}`);
  }
});

const edgeTo = (server: string, port: number) => `workload:shop/Deployment/frontend|workload:shop/Deployment/${server}|${port}|TCP`;

test('egress to any pod on a port name the first workload lacks and others declare: required on each number they give it, no warning', () => {
  const input = stored('peer: { namespaceSelector: {} }, ports: [{ port: pg }]');
  for (const engine of ENGINE_NAMES) {
    // Mode observed renders no egress but DNS: each required flow is cut, so each is found.
    const observed = runRecommendation(input, engine, recommendOptions({ now: NOW, mode: 'observed' }), { tightness: false }).verification;
    const cut = observed.blocked.map((b) => b.edge);
    assert.ok(cut.includes(edgeTo('db', 5432)), `${engine}: ${JSON.stringify(cut)}`);
    assert.ok(cut.includes(edgeTo('db2', 6432)), `${engine}: ${JSON.stringify(cut)}`);
    assert.deepEqual(observed.unverifiedMustFlows, [], engine);
    const union = runRecommendation(input, engine, recommendOptions({ now: NOW, mode: 'union' }), { tightness: false }).verification;
    assert.deepEqual(union.unverifiedMustFlows, [], engine);
    assert.equal(union.ok, true, `${engine}: ${JSON.stringify(union.blocked)}`);
  }
});

test('egress to any pod on a port name no workload declares: one warning naming the workloads it was looked up on', () => {
  const input = stored('peer: { namespaceSelector: {} }, ports: [{ port: metrics }]');
  const said = /^named\/frontend\/egress\/r \(must: the database\) needs egress to .* on port "metrics"\/TCP, which no container of the 3 pod-network workloads its peer selects \(Deployment shop\/a-cache, Deployment shop\/db, Deployment shop\/db2\) declares, .*the verification cannot tell whether the output cuts it/;
  for (const engine of ENGINE_NAMES) {
    for (const mode of MODES) {
      const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode }), { tightness: false });
      assert.equal(v.unverifiedMustFlows.length, 1, `${engine} ${mode}: ${JSON.stringify(v.unverifiedMustFlows)}`);
      assert.match(v.unverifiedMustFlows[0]!, said, `${engine} ${mode}`);
    }
  }
});
