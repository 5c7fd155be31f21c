/**
 * The `clusternetworkpolicy` simulator's interned pod peers answer as their selectors do, equal
 * texts sharing an id. (Its rules filed by port: test/unit/port-buckets.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectorMatches } from '../../recommender/matrix/selector.ts';
import { PodPeers, selectorText } from '../../recommender/simulate/clusternetworkpolicy/pod-peers.ts';
import { ClusterView } from '../../recommender/simulate/kubernetes/cluster-view.ts';
import type { SimPod } from '../../recommender/simulate/types.ts';

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
