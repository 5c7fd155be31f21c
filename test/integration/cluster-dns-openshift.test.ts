/**
 * OpenShift's cluster DNS is not kube-system/kube-dns: the DNS operator runs the pods of Service
 * openshift-dns/dns-default, which answer on 5353 behind the Service port 53 (OpenShift docs,
 * "DNS Operator in OpenShift Container Platform"; the operator's Service maps 53 → the named
 * ports dns/dns-tcp). A NetworkPolicy is evaluated after the Service's DNAT ("Network Policies":
 * policies see the pod's port), so:
 * - the DNS pods must be recognised as the cluster DNS: their DNS ports stay open to every pod,
 *   observed or not, and their egress is not cut before an upstream resolver was seen
 *   (docs/recommend.md, "The cluster DNS");
 * - every restricted egress, and a matrix rule `peer: dns` on 53, must allow those pods on 5353.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { parse } from 'yaml';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { clusterFacts } from '../../recommender/matrix/bindings.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import type { SimEndpoint, SimVerdict } from '../../recommender/simulate/types.ts';
import { readResolutionData } from '../../store/inventory.ts';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import { testContext } from '../helpers/service.ts';
import { netobservRecord } from '../helpers/netobserv-record.ts';
import { tmpDb } from '../helpers/tmp.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/openshift-dns/${name}`, import.meta.url), 'utf8');
const NOW = Date.now();
const record = (src: string, dst: string, dstPort: number, proto: 6 | 17, i: number) => netobservRecord({ src, dst, dstPort, proto, srcPort: 40000 + i, time: NOW - 60_000 + i });

/** A matrix documenting another workload of the DNS namespace: mode documented gives that namespace a default-deny layer. */
const PROBE = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: probe, title: Probe }
documents: { doc: { title: probe doc, file: probe.txt } }
components:
  probe:
    namespace: openshift-dns
    selector: { matchLabels: { app: probe } }
    egress:
      - { peer: apiserver, ports: [{ port: 6443 }], level: must, purpose: watches, source: { document: doc, line: 1 } }
`;

async function openshift(withMatrix: boolean, extra: { probe?: boolean; upstream?: boolean } = {}) {
  const { db } = tmpDb();
  const imported = importInventory(db, { text: fixture('inventory.yaml'), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  if (withMatrix) applyMatrix(db, { text: fixture('matrix.yaml'), origin: 'matrix.yaml', appliedAt: NOW });
  if (extra.probe) applyMatrix(db, { text: PROBE, origin: 'probe.yaml', appliedAt: NOW });
  const flows = [
    record('10.128.0.20', '10.128.0.5', 5353, 17, 1), // web → a DNS pod, post-DNAT (NetObserv)
    record('10.128.0.20', '172.30.0.10', 53, 17, 2), // web → the DNS Service
    record('10.128.0.20', '10.128.0.21', 8080, 6, 3), // web → api
    ...(extra.upstream ? [record('10.128.0.5', '8.8.8.8', 53, 17, 4)] : []), // the DNS → its upstream resolver, over UDP
  ];
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'netobserv' });
  return { imported, input: readRecommendationInput(db, {}) };
}

test('the pods of openshift-dns/dns-default are the cluster DNS, answering on the Service\'s target ports', async () => {
  const { imported, input } = await openshift(false);
  assert.deepEqual(imported.workloads.clusterDns, ['openshift-dns/DaemonSet/dns-default']);
  const { dns } = clusterFacts(input.inventory);
  assert.equal(dns.origin, 'discovered');
  assert.equal(dns.namespace, 'openshift-dns');
  assert.deepEqual(dns.selector, { matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } });
  assert.deepEqual(dns.ports, [{ port: 5353, protocol: 'UDP' }, { port: 5353, protocol: 'TCP' }]);
});

for (const mode of ['observed', 'documented'] as const) {
  test(`mode ${mode}: on every engine, web resolves names through the DNS pods on 5353, whose DNS ports are open to pods never observed, and the DNS pods reach an upstream resolver`, async () => {
    const { input } = await openshift(mode === 'documented');
    const model = clusterModel(input.inventory, input.externalNames);
    const pod = (ns: string, name: string): SimEndpoint => ({ kind: 'pod', pod: model.cluster.pods.find((p) => p.namespace === ns && p.name === name)! });
    for (const engine of ENGINE_NAMES) {
      const { verification, emitted, rec } = runRecommendation(input, engine, recommendOptions({ mode, defaultDeny: true }), { tightness: false });
      assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
      assert.deepEqual(rec.warnings.filter((w) => w.startsWith('no cluster DNS')), [], engine);
      // Mode documented: nothing else of openshift-dns gets a policy, so no layer comes there and nothing of the DNS is cut or said to be.
      const dnsWarnings = rec.workloads.find((w) => w.workload.name === 'dns-default')!.warnings;
      if (mode === 'documented') assert.deepEqual(dnsWarnings.filter((w) => /isolates it|is cut|are cut/.test(w)), [], `${engine}: ${dnsWarnings.join('; ')}`);
      const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
      const evaluate = (client: SimEndpoint, server: SimEndpoint, port: number, protocol: 'UDP' | 'TCP') => sim.evaluate({ client, server, port, protocol });
      const why = (v: SimVerdict) => `${v.verdict}: egress ${v.egress.reason}; ingress ${v.ingress.reason}`;
      const dnsPod = pod('openshift-dns', 'dns-default');
      for (const protocol of ['UDP', 'TCP'] as const) {
        const web = evaluate(pod('shop', 'web'), dnsPod, 5353, protocol);
        assert.equal(web.verdict, 'allow', `${engine} web → DNS 5353/${protocol}: ${why(web)}`);
        assert.equal(web.egress.isolated, true, `${engine}: web's egress is restricted`);
        // A pod nothing was observed from has its own egress cut (--default-deny): the DNS pods' ingress must still let it in.
        const job = evaluate(pod('batch', 'job'), dnsPod, 5353, protocol);
        assert.equal(job.ingress.allowed, true, `${engine} an unobserved pod → DNS 5353/${protocol}: ${why(job)}`);
        if (mode === 'observed') assert.equal(job.ingress.isolated, true, `${engine}: the DNS pods have a policy`);
      }
      const upstream = evaluate(dnsPod, { kind: 'external', ip: '8.8.8.8' }, 53, 'UDP');
      assert.equal(upstream.verdict, 'allow', `${engine} DNS → upstream: ${why(upstream)}`);
      const api = evaluate(pod('shop', 'web'), pod('shop', 'api'), 8080, 'TCP');
      assert.equal(api.verdict, 'allow', `${engine} web → api: ${why(api)}`);
    }
  });
}

test('mode documented under --default-deny, another workload of the DNS namespace documented: the namespace layer does not cut the cluster DNS — its DNS ports stay open to every pod, its egress open (docs/recommend.md, "The cluster DNS")', async () => {
  const { input } = await openshift(true, { probe: true });
  const model = clusterModel(input.inventory, input.externalNames);
  const pod = (ns: string, name: string): SimEndpoint => ({ kind: 'pod', pod: model.cluster.pods.find((p) => p.namespace === ns && p.name === name)! });
  const dnsPod = pod('openshift-dns', 'dns-default');
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted, rec } = runRecommendation(input, engine, recommendOptions({ mode: 'documented', defaultDeny: true }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    assert.ok(emitted.manifests.some((m) => m.metadata.name.includes('default-deny') && (m.metadata.namespace === 'openshift-dns' || JSON.stringify(m).includes('openshift-dns'))), `${engine}: the DNS namespace has its layer`);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    for (const protocol of ['UDP', 'TCP'] as const) {
      const v = sim.evaluate({ client: pod('shop', 'web'), server: dnsPod, port: 5353, protocol });
      assert.equal(v.verdict, 'allow', `${engine} web → DNS 5353/${protocol}: egress ${v.egress.reason}; ingress ${v.ingress.reason}`);
      assert.equal(v.ingress.isolated, true, `${engine}: the layer selects the DNS pods`);
    }
    const up = sim.evaluate({ client: dnsPod, server: { kind: 'external', ip: '8.8.8.8' }, port: 53, protocol: 'UDP' });
    assert.equal(up.verdict, 'allow', `${engine} DNS → upstream: ${up.egress.reason}`);
    assert.deepEqual(verification.stillAllowed, [], `${engine}: what the guard keeps open is not "left out but allowed"`);
    const dnsRecord = rec.workloads.find((w) => w.workload.name === 'dns-default')!;
    assert.match(dnsRecord.warnings.join('\n'), /is the cluster DNS and no matrix documents it: mode documented keeps its DNS ports open to all and its egress open above --default-deny/);
  }
});

test('the cluster DNS seen asking an upstream resolver over UDP keeps TCP to it open too (a truncated answer, a client asking over TCP: CoreDNS forward follows the client\'s protocol); other destinations stay cut', async () => {
  const { input } = await openshift(false, { upstream: true });
  const model = clusterModel(input.inventory, input.externalNames);
  const dnsPod: SimEndpoint = { kind: 'pod', pod: model.cluster.pods.find((p) => p.namespace === 'openshift-dns' && p.name === 'dns-default')! };
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, recommendOptions({ defaultDeny: true }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    for (const protocol of ['UDP', 'TCP'] as const) {
      const v = sim.evaluate({ client: dnsPod, server: { kind: 'external', ip: '8.8.8.8' }, port: 53, protocol });
      assert.equal(v.verdict, 'allow', `${engine} DNS → upstream 53/${protocol}: ${v.egress.reason}`);
    }
    const elsewhere = sim.evaluate({ client: dnsPod, server: { kind: 'external', ip: '203.0.113.9' }, port: 443, protocol: 'TCP' });
    assert.equal(elsewhere.verdict, 'deny', `${engine}: the DNS's egress is restricted once an upstream was seen`);
  }
});

test('the cluster DNS restricted to the upstream resolver it was seen using keeps the apiserver, never seen: CoreDNS\'s kubernetes plugin watches it (coredns.io/plugins/kubernetes) over one long-lived connection a capture window misses', async () => {
  const { input } = await openshift(false, { upstream: true });
  const model = clusterModel(input.inventory, input.externalNames);
  const dnsPod: SimEndpoint = { kind: 'pod', pod: model.cluster.pods.find((p) => p.namespace === 'openshift-dns' && p.name === 'dns-default')! };
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted, rec } = runRecommendation(input, engine, recommendOptions({ defaultDeny: true }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    const v = SIMULATORS[engine](emitted.manifests, model.cluster).evaluate({ client: dnsPod, server: { kind: 'apiserver', ip: '10.0.0.10' }, port: 6443, protocol: 'TCP' });
    assert.equal(v.verdict, 'allow', `${engine} DNS → apiserver: ${v.egress.reason}`);
    assert.equal(v.egress.isolated, true, `${engine}: the DNS's egress is restricted`);
    const rule = rec.workloads.find((w) => w.workload.name === 'dns-default')!.rules.find((r) => r.direction === 'egress' && r.peers.some((p) => p.kind === 'apiserver'));
    assert.equal(rule?.status, 'implied', engine);
    assert.match(rule!.text, /the cluster DNS watches the apiserver/, engine);
  }
});

test('the cluster DNS restricted to its upstream resolver, no endpoint of default/kubernetes known: its egress is left open with a warning rather than cutting it off the apiserver it watches', async () => {
  const list = parse(fixture('inventory.yaml')) as { items: { kind: string }[] };
  list.items = list.items.filter((o) => o.kind !== 'EndpointSlice');
  const { db } = tmpDb();
  importInventory(db, { text: JSON.stringify(list), takenAt: NOW - 3_600_000, source: 'inventory.json', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${[record('10.128.0.20', '10.128.0.5', 5353, 17, 1), record('10.128.0.5', '8.8.8.8', 53, 17, 2)].join('\n')}\n`]) }], { format: 'netobserv' });
  const input = readRecommendationInput(db, {});
  const { rec } = runRecommendation(input, 'kubernetes', recommendOptions({}), { tightness: false });
  const dns = rec.workloads.find((w) => w.workload.name === 'dns-default')!;
  assert.equal(dns.policies.find((p) => p.layer === 'allowlist' && !p.intent.endsWith('/dns'))?.egress, 'none');
  assert.ok(dns.warnings.includes('DaemonSet openshift-dns/dns-default is the cluster DNS, which watches the apiserver, but no endpoint of default/kubernetes is known: egress is left open rather than cutting it off (import the inventory with EndpointSlices)'), dns.warnings.join('\n'));
});

test('a store imported by an older rule (its cluster_dns flags unset for openshift-dns) is read by today\'s rule: the recommendation, flow resolution and the workload API all see the OpenShift DNS, without a re-import', async () => {
  const { db, path } = tmpDb();
  importInventory(db, { text: fixture('inventory.yaml'), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  db.prepare('UPDATE workloads SET cluster_dns = 0').run(); // as the previous release stored it
  assert.deepEqual(readResolutionData(db).dnsWorkloads, ['openshift-dns/DaemonSet/dns-default']);
  const input = readRecommendationInput(db, {});
  assert.equal(input.inventory.workloads.find((w) => w.name === 'dns-default')?.clusterDns, true);
  const { emitted } = runRecommendation(input, 'kubernetes', recommendOptions({ defaultDeny: true }), { tightness: false });
  assert.ok(emitted.manifests.some((m) => m.metadata.name === 'openshift-dns-daemonset-dns-default-dns'), emitted.manifests.map((m) => m.metadata.name).join(', '));
  const built = createApp(testContext(db, path));
  try {
    const one = await request(built.app).get('/api/v1/workloads/openshift-dns/DaemonSet/dns-default').expect(200);
    assert.equal(one.body.clusterDns, true);
    const list = await request(built.app).get('/api/v1/workloads?namespace=openshift-dns').expect(200);
    assert.deepEqual((list.body.items as { name: string; clusterDns?: boolean }[]).map((w) => [w.name, w.clusterDns === true]), [['dns-default', true], ['probe', false]]);
  } finally {
    await built.close();
  }
});

test('DNS pods on the host network are reached at their nodes\' addresses: a pod selector matches no host-network pod (Kubernetes "Network Policies": host-network pods are outside podSelector), so every engine\'s DNS rule names the nodes', async () => {
  const list = parse(fixture('inventory.yaml')) as { items: { kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, unknown>; status?: Record<string, unknown> }[] };
  for (const o of list.items) {
    if (o.metadata.namespace !== 'openshift-dns' || o.metadata.name === 'probe') continue;
    if (o.kind === 'DaemonSet') (o.spec.template as { spec: Record<string, unknown> }).spec.hostNetwork = true;
    if (o.kind === 'Pod') {
      o.spec.hostNetwork = true;
      o.status = { ...o.status, podIP: '10.0.0.10', podIPs: [{ ip: '10.0.0.10' }] };
    }
  }
  const { db } = tmpDb();
  importInventory(db, { text: JSON.stringify(list), takenAt: NOW - 3_600_000, source: 'inventory.json', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${[record('10.128.0.20', '10.0.0.10', 5353, 17, 1), record('10.128.0.20', '10.128.0.21', 8080, 6, 2)].join('\n')}\n`]) }], { format: 'netobserv' });
  const input = readRecommendationInput(db, {});
  const model = clusterModel(input.inventory, input.externalNames);
  const web: SimEndpoint = { kind: 'pod', pod: model.cluster.pods.find((p) => p.name === 'web')! };
  const dnsPod: SimEndpoint = { kind: 'pod', pod: model.cluster.pods.find((p) => p.namespace === 'openshift-dns' && p.name === 'dns-default')! };
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, recommendOptions({ defaultDeny: true }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
    const v = SIMULATORS[engine](emitted.manifests, model.cluster).evaluate({ client: web, server: dnsPod, port: 5353, protocol: 'UDP' });
    assert.equal(v.egress.allowed, true, `${engine}: ${v.egress.reason}`);
  }
});

test('a DNS Service whose port 53 names a target port no DNS pod declares: the recommendation says the DNS rule falls back to 53 there', async () => {
  const list = parse(fixture('inventory.yaml')) as { items: { kind: string; metadata: { name: string; namespace?: string }; spec: { ports?: { name?: string; targetPort?: unknown }[] } }[] };
  const svc = list.items.find((o) => o.kind === 'Service' && o.metadata.name === 'dns-default')!;
  svc.spec.ports![0]!.targetPort = 'dns-udp';
  const { db } = tmpDb();
  importInventory(db, { text: JSON.stringify(list), takenAt: NOW - 3_600_000, source: 'inventory.json', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${record('10.128.0.20', '10.128.0.21', 8080, 6, 1)}\n`]) }], { format: 'netobserv' });
  const { rec } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({}), { tightness: false });
  assert.deepEqual(rec.warnings.filter((w) => w.startsWith('the cluster DNS:')), [
    'the cluster DNS: Service openshift-dns/dns-default sends 53/UDP to target port "dns-udp", which no DNS pod declares, so the DNS rule of every restricted egress names 53 there, which its pods may not answer on — check the Service\'s ports before applying',
  ]);
});
