/**
 * A `must` rule between a host-network component and a pod is required traffic like any other:
 * the host-network end gets no policy (no pod policy applies to it), but the pod's end does, and
 * it can cut the flow. The verification names the unobserved must flows of every workload
 * (VerifiedSides.documented), but a host-network workload's were never computed (it gets no plan
 * beyond its explanation), so in mode observed `recommend` exited 0 on every engine while
 * `simulate` denied the flow at the pod's end — where the same case with the server on the pod
 * network exits 2. The far end is the pod's node: the kubernetes docs ("Network Policies": a
 * host-network pod's traffic is the node's, which podSelectors do not match) and Cilium's `host`
 * entity (Documentation/security/policy/language.rst, "Entities Based"). The host-network client
 * runs on another node than db: Cilium lets the local host in by default (`--allow-localhost`,
 * cilium/cilium#754), a remote node only where a rule names it (`remote-node`).
 * Input → expected: blocked at the pod's side, naming the rule, in both directions.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { barePodItem, namespaceItem, nodeItem } from '../helpers/inventory-yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const NOW = Date.parse('2026-03-02T00:00:00Z');
const NODE_IP = '10.0.0.10';
const OTHER_NODE_IP = '10.0.0.11';
const pod = (name: string, ip: string, port: number, host = false, node = 'n1') => barePodItem({ namespace: 'ns-a', name, ip, ports: [port], node, hostNetwork: host });
const inventory = (hostServer: boolean) => `apiVersion: v1
kind: List
items:
${namespaceItem('ns-a')}
${nodeItem('n1', '10.244.0.0/24', NODE_IP)}
${nodeItem('n2', '10.244.1.0/24', OTHER_NODE_IP)}
${pod('client', '10.244.0.20', 9000)}
${pod('web', '10.244.0.21', 80)}
${pod('agent', hostServer ? NODE_IP : '10.244.0.22', 8080, hostServer)}
${pod('db', '10.244.0.23', 5432)}
${pod('hostclient', OTHER_NODE_IP, 9100, true, 'n2')}
`;
const MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: fz, title: host network }
documents: { d: { title: d, file: d.txt } }
components:
  client:
    namespace: ns-a
    selector: { matchLabels: { app: client } }
  agent:
    namespace: ns-a
    selector: { matchLabels: { app: agent } }
    ports: [{ port: 8080 }]
    ingress:
      - { id: from-client, peer: { component: client }, ports: [{ port: 8080 }], level: must, purpose: report, source: { document: d, line: 1 } }
  db:
    namespace: ns-a
    selector: { matchLabels: { app: db } }
    ports: [{ port: 5432 }]
  hostclient:
    namespace: ns-a
    selector: { matchLabels: { app: hostclient } }
    egress:
      - { id: to-db, peer: { component: db }, ports: [{ port: 5432 }], level: must, purpose: queries, source: { document: d, line: 2 } }
`;
const flow = (i: number, src: string, dst: string, port: number) =>
  JSON.stringify({ time: `2026-03-01T10:3${i}:00Z`, verdict: 'FORWARDED', IP: { source: src, destination: dst }, l4: { TCP: { source_port: 51000 + i, destination_port: port, flags: { SYN: true } } } });

async function stored(hostServer: boolean) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(hostServer), takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  // client → web: client's egress is restricted; client → db: db's ingress is restricted. Neither documented flow is observed.
  const flows = [flow(0, '10.244.0.20', '10.244.0.21', 80), flow(1, '10.244.0.20', '10.244.0.23', 5432)];
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'auto', now: () => NOW });
  applyMatrix(db, { text: MATRIX, origin: 'fz.yaml', appliedAt: NOW });
  return readRecommendationInput(db, {});
}

const TO_AGENT = 'workload:ns-a/Pod/client|workload:ns-a/Pod/agent|8080|TCP';
const TO_DB = 'workload:ns-a/Pod/hostclient|workload:ns-a/Pod/db|5432|TCP';

for (const hostServer of [true, false]) {
  test(`mode observed, the agent on the ${hostServer ? 'host' : 'pod'} network: its must ingress from the client is blocked at the client's egress`, async () => {
    const input = await stored(hostServer);
    for (const engine of ENGINE_NAMES) {
      const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode: 'observed' }), { tightness: false });
      assert.equal(v.ok, false, engine);
      const cut = v.blocked.find((b) => b.workload === 'ns-a/Pod/client' && b.direction === 'egress' && b.edge === TO_AGENT);
      assert.ok(cut, `${engine}: ${JSON.stringify(v.blocked)}`);
      assert.match(cut.reason, /fz\/agent\/ingress\/from-client \(must\) requires it, not observed yet: applying this cuts required traffic; mode union keeps it/, engine);
      // No policy applies to a host-network pod: nothing is judged at its side.
      assert.equal(v.blocked.some((b) => b.workload === 'ns-a/Pod/agent'), !hostServer, engine);
    }
  });
}

test('mode observed: a host-network client\'s must egress to a pod is blocked at the pod\'s ingress, in a run scoped to the pod too', async () => {
  const input = await stored(true);
  for (const engine of ENGINE_NAMES) {
    for (const scope of [{}, { workload: 'db' }]) {
      const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode: 'observed', ...scope }), { tightness: false });
      const what = `${engine} ${JSON.stringify(scope)}`;
      const cut = v.blocked.find((b) => b.workload === 'ns-a/Pod/db' && b.direction === 'ingress' && b.edge === TO_DB);
      if (engine === 'clusternetworkpolicy') {
        // db's isolation denies `from: namespaces: {}`, pods on the pod network only (the `namespaces`
        // peer: "Note that host-networked pods are not included in this type of peer",
        // kubernetes-sigs/network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go):
        // a node's address is not cut there, and nothing is blocked.
        assert.equal(cut, undefined, what);
        continue;
      }
      assert.equal(v.ok, false, what);
      assert.ok(cut, `${what}: ${JSON.stringify(v.blocked)}`);
      assert.match(cut.reason, /fz\/hostclient\/egress\/to-db \(must\) requires it, not observed yet: applying this cuts required traffic; mode union keeps it/, what);
    }
  }
});

test('mode observed: the warning names the side that cuts the flow, the client\'s egress, where the agent is on the host network', async () => {
  const input = await stored(true);
  const { rec } = runRecommendation(input, 'kubernetes', recommendOptions({ now: NOW, mode: 'observed' }), { tightness: false });
  const client = rec.workloads.find((w) => w.workload.name === 'client')!;
  assert.ok(client.warnings.some((m) => m.startsWith('fz/agent/ingress/from-client (must: report)') && m.includes('that egress flow here gets no rule of its own, and the verification fails where the output cuts it (mode union keeps it)')), client.warnings.join('\n'));
  const agent = rec.workloads.find((w) => w.workload.name === 'agent')!;
  assert.ok(!agent.warnings.some((m) => m.includes('that ingress flow here gets no rule')), agent.warnings.join('\n'));
});

test('mode union keeps both flows: verified on every engine', async () => {
  const input = await stored(true);
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW }), { tightness: false });
    assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
  }
});
