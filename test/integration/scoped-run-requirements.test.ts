/**
 * Scoping a run (`-n`, `--workload`) limits which policies are emitted, never which requirements
 * are checked. A `must` rule of a workload outside the run that names a workload of the run
 * (shop-client/client must reach db/db on 5432) is required at the run's end all the same: the
 * policies the run emits for db cut it there whatever the scope. The unscoped run blocked it (exit
 * 2), while `-n db` and `--workload db` printed the same manifest as verified (exit 0), on every
 * engine: the requirement lived only in the outside workload's side, which a scoped run never read.
 * Input → expected: blocked at db's ingress in every scope, naming the rule and its owner.
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
const INVENTORY = `apiVersion: v1
kind: List
items:
${namespaceItem('db')}
${namespaceItem('shop-client')}
${nodeItem('n1', '10.244.0.0/24', '10.0.0.10')}
${barePodItem({ namespace: 'db', name: 'db', ip: '10.244.0.30', ports: [5432] })}
${barePodItem({ namespace: 'shop-client', name: 'client', ip: '10.244.0.20', ports: [80] })}
`;
const matrix = (authoritative: boolean) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: fz, title: scoped }
documents: { d: { title: d, file: d.txt } }
components:
  db:
    namespace: db
    selector: { matchLabels: { app: db } }
    ports: [{ port: 5432 }]
${authoritative ? '    authoritative: { ingress: true }\n' : ''}  client:
    namespace: shop-client
    selector: { matchLabels: { app: client } }
    egress:
      - { id: to-db, peer: { component: db }, ports: [{ port: 5432 }], level: must, purpose: queries, source: { document: d, line: 1 } }
`;
const QUERY = JSON.stringify({ time: '2026-03-01T10:30:00Z', verdict: 'FORWARDED', IP: { source: '10.244.0.20', destination: '10.244.0.30' }, l4: { TCP: { source_port: 51000, destination_port: 5432, flags: { SYN: true } } } });

async function stored(authoritative: boolean, flows: string[]) {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  if (flows.length > 0) await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'auto', now: () => NOW });
  applyMatrix(db, { text: matrix(authoritative), origin: 'fz.yaml', appliedAt: NOW });
  return readRecommendationInput(db, {});
}

const EDGE = 'workload:shop-client/Pod/client|workload:db/Pod/db|5432|TCP';
const SCOPES = [{}, { namespace: 'db' }, { workload: 'db' }, { workload: 'Pod/db' }];

test('db authoritative for ingress and not documenting the observed must flow: blocked at db in every scope, the matrices named', async () => {
  const input = await stored(true, [QUERY]);
  for (const engine of ENGINE_NAMES) {
    for (const scope of SCOPES) {
      const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, ...scope }), { tightness: false });
      const what = `${engine} ${JSON.stringify(scope)}`;
      assert.equal(v.ok, false, what);
      const cut = v.blocked.find((b) => b.workload === 'db/Pod/db' && b.direction === 'ingress' && b.edge === EDGE);
      assert.ok(cut, `${what}: ${JSON.stringify(v.blocked)}`);
      assert.match(cut.reason, /fz\/client\/egress\/to-db requires it \(shop-client\/Pod\/client's egress\)/, what);
      assert.match(cut.reason, /the matrices disagree: document it in fz\/db \(authoritative for ingress\)/, what);
    }
  }
});

test('mode observed, the must flow never observed: db\'s deny-all ingress cuts it, blocked in every scope with the way out', async () => {
  const input = await stored(false, []);
  for (const engine of ENGINE_NAMES) {
    for (const scope of SCOPES) {
      const { verification: v } = runRecommendation(input, engine, recommendOptions({ now: NOW, mode: 'observed', ...scope }), { tightness: false });
      const what = `${engine} ${JSON.stringify(scope)}`;
      const cut = v.blocked.find((b) => b.workload === 'db/Pod/db' && b.direction === 'ingress' && b.edge === EDGE);
      assert.ok(cut, `${what}: ${JSON.stringify(v.blocked)}`);
      assert.match(cut.reason, /fz\/client\/egress\/to-db \(must\) requires it, not observed yet: applying this cuts required traffic; mode union keeps it/, what);
      assert.equal(v.ok, false, what);
    }
  }
});

test('mode union keeps the flow at db: verified in every scope, and the scoped run emits db\'s policy only', async () => {
  const input = await stored(false, []);
  for (const engine of ENGINE_NAMES) {
    for (const scope of SCOPES) {
      const { verification: v, rec } = runRecommendation(input, engine, recommendOptions({ now: NOW, ...scope }), { tightness: false });
      assert.equal(v.ok, true, `${engine} ${JSON.stringify(scope)}: ${JSON.stringify(v.blocked)}`);
      if (Object.keys(scope).length > 0) assert.deepEqual(rec.workloads.map((w) => w.workload.name), ['db']);
    }
  }
});
