/**
 * A `must` rule with no `ports` allows all ports (docs/matrices.md), and its flow is required all
 * the same: one per port its server declares (the matrix component's ports, else the Services'
 * target ports or the container ports the inventory shows). The unobserved flows of such a rule
 * were never verified: mode observed, `--include confirmed`, and mode union where the peer's
 * authoritative matrix leaves the flow closed all cut it with the verification ok (exit 0), while
 * the same rule with `ports: [{port: 5432}]` was `blocked` (exit 2). Input → expected: blocked in
 * each of those, at both ends; kept where the output keeps it; and where the server declares no
 * port at all, a warning that the flow cannot be verified rather than silence.
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
const pod = (name: string, ip: string, ports: number[]) => barePodItem({ namespace: 'ns-a', name, ip, ports });
/** `db` (with `serverPorts`) or, given, `dbItems` in its place: db's pod as written, its Services. */
const inventory = (serverPorts: number[], dbItems?: string) => `apiVersion: v1
kind: List
items:
${namespaceItem('ns-a')}
${nodeItem('n1', '10.244.0.0/24', '10.0.0.10')}
${pod('client', '10.244.0.20', [])}
${dbItems ?? pod('db', '10.244.0.30', serverPorts)}
${pod('other', '10.244.0.40', [8080])}
`;
const matrix = (components: string) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: fz, title: fuzz }
documents: { d: { title: d, file: d.txt } }
components:
${components}`;
const SRC = 'source: { document: d, line: 1 }';
/** client must reach db, the rule naming no port; db's component declares `dbPorts`, and is authoritative for ingress when asked. */
const egressRule = (dbPorts: string, dbAuthoritative = false) => matrix(`  client:
    namespace: ns-a
    selector: { matchLabels: { app: client } }
    egress:
      - { peer: { component: db }, level: must, purpose: p, ${SRC} }
  db:
    namespace: ns-a
    selector: { matchLabels: { app: db } }
    ${dbPorts}
    ${dbAuthoritative ? 'authoritative: { ingress: true }' : ''}
`);
/** db's ingress must admit client, the rule naming no port; client is authoritative for its egress and does not document it. */
const ingressRule = matrix(`  db:
    namespace: ns-a
    selector: { matchLabels: { app: db } }
    ports: [{ port: 5432 }]
    ingress:
      - { peer: { component: client }, level: must, purpose: p, ${SRC} }
  client:
    namespace: ns-a
    selector: { matchLabels: { app: client } }
    authoritative: true
`);

// The one observed edge: client → other:8080.
const FLOW = JSON.stringify({ time: '2026-03-01T10:30:00Z', verdict: 'FORWARDED', IP: { source: '10.244.0.20', destination: '10.244.0.40' }, l4: { TCP: { source_port: 51000, destination_port: 8080, flags: { SYN: true } } } });

async function stored(text: string, serverPorts = [5432], dbItems?: string) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory(serverPorts, dbItems), takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${FLOW}\n`]) }], { format: 'auto', now: () => NOW });
  applyMatrix(db, { text, origin: 'fz.yaml', appliedAt: NOW });
  return readRecommendationInput(db, {});
}

const CLIENT = 'ns-a/Pod/client';
const DB = 'ns-a/Pod/db';
const EDGE = `workload:${CLIENT}|workload:${DB}|5432|TCP`;
const RULE = 'fz/client/egress/db';

test('mode observed and --include confirmed: the portless must flow is blocked at both ends on the port db declares, on every engine', async () => {
  const input = await stored(egressRule('ports: [{ port: 5432 }]'));
  for (const [what, options] of [['mode observed', { mode: 'observed' }], ['--include confirmed', { include: ['confirmed'] }]] as const) {
    for (const engine of ENGINE_NAMES) {
      const { verification: v } = runRecommendation(input, engine, recommendOptions(options), { tightness: false });
      assert.equal(v.ok, false, `${what}, ${engine}`);
      for (const [workload, direction] of [[CLIENT, 'egress'], [DB, 'ingress']] as const) {
        const cut = v.blocked.find((b) => b.workload === workload && b.direction === direction && b.edge === EDGE);
        assert.ok(cut, `${what}, ${engine}, ${workload} ${direction}: ${JSON.stringify(v.blocked)}`);
        assert.match(cut.reason, new RegExp(`${RULE} .*requires it`));
      }
    }
  }
});

test('the far workload\'s ports come from the inventory when its component declares none: the container port, verified as the ported rule is', async () => {
  const input = await stored(egressRule(''));
  const { verification: v } = runRecommendation(input, 'kubernetes', recommendOptions({ mode: 'observed' }), { tightness: false });
  assert.equal(v.ok, false);
  assert.ok(v.blocked.some((b) => b.workload === CLIENT && b.direction === 'egress' && b.edge === EDGE), JSON.stringify(v.blocked));
});

test('a must rule naming only its protocol (all its ports) is verified on the ports db declares in that range, not on port 1', async () => {
  const protocolOnly = matrix(`  client:
    namespace: ns-a
    selector: { matchLabels: { app: client } }
    egress:
      - { peer: { component: db }, protocols: [TCP], level: must, purpose: p, ${SRC} }
  db:
    namespace: ns-a
    selector: { matchLabels: { app: db } }
    ports: [{ port: 5432 }]
`);
  const input = await stored(protocolOnly);
  const { verification: v } = runRecommendation(input, 'kubernetes', recommendOptions({ mode: 'observed' }), { tightness: false });
  assert.equal(v.ok, false);
  const edges = v.blocked.filter((b) => b.workload === CLIENT && b.direction === 'egress').map((b) => b.edge);
  assert.deepEqual(edges, [EDGE], 'on 5432, where db listens');
});

test('a UDP-only must rule to a server whose Services serve TCP only is verified on its UDP container port', async () => {
  const udpOnly = matrix(`  client:
    namespace: ns-a
    selector: { matchLabels: { app: client } }
    egress:
      - { peer: { component: db }, protocols: [UDP], level: must, purpose: p, ${SRC} }
  db:
    namespace: ns-a
    selector: { matchLabels: { app: db } }
`);
  // db listens on 5432/TCP (its Service's target) and 7000/UDP.
  const dbItems = `- apiVersion: v1
  kind: Pod
  metadata: {name: db, namespace: ns-a, labels: {app: db}, creationTimestamp: "${T}"}
  spec: {nodeName: n1, containers: [{name: c, image: c, ports: [{name: pg, containerPort: 5432}, {name: udpx, containerPort: 7000, protocol: UDP}]}]}
  status: {phase: Running, startTime: "${T}", podIP: 10.244.0.30, podIPs: [{ip: 10.244.0.30}]}
- {apiVersion: v1, kind: Service, metadata: {name: db, namespace: ns-a}, spec: {selector: {app: db}, clusterIP: 10.96.0.30, ports: [{port: 5432, targetPort: pg, protocol: TCP}]}}`;
  const input = await stored(udpOnly, [], dbItems);
  const { verification: v } = runRecommendation(input, 'kubernetes', recommendOptions({ mode: 'observed' }), { tightness: false });
  assert.equal(v.ok, false);
  assert.deepEqual(v.blocked.filter((b) => b.workload === CLIENT && b.direction === 'egress').map((b) => b.edge), [`workload:${CLIENT}|workload:${DB}|7000|UDP`]);
});

test('mode union keeps the flow: verified, not blocked', async () => {
  const input = await stored(egressRule('ports: [{ port: 5432 }]'));
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
    assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
  }
});

test('mode union, db authoritative for ingress and silent about client: left closed at db, blocked there naming both matrices', async () => {
  const input = await stored(egressRule('ports: [{ port: 5432 }]', true));
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
    assert.equal(v.ok, false, engine);
    const cut = v.blocked.find((b) => b.workload === DB && b.direction === 'ingress' && b.edge === EDGE);
    assert.ok(cut, `${engine}: ${JSON.stringify(v.blocked)}`);
    assert.match(cut.reason, /the matrices disagree: document it in fz\/db \(authoritative for ingress\)/);
  }
});

test('a portless ingress must rule at db, client authoritative for egress: blocked at client\'s egress in the default mode', async () => {
  const input = await stored(ingressRule);
  for (const engine of ENGINE_NAMES) {
    const { verification: v } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
    assert.equal(v.ok, false, engine);
    const cut = v.blocked.find((b) => b.workload === CLIENT && b.direction === 'egress' && b.edge === EDGE);
    assert.ok(cut, `${engine}: ${JSON.stringify(v.blocked)}`);
    assert.match(cut.reason, /fz\/db\/ingress\/client .*the matrices disagree: document it in fz\/client \(authoritative for egress\)/);
  }
});

test('a server that declares no port anywhere: the rule\'s workload is told its flow cannot be verified', async () => {
  const input = await stored(egressRule(''), []);
  const { verification: v, rec } = runRecommendation(input, 'kubernetes', recommendOptions({ mode: 'observed' }), { tightness: false });
  assert.equal(v.blocked.filter((b) => b.edge.startsWith(`workload:${CLIENT}|workload:${DB}|`)).length, 0);
  const client = rec.workloads.find((w) => `${w.workload.namespace}/${w.workload.kind}/${w.workload.name}` === CLIENT)!;
  const said = client.warnings.filter((m) => m.startsWith(`${RULE} (must: p) names no port`));
  assert.equal(said.length, 1, client.warnings.join('\n'));
  assert.match(said[0]!, new RegExp(`Pod ${DB.replace('/Pod/', '/')} declares none`));
});

test('a server whose Service names a target port no container declares: the warning says so, not that it declares none', async () => {
  // A named targetPort "will be looked up as a named port in the target Pod's container ports"
  // (Kubernetes API, ServicePort.targetPort): a name no container declares resolves to no port.
  const dbItems = `- apiVersion: v1
  kind: Pod
  metadata: {name: db, namespace: ns-a, labels: {app: db}, creationTimestamp: "${T}"}
  spec: {nodeName: n1, containers: [{name: c, image: c}]}
  status: {phase: Running, startTime: "${T}", podIP: 10.244.0.30, podIPs: [{ip: 10.244.0.30}]}
- {apiVersion: v1, kind: Service, metadata: {name: db, namespace: ns-a}, spec: {selector: {app: db}, clusterIP: 10.96.0.30, ports: [{port: 5432, targetPort: pg, protocol: TCP}]}}`;
  const input = await stored(egressRule(''), [], dbItems);
  const { rec } = runRecommendation(input, 'kubernetes', recommendOptions({ mode: 'observed' }), { tightness: false });
  const client = rec.workloads.find((w) => `${w.workload.namespace}/${w.workload.kind}/${w.workload.name}` === CLIENT)!;
  const said = client.warnings.filter((m) => m.startsWith(`${RULE} (must: p) names no port`));
  assert.equal(said.length, 1, client.warnings.join('\n'));
  assert.doesNotMatch(said[0]!, /declares none/);
  assert.match(said[0]!, /the Service ns-a\/db names target port "pg" \(of its port 5432\/TCP\), which no container of Pod ns-a\/db declares for that protocol/);
  assert.match(said[0]!, /declare the container port "pg" in Pod ns-a\/db's pod template or correct the Service's targetPort/);
});

test('a run scoped to db (the rule\'s owner outside it): the portless must flow is blocked at db\'s ingress as unscoped; with no port known, db is told', async () => {
  const input = await stored(egressRule('ports: [{ port: 5432 }]'));
  const { verification: v } = runRecommendation(input, 'kubernetes', recommendOptions({ mode: 'observed', workload: 'Pod/db' }), { tightness: false });
  const cut = v.blocked.find((b) => b.workload === DB && b.direction === 'ingress' && b.edge === EDGE);
  assert.ok(cut, JSON.stringify(v.blocked));
  assert.match(cut.reason, new RegExp(`${RULE} \\(must\\) requires it, not observed yet`));
  const none = await stored(egressRule(''), []);
  const { rec } = runRecommendation(none, 'kubernetes', recommendOptions({ mode: 'observed', workload: 'Pod/db' }), { tightness: false });
  const db = rec.workloads.find((w) => `${w.workload.namespace}/${w.workload.kind}/${w.workload.name}` === DB)!;
  assert.equal(db.warnings.filter((m) => m.startsWith(`${RULE} (must: p) names no port`) && m.endsWith(`(${CLIENT}'s egress)`)).length, 1, db.warnings.join('\n'));
});

test('the authoritative end\'s warning names the direction\'s far end with the right preposition: client\'s egress goes to fz/db', async () => {
  const input = await stored(ingressRule);
  const { rec } = runRecommendation(input, 'kubernetes', recommendOptions({}), { tightness: false });
  const client = rec.workloads.find((w) => `${w.workload.namespace}/${w.workload.kind}/${w.workload.name}` === CLIENT)!;
  assert.ok(client.warnings.includes('fz/db/ingress/client (must: p) needs egress here to fz/db, but fz/client is authoritative for egress and does not document it: left closed, the matrices disagree'), client.warnings.join('\n'));
  const db = await stored(egressRule('ports: [{ port: 5432 }]', true));
  const server = runRecommendation(db, 'kubernetes', recommendOptions({}), { tightness: false }).rec.workloads.find((w) => `${w.workload.namespace}/${w.workload.kind}/${w.workload.name}` === DB)!;
  assert.ok(server.warnings.includes(`${RULE} (must: p) needs ingress here from fz/client, but fz/db is authoritative for ingress and does not document it: left closed, the matrices disagree`), server.warnings.join('\n'));
});
