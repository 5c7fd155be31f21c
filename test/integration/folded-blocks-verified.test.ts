/**
 * Past the edge caps a workload's external addresses fold into their block (docs/ingest.md,
 * "Bounded by design"): the edge's peer is `external:203.0.113.0/24`, and a recommendation
 * allows the block. The verification simulates that edge: a block is allowed when a rule's
 * block holds all of it and no hole (NetworkPolicy `except`, Cilium `except`, Calico `notNets`)
 * cuts into it — every address of it passes, as the rule says. A folded workload must come out
 * verified on every engine, never refused for the traffic its own rule allows.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import type { SimEndpoint } from '../../recommender/simulate/types.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { toMultiDocYaml } from '../../recommender/engines/yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
// web dual-stack: one flow record has addresses of one family (docs/ingest.md, Validation at the door).
const inventory = readFileSync(new URL('../fixtures/openshift-dns/inventory.yaml', import.meta.url), 'utf8').replace('podIPs: [{ ip: 10.128.0.20 }]', 'podIPs: [{ ip: 10.128.0.20 }, { ip: "fd00:10:128::20" }]');
const record = (dst: string, i: number) =>
  JSON.stringify({ SrcAddr: dst.includes(':') ? 'fd00:10:128::20' : '10.128.0.20', DstAddr: dst, SrcPort: 40000 + i, DstPort: 443, Proto: 6, Flags: 2, Etype: dst.includes(':') ? 34525 : 2048, Packets: 1, Bytes: 80, TimeFlowStartMs: NOW - 60_000 + i, TimeFlowEndMs: NOW - 60_000 + i });

test('a workload whose external addresses folded into blocks (/24, /64) is verified on every engine, and its policy allows every address of the blocks it saw', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: inventory, takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  // Three kept as they are (the cap), the fourth and fifth folded into their /24 and /64.
  const addresses = ['203.0.113.1', '2001:db8:1::1', '198.51.100.1', '203.0.113.2', '2001:db8:1::2'];
  const summary = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${addresses.map(record).join('\n')}\n`]) }], { format: 'netobserv', caps: { maxEdgesPerWorkload: 3 } });
  assert.equal(summary.folded, 2, 'the caps folded two addresses into blocks');
  const input = readRecommendationInput(db, {});
  const model = clusterModel(input.inventory, input.externalNames);
  const web: SimEndpoint = { kind: 'pod', pod: model.cluster.pods.find((p) => p.namespace === 'shop' && p.name === 'web')! };
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
    assert.deepEqual(verification.blocked, [], engine);
    assert.equal(verification.ok, true, engine);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    for (const ip of [...addresses, '203.0.113.200', '2001:db8:1::ffff', '203.0.113.0/24', '2001:db8:1::/64']) {
      const v = sim.evaluate({ client: web, server: { kind: 'external', ip }, port: 443, protocol: 'TCP' });
      assert.equal(v.verdict, 'allow', `${engine} web → ${ip}: ${v.egress.reason}`);
    }
    // A block the policy holds only part of (one address seen in it) is not allowed as a whole.
    const part = sim.evaluate({ client: web, server: { kind: 'external', ip: '198.51.100.0/24' }, port: 443, protocol: 'TCP' });
    assert.equal(part.verdict, 'deny', `${engine} web → 198.51.100.0/24: ${part.egress.reason}`);
    // `simulate` takes the folded edges as `edges -o json` lists them, and judges each block as one.
    const edge = (server: string) => ({ client: 'workload:shop/Pod/web', server, port: 443, protocol: 'TCP' });
    const simulated = simulateFlows(db, { engine, policies: toMultiDocYaml(emitted.manifests), flows: JSON.stringify([edge('external:203.0.113.0/24'), edge('external:2001:db8:1::/64'), edge('external:198.51.100.0/24')]), format: 'edges' });
    assert.deepEqual(simulated.decisions.map((d) => d.verdict), ['allow', 'allow', 'deny'], engine);
  }
});

test('an address the store already has its edge to is that edge in a later run too, though the workload is past the caps: updated, never folded into a wider block', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: inventory, takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  const run = (addresses: string[]) => ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${addresses.map(record).join('\n')}\n`]) }], { format: 'netobserv', caps: { maxEdgesPerWorkload: 2 } });
  await run(['203.0.113.1', '203.0.113.2']);
  const second = await run(['203.0.113.1']);
  assert.equal(second.folded, 0);
  const servers = (db.prepare("SELECT server, flows FROM edges WHERE client = 'workload:shop/Pod/web' ORDER BY server").all() as { server: string; flows: number }[]).map((e) => `${e.server} ${e.flows}`);
  assert.deepEqual(servers, ['external:203.0.113.1 2', 'external:203.0.113.2 1']);
});
