/**
 * GET /api/v1/recommendations pages a whole cluster by workload: pages walked with
 * their cursors give back every workload of `flowmatrix recommend --output json`, each byte for
 * byte, in workload-key order; limits are validated; a cursor continues only the query that
 * issued it; after the store changed the walk goes on from the new result (documented). The
 * demo cluster in a real SQLite file, on the service's worker threads.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import request from 'supertest';
import type { Express } from 'express';
import { loadDemo } from '../../demo/load.ts';
import { createApp, type BuiltApp } from '../../server/app.ts';
import { PAGE_DEFAULT, PAGE_MAX } from '../../server/services/recommendation-pages.ts';
import { EdgeStore } from '../../store/edges.ts';
import { runCliJson } from '../helpers/cli.ts';
import { testContext } from '../helpers/service.ts';
import { tmpDb } from '../helpers/tmp.ts';

interface WorkloadJson {
  workload: { namespace: string; kind: string; name: string };
}
interface PageJson {
  now: string;
  items: WorkloadJson[];
  next?: string;
  warnings: string[];
  verification: { ok: boolean; tightness: { workload: string }[]; denied: { workload: string }[]; stillAllowed: { workload: string }[] };
}

const { db, path } = tmpDb();
let built: BuiltApp;
let app: Express;

before(async () => {
  assert.equal((await loadDemo(db)).loaded, true);
  built = createApp(testContext(db, path));
  app = built.app;
});
after(() => built.close());

const key = (w: WorkloadJson): string => `${w.workload.namespace}/${w.workload.kind}/${w.workload.name}`;

async function page(query: string): Promise<PageJson> {
  const r = await request(app).get(`/api/v1/recommendations?${query}`);
  assert.equal(r.status, 200, r.text.slice(0, 500));
  return r.body as PageJson;
}

/** Every page of a walk with `limit`, following `next`. */
async function walk(query: string, limit: number): Promise<PageJson[]> {
  const pages: PageJson[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(`${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    pages.push(p);
    cursor = p.next;
    assert.ok(pages.length < 1000, 'the walk ends');
  } while (cursor !== undefined);
  return pages;
}

test('pages walked with their cursors give every workload of `recommend --output json`, byte for byte, in workload-key order', async () => {
  const cli = await runCliJson<{ workloads: WorkloadJson[]; warnings: string[]; verification: PageJson['verification'] }>(['recommend', '--db', path, '--engine', 'cilium', '--output', 'json']);
  assert.ok(cli.workloads.length > 7, `the demo has enough workloads for several pages (${cli.workloads.length})`);
  const pages = await walk('engine=cilium', 7);
  assert.equal(pages.length, Math.ceil(cli.workloads.length / 7));
  assert.ok(pages.slice(0, -1).every((p) => p.items.length === 7 && p.next !== undefined));
  assert.equal(pages.at(-1)!.next, undefined);
  const items = pages.flatMap((p) => p.items);
  assert.equal(items.length, cli.workloads.length);
  items.forEach((w, i) => assert.equal(JSON.stringify(w), JSON.stringify(cli.workloads[i]), `workload ${i} (${key(w)})`));
  const keys = items.map(key);
  assert.deepEqual(keys, [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  // Each page: the whole result's warnings and verdict, the findings of its own workloads.
  for (const p of pages) {
    assert.deepEqual(p.warnings, cli.warnings);
    assert.equal(p.verification.ok, cli.verification.ok);
    const mine = new Set(p.items.map(key));
    for (const t of [...p.verification.tightness, ...p.verification.denied, ...p.verification.stillAllowed]) assert.ok(mine.has(t.workload), `${t.workload} is on its page`);
  }
  assert.deepEqual(pages.flatMap((p) => p.verification.tightness), cli.verification.tightness);
  assert.deepEqual(pages.flatMap((p) => p.verification.denied), cli.verification.denied);
});

test(`without limit a page holds ${PAGE_DEFAULT} workloads; limit is 1..${PAGE_MAX}`, async () => {
  const first = await page('engine=kubernetes');
  const all = (await walk('engine=kubernetes', PAGE_MAX)).flatMap((p) => p.items);
  assert.equal(first.items.length, Math.min(PAGE_DEFAULT, all.length));
  assert.equal(first.next !== undefined, all.length > PAGE_DEFAULT);
  for (const bad of ['0', String(PAGE_MAX + 1), 'many', '-3']) {
    const r = await request(app).get(`/api/v1/recommendations?engine=kubernetes&limit=${bad}`).expect(400);
    assert.equal(r.type, 'application/problem+json');
    assert.equal(r.body.errors[0].path, 'query.limit', JSON.stringify(r.body));
  }
});

test('a cursor issued for another engine or other options, or not issued at all, is a 400 naming the cursor', async () => {
  const next: string | undefined = (await page('engine=kubernetes&limit=2')).next;
  assert.ok(next !== undefined);
  for (const other of ['engine=cilium', 'engine=kubernetes&egress=false', 'engine=kubernetes&staleDays=7']) {
    const r: request.Response = await request(app).get(`/api/v1/recommendations?${other}&limit=2&cursor=${encodeURIComponent(next)}`).expect(400);
    assert.match(r.body.detail, /cursor from another query/);
    assert.equal(r.body.errors[0].path, 'query.cursor');
  }
  // Same query, another page size: the cursor still continues it.
  await request(app).get(`/api/v1/recommendations?engine=kubernetes&limit=5&cursor=${encodeURIComponent(next)}`).expect(200);
  for (const forged of ['bm90LWpzb24', Buffer.from('["a/Deployment/b"]').toString('base64url'), Buffer.from('[1,"x"]').toString('base64url')]) {
    const r = await request(app).get(`/api/v1/recommendations?engine=kubernetes&cursor=${forged}`).expect(400);
    assert.match(r.body.detail, /invalid cursor/);
  }
});

test('a cursor continues the same options however they are spelled: the default include given, its statuses reordered or repeated, now= the page\'s own now', async () => {
  const first = await page('engine=kubernetes&limit=2');
  const next = encodeURIComponent(first.next!);
  const include = (first as unknown as { options: { include: string[] } }).options.include;
  assert.ok(include.length > 1, 'the page prints the default include');
  const expected = (await page(`engine=kubernetes&limit=2&cursor=${next}`)).items.map(key);
  for (const same of [`include=${include.join(',')}`, `include=${[...include].reverse().join(',')}`, `include=${[...include, include[0]].join(',')}`, `now=${first.now}`, `now=${first.now}&include=${[...include].reverse().join(',')}`]) {
    const r = await request(app).get(`/api/v1/recommendations?engine=kubernetes&limit=2&${same}&cursor=${next}`);
    assert.equal(r.status, 200, `${same}: ${r.text.slice(0, 300)}`);
    assert.deepEqual((r.body as PageJson).items.map(key), expected, same);
  }
  // Other options are still another query: another include, another now, or a given now the walk did not have.
  const later = new Date(Date.parse(first.now) + 86_400_000).toISOString();
  for (const other of [`include=${include.slice(1).join(',')}`, `now=${later}`]) {
    const r = await request(app).get(`/api/v1/recommendations?engine=kubernetes&limit=2&${other}&cursor=${next}`).expect(400);
    assert.match(r.body.detail, /cursor from another query/, other);
  }
  const pinned = (await page(`engine=kubernetes&limit=2&now=${later}`)).next!;
  const r = await request(app).get(`/api/v1/recommendations?engine=kubernetes&limit=2&cursor=${encodeURIComponent(pinned)}`).expect(400);
  assert.match(r.body.detail, /cursor from another query/, 'a walk at a given now is not continued at the latest');
  await request(app).get(`/api/v1/recommendations?engine=kubernetes&limit=2&now=${encodeURIComponent(later)}&cursor=${encodeURIComponent(pinned)}`).expect(200);
});

test('after the store changed, the next page comes from the new result and starts after the last workload served', async () => {
  const first = await page('engine=calico&limit=4');
  assert.ok(first.next);
  // A newer edge moves the recommendation's reference time (the latest last-seen): a new result.
  const later = Date.parse(first.now) + 3_600_000;
  const w = first.items[0]!.workload;
  new EdgeStore(db).write({
    edges: [{ client: `workload:${w.namespace}/${w.kind}/${w.name}`, server: 'external:192.0.2.44', port: 443, protocol: 'TCP', firstSeen: later, lastSeen: later, flows: 1, packets: 1, bytes: 1, forwarded: 1, dropped: 0, sources: 1, hours: new Map() }],
    ambiguous: [],
    names: [],
  });
  const second = await page(`engine=calico&limit=4&cursor=${encodeURIComponent(first.next)}`);
  assert.equal(second.now, new Date(later).toISOString(), 'computed from the store as it is now');
  const last = key(first.items.at(-1)!);
  assert.ok(second.items.length > 0 && second.items.every((x) => key(x) > last), 'no workload of the first page again, none before it');
  const fresh = (await walk('engine=calico', 4)).flatMap((p) => p.items).map(key);
  assert.deepEqual(second.items.map(key), fresh.slice(fresh.indexOf(last) + 1, fresh.indexOf(last) + 5));
});
