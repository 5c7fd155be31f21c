/**
 * A folded block (docs/ingest.md "Bounded by design": past the edge cap external addresses fold
 * into their /24 or /64, then 0.0.0.0/0 and ::/0) says the workload talks to many outside
 * addresses. It must not open the cluster's own addresses inside it: the nodes (the control-plane
 * node is the apiserver endpoint) and the pod CIDRs, which ingest resolves to their owner, never
 * to `external:`. Each engine holds them out its own way: NetworkPolicy ipBlock `except` (strict
 * subsets: k8s.io/kubernetes pkg/apis/networking/validation ValidateIPBlock), Calico `notNets` in
 * the same rule, one family per rule (libcalico-go lib/validator/v3 validateRule), ClusterNetworkPolicy
 * `networks` as the block less them (the API has no except), Cilium `toCIDRSet.except` for the
 * node and apiserver addresses only (a CIDR selector never selects a pod: pkg/ipcache
 * resolveIdentity). Dual stack (fixtures/dual-stack-fold, the tester's cluster): two nodes, n1 the
 * control plane, each with an IPv4 and an IPv6 InternalIP and pod CIDR.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { toMultiDocYaml } from '../../recommender/engines/yaml.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import type { SimEndpoint } from '../../recommender/simulate/types.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
const inventory = readFileSync(new URL('../fixtures/dual-stack-fold/inventory.json', import.meta.url), 'utf8');

/** web (10.244.0.10, fd00:244::10 on n1) opens a connection to `dst` on 443 (NetObserv, SYN). */
const record = (dst: string, i: number): string => {
  const v6 = dst.includes(':') && !dst.startsWith('::ffff:');
  return JSON.stringify({
    SrcAddr: v6 ? 'fd00:244::10' : '10.244.0.10',
    DstAddr: dst,
    SrcPort: 42000 + i,
    DstPort: 443,
    Proto: 6,
    Flags: ['SYN'],
    Etype: v6 ? 34525 : 2048,
    Packets: 1,
    Bytes: 100,
    TimeFlowStartMs: NOW - 60_000 + i * 1000,
    TimeFlowEndMs: NOW - 60_000 + i * 1000 + 5,
  });
};

/** Outside addresses, some in the nodes' own subnets (10.0.0.99, fd00:10::99: no node holds them). */
const OUTSIDE = ['2001:db8:1::1', '2001:db8:1::2', '2001:db8:1::3', '2001:db8:1::4', '2001:db8:2::1', '2001:db8:3::1', '2001:db8:4::1', '198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.101.1', '198.51.102.1', '::ffff:192.0.2.1', '::ffff:192.0.2.2', 'fd00:10::99', 'fd00:10::98', '10.0.0.99', '10.0.0.98'];

async function folded() {
  const { db } = tmpDb();
  importInventory(db, { text: inventory, takenAt: NOW - 3_600_000, source: 'inventory.json', now: NOW });
  const summary = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${OUTSIDE.map(record).join('\n')}\n`]) }], { format: 'netobserv', caps: { maxEdgesPerWorkload: 4 } });
  assert.ok(summary.folded > 0, 'the cap folded addresses');
  const servers = (db.prepare("SELECT server FROM edges WHERE client = 'workload:shop/Deployment/web'").all() as { server: string }[]).map((e) => e.server);
  assert.ok(servers.includes('external:0.0.0.0/0') && servers.includes('external:::/0'), `folded into the whole families: ${servers.join(', ')}`);
  return db;
}

test('a folded 0.0.0.0/0 and ::/0 hold out the nodes, the control plane and the pod CIDRs on every engine, and every observed address stays allowed', async () => {
  const db = await folded();
  const input = readRecommendationInput(db, {});
  const model = clusterModel(input.inventory, input.externalNames);
  const web: SimEndpoint = { kind: 'pod', pod: model.cluster.pods.find((p) => p.namespace === 'shop' && p.name === 'web')! };
  const nodeEnds: SimEndpoint[] = model.cluster.nodes.flatMap((node) => node.ips.map((ip): SimEndpoint => ({ kind: 'node', node, ip })));
  assert.equal(nodeEnds.length, 4);
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
    assert.deepEqual(verification.blocked, [], engine);
    assert.equal(verification.ok, true, engine);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    // Never observed: pod → node (n2) and pod → control-plane node (n1) on 443, either family.
    for (const server of nodeEnds) {
      const v = sim.evaluate({ client: web, server, port: 443, protocol: 'TCP' });
      assert.equal(v.verdict, 'deny', `${engine} web → ${(server as { ip: string }).ip}: ${v.egress.reason}`);
    }
    for (const ip of [...OUTSIDE, '203.0.113.9', '2001:db8:ffff::1']) {
      const v = sim.evaluate({ client: web, server: { kind: 'external', ip }, port: 443, protocol: 'TCP' });
      assert.equal(v.verdict, 'allow', `${engine} web → ${ip}: ${v.egress.reason}`);
    }
    // The folded edges themselves, as `simulate` takes them (`edges -o json`): each block stands for its outside addresses.
    const edge = (server: string) => ({ client: 'workload:shop/Deployment/web', server, port: 443, protocol: 'TCP' });
    const edges = simulateFlows(db, { engine, policies: toMultiDocYaml(emitted.manifests), flows: JSON.stringify([edge('external:0.0.0.0/0'), edge('external:::/0')]), format: 'edges' });
    assert.deepEqual(edges.decisions.map((d) => d.verdict), ['allow', 'allow'], `${engine}: ${JSON.stringify(edges.decisions.map((d) => d.egress?.reason))}`);
    // The tester's probes as flow records: web → n2 (both families) and → n1, the control plane, on 443.
    const probes = simulateFlows(db, { engine, policies: toMultiDocYaml(emitted.manifests), flows: ['10.0.0.11', 'fd00:10::11', 'fd00:10::10'].map((d, i) => record(d, 100 + i)).join('\n'), format: 'netobserv' });
    assert.deepEqual(probes.decisions.map((d) => d.verdict), ['deny', 'deny', 'deny'], engine);
  }
});

test('each engine holds the cluster’s own addresses out of a folded block its own way', async () => {
  const db = await folded();
  const input = readRecommendationInput(db, {});
  const egressOf = (engine: (typeof ENGINE_NAMES)[number]) => {
    const m = runRecommendation(input, engine, recommendOptions({}), { tightness: false }).emitted.manifests.find((x) => x.metadata.name.includes('web'))!;
    return (m as { spec: { egress: unknown[] } }).spec.egress;
  };
  const kubernetes = egressOf('kubernetes') as { to?: { ipBlock?: { cidr: string; except?: string[] } }[] }[];
  const blocks = kubernetes.flatMap((r) => r.to ?? []).flatMap((p) => (p.ipBlock ? [p.ipBlock] : []));
  assert.deepEqual(blocks.find((b) => b.cidr === '0.0.0.0/0')?.except, ['10.0.0.10/32', '10.0.0.11/32', '10.244.0.0/24', '10.244.1.0/24']);
  assert.deepEqual(blocks.find((b) => b.cidr === '::/0')?.except, ['fd00:10::10/128', 'fd00:10::11/128', 'fd00:244:1::/64', 'fd00:244::/64']);
  assert.equal(blocks.find((b) => b.cidr === '198.51.100.0/24')?.except, undefined, 'a block with none of the cluster inside keeps no except');

  const calico = egressOf('calico') as { destination?: { nets?: string[]; notNets?: string[] } }[];
  const v4 = calico.find((r) => r.destination?.nets?.includes('0.0.0.0/0'))!.destination!;
  assert.deepEqual(v4, { ...v4, nets: ['0.0.0.0/0'], notNets: ['10.0.0.10/32', '10.0.0.11/32', '10.244.0.0/24', '10.244.1.0/24'] });
  assert.deepEqual(calico.find((r) => r.destination?.nets?.includes('::/0'))!.destination!.notNets, ['fd00:10::10/128', 'fd00:10::11/128', 'fd00:244:1::/64', 'fd00:244::/64']);

  const cilium = egressOf('cilium') as { toCIDRSet?: { cidr: string; except?: string[] }[] }[];
  const sets = cilium.flatMap((r) => r.toCIDRSet ?? []);
  // Node (and apiserver) addresses only: a CIDR selector never selects a pod.
  assert.deepEqual(sets.find((s) => s.cidr === '0.0.0.0/0')?.except, ['10.0.0.10/32', '10.0.0.11/32']);
  assert.deepEqual(sets.find((s) => s.cidr === '::/0')?.except, ['fd00:10::10/128', 'fd00:10::11/128']);

  const cnp = egressOf('clusternetworkpolicy') as { to?: { networks?: string[] }[] }[];
  const networks = cnp.flatMap((r) => r.to ?? []).flatMap((p) => p.networks ?? []);
  assert.ok(!networks.includes('0.0.0.0/0') && !networks.includes('::/0'), 'the whole families are never a network');
  for (const n of ['0.0.0.0/5', '128.0.0.0/1', '10.0.0.12/30', '10.0.0.0/29']) assert.ok(networks.includes(n), `${n} in ${networks.join(', ')}`);
  assert.ok(networks.every((n) => n.length <= 43) && cnp.every((r) => (r.to ?? []).every((p) => (p.networks ?? []).length <= 25)), 'at most 25 networks per peer');
});
