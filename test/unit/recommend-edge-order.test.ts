import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Edge } from '../../domain/edge.ts';
import type { Peer } from '../../domain/peer.ts';
import { edgeKey } from '../../recommender/compare/compare.ts';
import { PeerRanks, type PeerInfo } from '../../recommender/compare/edge-order.ts';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function edge(id: number, client: Peer, server: Peer, port: number, protocol: Edge['protocol']): Edge {
  return { id, client, server, port, protocol, firstSeen: 0, lastSeen: 0, flows: 1, packets: 1, bytes: 1, forwarded: 1, dropped: 0, sources: ['netobserv'] };
}

/** What the recommender does: infos per edge, then the order; returns the edges in that order. */
function ordered(edges: readonly Edge[]): { edges: Edge[]; duplicateKeys: boolean } {
  const ranks = new PeerRanks();
  const clients: PeerInfo[] = [];
  const servers: PeerInfo[] = [];
  for (const e of edges) {
    clients.push(ranks.of(e.client, () => 0));
    servers.push(ranks.of(e.server, () => 0));
  }
  const { order, duplicateKeys } = ranks.order(edges, clients, servers, edgeKey);
  return { edges: [...order].map((i) => edges[i]!), duplicateKeys };
}

/** The reference: a stable sort by the edge key string. */
function byKeys(edges: readonly Edge[]): Edge[] {
  return edges
    .map((e, i) => ({ e, i, k: edgeKey(e) }))
    .sort((a, b) => cmp(a.k, b.k) || a.i - b.i)
    .map((x) => x.e);
}

const w = (name: string): Peer => ({ kind: 'workload', workload: { namespace: 'ns', kind: 'Deployment', name } });

test('edges come out in edge-key order: names that prefix others, ICMP before ICMPv6, ports by number', () => {
  const api = w('api');
  const apiGw = w('api-gateway');
  const db: Peer = { kind: 'external', ip: '10.0.0.9' };
  const edges = [
    edge(1, apiGw, db, 443, 'TCP'),
    edge(2, api, db, 5432, 'TCP'),
    edge(3, api, db, 80, 'TCP'),
    edge(4, api, apiGw, 1, 'ICMPv6'),
    edge(5, api, apiGw, 1, 'ICMP'),
  ];
  const out = ordered(edges);
  // "workload:ns/Deployment/api|…" sorts after "…/api-gateway|…" ('|' > '-'); external before workload; 80 before 5432.
  assert.deepEqual(out.edges.map((e) => e.id), [1, 3, 2, 5, 4]);
  assert.deepEqual(out.edges, byKeys(edges));
  assert.equal(out.duplicateKeys, false);
  // In order but for the protocol of the last: still sorted.
  const almost = [edge(1, api, db, 80, 'TCP'), edge(2, api, db, 443, 'UDP'), edge(3, api, db, 443, 'TCP')];
  assert.deepEqual(ordered(almost).edges.map((e) => e.id), [1, 3, 2]);
});

test('equal keys keep their input order and are reported; odd ports and peer keys fall back to the keys', () => {
  const a = w('a');
  const b = w('b');
  const dup = [edge(1, a, b, 80, 'TCP'), edge(2, a, b, 80, 'TCP'), edge(3, a, a, 80, 'TCP')];
  const out = ordered(dup);
  assert.deepEqual(out.edges.map((e) => e.id), [3, 1, 2]);
  assert.equal(out.duplicateKeys, true);
  // A node name with a '|' makes one `${key}|` a prefix of another; a port above 99999 outgrows the padding.
  const odd = [edge(1, { kind: 'node', node: 'n|x' }, b, 80, 'TCP'), edge(2, { kind: 'node', node: 'n' }, b, 80, 'TCP'), edge(3, a, b, 100_000, 'TCP'), edge(4, a, b, 99_999, 'TCP')];
  assert.deepEqual(ordered(odd).edges, byKeys(odd));
});

test('any edge list: the same order as sorting by edge keys (property)', () => {
  const names = fc.constantFrom('a', 'a-b', 'ab', 'b', 'a0', 'z');
  const peer = fc.oneof(
    names.map((n): Peer => w(n)),
    names.map((n): Peer => ({ kind: 'dns', workload: { namespace: 'kube-system', kind: 'Deployment', name: n } })),
    fc.constantFrom('10.0.0.1', '10.0.0.10', '203.0.113.5').map((ip): Peer => ({ kind: 'external', ip })),
    fc.constant<Peer>({ kind: 'apiserver' }),
  );
  const e = fc.record({
    client: peer,
    server: peer,
    port: fc.oneof(fc.constantFrom(0, 53, 80, 443, 8080, 65535), fc.integer({ min: 0, max: 120_000 })),
    protocol: fc.constantFrom('TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6') as fc.Arbitrary<Edge['protocol']>,
  });
  fc.assert(
    fc.property(fc.array(e, { maxLength: 40 }), (list) => {
      const edges = list.map((x, i) => edge(i, x.client, x.server, x.port, x.protocol));
      const out = ordered(edges);
      assert.deepEqual(out.edges.map((x) => x.id), byKeys(edges).map((x) => x.id));
      const keys = edges.map(edgeKey);
      assert.equal(out.duplicateKeys, new Set(keys).size !== keys.length);
      // Already in key order (as the store reads them): the order is the input's, duplicates still found.
      const sorted = byKeys(edges);
      const again = ordered(sorted);
      assert.deepEqual(again.edges.map((x) => x.id), sorted.map((x) => x.id));
      assert.equal(again.duplicateKeys, out.duplicateKeys);
    }),
    { numRuns: 400, seed: 11 },
  );
});
