import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Edge } from '../../domain/edge.ts';
import type { Peer } from '../../domain/peer.ts';
import { compareSuffixed, edgeId, edgeKey, edgeKeys, sortAssessments, sortByEdgeKey } from '../../recommender/compare/compare.ts';
import { uniqueSortedBy } from '../../recommender/policy/order.ts';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function edge(client: Peer, server: Peer, port: number, protocol: Edge['protocol']): Edge {
  return { id: 1, client, server, port, protocol, firstSeen: 0, lastSeen: 0, flows: 1, packets: 1, bytes: 1, forwarded: 1, dropped: 0, sources: ['netobserv'] };
}

const w = (ns: string, name: string): Peer => ({ kind: 'workload', workload: { namespace: ns, kind: 'Deployment', name } });

test('the run keyer gives edgeKey and edgeId exactly, padding and odd peer keys included', () => {
  const peers: Peer[] = [w('team-000', 'svc-0000'), w('a', 'b'), { kind: 'apiserver' }, { kind: 'external', ip: '0.0.0.0' }, { kind: 'node', node: 'n|00|0x|' }, { kind: 'unknown', ip: '10.0.0.1' }];
  const keys = edgeKeys();
  let n = 0;
  for (const c of peers) {
    for (const s of peers) {
      for (const port of [0, 7, 80, 6443, 10250, 65535, 100000]) {
        for (const protocol of ['TCP', 'UDP', 'SCTP', 'ICMP', 'ICMPv6'] as const) {
          const e = edge(c, s, port, protocol);
          assert.equal(keys.key(e), edgeKey(e));
          assert.equal(keys.id(e), edgeId(e));
          n++;
        }
      }
    }
  }
  assert.equal(n, 6 * 6 * 7 * 5);
  assert.equal(keys.id(edge(w('ns', 'a'), { kind: 'apiserver' }, 443, 'TCP')), 'edge:workload:ns/Deployment/a|apiserver|443|TCP');
});

test('compareSuffixed orders like comparing the joined strings, prefixes included', () => {
  assert.ok(compareSuffixed('x|ICMPv6', 'egress', 'x|ICMP', 'egress') < 0, '"x|ICMPv6|egress" < "x|ICMP|egress"');
  assert.ok(compareSuffixed('k', 'egress', 'k', 'ingress') < 0);
  const s = fc.string({ unit: fc.constantFrom('a', 'b', '|', 'v', '0'), maxLength: 6 });
  const d = fc.constantFrom('ingress', 'egress');
  fc.assert(
    fc.property(s, d, s, d, (k1, d1, k2, d2) => Math.sign(compareSuffixed(k1, d1, k2, d2)) === Math.sign(cmp(`${k1}|${d1}`, `${k2}|${d2}`))),
    { numRuns: 2000, seed: 7 },
  );
});

test('sortAssessments and sortByEdgeKey give the order of the joined keys', () => {
  const c = w('ns', 'a');
  const edges = [edge(c, w('ns', 'b'), 1, 'ICMP'), edge(c, w('ns', 'b'), 1, 'ICMPv6'), edge(c, w('ns', 'a-b'), 80, 'TCP'), edge(c, w('ns', 'a'), 80, 'TCP')];
  const items = edges.flatMap((e) => [{ edge: e, direction: 'ingress' }, { edge: e, direction: 'egress' }]).reverse();
  const expected = [...items].sort((x, y) => cmp(`${edgeKey(x.edge)}|${x.direction}`, `${edgeKey(y.edge)}|${y.direction}`));
  assert.deepEqual(sortAssessments(items, edgeKey), expected);
  assert.deepEqual(sortByEdgeKey(edges, edgeKey), [...edges].sort((x, y) => cmp(edgeKey(x), edgeKey(y))));
});

test('uniqueSortedBy keeps the first of equal keys, sorted, with or without the ascending shortcut', () => {
  const xs = [{ k: 'b', n: 1 }, { k: 'a', n: 2 }, { k: 'b', n: 3 }];
  assert.deepEqual(uniqueSortedBy(xs, (x) => x.k).map((x) => x.n), [2, 1]);
  const asc = [{ k: 'a', n: 1 }, { k: 'b', n: 2 }];
  const out = uniqueSortedBy(asc, (x) => x.k);
  assert.deepEqual(out, asc);
  assert.notEqual(out, asc, 'a new array, never the input');
  assert.deepEqual(uniqueSortedBy([{ k: 'a', n: 1 }, { k: 'a', n: 2 }], (x) => x.k).map((x) => x.n), [1]);
});
