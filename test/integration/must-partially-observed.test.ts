/**
 * A `must` rule seen on part of what it requires is required on the rest all the same. A rule with
 * no ports "requires a flow on each port its server declares" and one naming ports requires them
 * all (docs/recommend.md, "Verification"); a rule to a component requires each workload the
 * component selects (mirrored-rules.ts namedWorkloads). The verification synthesised the required
 * flows only for a rule never observed and for a rule seen long ago only, so one recent edge of a
 * rule switched the requirement off for all its other flows: in mode observed the output cut
 * client → server:9090 (and client → db-b:5432) with the verification ok, exit 0 — while the same
 * rule with nothing observed was blocked (exit 2). Input → expected: the requirement is per (peer
 * workload, port); each such flow without an observed edge is required, "not observed yet", and
 * blocked in mode observed on every engine with the way out the other must blocks give ("mode
 * union keeps it"); mode union, which renders the rule, keeps it (ok).
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
/** A running bare pod with its own `labels`, on the pod network. */
const pod = (name: string, labels: string, ip: string, ports: number[]) =>
  `- { apiVersion: v1, kind: Pod, metadata: { name: ${name}, namespace: app, labels: { ${labels} }, creationTimestamp: "${T}" }, spec: { nodeName: n1, containers: [{ name: c, image: i, ports: [${ports.map((p) => `{ containerPort: ${p} }`).join(', ')}] }] }, status: { phase: Running, startTime: "${T}", podIP: ${ip}, podIPs: [{ ip: ${ip} }] } }`;
const INVENTORY = `apiVersion: v1
kind: List
items:
- { apiVersion: v1, kind: Namespace, metadata: { name: app, labels: { kubernetes.io/metadata.name: app } } }
- { apiVersion: v1, kind: Node, metadata: { name: n1, creationTimestamp: "${T}" }, spec: { podCIDR: 10.244.1.0/24 }, status: { addresses: [{ type: InternalIP, address: 192.168.0.11 }] } }
${pod('client', 'app: client', '10.244.1.10', [])}
${pod('server', 'app: server', '10.244.1.20', [8080, 9090])}
${pod('db-a', 'app: db, shard: a', '10.244.1.30', [5432])}
${pod('db-b', 'app: db, shard: b', '10.244.1.31', [5432])}
`;
const SRC = 'source: { document: d, line: 1 }';
/** server's ingress must admit client (`ports`: the rule's, or none); client's egress must reach every db shard on 5432. */
const matrix = (ports: string) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: m, title: m }
documents: { d: { title: d } }
components:
  client:
    namespace: app
    selector: { matchLabels: { app: client } }
    egress:
      - { id: to-db, peer: { component: db }, ports: [{ port: 5432 }], level: must, purpose: every shard, ${SRC} }
  server:
    namespace: app
    selector: { matchLabels: { app: server } }
    ports: [{ name: http, port: 8080 }, { name: grpc, port: 9090 }]
    ingress:
      - { id: from-client, peer: { component: client }, ${ports} level: must, purpose: every port, ${SRC} }
  db:
    namespace: app
    selector: { matchLabels: { app: db } }
    ports: [{ name: pg, port: 5432 }]
`;
const flow = (i: number, dst: string, port: number) =>
  JSON.stringify({ time: `2026-03-01T10:3${i}:00Z`, verdict: 'FORWARDED', IP: { source: '10.244.1.10', destination: dst }, l4: { TCP: { source_port: 51000 + i, destination_port: port, flags: { SYN: true } } } });

/** Observed: client → server:8080 and client → db-a:5432 only. */
async function stored(ports: string) {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  const flows = [flow(0, '10.244.1.20', 8080), flow(1, '10.244.1.30', 5432)];
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'auto', now: () => NOW });
  applyMatrix(db, { text: matrix(ports), origin: 'm.yaml', appliedAt: NOW });
  return readRecommendationInput(db, {});
}

const CLIENT = 'app/Pod/client';
const edge = (server: string, port: number) => `workload:${CLIENT}|workload:app/Pod/${server}|${port}|TCP`;

for (const [what, ports] of [['no ports (every port server declares)', ''], ['ports [8080, 9090]', 'ports: [{ port: 8080 }, { port: 9090 }],']] as const) {
  test(`mode observed, a must rule with ${what} seen on 8080 only: client → server:9090 is blocked at both ends on every engine`, async () => {
    const input = await stored(ports);
    for (const engine of ENGINE_NAMES) {
      const { verification: v } = runRecommendation(input, engine, recommendOptions({ mode: 'observed' }), { tightness: false });
      assert.equal(v.ok, false, engine);
      for (const [workload, direction] of [[CLIENT, 'egress'], ['app/Pod/server', 'ingress']] as const) {
        const cut = v.blocked.find((b) => b.workload === workload && b.direction === direction && b.edge === edge('server', 9090));
        assert.ok(cut, `${engine}, ${workload} ${direction}: ${JSON.stringify(v.blocked)}`);
        assert.match(cut.reason, /m\/server\/ingress\/from-client \(must\) requires it, not observed yet: .*; mode union keeps it/);
      }
      assert.ok(!v.blocked.some((b) => b.edge === edge('server', 8080)), `${engine}: the observed edge is kept`);
    }
  });
}

test('mode observed, a must rule to a component seen to one of its workloads: client → db-b:5432 is blocked on every engine', async () => {
  const input = await stored('');
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({ mode: 'observed' }), { tightness: false });
    for (const [workload, direction] of [[CLIENT, 'egress'], ['app/Pod/db-b', 'ingress']] as const) {
      const cut = v.blocked.find((b) => b.workload === workload && b.direction === direction && b.edge === edge('db-b', 5432));
      assert.ok(cut, `${engine}, ${workload} ${direction}: ${JSON.stringify(v.blocked)}`);
      assert.match(cut.reason, /m\/client\/egress\/to-db \(must\) requires it, not observed yet: .*; mode union keeps it/);
    }
    assert.ok(!v.blocked.some((b) => b.edge === edge('db-a', 5432)), `${engine}: the observed edge is kept`);
  }
});

test('mode union renders the partly observed must rules whole: nothing is blocked', async () => {
  for (const ports of ['', 'ports: [{ port: 8080 }, { port: 9090 }],']) {
    const input = await stored(ports);
    for (const engine of ENGINE_NAMES) {
      const { verification: v } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
      assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
    }
  }
});

test('--include without confirmed leaves the partly observed rule out: its unobserved flow is blocked, and including confirmed keeps it', async () => {
  const input = await stored('');
  const { verification: v } = runRecommendation(input, 'kubernetes', recommendOptions({ include: ['documented-unobserved'] }), { tightness: false });
  const cut = v.blocked.find((b) => b.workload === 'app/Pod/server' && b.direction === 'ingress' && b.edge === edge('server', 9090));
  assert.ok(cut, JSON.stringify(v.blocked));
  assert.match(cut.reason, /requires it, not observed yet: .*; including confirmed keeps it/);
});

/**
 * Mode observed cuts the unobserved part of a partly observed must rule; the workload's warnings
 * said nothing of it (documentedWarnings names unobserved and stale rules only), so only the
 * verification's `blocked` entries noticed. Expected: one warning per rule at its owner, naming
 * the rule, each unobserved peer with its ports, and what mode observed does to them.
 */
test('mode observed: a partly observed must rule warns its workload of the unobserved peers and ports it renders no rule for', async () => {
  const input = await stored('');
  for (const engine of ENGINE_NAMES) {
    const { rec } = runRecommendation(input, engine, recommendOptions({ mode: 'observed' }), { tightness: false });
    const warnings = (name: string) => rec.workloads.find((w) => w.workload.name === name)!.warnings;
    assert.ok(
      warnings('client').includes(
        'm/client/egress/to-db (must: every shard) is observed on part of what it requires only, not on egress to app/Pod/db-b on 5432/TCP, and mode observed renders observed edges only: those flows get no rule of their own, and the verification fails on each the output cuts (mode union keeps them)',
      ),
      `${engine}: ${warnings('client').join('\n')}`,
    );
    assert.ok(
      warnings('server').includes(
        'm/server/ingress/from-client (must: every port) is observed on part of what it requires only, not on ingress from app/Pod/client on 9090/TCP, and mode observed renders observed edges only: those flows get no rule of their own, and the verification fails on each the output cuts (mode union keeps them)',
      ),
      `${engine}: ${warnings('server').join('\n')}`,
    );
  }
  // Mode union renders the rule whole: nothing to warn of.
  const { rec } = runRecommendation(input, 'kubernetes', recommendOptions({}), { tightness: false });
  assert.ok(!rec.workloads.some((w) => w.warnings.some((x) => x.includes('is observed on part of'))), JSON.stringify(rec.workloads.map((w) => w.warnings)));
});

/**
 * A must rule from the world seen from inside the cluster only: its outside part is required by a
 * representative flow (198.51.100.1, TEST-NET-2), which is no peer of the rule. The warning names
 * what it stands for, as the blocked finding does ("requires ingress from the world"), not the
 * documentation address.
 */
test('mode observed: the partly observed warning of a world rule seen in-cluster only names the world, not the address standing for it', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flow(0, '10.244.1.20', 8080)}\n`]) }], { format: 'auto', now: () => NOW });
  const world = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: w, title: w }
documents: { d: { title: d } }
components:
  server:
    namespace: app
    selector: { matchLabels: { app: server } }
    ingress:
      - { id: public, peer: world, ports: [{ port: 8080 }], level: must, purpose: public API, ${SRC} }
`;
  applyMatrix(db, { text: world, origin: 'w.yaml', appliedAt: NOW });
  const { rec } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({ mode: 'observed' }), { tightness: false });
  const warnings = rec.workloads.find((w) => w.workload.name === 'server')!.warnings.filter((x) => x.includes('is observed on part of'));
  assert.deepEqual(warnings, [
    'w/server/ingress/public (must: public API) is observed on part of what it requires only, not on ingress from the world on 8080/TCP, and mode observed renders observed edges only: those flows get no rule of their own, and the verification fails on each the output cuts (mode union keeps them)',
  ]);
});

/**
 * A must rule to the nodes seen to one node only (client on n1 scrapes n2's kubelet, never n1's):
 * mode observed renders the node seen, and each engine renders it its own way. Cilium's is the
 * `remote-node` and `host` entities — every node ("Layer 3 Policies", entities: `host` the local
 * host, `remote-node` any node other than the local host), n1 included — so its output keeps the
 * flow to n1 and the verification passes; a NetworkPolicy ipBlock, Calico `nets` and
 * ClusterNetworkPolicy `networks` hold n2's address only and cut it (verification blocked). The workload's
 * warning is the same for every engine: it said "applying this recommendation blocks those flows"
 * on Cilium too, and named "the nodes" instead of the node missing. Expected: it names node n1 and
 * leaves the verdict to the verification, which says "cuts" on the engines whose output cuts only.
 */
test('mode observed: a must rule to the nodes seen to one of them names the other node, and says it is cut only where the engine\'s output cuts it', async () => {
  const { db } = tmpDb();
  const inventory = `apiVersion: v1
kind: List
items:
${namespaceItem('app')}
${nodeItem('n1', '10.244.1.0/24', '192.168.0.11')}
${nodeItem('n2', '10.244.2.0/24', '192.168.0.12')}
${barePodItem({ namespace: 'app', name: 'client', ip: '10.244.1.10', ports: [], node: 'n1' })}
`;
  importInventory(db, { text: inventory, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flow(0, '192.168.0.12', 10250)}\n`]) }], { format: 'auto', now: () => NOW });
  const kubelets = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: t, title: t }
documents: { d: { title: d } }
components:
  client:
    namespace: app
    selector: { matchLabels: { app: client } }
    egress:
      - { id: kubelets, peer: nodes, ports: [{ port: 10250 }], level: must, purpose: scrape kubelets, ${SRC} }
`;
  applyMatrix(db, { text: kubelets, origin: 't.yaml', appliedAt: NOW });
  const input = readRecommendationInput(db, {});
  const toN1 = `workload:${CLIENT}|node:n1|10250|TCP`;
  for (const engine of ENGINE_NAMES) {
    const { rec, verification: v } = runRecommendation(input, engine, recommendOptions({ mode: 'observed' }), { tightness: false });
    const warnings = rec.workloads.find((w) => w.workload.name === 'client')!.warnings;
    assert.deepEqual(
      warnings.filter((x) => x.startsWith('t/client/egress/kubelets')),
      [
        't/client/egress/kubelets (must: scrape kubelets) is observed on part of what it requires only, not on egress to node n1 on 10250/TCP, and mode observed renders observed edges only: those flows get no rule of their own, and the verification fails on each the output cuts (mode union keeps them)',
      ],
      engine,
    );
    assert.ok(!warnings.some((x) => x.includes('applying this recommendation blocks')), `${engine}: ${warnings.join('\n')}`);
    const cut = v.blocked.find((b) => b.workload === CLIENT && b.direction === 'egress' && b.edge === toN1);
    if (engine === 'cilium') {
      assert.equal(v.ok, true, `cilium: toEntities remote-node/host holds n1: ${JSON.stringify(v.blocked)}`);
    } else {
      assert.ok(cut, `${engine}: ${JSON.stringify(v.blocked)}`);
      assert.match(cut.reason, /t\/client\/egress\/kubelets \(must\) requires egress to the nodes, not observed yet \(node n1 on 10250\/TCP stands for it\): applying this cuts required traffic; mode union keeps it/, engine);
    }
  }
});
