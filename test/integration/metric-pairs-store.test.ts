/**
 * store/metric-pairs.ts against a real SQLite file: stored observed pairs (written by the
 * Prometheus collector's own writer) and edges → which pairs no edge joins. An edge joins a pair
 * in either direction and on any port; only its two peers count.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PrometheusStore, type MetricPairDelta } from '../../collectors/prometheus/store.ts';
import { peerKey } from '../../domain/peer.ts';
import { countMetricPairs, latestMetricPairs, metricPairPage, metricPairPageSql } from '../../store/metric-pairs.ts';
import { newSkippedRows } from '../../store/row-check.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = Date.parse('2026-11-20T10:00:00Z');
const W = (ns: string, name: string, kind = 'Deployment'): string => `workload:${ns}/${kind}/${name}`;

function pair(a: string, b: string, metric = 'netobserv_workload_flows_total', bytes = 0): MetricPairDelta {
  return { peerA: a, peerB: b, source: 'prometheus', metric, lacks: 'direction,port,protocol', firstSeen: T, lastSeen: T + 60_000, flows: 4, packets: 0, bytes };
}

const { db } = tmpDb();
const edge = db.prepare('INSERT INTO edges (client, server, port, protocol, first_seen, last_seen, flows) VALUES (?, ?, ?, ?, ?, ?, 1)');
// web → db on 5432: the web–db pair is matched (the pair is stored as db, web order).
edge.run(W('shop', 'web'), W('shop', 'db', 'StatefulSet'), 5432, 'TCP', T, T);
// worker → api on 8443, stored reversed in the pair (api < worker): matched the other way round.
edge.run(W('shop', 'worker'), W('shop', 'api'), 8443, 'TCP', T, T);
// cache → web on UDP 9999 only: any port and protocol matches.
edge.run(W('shop', 'cache'), W('shop', 'web'), 9999, 'UDP', T, T);
// An edge between two other peers that share one side with an unmatched pair must not match it.
edge.run(W('shop', 'web'), W('monitoring', 'prometheus'), 9090, 'TCP', T, T);

new PrometheusStore(db).writePairs([
  pair(W('shop', 'db', 'StatefulSet'), W('shop', 'web')),
  pair(W('shop', 'api'), W('shop', 'worker')),
  pair(W('shop', 'cache'), W('shop', 'web')),
  // No edge at all between these two: unmatched, once per metric.
  pair(W('monitoring', 'grafana'), W('shop', 'web'), 'netobserv_workload_flows_total'),
  pair(W('monitoring', 'grafana'), W('shop', 'web'), 'netobserv_workload_ingress_bytes_total', 1500),
  // Unmatched, in a namespace of its own and with a DNS workload.
  pair('dns:kube-system/Deployment/coredns', W('batch', 'job', 'Job')),
]);

const keys = (ps: readonly { peerA: Parameters<typeof peerKey>[0]; peerB: Parameters<typeof peerKey>[0]; metric: string }[]): string[] => ps.map((p) => `${peerKey(p.peerA)} ${peerKey(p.peerB)} ${p.metric}`);

test('unmatched: the pairs no edge joins in either direction on any port, in key order', () => {
  const page = metricPairPage(db, { unmatched: true, limit: 100 });
  assert.deepEqual(keys(page.pairs), [
    'dns:kube-system/Deployment/coredns workload:batch/Job/job netobserv_workload_flows_total',
    'workload:monitoring/Deployment/grafana workload:shop/Deployment/web netobserv_workload_flows_total',
    'workload:monitoring/Deployment/grafana workload:shop/Deployment/web netobserv_workload_ingress_bytes_total',
  ]);
  assert.ok(page.pairs.every((p) => !p.matched));
  assert.equal(page.next, undefined);
  assert.equal(countMetricPairs(db, { unmatched: true }), 3);
});

test('every pair, each marked matched or not: forward edge, reversed edge and an edge on another port and protocol all match', () => {
  const all = metricPairPage(db, { limit: 100 }).pairs;
  assert.deepEqual(
    all.map((p) => [peerKey(p.peerA), peerKey(p.peerB), p.matched]),
    [
      ['dns:kube-system/Deployment/coredns', 'workload:batch/Job/job', false],
      ['workload:monitoring/Deployment/grafana', 'workload:shop/Deployment/web', false],
      ['workload:monitoring/Deployment/grafana', 'workload:shop/Deployment/web', false],
      ['workload:shop/Deployment/api', 'workload:shop/Deployment/worker', true],
      ['workload:shop/Deployment/cache', 'workload:shop/Deployment/web', true],
      ['workload:shop/StatefulSet/db', 'workload:shop/Deployment/web', true],
    ],
  );
  assert.deepEqual(all[2]?.lacks, ['direction', 'port', 'protocol']);
  assert.equal(all[2]?.bytes, 1500);
  assert.equal(countMetricPairs(db), 6);
});

test('namespace: a pair with a workload or DNS workload of the namespace on either side', () => {
  assert.deepEqual(keys(metricPairPage(db, { namespace: 'kube-system', limit: 100 }).pairs), ['dns:kube-system/Deployment/coredns workload:batch/Job/job netobserv_workload_flows_total']);
  assert.deepEqual(keys(metricPairPage(db, { namespace: 'batch', limit: 100 }).pairs), ['dns:kube-system/Deployment/coredns workload:batch/Job/job netobserv_workload_flows_total']);
  assert.equal(metricPairPage(db, { namespace: 'shop', unmatched: true, limit: 100 }).pairs.length, 2);
  assert.equal(countMetricPairs(db, { namespace: 'shop' }), 5);
  assert.equal(countMetricPairs(db, { namespace: 'sho' }), 0, 'a prefix of a namespace is not the namespace');
});

test('lastSeenSince: pairs last seen at or after the time', () => {
  assert.equal(countMetricPairs(db, { lastSeenSince: T + 60_000 }), 6);
  assert.equal(countMetricPairs(db, { unmatched: true, lastSeenSince: T + 60_001 }), 0);
});

test('keyset pages neither skip nor repeat', () => {
  const seen: string[] = [];
  let after;
  for (let i = 0; i < 10; i++) {
    const page = metricPairPage(db, { limit: 2, ...(after ? { after } : {}) });
    seen.push(...keys(page.pairs));
    if (!page.next) break;
    after = page.next;
  }
  assert.deepEqual(seen, keys(metricPairPage(db, { limit: 100 }).pairs));
  assert.equal(seen.length, 6);
});

test('the anti-join looks edges up by the (client, server, …) index, never scanning the edges', () => {
  const { sql, params } = metricPairPageSql({ unmatched: true, namespace: 'shop', limit: 10 });
  const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
  const text = plan.join('\n');
  const onEdges = plan.filter((d) => /^(SEARCH|SCAN) e\b/.test(d));
  assert.ok(onEdges.length >= 2, text);
  for (const d of onEdges) assert.match(d, /^SEARCH e USING (COVERING )?INDEX \S+ \(client=\? AND server=\?\)$/, text);
  // The pairs are walked in primary-key order: no sort, so a page stops after `limit` rows.
  assert.ok(!plan.some((d) => d.includes('TEMP B-TREE')), text);
});

test('an unreadable row is skipped and reported, the rest read', () => {
  const { db: bad } = tmpDb();
  new PrometheusStore(bad).writePairs([pair(W('shop', 'a'), W('shop', 'b'))]);
  // Written by hand (or before the store's door checked peers, which now refuses it).
  bad.prepare("INSERT INTO metric_pairs (peer_a, peer_b, source, metric, lacks, first_seen, last_seen, flows, packets, bytes) VALUES (?, ?, 'prometheus', 'netobserv_workload_flows_total', 'direction,port,protocol', ?, ?, 4, 0, 0)").run('workload:shop/Nope/x', W('shop', 'b'), T, T + 60_000);
  const skipped = newSkippedRows();
  const page = metricPairPage(bad, { limit: 10 }, skipped);
  assert.deepEqual(keys(page.pairs), ['workload:shop/Deployment/a workload:shop/Deployment/b netobserv_workload_flows_total']);
  assert.equal(skipped.count, 1);
  assert.equal(skipped.examples[0]?.table, 'metric_pairs');
});

test('a bounded read keeps the pairs seen last, not those first in key order, and returns them in key order', () => {
  const { db: aged } = tmpDb();
  const at = (a: string, b: string, lastSeen: number): MetricPairDelta => ({ ...pair(a, b), lastSeen });
  new PrometheusStore(aged).writePairs([
    at(W('a', 'old'), W('z', 'x'), T), // first in key order, seen first
    at(W('b', 'new'), W('z', 'x'), T + 3_600_000),
    at(W('c', 'newer'), W('z', 'x'), T + 7_200_000),
  ]);
  const two = latestMetricPairs(aged, { unmatched: true }, 2);
  assert.deepEqual(two.map((p) => peerKey(p.peerA)), [W('b', 'new'), W('c', 'newer')]);
  // Equal times: key order decides, as in a page.
  assert.deepEqual(latestMetricPairs(db, {}, 2).map((p) => peerKey(p.peerA)), metricPairPage(db, { limit: 2 }).pairs.map((p) => peerKey(p.peerA)));
});
