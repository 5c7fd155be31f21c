/**
 * The tightness figure counts the (peer, port) pairs the manifests really allow, as the simulator
 * sees them: every workload whose pods a rule's selector matches, not only the workload the rule
 * was written for, and every policy that selects the subject's pods, not only its own. Kubernetes
 * "Network Policies": a podSelector "selects particular Pods in the same namespace as the
 * NetworkPolicy", by their labels, whoever owns them; policies are additive. A side the policies
 * allow something on where nothing was observed gets a figure too: observed 0, ratio null,
 * unbounded (docs/recommend.md, "Verification", point 3).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { Workload } from '../../domain/inventory.ts';
import type { Manifest } from '../../recommender/engines/types.ts';
import type { NetworkPolicySpec } from '../../recommender/engines/wire/kubernetes.ts';
import type { VerifiedSides } from '../../recommender/verified-sides.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { verifyRecommendation } from '../../recommender/verify/recommendation.ts';
import { shopInventory, shopWorkload, workloadPeer } from '../helpers/shop-cluster.ts';

const NOW = Date.UTC(2026, 10, 20);

// web (app=web) and web-canary (app=web, track=canary): web's selector selects the canary's pods too.
const web = shopWorkload('web');
const canary: Workload = { ...shopWorkload('web-canary'), labels: { app: 'web', track: 'canary' }, selector: { matchLabels: { app: 'web', track: 'canary' } } };
const db = shopWorkload('db', [5432]);
const cache = shopWorkload('cache', [6379]);
// cache before web-canary: the probe of "a pod of the namespace not observed" is cache's, never the canary's.
const inventory = shopInventory(NOW, [web, cache, canary, db]);
const key = (w: Workload): string => `shop/Deployment/${w.name}`;
const edge = (client: Workload, server: Workload, port: number): EdgeTraffic => ({ client: workloadPeer(client), server: workloadPeer(server), port, protocol: 'TCP', lastSeen: NOW, flows: 1, forwarded: 1, dropped: 0 });

const policy = (name: string, spec: NetworkPolicySpec): Manifest => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop', labels: {}, annotations: {} }, spec });
const side = (w: Workload, direction: 'ingress' | 'egress', edges: EdgeTraffic[], documented: EdgeTraffic[] = []): VerifiedSides => ({
  workload: key(w),
  edges: { ingress: direction === 'ingress' ? edges : [], egress: direction === 'egress' ? edges : [] },
  excluded: { ingress: new Map(), egress: new Map() },
  restricted: { ingress: direction === 'ingress', egress: direction === 'egress' },
  ...(documented.length > 0 ? { documented: { ingress: direction === 'ingress' ? documented.map((e) => ({ edge: e, rule: 'm/rule' })) : [], egress: direction === 'egress' ? documented.map((e) => ({ edge: e, rule: 'm/rule' })) : [] } } : {}),
});
const verify = (manifests: Manifest[], sides: VerifiedSides[]) =>
  verifyRecommendation({ engine: 'kubernetes', emitted: { engine: 'kubernetes', manifests, warnings: [] }, model: clusterModel(inventory), applied: [], sides, simulator: SIMULATORS.kubernetes });

/** db's ingress from app=web on 5432, as the recommendation writes it for the observed web → db. */
const dbFromWeb = policy('db', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432, protocol: 'TCP' }] }] });

test('ingress: a peer selector that also matches another workload’s pods counts that workload (web-canary carries app=web)', () => {
  const v = verify([dbFromWeb], [side(db, 'ingress', [edge(web, db, 5432)])]);
  assert.equal(v.ok, true);
  const [t] = v.tightness;
  assert.deepEqual({ ...t, note: undefined }, { workload: key(db), direction: 'ingress', observed: 1, allowed: 2, ratio: 2, note: undefined }, 'web and web-canary on 5432');
  assert.match(t!.note ?? '', /shop\/Deployment\/web-canary/, 'the note names the workload counted through the overlap');
  assert.match(t!.note ?? '', /shop\/Deployment\/web's warning/, 'and points at the warning that says so');
});

test('egress: a policy written for another workload whose selector selects the subject’s pods counts what it allows (web’s policy selects the canary)', () => {
  const webPolicy = policy('web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432, protocol: 'TCP' }] }] });
  const canaryPolicy = policy('web-canary', { podSelector: { matchLabels: { app: 'web', track: 'canary' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'cache' } } }], ports: [{ port: 6379, protocol: 'TCP' }] }] });
  const v = verify([webPolicy, canaryPolicy], [side(web, 'egress', [edge(web, db, 5432)]), side(canary, 'egress', [edge(canary, cache, 6379)])]);
  assert.equal(v.ok, true);
  const byWorkload = new Map(v.tightness.map((t) => [t.workload, t]));
  const c = byWorkload.get(key(canary))!;
  assert.deepEqual([c.observed, c.allowed, c.ratio], [1, 2, 2], 'cache on 6379 (its own policy) and db on 5432 (web’s)');
  assert.match(c.note ?? '', /NetworkPolicy\/shop\/web|shop\/Deployment\/web\b/, 'the note names whose policy it is');
  const w = byWorkload.get(key(web))!;
  assert.deepEqual([w.observed, w.allowed, w.ratio, w.note], [1, 1, 1, undefined], 'the canary’s policy does not select web’s pods');
});

test('a restricted side where nothing was observed and the policies allow something: observed 0, ratio null, unbounded', () => {
  const openEgress = policy('web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{}] });
  const v = verify([openEgress], [side(web, 'egress', [])]);
  assert.equal(v.tightness.length, 1, 'an allow-all egress nothing used gets a figure');
  const [t] = v.tightness;
  assert.equal(t!.workload, key(web));
  assert.equal(t!.observed, 0);
  assert.ok(t!.allowed > 0, `allowed ${t!.allowed}`);
  assert.equal(t!.ratio, null);
  assert.equal(t!.unbounded, true);
  // JSON keeps it: no Infinity, no NaN.
  assert.deepEqual(JSON.parse(JSON.stringify(t)), t);
  const denyAll = policy('web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] });
  assert.deepEqual(verify([denyAll], [side(web, 'egress', [])]).tightness, [], 'a side that allows nothing needs no figure');
});

test('a documented must flow nothing observed, allowed by the policies: its side gets a figure, observed 0 (its peer on its port counted)', () => {
  const v = verify([dbFromWeb], [side(db, 'ingress', [], [edge(web, db, 5432)])]);
  assert.equal(v.ok, true);
  const [t] = v.tightness;
  assert.deepEqual([t?.workload, t?.observed, t?.ratio, t?.unbounded], [key(db), 0, null, true]);
  assert.equal(t!.allowed, 2, 'web and web-canary on 5432');
});
