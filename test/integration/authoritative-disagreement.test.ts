/**
 * A `must` rule of one matrix (meshtel's scraper must scrape shop/db on 9187) toward a component
 * another matrix declares authoritative for that direction and that does not document it
 * (shop/db, authoritative ingress): the authoritative matrix's list is complete, so the flow is
 * left closed at db (docs/recommend.md, "Rules required at both ends"), and the manifests cut a
 * flow a must rule requires. That was `blocked` when observed, but when never observed only a
 * warning, exit 0. Input → expected: blocked either way, the way out naming both matrices.
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
${namespaceItem('shop')}
${namespaceItem('monitoring')}
${nodeItem('n1', '10.244.0.0/24', '10.0.0.10')}
${barePodItem({ namespace: 'shop', name: 'db', ip: '10.244.0.30', ports: [5432] })}
${barePodItem({ namespace: 'shop', name: 'api', ip: '10.244.0.20', ports: [8080] })}
${barePodItem({ namespace: 'monitoring', name: 'scraper', ip: '10.244.0.50', ports: [9090] })}
`;
const SHOP = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: shop, title: Shop }
documents: { doc: { title: shop doc, file: shop.txt } }
components:
  api:
    namespace: shop
    selector: { matchLabels: { app: api } }
    egress:
      - { id: to-db, peer: { component: db }, ports: [{ port: 5432 }], level: must, purpose: queries, source: { document: doc, line: 1 } }
  db:
    namespace: shop
    selector: { matchLabels: { app: db } }
    authoritative: true
    ingress:
      - { id: from-api, peer: { component: api }, ports: [{ port: 5432 }], level: must, purpose: queries, source: { document: doc, line: 2 } }
`;
const MESHTEL = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: meshtel, title: Mesh telemetry }
documents: { doc: { title: meshtel doc, file: meshtel.txt } }
components:
  scraper:
    namespace: monitoring
    selector: { matchLabels: { app: scraper } }
    egress:
      - { id: scrape-db, peer: { namespace: shop, selector: { matchLabels: { app: db } } }, ports: [{ port: 9187 }], level: must, purpose: scrape db exporter, source: { document: doc, line: 1 } }
`;
const flow = (i: number, src: string, dst: string, port: number) =>
  JSON.stringify({ time: `2026-03-01T10:3${i}:00Z`, verdict: 'FORWARDED', IP: { source: src, destination: dst }, l4: { TCP: { source_port: 51000 + i, destination_port: port, flags: { SYN: true } } } });

async function stored(flows: string[]) {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'auto', now: () => NOW });
  applyMatrix(db, { text: SHOP, origin: 'shop.yaml', appliedAt: NOW });
  applyMatrix(db, { text: MESHTEL, origin: 'meshtel.yaml', appliedAt: NOW });
  return readRecommendationInput(db, {});
}

const SCRAPE = 'workload:monitoring/Pod/scraper|workload:shop/Pod/db|9187|TCP';
const API = flow(0, '10.244.0.20', '10.244.0.30', 5432);

for (const observed of [true, false]) {
  test(`the scrape flow ${observed ? 'observed' : 'never observed'}: blocked at db's ingress, naming both matrices`, async () => {
    const input = await stored(observed ? [API, flow(1, '10.244.0.50', '10.244.0.30', 9187)] : [API]);
    for (const engine of ENGINE_NAMES) {
      const { verification } = runRecommendation(input, engine, recommendOptions({ mode: 'documented' }), { tightness: false });
      assert.equal(verification.ok, false, engine);
      const cut = verification.blocked.find((b) => b.workload === 'shop/Pod/db' && b.direction === 'ingress' && b.edge === SCRAPE);
      assert.ok(cut, `${engine}: ${JSON.stringify(verification.blocked)}`);
      assert.match(cut.reason, /meshtel\/scraper\/egress\/scrape-db/);
      assert.match(cut.reason, /the matrices disagree: document it in shop\/db \(authoritative for ingress\), or meshtel\/scraper\/egress\/scrape-db is wrong/, engine);
    }
  });
}

/**
 * The same with a whole namespace as the peer: db's must ingress from
 * `{namespace: a}` names every workload of namespace a (mirrored-rules.ts namedWorkloads), web among
 * them, and web's matrix, authoritative for egress, leaves it closed. Never observed, the flow was
 * blocked; observed (web → db:5432), the edge was only `denied` at web (a whole namespace is no
 * `otherEnd` peer of an observed edge) and export exited 0 on every engine while it cut the flow.
 * A peer left closed by an authoritative matrix is blocked "all the same, observed or not"
 * (docs/recommend.md, "Verification").
 */
const NS_INVENTORY = `apiVersion: v1
kind: List
items:
${namespaceItem('a')}
${namespaceItem('b')}
${nodeItem('n1', '10.244.1.0/24', '192.168.0.11')}
${barePodItem({ namespace: 'a', name: 'web', ip: '10.244.1.10', ports: [] })}
${barePodItem({ namespace: 'b', name: 'db', ip: '10.244.1.11', ports: [5432] })}
`;
const NS_MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: fz, title: a whole namespace as the peer }
documents: { d: { title: d, file: d.txt } }
components:
  web:
    namespace: a
    selector: { matchLabels: { app: web } }
    authoritative: { egress: true }
  db:
    namespace: b
    selector: { matchLabels: { app: db } }
    ports: [{ port: 5432 }]
    ingress:
      - { id: r2, peer: { namespace: a }, ports: [{ port: 5432 }], level: must, purpose: queries, source: { document: d, line: 1 } }
`;
const WEB_DB = 'workload:a/Pod/web|workload:b/Pod/db|5432|TCP';

for (const observed of [true, false]) {
  test(`a whole-namespace peer left closed by its authoritative matrix, the flow ${observed ? 'observed' : 'never observed'}: blocked at web's egress on every engine`, async () => {
    const { db } = tmpDb();
    importInventory(db, { text: NS_INVENTORY, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
    const flows = observed ? [flow(0, '10.244.1.10', '10.244.1.11', 5432)] : [flow(0, '10.244.1.10', '10.244.1.99', 80)];
    await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'auto', now: () => NOW });
    applyMatrix(db, { text: NS_MATRIX, origin: 'fz.yaml', appliedAt: NOW });
    const input = readRecommendationInput(db, {});
    // Mode observed renders an observed edge whatever a matrix says: there the observed flow passes.
    for (const mode of observed ? (['union', 'documented'] as const) : (['union', 'documented', 'observed'] as const)) {
      for (const engine of ENGINE_NAMES) {
        const { verification } = runRecommendation(input, engine, recommendOptions({ mode, now: NOW }), { tightness: false });
        const cut = verification.blocked.find((b) => b.workload === 'a/Pod/web' && b.direction === 'egress' && b.edge === WEB_DB);
        assert.ok(cut, `${mode} ${engine}: ${JSON.stringify(verification.blocked)}`);
        assert.equal(verification.ok, false, `${mode} ${engine}`);
        assert.match(cut.reason, /fz\/db\/ingress\/r2/, `${mode} ${engine}`);
        assert.match(cut.reason, /the matrices disagree: document it in fz\/web \(authoritative for egress\), or fz\/db\/ingress\/r2 is wrong/, `${mode} ${engine}`);
      }
    }
  });
}
