/**
 * The `clusternetworkpolicy` simulator's indexes give the answers a plain scan gives: the rules
 * filed by port are exactly the rules whose ports can match, in written order; interned peers
 * answer as their selectors do, equal texts sharing an id.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectorMatches } from '../../recommender/matrix/selector.ts';
import { PodPeers, selectorText } from '../../recommender/simulate/clusternetworkpolicy/pod-peers.ts';
import { PortBuckets, type PortSpan } from '../../recommender/simulate/port-buckets.ts';
import { ClusterView } from '../../recommender/simulate/kubernetes/cluster-view.ts';
import type { SimPod, SimProtocol } from '../../recommender/simulate/types.ts';

interface Rule {
  name: string;
  /** undefined: can match any port. */
  spans?: PortSpan[];
}

const rules: Rule[] = [
  { name: 'tcp-80', spans: [{ protocol: 'TCP', start: 80, end: 80 }] },
  { name: 'any' },
  { name: 'udp-53-and-tcp-80-90', spans: [{ protocol: 'UDP', start: 53, end: 53 }, { protocol: 'TCP', start: 80, end: 90 }] },
  { name: 'wide', spans: [{ protocol: 'TCP', start: 1000, end: 65535 }] },
  { name: 'sctp-9', spans: [{ protocol: 'SCTP', start: 9, end: 9 }] },
  { name: 'empty-range', spans: [{ protocol: 'TCP', start: 90, end: 80 }] },
  { name: 'odd-protocol', spans: [{ protocol: 'ICMP', start: 80, end: 80 }] },
  { name: 'tcp-80-again', spans: [{ protocol: 'TCP', start: 80, end: 80 }, { protocol: 'TCP', start: 79, end: 81 }] },
];

/** The plain scan: a rule can match when it has no spans, or a span of the protocol holds the port (odd protocols: kept, the caller checks). */
const canMatch = (r: Rule, protocol: SimProtocol, port: number): boolean =>
  r.spans === undefined || r.spans.some((s) => !['TCP', 'UDP', 'SCTP'].includes(s.protocol) || (s.protocol === protocol && port >= s.start && port <= s.end));

test('PortBuckets.on: every rule a scan keeps, in written order; rules filed by port left out elsewhere; wide ranges kept for the caller to check', () => {
  const buckets = new PortBuckets(rules, (r) => r.spans);
  const index = new Map(rules.map((r, i) => [r, i]));
  for (const protocol of ['TCP', 'UDP', 'SCTP'] as const) {
    for (const port of [1, 9, 53, 79, 80, 81, 85, 90, 91, 999, 1000, 5000, 65535]) {
      const on = buckets.on(protocol, port);
      const positions = on.map((r) => index.get(r)!);
      assert.deepEqual(positions, [...positions].sort((a, b) => a - b), `${protocol}/${port}: written order`);
      assert.deepEqual(on.filter((r) => canMatch(r, protocol, port)).map((r) => r.name), rules.filter((r) => canMatch(r, protocol, port)).map((r) => r.name), `${protocol}/${port}`);
      assert.deepEqual(on.filter((r) => !canMatch(r, protocol, port)).map((r) => r.name), protocol === 'TCP' && port >= 1000 ? [] : ['wide'], `${protocol}/${port}: only the wide range is kept beyond the scan`);
    }
  }
  assert.deepEqual(buckets.on('TCP', 80).map((r) => r.name), ['tcp-80', 'any', 'udp-53-and-tcp-80-90', 'wide', 'odd-protocol', 'tcp-80-again'], 'each rule once');
});

test('PortBuckets: a rule whose bounds are not integers is kept for every port (the caller compares them)', () => {
  const odd = [{ name: 'text', spans: [{ protocol: 'TCP', start: '80' as unknown as number, end: '80' as unknown as number }] }];
  assert.deepEqual(new PortBuckets(odd, (r) => r.spans).on('TCP', 443).map((r) => r.name), ['text']);
});

test('selectorText: equal selectors, equal texts; different ones differ, whatever the label text holds', () => {
  assert.equal(selectorText({ matchLabels: { app: 'web' } }), selectorText({ matchLabels: { app: 'web' } }));
  assert.notEqual(selectorText({ matchLabels: { app: 'web' } }), selectorText({ matchLabels: { app: 'web', tier: 'x' } }));
  assert.notEqual(selectorText({ matchLabels: { a: 'b1:c' } }), selectorText({ matchLabels: { a: 'b', '1:c': '' } }));
  assert.notEqual(selectorText({ matchLabels: { app: 'web' } }), selectorText({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'x', operator: 'Exists' }] }));
});

test('PodPeers: answers as the selectors do; equal texts share an id; every peer interned before the first question', () => {
  const view = new ClusterView({ namespaces: [{ name: 'shop', labels: { team: 'a' } }, { name: 'ops', labels: {} }], nodes: [], pods: [], services: [], apiserver: [], podCIDRs: [] });
  const peers = new PodPeers(view);
  const nsShop = { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } };
  const web = peers.intern(nsShop, { matchLabels: { app: 'web' } });
  assert.equal(peers.intern({ matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, { matchLabels: { app: 'web' } }), web);
  const teamA = peers.intern({ matchLabels: { team: 'a' } });
  const all = peers.intern({});
  const notWeb = peers.intern({}, { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] });
  assert.equal(new Set([web, teamA, all, notWeb]).size, 4);
  const pod = (namespace: string, app: string): SimPod => ({ namespace, labels: { app }, ips: [], hostNetwork: false, ports: [] });
  for (const p of [pod('shop', 'web'), pod('shop', 'db'), pod('ops', 'web')]) {
    const row = peers.row(p);
    const nsLabels = view.namespaceLabels(p.namespace);
    for (let twice = 0; twice < 2; twice++) {
      assert.equal(peers.selects(web, p, row), selectorMatches(nsShop, nsLabels) && p.labels.app === 'web');
      assert.equal(peers.selects(teamA, p, row), p.namespace === 'shop');
      assert.equal(peers.selects(all, p, row), true);
      assert.equal(peers.selects(notWeb, p, row), p.labels.app !== 'web');
    }
  }
  assert.throws(() => peers.intern({ matchLabels: { late: 'yes' } }), /before the first question/);
});
