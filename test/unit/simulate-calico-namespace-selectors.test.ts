/**
 * Namespace selectors and host endpoints in the `calico` simulator: input → expected verdict.
 * Calico hands felix one selector per policy and per rule entity, the namespace selector's labels
 * prefixed `pcns.` (labels only workload endpoints inherit, from their namespace's profile), so a
 * namespace selector that needs no such label selects host endpoints too. Upstream code in
 * projectcalico/calico libcalico-go/lib/backend/syncersv1/updateprocessors:
 *   GNPP  = globalnetworkpolicyprocessor.go convertGlobalNetworkPolicyV2ToV1Value (spec.namespaceSelector
 *           prefixed and appended to spec.selector, then every `all()` → `has(projectcalico.org/namespace)`)
 *   RULES = rules.go getEndpointSelector (a rule's namespaceSelector prefixed, `all()` →
 *           `has(projectcalico.org/namespace)`, `global()` → `!has(projectcalico.org/namespace)`:
 *           "selects only host endpoints or GlobalNetworksets")
 * and the selector evaluation of libcalico-go lib/selector/parser/ast.go (LabelNeValueNode: an absent
 * label is != any value; NotNode). The selector texts themselves: calico-v1-selectors.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calicoSimulator } from '../../recommender/simulate/calico.ts';
import type { SimCluster, SimEndpoint, SimFlow, SimNode, SimPod } from '../../recommender/simulate/types.ts';

const nodeOf = (name: string, ip: string, extra: Record<string, string> = {}): SimNode => ({ name, labels: { 'kubernetes.io/hostname': name, ...extra }, ips: [ip] });
const n1 = nodeOf('n1', '10.0.0.11', { 'node-role.kubernetes.io/control-plane': '' });
const n2 = nodeOf('n2', '10.0.0.12');
const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string, node: string): SimPod => ({ namespace, name, labels, ips: [ip], node, hostNetwork: false, ports: [] });
const web = pod('app', 'web', { app: 'web' }, '10.244.2.10', 'n2');
const dns = pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, '10.244.1.3', 'n1');

/** kube-controllers' auto host endpoint of a node: its labels, its addresses, allow-all profile. */
const autoHep = (n: SimNode) => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'HostEndpoint',
  metadata: { name: `${n.name}-auto-hep`, labels: n.labels },
  spec: { node: n.name, interfaceName: '*', expectedIPs: n.ips, profiles: ['projectcalico-default-allow'] },
});
const cluster: SimCluster = {
  namespaces: [
    { name: 'app', labels: { team: 'shop' } },
    { name: 'kube-system', labels: {} },
  ],
  nodes: [n1, n2],
  pods: [web, dns],
  services: [],
  apiserver: [],
  podCIDRs: ['10.244.0.0/16'],
  calicoHostObjects: [autoHep(n1), autoHep(n2)],
};
const gnp = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec });
const P = (p: SimPod): SimEndpoint => ({ kind: 'pod', pod: p });
const N = (n: SimNode): SimEndpoint => ({ kind: 'node', node: n, ip: n.ips[0]! });
const flow = (c: SimEndpoint, s: SimEndpoint, port: number): SimFlow => ({ client: c, server: s, port, protocol: 'TCP', family: 4 });

test('GNPP: a GlobalNetworkPolicy with a negated namespaceSelector and no selector applies to host endpoints (pcns.projectcalico.org/name != "kube-system" holds where no pcns.* label is)', () => {
  const lockdown = gnp('egress-lockdown', { namespaceSelector: "projectcalico.org/name != 'kube-system'", types: ['Egress'] });
  const sim = calicoSimulator([lockdown], cluster);
  const v = sim.evaluate(flow(N(n1), P(web), 8080));
  assert.equal(v.verdict, 'deny', v.egress.reason);
  assert.deepEqual(v.egress.by, { policy: 'Tier/default', rule: '/spec/defaultAction' });
  assert.match(v.egress.reason, /host endpoint n1-auto-hep/);
  // The pods it was written for: app's egress is cut, kube-system's is not selected.
  assert.equal(sim.evaluate(flow(P(web), P(dns), 53)).egress.allowed, false);
  assert.equal(sim.evaluate(flow(P(dns), P(web), 8080)).egress.allowed, true);
  assert.equal(sim.selectsHostEndpoints(), true);
});

test('GNPP: with `selector: all()` beside it, the all() becomes has(projectcalico.org/namespace): host endpoints are not selected', () => {
  const lockdown = gnp('egress-lockdown', { selector: 'all()', namespaceSelector: "projectcalico.org/name != 'kube-system'", types: ['Egress'] });
  const sim = calicoSimulator([lockdown], cluster);
  assert.equal(sim.evaluate(flow(N(n1), P(web), 8080)).verdict, 'allow');
  assert.equal(sim.evaluate(flow(P(web), P(dns), 53)).egress.allowed, false);
  assert.equal(sim.selectsHostEndpoints(), false);
});

test('RULES: a rule `namespaceSelector: global()` with a selector matches host endpoints by their labels (the projectcalico/calico#4667 idiom)', () => {
  const toControlPlane = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: 'web-to-control-plane', namespace: 'app' },
    spec: { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', destination: { namespaceSelector: 'global()', selector: 'has(node-role.kubernetes.io/control-plane)', ports: [9100] } }] },
  };
  const sim = calicoSimulator([toControlPlane], cluster);
  const v = sim.evaluate(flow(P(web), N(n1), 9100));
  assert.equal(v.verdict, 'allow', v.egress.reason);
  assert.deepEqual(v.egress.by, { policy: 'NetworkPolicy.projectcalico.org/app/web-to-control-plane', rule: '/spec/egress/0' });
  // n2 is no control-plane node; a pod (it has projectcalico.org/namespace) never matches global().
  assert.equal(sim.evaluate(flow(P(web), N(n2), 9100)).verdict, 'deny');
  const toPods = { ...toControlPlane, metadata: { name: 'web-to-pods', namespace: 'app' }, spec: { ...toControlPlane.spec, egress: [{ action: 'Allow', destination: { namespaceSelector: 'global()' } }] } };
  assert.equal(calicoSimulator([toPods], cluster).evaluate(flow(P(web), P(dns), 53)).verdict, 'deny');
});

test('RULES: a negated rule namespaceSelector (!has(team), projectcalico.org/name != ...) matches host endpoints, not external addresses', () => {
  const fromOutsideTeams = gnp('deny-untrusted', {
    order: 10,
    selector: "app == 'web'",
    types: ['Ingress'],
    ingress: [{ action: 'Deny', source: { namespaceSelector: '!has(team)' } }, { action: 'Allow' }],
  });
  const sim = calicoSimulator([fromOutsideTeams], cluster);
  // A host endpoint has no pcns.team: !has(pcns.team) holds.
  const fromNode = sim.evaluate(flow(N(n1), P(web), 8080));
  assert.equal(fromNode.verdict, 'deny', fromNode.ingress.reason);
  assert.deepEqual(fromNode.ingress.by, { policy: 'GlobalNetworkPolicy/deny-untrusted', rule: '/spec/ingress/0' });
  // kube-system has no team label either; an external address is in no endpoint's IP set.
  assert.equal(sim.evaluate(flow(P(dns), P(web), 8080)).verdict, 'deny');
  assert.equal(sim.evaluate(flow({ kind: 'external', ip: '203.0.113.5' }, P(web), 8080)).verdict, 'allow');
  const byName = gnp('deny-not-app', { order: 10, selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Deny', source: { namespaceSelector: "projectcalico.org/name != 'app'" } }, { action: 'Allow' }] });
  // From n1: web runs on n2, whose own host → web felix does not police (rules/static.go filterOutputChain).
  assert.equal(calicoSimulator([byName], cluster).evaluate(flow(N(n1), P(web), 8080)).ingress.by?.rule, '/spec/ingress/0');
  assert.equal(calicoSimulator([byName], cluster).evaluate(flow(N(n2), P(web), 8080)).verdict, 'allow');
});
