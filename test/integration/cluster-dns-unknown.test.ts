/**
 * Every restricted egress allows DNS to the cluster DNS, which the inventory names (the pods of
 * kube-system/kube-dns or openshift-dns/dns-default, domain/cluster-dns.ts). An inventory without
 * them — a cluster whose DNS runs elsewhere — still gets that rule, which would match no pod: the
 * recommendation says so, rather than cutting name resolution without a word.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions } from '../../app/recommendation.ts';
import { loadDemo } from '../../demo/load.ts';
import { recommend } from '../../recommender/recommend.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NO_DNS = readFileSync(new URL('../fixtures/named-ports/inventory.json', import.meta.url), 'utf8');
const said = (warnings: readonly string[]) => warnings.filter((w) => w.startsWith('no cluster DNS in the inventory'));

test('an inventory without cluster DNS pods: the recommendation warns that its DNS rule names pods that are not there; with egress left open, or with the DNS pods known, nothing is said', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: NO_DNS, takenAt: Date.parse('2026-11-20T00:00:00Z'), source: 'inventory.json', now: Date.parse('2026-11-20T00:00:00Z') });
  const input = readRecommendationInput(db, {});
  assert.match(said(recommend(input, recommendOptions({ defaultDeny: true })).warnings)[0] ?? '', /^no cluster DNS in the inventory \(pods of kube-system\/kube-dns or openshift-dns\/dns-default\): .* names the conventional kube-system k8s-app=kube-dns .* on 53/);
  assert.deepEqual(said(recommend(input, recommendOptions({ defaultDeny: true, egress: false })).warnings), []);
  const demo = tmpDb().db;
  await loadDemo(demo);
  assert.deepEqual(said(recommend(readRecommendationInput(demo, {}), recommendOptions({})).warnings), [], 'the demo inventory holds CoreDNS');
});

test('NodeLocal DNSCache in the inventory: pods ask the node-local cache (169.254.20.10, the kube-dns Service address), not the DNS pods the DNS rule names — the recommendation says what to add before applying (Kubernetes "Using NodeLocal DNSCache in Kubernetes Clusters")', async () => {
  const { db } = tmpDb();
  await loadDemo(db);
  const withCache = (input: ReturnType<typeof readRecommendationInput>) => ({
    ...input,
    inventory: {
      ...input.inventory,
      workloads: [...input.inventory.workloads, { namespace: 'kube-system', kind: 'DaemonSet' as const, name: 'node-local-dns', labels: { 'k8s-app': 'node-local-dns' }, selector: { matchLabels: { 'k8s-app': 'node-local-dns' } }, hostNetwork: true, ports: [], services: [], exposure: [] }],
    },
  });
  const nodeLocal = (warnings: readonly string[]) => warnings.filter((w) => w.startsWith('NodeLocal DNSCache'));
  const input = readRecommendationInput(db, {});
  assert.deepEqual(nodeLocal(recommend(input, recommendOptions({})).warnings), []);
  const said = nodeLocal(recommend(withCache(input), recommendOptions({})).warnings);
  assert.equal(said.length, 1);
  assert.match(said[0]!, /kube-system\/DaemonSet\/node-local-dns.*add egress to 169\.254\.20\.10\/32 and the kube-dns Service address on 53\/UDP and 53\/TCP/);
  assert.deepEqual(nodeLocal(recommend(withCache(input), recommendOptions({ egress: false })).warnings), [], 'egress left open: nothing to add');
});
