/**
 * Calico network sets in the `calico` simulator: input → expected verdict. Doc pages are under
 * https://docs.tigera.io/calico/latest/ :
 *   GNS = reference/resources/globalnetworkset ("When Calico is calculating the set of IPs that should
 *         match a source/destination selector within a global network policy rule, or within a
 *         network policy rule whose namespaceSelector includes global(), it includes the CIDRs from
 *         any network sets that match the selector")
 *   NS  = reference/resources/networkset (the same within a namespace)
 * and upstream code in projectcalico/calico:
 *   NSP   = libcalico-go updateprocessors/networksetprocessor.go (a NetworkSet's labels plus
 *           projectcalico.org/namespace, profile kns.<namespace>: "namespace label inheritance")
 *   RULES = libcalico-go updateprocessors/rules.go getEndpointSelector (a namespaced rule's selector
 *           is scoped to projectcalico.org/namespace == '<ns>'; global() → !has(projectcalico.org/namespace))
 *   INDEX = felix labelindex SelectorAndNamedPortIndex (a set's nets join the IP set of every selector
 *           matching its labels: membership, no longest-prefix choice)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calicoSimulator } from '../../recommender/simulate/calico.ts';
import type { SimCluster, SimEndpoint, SimFlow, SimPod } from '../../recommender/simulate/types.ts';

const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string): SimPod => ({ namespace, name, labels, ips: [ip], node: 'n1', hostNetwork: false, ports: [] });
const web = pod('app', 'web', { app: 'web' }, '10.244.1.10');
const api = pod('app', 'api', { app: 'api' }, '10.244.1.11');
const cluster = (networkSets: unknown[] = []): SimCluster => ({
  namespaces: [
    { name: 'app', labels: { team: 'shop' } },
    { name: 'data', labels: { team: 'dba' } },
  ],
  nodes: [{ name: 'n1', labels: {}, ips: ['10.0.0.11'] }],
  pods: [web, api],
  services: [],
  apiserver: [],
  podCIDRs: ['10.244.0.0/16'],
  ...(networkSets.length > 0 ? { calicoNetworkSets: networkSets } : {}),
});

const gns = (name: string, labels: Record<string, string>, nets: string[], apiVersion = 'projectcalico.org/v3') => ({ apiVersion, kind: 'GlobalNetworkSet', metadata: { name, labels }, spec: { nets } });
const netset = (namespace: string, name: string, labels: Record<string, string>, nets: string[]) => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkSet', metadata: { name, namespace, labels }, spec: { nets } });
const gnp = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec });
const np = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace: 'app' }, spec: { selector: "app == 'web'", types: ['Egress'], ...spec } });

const P = (p: SimPod): SimEndpoint => ({ kind: 'pod', pod: p });
const ext = (ip: string): SimEndpoint => ({ kind: 'external', ip });
const flow = (c: SimEndpoint, s: SimEndpoint, port = 443): SimFlow => ({ client: c, server: s, port, protocol: 'TCP' });

const blocklist = gns('blocklist', { blocklist: 'true' }, ['203.0.113.0/24']);
const denyBlocklist = gnp('deny-blocklist', { order: 10, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { selector: "blocklist == 'true'" } }, { action: 'Allow' }] });

test("GNS: a GlobalNetworkPolicy rule selecting a GlobalNetworkSet matches the addresses of its nets (the reviewer's blocklist)", () => {
  for (const [objects, sets] of [
    [[blocklist, denyBlocklist], []],
    [[denyBlocklist], [blocklist]],
  ] as const) {
    const sim = calicoSimulator(objects, cluster([...sets]));
    const v = sim.evaluate(flow(P(web), ext('203.0.113.5')));
    assert.equal(v.verdict, 'deny', v.egress.reason);
    assert.deepEqual(v.egress.by, { policy: 'GlobalNetworkPolicy/deny-blocklist', rule: '/spec/egress/0' });
    // Outside the set: the next rule allows.
    assert.deepEqual(sim.evaluate(flow(P(web), ext('198.51.100.7'))).egress.by, { policy: 'GlobalNetworkPolicy/deny-blocklist', rule: '/spec/egress/1' });
  }
  // Without the set, the selector selects no address: allowed.
  assert.equal(calicoSimulator([denyBlocklist], cluster()).evaluate(flow(P(web), ext('203.0.113.5'))).verdict, 'allow');
});

test('GNS: a tier passing egress to a set hands it to the next tier; what is neither in the set nor passed ends the tier (the reviewer\'s Pass case)', () => {
  const security = { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'security' }, spec: { order: 100 } };
  const allowed = gns('allowed-egress', { egress: 'allowed' }, ['203.0.113.0/24']);
  const control = gnp('egress-control', {
    tier: 'security',
    order: 10,
    selector: "projectcalico.org/namespace == 'app'",
    types: ['Egress'],
    egress: [
      { action: 'Pass', destination: { selector: "egress == 'allowed'" } },
      { action: 'Pass', destination: { nets: ['10.0.0.0/8'] } },
    ],
  });
  const sim = calicoSimulator([security, control], cluster([allowed]));
  const v = sim.evaluate(flow(P(web), ext('203.0.113.5')));
  assert.equal(v.verdict, 'allow', v.egress.reason);
  assert.match(v.egress.reason, /every tier passed.*profile kns\.app allows/);
  assert.deepEqual(sim.evaluate(flow(P(web), ext('192.0.2.1'))).egress.by, { policy: 'Tier/security', rule: '/spec/defaultAction' });
});

test('NS + RULES: a namespaced rule selector matches its own namespace\'s NetworkSets; a namespaceSelector reaches others\' by their namespace labels (NSP: pcns.* inherited)', () => {
  const appDb = netset('app', 'db', { role: 'db' }, ['192.0.2.0/28']);
  const dataDb = netset('data', 'db', { role: 'db' }, ['198.51.100.0/28']);
  const sets = cluster([appDb, dataDb]);
  const local = np('to-db', { egress: [{ action: 'Allow', destination: { selector: "role == 'db'" } }] });
  const sim = calicoSimulator([local], sets);
  assert.equal(sim.evaluate(flow(P(web), ext('192.0.2.3'), 5432)).verdict, 'allow');
  assert.equal(sim.evaluate(flow(P(web), ext('198.51.100.3'), 5432)).verdict, 'deny', "data's set is not in app's scope");
  const byTeam = np('to-dba', { egress: [{ action: 'Allow', destination: { namespaceSelector: "team == 'dba'", selector: "role == 'db'" } }] });
  const cross = calicoSimulator([byTeam], sets);
  assert.equal(cross.evaluate(flow(P(web), ext('198.51.100.3'), 5432)).verdict, 'allow');
  assert.equal(cross.evaluate(flow(P(web), ext('192.0.2.3'), 5432)).verdict, 'deny');
  // A GlobalNetworkPolicy's rule selector is not scoped: every namespace's sets; namespaceSelector global(): the global sets only (GNS, RULES).
  const anywhere = gnp('to-any-db', { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', destination: { selector: "role == 'db'" } }] });
  assert.equal(calicoSimulator([anywhere], sets).evaluate(flow(P(web), ext('198.51.100.3'), 5432)).verdict, 'allow');
  const globalDb = gns('global-db', { role: 'db' }, ['192.0.2.128/28']);
  const onlyGlobal = gnp('to-global-db', { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', destination: { namespaceSelector: 'global()', selector: "role == 'db'" } }] });
  const g = calicoSimulator([onlyGlobal], cluster([appDb, globalDb]));
  assert.equal(g.evaluate(flow(P(web), ext('192.0.2.130'), 5432)).verdict, 'allow');
  assert.equal(g.evaluate(flow(P(web), ext('192.0.2.3'), 5432)).verdict, 'deny');
});

test('INDEX: an address in several sets is matched by a selector selecting any of them (no longest prefix); notSelector excludes it likewise', () => {
  const wide = gns('wide', { zone: 'partner' }, ['203.0.0.0/16']);
  const narrow = gns('narrow', { zone: 'blocked' }, ['203.0.113.0/24']);
  const toPartners = gnp('to-partners', { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', destination: { selector: "zone == 'partner'" } }] });
  const sim = calicoSimulator([toPartners], cluster([wide, narrow]));
  assert.equal(sim.evaluate(flow(P(web), ext('203.0.113.5'))).verdict, 'allow', 'the /16 set holds it, whatever the /24 says');
  const notBlocked = gnp('not-blocked', { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', destination: { notSelector: "zone == 'blocked'" } }] });
  const ns = calicoSimulator([notBlocked], cluster([wide, narrow]));
  assert.equal(ns.evaluate(flow(P(web), ext('203.0.113.5'))).verdict, 'deny');
  assert.equal(ns.evaluate(flow(P(web), ext('203.0.1.5'))).verdict, 'allow');
});

test('a set holding pod addresses is matched at those pods too (INDEX: IP sets hold addresses, whoever has them)', () => {
  const pods = gns('pod-network', { kind: 'pods' }, ['10.244.0.0/16']);
  const denyPods = gnp('deny-pods', { order: 1, selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Deny', destination: { selector: "kind == 'pods'" } }, { action: 'Allow' }] });
  assert.equal(calicoSimulator([denyPods], cluster([pods])).evaluate(flow(P(web), P(api), 8080)).verdict, 'deny');
});

test("a folded edge's block: a Deny rule's set selector matches a block the set touches, an Allow rule's only one it holds wholly", () => {
  const half = gns('half', { zone: 'x' }, ['203.0.113.0/25']);
  const deny = gnp('deny-x', { order: 1, selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Deny', destination: { selector: "zone == 'x'" } }, { action: 'Allow' }] });
  const allow = gnp('allow-x', { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', destination: { selector: "zone == 'x'" } }] });
  assert.equal(calicoSimulator([deny], cluster([half])).evaluate(flow(P(web), ext('203.0.113.0/24'))).verdict, 'deny');
  assert.equal(calicoSimulator([allow], cluster([half])).evaluate(flow(P(web), ext('203.0.113.0/24'))).verdict, 'deny');
  assert.equal(calicoSimulator([allow], cluster([half])).evaluate(flow(P(web), ext('203.0.113.0/26'))).verdict, 'allow');
});

test("a set given with the policies replaces the inventory's of its kind, namespace and name; crd.projectcalico.org/v1 sets are read as the v3 ones", () => {
  const moved = gns('blocklist', { blocklist: 'true' }, ['198.51.100.0/24']);
  const sim = calicoSimulator([denyBlocklist, moved], cluster([blocklist]));
  assert.equal(sim.evaluate(flow(P(web), ext('203.0.113.5'))).verdict, 'allow');
  assert.equal(sim.evaluate(flow(P(web), ext('198.51.100.5'))).verdict, 'deny');
  const crd = gns('blocklist', { blocklist: 'true' }, ['203.0.113.0/24'], 'crd.projectcalico.org/v1');
  assert.equal(calicoSimulator([denyBlocklist], cluster([crd])).evaluate(flow(P(web), ext('203.0.113.5'))).verdict, 'deny');
});
