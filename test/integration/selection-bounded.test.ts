/**
 * The not-found answers of app/selection-check.ts name what exists without reading every edge:
 * the service runs them on its event loop, and a store whose flow records named 50 000 namespaces
 * froze it 8.7 s per 404. Here the edges grow from 30 000 to 120 000 (in 6 000, then 24 000
 * namespaces): the 404 still names what exists, the rows read stay the same, and no statement
 * scans the edges.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireSelection, requireWorkload, requireWorkloads } from '../../app/selection-check.ts';
import type { Db } from '../../store/db.ts';
import { tmpDb } from '../helpers/tmp.ts';

/** Adds `count` edges from index `from` on: client `workload:ns-<i % namespaces>/Deployment/w-<i>`, server a DNS workload or an external address. */
function addEdges(db: Db, from: number, count: number, namespaces: number): void {
  db.prepare(
    `WITH RECURSIVE c(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM c WHERE i + 1 < ?)
     INSERT INTO edges (client, server, port, protocol, first_seen, last_seen, flows)
     SELECT printf('workload:ns-%05d/Deployment/w-%06d', i % ?, i),
            CASE i % 2 WHEN 0 THEN 'dns:kube-system/Deployment/coredns' ELSE printf('external:203.0.%d.%d', (i / 256) % 256, i % 256) END,
            CASE i % 2 WHEN 0 THEN 53 ELSE 443 END, CASE i % 2 WHEN 0 THEN 'UDP' ELSE 'TCP' END, 1, 2, 1
     FROM c`,
  ).run(from, from + count, namespaces);
}

interface Reads {
  rows: number;
  sql: string[];
}

/** `db` with every row handed to JavaScript counted and every statement recorded. */
function counting(db: Db): { db: Db; reads: Reads } {
  const reads: Reads = { rows: 0, sql: [] };
  const prepare = (sql: string) => {
    reads.sql.push(sql);
    const stmt = db.prepare(sql);
    return new Proxy(stmt, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (prop === 'get') return (...p: unknown[]) => { const r = target.get(...p); if (r !== undefined) reads.rows++; return r; };
        if (prop === 'all') return (...p: unknown[]) => { const r = target.all(...p); reads.rows += r.length; return r; };
        if (prop === 'iterate') return function* (...p: unknown[]) { for (const r of target.iterate(...p)) { reads.rows++; yield r; } };
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  };
  return { db: new Proxy(db, { get: (t, prop, r) => (prop === 'prepare' ? prepare : ((v) => (typeof v === 'function' ? v.bind(t) : v))(Reflect.get(t, prop, r))) }), reads };
}

/** The plan lines of the statements that read the edges which walk them whole (SCAN rather than SEARCH). */
function edgeScans(db: Db, sql: readonly string[]): string[] {
  const out: string[] = [];
  for (const s of new Set(sql)) {
    if (!/\bedges\b/.test(s)) continue;
    const named = Object.fromEntries([...s.matchAll(/[@:$]([A-Za-z_]\w*)/g)].map((m) => [m[1], null]));
    const params = [...Array.from({ length: (s.match(/\?/g) ?? []).length }, () => null), ...(Object.keys(named).length > 0 ? [named] : [])];
    for (const r of db.prepare(`EXPLAIN QUERY PLAN ${s}`).all(...params) as { detail: string }[]) if (/^SCAN edges\b/.test(r.detail)) out.push(`${r.detail} :: ${s.replace(/\s+/g, ' ')}`);
  }
  return out;
}

/** The not-found message `check` throws, with the rows it read and the edge scans of its statements. */
function notFound(db: Db, check: (db: Db) => void): { message: string; rows: number; scans: string[] } {
  const c = counting(db);
  let message: string | undefined;
  try {
    check(c.db);
  } catch (e) {
    message = (e as Error).message;
  }
  assert.ok(message !== undefined, 'expected a not-found error');
  return { message, rows: c.reads.rows, scans: edgeScans(db, c.reads.sql) };
}

const CHECKS: [string, (db: Db) => void][] = [
  ['an unknown namespace', (db) => requireSelection(db, { namespace: 'nosuch' })],
  ['an unknown workload of a namespace the edges name', (db) => requireSelection(db, { namespace: 'kube-system', workload: 'nosuch' })],
  ['an unknown namespace, for a recommendation', (db) => requireWorkloads(db, { namespace: 'nosuch' })],
  ['an unknown workload anywhere', (db) => requireSelection(db, { workload: 'StatefulSet/nosuch' })],
  ['one unknown workload', (db) => requireWorkload(db, { namespace: 'ns-00007', kind: 'Deployment', name: 'nosuch' })],
];

test('with 30 000 and with 120 000 edges, a 404 names what exists, reads the same rows and never scans the edges', () => {
  const { db } = tmpDb();
  // An inventory with one workload, so the recommendation's checks go on to the selection.
  db.prepare("INSERT INTO namespaces (name, labels, updated_at) VALUES ('kube-system', '{}', 1)").run();
  db.prepare("INSERT INTO workloads (namespace, kind, name, first_seen, last_seen) VALUES ('kube-system', 'Deployment', 'coredns', 1, 1)").run();
  addEdges(db, 0, 30_000, 6_000);
  const small = CHECKS.map(([, check]) => notFound(db, check));
  addEdges(db, 30_000, 90_000, 24_000);
  const large = CHECKS.map(([, check]) => notFound(db, check));

  CHECKS.forEach(([what], i) => {
    // A workload without its namespace cannot be sought in the peer keys (they start with the namespace): SQLite looks for one matching edge, no row comes back.
    assert.equal(large[i]!.scans.length, what === 'an unknown workload anywhere' ? 1 : 0, `${what}: statements that scan the edges: ${large[i]!.scans.join('; ')}`);
    assert.equal(large[i]!.rows, small[i]!.rows, `${what}: rows read with 120 000 edges against 30 000`);
    assert.ok(large[i]!.rows < 5_000, `${what}: ${large[i]!.rows} rows read`);
  });
  assert.match(large[0]!.message, /^no namespace "nosuch" in the inventory or the edges \(namespaces: kube-system, ns-00000, ns-00001, ns-00002, .*, … \(at least \d+ in all\)\)$/);
  assert.equal(large[1]!.message, 'no workload "nosuch" in namespace "kube-system" in the inventory or the edges (there: deployment/coredns)');
  assert.equal(large[2]!.message, large[0]!.message, 'the recommendation says what the listing says');
  assert.match(large[3]!.message, /^no workload "StatefulSet\/nosuch" in the inventory or the edges \(known: deployment\/coredns, deployment\/w-000000, deployment\/w-000001, .*, … \(at least \d+ in all\)\)$/);
  assert.equal(large[4]!.message, 'no workload ns-00007/Deployment/nosuch in the inventory or the flow records');
});

test('a namespace or workload the edges name passes, with a few seeks', () => {
  const { db } = tmpDb();
  addEdges(db, 0, 20_000, 2_000);
  const c = counting(db);
  requireSelection(c.db, { namespace: 'ns-01999' });
  requireSelection(c.db, { namespace: 'ns-00001', workload: 'w-000001' });
  requireSelection(c.db, { namespace: 'ns-00001', workload: 'Deployment/w-002001' });
  requireSelection(c.db, { namespace: 'kube-system', workload: 'coredns' });
  assert.deepEqual(edgeScans(db, c.reads.sql), []);
  assert.ok(c.reads.rows < 100, `${c.reads.rows} rows read`);
  assert.throws(() => requireSelection(db, { namespace: 'ns-00001', workload: 'StatefulSet/w-000001' }), /no workload "StatefulSet\/w-000001" in namespace "ns-00001"/);
});

test('without an inventory, the flow records\' workloads without labels are named from a bounded read', () => {
  const { db } = tmpDb();
  addEdges(db, 0, 20_000, 2_000);
  const r = notFound(db, (d) => requireWorkloads(d, {}));
  assert.deepEqual(r.scans, []);
  assert.ok(r.rows < 5_000, `${r.rows} rows read`);
  assert.match(r.message, /^no inventory: .*; the flow records name at least \d+ workload\(s\) but carry no pod labels to select them by .*: kube-system\/Deployment\/coredns, ns-00000\/Deployment\/w-000000, .*, … \(at least \d+ in all\)$/);
});
