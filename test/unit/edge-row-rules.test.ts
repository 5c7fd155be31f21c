/**
 * Every read of the edges table leaves out the same rows (store/row-check.ts): the traffic-only
 * read export uses (readEdgeTraffic) as the full read the recommendation JSON and one workload use
 * (readAllEdges, EdgeStore.list). Before, the traffic read never looked at the columns its covering
 * index lacks (first_seen, packets, bytes, sources), so a row whose only fault was there was kept by
 * export and left out by the full read: the same store gave an export and a one-workload answer
 * of different edges.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDb } from '../../store/db.ts';
import { EdgeStore } from '../../store/edges.ts';
import { readAllEdges, readEdgeTraffic } from '../../store/recommend-read.ts';
import { newSkippedRows, type SkippedRows } from '../../store/row-check.ts';

const T0 = Date.UTC(2026, 10, 20);
const CLIENT = 'workload:shop/Deployment/web';

/** One row per column the covering index lacks, faulty there alone; and one good row. */
const ROWS = [
  { server: 'external:10.0.0.1', first_seen: -1, packets: 1, bytes: 1, sources: 1 },
  { server: 'external:10.0.0.2', first_seen: 9e15, packets: 1, bytes: 1, sources: 1 },
  { server: 'external:10.0.0.3', first_seen: T0, packets: -1, bytes: 1, sources: 1 },
  { server: 'external:10.0.0.4', first_seen: T0, packets: 1, bytes: 2 ** 60, sources: 1 },
  { server: 'external:10.0.0.5', first_seen: T0, packets: 1, bytes: 1, sources: -1 },
] as const;

function store() {
  const db = openDb(':memory:');
  const insert = db.prepare('INSERT INTO edges (client, server, port, protocol, first_seen, last_seen, flows, packets, bytes, forwarded, dropped, sources) VALUES (?, ?, 80, ?, ?, ?, 1, ?, ?, 1, 0, ?)');
  for (const r of ROWS) insert.run(CLIENT, r.server, 'TCP', r.first_seen, T0, r.packets, r.bytes, r.sources);
  insert.run(CLIENT, 'external:10.0.0.9', 'TCP', T0, T0, 1, 1, 1);
  return db;
}

const problems = (s: SkippedRows): string[] => s.examples.map((x) => x.problem).sort();

test('a row whose only fault is in first_seen, packets, bytes or sources is left out by the traffic read as by the full reads, for the same reason', () => {
  const db = store();
  try {
    const full = newSkippedRows();
    const listed = newSkippedRows();
    const traffic = newSkippedRows();
    assert.deepEqual(readAllEdges(db, full).map((e) => e.server), [{ kind: 'external', ip: '10.0.0.9' }]);
    assert.equal(new EdgeStore(db).list({}, listed).length, 1);
    assert.deepEqual(readEdgeTraffic(db, traffic).map((e) => e.server), [{ kind: 'external', ip: '10.0.0.9' }]);
    assert.equal(full.count, ROWS.length);
    assert.equal(traffic.count, ROWS.length);
    assert.deepEqual(problems(traffic), problems(full));
    assert.deepEqual(problems(listed), problems(full));
  } finally {
    db.close();
  }
});

test('a row the traffic read leaves out is named by its row id, which `edges delete --id` takes, as the full read names it — also one faulty in a column the covering index holds (port 0)', () => {
  const db = store();
  try {
    db.prepare("INSERT INTO edges (client, server, port, protocol, first_seen, last_seen, flows, packets, bytes, forwarded, dropped, sources) VALUES (?, 'external:10.0.0.8', 0, 'TCP', ?, ?, 1, 1, 1, 1, 0, 1)").run(CLIENT, T0, T0);
    const full = newSkippedRows();
    const traffic = newSkippedRows();
    readAllEdges(db, full);
    readEdgeTraffic(db, traffic);
    const ids = (s: SkippedRows): unknown[] => s.examples.map((x) => x.id).sort();
    assert.equal(traffic.count, ROWS.length + 1);
    assert.deepEqual(ids(traffic), ids(full));
    assert.ok(ids(traffic).every((id) => typeof id === 'number'), `ids ${JSON.stringify(ids(traffic))}`);
  } finally {
    db.close();
  }
});
