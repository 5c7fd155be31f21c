/**
 * The `calico` simulator, case by case: input → expected verdict, each citing where the
 * verdict comes from. Doc pages are under https://docs.tigera.io/calico/latest/ :
 *   NP   = reference/resources/networkpolicy      GNP = reference/resources/globalnetworkpolicy
 *   TIER = reference/resources/tier ("How policy is evaluated")
 *   SEL  = reference/resources/networkpolicy#selectors
 * and upstream code in projectcalico/calico:
 *   RULES = libcalico-go/lib/backend/syncersv1/updateprocessors/rules.go (getEndpointSelector)
 *   CONV  = libcalico-go/lib/backend/k8s/conversion/conversion.go (K8sNetworkPolicyToCalico)
 *   SORT  = felix/calc/policy_sorter.go (PolKVLess, TierLess)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calicoSimulator } from '../../recommender/simulate/calico.ts';
import type { SimCluster, SimEndpoint, SimFlow, SimPod, SimProtocol, SimulatorFactory } from '../../recommender/simulate/types.ts';

// The shared contract: the calico simulator is a SimulatorFactory.
const factory: SimulatorFactory = calicoSimulator;

const pod = (namespace: string, name: string, labels: Record<string, string>, ips: string[], extra: Partial<SimPod> = {}): SimPod => ({
  namespace,
  name,
  labels,
  ips,
  hostNetwork: false,
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  ...extra,
});

const web = pod('shop', 'web', { app: 'web' }, ['10.1.0.1', 'fd00::1']);
const api = pod('shop', 'api', { app: 'api', tier: 'backend' }, ['10.1.0.2', 'fd00::2'], { serviceAccount: 'api-sa' });
const prom = pod('monitoring', 'prometheus', { app: 'prometheus' }, ['10.1.1.3']);
const shopProm = pod('shop', 'prometheus', { app: 'prometheus' }, ['10.1.0.9']);
const agent = pod('kube-system', 'agent', { app: 'agent' }, ['192.168.0.10'], { hostNetwork: true });
const node = { name: 'n1', labels: {}, ips: ['192.168.0.10'] };

const cluster: SimCluster = {
  namespaces: [
    { name: 'shop', labels: { team: 'shop' } },
    { name: 'monitoring', labels: { team: 'platform' } },
    { name: 'kube-system', labels: {} },
  ],
  nodes: [node],
  pods: [web, api, prom, shopProm, agent],
  services: [
    { namespace: 'shop', name: 'api', clusterIPs: ['10.96.0.20'], ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], selector: { app: 'api' } },
    { namespace: 'default', name: 'kubernetes', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }] },
  ],
  apiserver: [{ ip: '192.168.0.2', port: 6443, protocol: 'TCP' }],
  podCIDRs: ['10.1.0.0/16'],
};

const P = (p: SimPod): SimEndpoint => ({ kind: 'pod', pod: p });
const ext = (ip: string): SimEndpoint => ({ kind: 'external', ip });
const flow = (client: SimEndpoint, server: SimEndpoint, port = 8080, protocol: SimProtocol = 'TCP'): SimFlow => ({ client, server, port, protocol });

const np = (name: string, spec: Record<string, unknown>, namespace = 'shop') => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const gnp = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec });
const tier = (name: string, order?: number, defaultAction?: string) => ({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name }, spec: { ...(order === undefined ? {} : { order }), ...(defaultAction ? { defaultAction } : {}) } });

const verdict = (policies: unknown[], f: SimFlow) => calicoSimulator(policies, cluster).evaluate(f);

test('no policy applies: the kns.<namespace> profile allows (TIER; NP: policies "take precedence over profile resources")', () => {
  const v = verdict([], flow(P(web), P(api)));
  assert.equal(v.verdict, 'allow');
  assert.equal(v.ingress.isolated, false);
  assert.match(v.ingress.reason, /profile kns\.shop allows/);
});

test('end-of-tier deny: a policy applies, no rule matches → denied; other endpoints untouched (TIER: "If the Tier applies to the endpoint, but takes no action on the packet the packet is dropped")', () => {
  const p = np('api-in', { selector: "app == 'api'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: "app == 'web'" }, destination: { ports: [9090] } }] });
  const v = verdict([p], flow(P(web), P(api)));
  assert.equal(v.verdict, 'deny');
  assert.deepEqual(v.ingress.by, { policy: 'Tier/default', rule: '/spec/defaultAction' }, 'the tier\'s own end decides (TIER "defaultAction")');
  assert.match(v.ingress.reason, /end of tier default/);
  assert.equal(verdict([p], flow(P(web), P(api), 9090)).ingress.by?.rule, '/spec/ingress/0');
  assert.equal(verdict([p], flow(P(api), P(web))).verdict, 'allow');
});

test('order: lower first; the first Allow/Deny decides (NP "order": "Calico applies the policy with the lowest value first")', () => {
  const deny = np('deny', { order: 10, selector: "app == 'api'", ingress: [{ action: 'Deny', source: { selector: "app == 'web'" } }] });
  const allow = np('allow', { order: 20, selector: "app == 'api'", ingress: [{ action: 'Allow' }] });
  const v = verdict([allow, deny], flow(P(web), P(api)));
  assert.deepEqual([v.verdict, v.ingress.by], ['deny', { policy: 'NetworkPolicy.projectcalico.org/shop/deny', rule: '/spec/ingress/0' }]);
  const swapped = verdict([{ ...allow, spec: { ...allow.spec, order: 5 } }, deny], flow(P(web), P(api)));
  assert.deepEqual(swapped.ingress.by, { policy: 'NetworkPolicy.projectcalico.org/shop/allow', rule: '/spec/ingress/0' });
});

test('order absent = after every ordered policy; equal order → by name (SORT PolKVLess: nil order is +Inf, name tie-break)', () => {
  const noOrder = np('a-no-order', { selector: "app == 'api'", ingress: [{ action: 'Deny' }] });
  const ordered = np('z-ordered', { order: 5000, selector: "app == 'api'", ingress: [{ action: 'Allow' }] });
  assert.equal(verdict([noOrder, ordered], flow(P(web), P(api))).ingress.by?.policy, 'NetworkPolicy.projectcalico.org/shop/z-ordered');
  const b = np('b', { order: 1, selector: "app == 'api'", ingress: [{ action: 'Allow' }] });
  const a = np('a', { order: 1, selector: "app == 'api'", ingress: [{ action: 'Deny' }] });
  assert.equal(verdict([b, a], flow(P(web), P(api))).ingress.by?.policy, 'NetworkPolicy.projectcalico.org/shop/a');
});

test('Log does not decide; rules run in order (NP Rule "action": Log)', () => {
  const p = np('p', { selector: "app == 'api'", ingress: [{ action: 'Log' }, { action: 'Allow', source: { selector: "app == 'web'" } }] });
  assert.equal(verdict([p], flow(P(web), P(api))).ingress.by?.rule, '/spec/ingress/1');
});

test('tiers: lower tier order first; Pass skips to the next tier that applies; passed by all → profile (TIER)', () => {
  const security = tier('security', 100);
  const pass = np('pass-web', { tier: 'security', selector: "app == 'api'", ingress: [{ action: 'Pass', source: { selector: "app == 'web'" } }, { action: 'Deny' }] });
  const app = np('app-deny', { selector: "app == 'api'", ingress: [{ action: 'Deny', source: { selector: "app == 'web'" } }] });
  // web → api: passed by security, denied by the default tier's policy.
  assert.deepEqual(verdict([security, pass, app], flow(P(web), P(api))).ingress.by, { policy: 'NetworkPolicy.projectcalico.org/shop/app-deny', rule: '/spec/ingress/0' });
  // Without a default-tier policy for api, the pass reaches the profile.
  const v = verdict([security, pass], flow(P(web), P(api)));
  assert.equal(v.verdict, 'allow');
  assert.match(v.ingress.reason, /every tier passed/);
  // prometheus(shop) → api: denied in the security tier, the default tier never sees it.
  assert.deepEqual(verdict([security, pass, app], flow(P(shopProm), P(api))).ingress.by, { policy: 'NetworkPolicy.projectcalico.org/shop/pass-web', rule: '/spec/ingress/1' });
  // A block of addresses (a folded edge's peer) that a Pass holds part of goes on to the next tier, where an allow must hold all of it.
  const passPart = np('pass-lab', { tier: 'security', selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Pass', destination: { nets: ['198.51.100.128/25'] } }, { action: 'Allow' }] });
  const closed = np('web-closed', { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', destination: { nets: ['198.51.100.0/25'] } }] });
  assert.equal(verdict([security, passPart, closed], flow(P(web), ext('198.51.100.0/24'), 443)).verdict, 'deny', 'half passed on, and the default tier allows the other half only');
  assert.equal(verdict([security, passPart, closed], flow(P(web), ext('198.51.100.0/25'), 443)).verdict, 'allow', 'untouched by the Pass: allowed in the security tier');
});

test('tier defaultAction Pass: no rule matched → next tier instead of deny (TIER "defaultAction")', () => {
  const t = tier('security', 100, 'Pass');
  const p = np('noop', { tier: 'security', selector: "app == 'api'", ingress: [{ action: 'Deny', source: { selector: "app == 'nothing'" } }] });
  assert.equal(verdict([t, p], flow(P(web), P(api))).verdict, 'allow');
  assert.equal(verdict([tier('security', 100), p], flow(P(web), P(api))).verdict, 'deny');
});

test('a policy in a tier that does not exist is not applied (SORT / felix policy_resolver: invalid tiers skipped)', () => {
  const p = np('orphan', { tier: 'nope', selector: "app == 'api'", ingress: [{ action: 'Deny' }] });
  const sim = calicoSimulator([p], cluster);
  assert.equal(sim.evaluate(flow(P(web), P(api))).verdict, 'allow');
  assert.deepEqual(sim.ignored, [{ policy: 'NetworkPolicy.projectcalico.org/shop/orphan', reason: 'tier "nope" does not exist' }]);
});

test('a policy with an empty tier is in the default tier (libcalico-go lib/names TierOrDefault: "the tier name, or the default if blank")', () => {
  const p = np('blank', { tier: '', selector: "app == 'api'", ingress: [{ action: 'Deny' }] });
  const sim = calicoSimulator([p], cluster);
  const v = sim.evaluate(flow(P(web), P(api)));
  assert.equal(v.verdict, 'deny');
  assert.deepEqual(sim.ignored, []);
});

test('types default: egress rules only → Egress only; none → Ingress (NP "types" footnote)', () => {
  const egressOnly = np('e', { selector: "app == 'api'", egress: [{ action: 'Allow', destination: { selector: "app == 'web'" } }] });
  assert.equal(verdict([egressOnly], flow(P(web), P(api))).ingress.isolated, false);
  assert.equal(verdict([egressOnly], flow(P(api), P(prom))).verdict, 'deny');
  const none = np('n', { selector: "app == 'api'" });
  assert.equal(verdict([none], flow(P(web), P(api))).verdict, 'deny');
  assert.equal(verdict([none], flow(P(api), P(web))).verdict, 'allow');
});

test('namespace scoping: a namespaced rule selector matches its own namespace only; namespaceSelector widens it (RULES getEndpointSelector)', () => {
  const local = np('local', { selector: "app == 'api'", ingress: [{ action: 'Allow', source: { selector: "app == 'prometheus'" } }] });
  assert.equal(verdict([local], flow(P(shopProm), P(api))).verdict, 'allow');
  assert.equal(verdict([local], flow(P(prom), P(api))).verdict, 'deny');
  const cross = np('cross', { selector: "app == 'api'", ingress: [{ action: 'Allow', source: { namespaceSelector: "projectcalico.org/name == 'monitoring'", selector: "app == 'prometheus'" } }] });
  assert.equal(verdict([cross], flow(P(prom), P(api))).verdict, 'allow');
  assert.equal(verdict([cross], flow(P(shopProm), P(api))).verdict, 'deny');
  // namespaceSelector over the namespace's own labels; all() = every namespace.
  const byLabel = np('by-label', { selector: "app == 'api'", ingress: [{ action: 'Allow', source: { namespaceSelector: "team == 'platform'" } }] });
  assert.equal(verdict([byLabel], flow(P(prom), P(api))).verdict, 'allow');
  const allNs = np('all-ns', { selector: "app == 'api'", ingress: [{ action: 'Allow', source: { namespaceSelector: 'all()' } }] });
  assert.equal(verdict([allNs], flow(P(prom), P(api))).verdict, 'allow');
  assert.equal(verdict([allNs], flow(ext('203.0.113.5'), P(api))).verdict, 'deny');
  // A notSelector alone is also scoped to the namespace; nets alone are not.
  const notSel = np('not', { selector: "app == 'api'", ingress: [{ action: 'Allow', source: { notSelector: "app == 'web'" } }] });
  assert.equal(verdict([notSel], flow(P(shopProm), P(api))).verdict, 'allow');
  assert.equal(verdict([notSel], flow(P(prom), P(api))).verdict, 'deny');
  assert.equal(verdict([notSel], flow(P(web), P(api))).verdict, 'deny');
});

test('GlobalNetworkPolicy: selector across namespaces, spec namespaceSelector narrows it, rule selectors are not namespace-scoped (GNP)', () => {
  const g = gnp('deny-to-prom', { selector: "app == 'prometheus'", ingress: [{ action: 'Deny', source: { selector: "app == 'web'" } }, { action: 'Allow' }] });
  assert.equal(verdict([g], flow(P(web), P(prom), 9090)).verdict, 'deny');
  assert.equal(verdict([g], flow(P(web), P(shopProm), 9090)).verdict, 'deny');
  const scoped = gnp('scoped', { namespaceSelector: "projectcalico.org/name == 'monitoring'", selector: "app == 'prometheus'", ingress: [{ action: 'Deny' }] });
  assert.equal(verdict([scoped], flow(P(web), P(prom), 9090)).verdict, 'deny');
  assert.equal(verdict([scoped], flow(P(web), P(shopProm), 9090)).verdict, 'allow');
  assert.deepEqual(verdict([scoped], flow(P(web), P(prom), 9090)).ingress.by, { policy: 'GlobalNetworkPolicy/scoped', rule: '/spec/ingress/0' });
});

test('nets / notNets match addresses, also of pods; selectors never match external addresses (NP EntityRule nets/notNets/selector)', () => {
  const out = np('out', { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', destination: { nets: ['203.0.113.0/24'], notNets: ['203.0.113.128/25'], ports: [443] } }] });
  assert.equal(verdict([out], flow(P(web), ext('203.0.113.5'), 443)).verdict, 'allow');
  assert.equal(verdict([out], flow(P(web), ext('203.0.113.200'), 443)).verdict, 'deny');
  // A block of addresses (a folded edge's peer, docs/ingest.md "Bounded by design") matches only when every address of it does.
  assert.equal(verdict([out], flow(P(web), ext('203.0.113.0/25'), 443)).verdict, 'allow', 'a block outside notNets');
  assert.equal(verdict([out], flow(P(web), ext('203.0.113.0/24'), 443)).verdict, 'deny', 'a block notNets cuts into');
  // A Deny rule matches a block as soon as part of it is in nets and out of notNets.
  const denyPart = np('no-lab', { selector: "app == 'web'", types: ['Egress'], order: 1, egress: [{ action: 'Deny', protocol: 'TCP', destination: { nets: ['198.51.100.128/25'] } }, { action: 'Allow' }] });
  assert.equal(verdict([denyPart], flow(P(web), ext('198.51.100.0/24'), 443)).verdict, 'deny', 'a deny that cuts part of the block');
  assert.equal(verdict([denyPart], flow(P(web), ext('198.51.100.0/25'), 443)).verdict, 'allow', 'a block the deny does not touch');
  const pods = np('pods', { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', destination: { nets: ['10.1.0.2/32'] } }] });
  assert.equal(verdict([pods], flow(P(web), P(api))).verdict, 'allow');
  const sel = np('sel', { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', destination: { selector: 'all()' } }] });
  assert.equal(verdict([sel], flow(P(web), ext('203.0.113.5'), 443)).verdict, 'deny');
  assert.equal(verdict([sel], flow(P(web), P(api))).verdict, 'allow');
});

test('ipVersion and the flow family: an IPv6 net does not match the IPv4 flow of a dual-stack pod (NP Rule ipVersion)', () => {
  const v6 = np('v6', { selector: "app == 'api'", ingress: [{ action: 'Allow', source: { nets: ['fd00::/64'] } }] });
  assert.equal(verdict([v6], flow(P(web), P(api))).verdict, 'deny');
  const only6 = np('only6', { selector: "app == 'api'", ingress: [{ action: 'Allow', ipVersion: 6 }] });
  assert.equal(verdict([only6], flow(P(web), P(api))).verdict, 'deny');
  assert.equal(verdict([{ ...only6, spec: { ...only6.spec, ingress: [{ action: 'Allow', ipVersion: 4 }] } }], flow(P(web), P(api))).verdict, 'allow');
});

test('a rule whose notNets hold no CIDR of the packet\'s family is not rendered for that family: an IPv6 flow misses it (felix rules/rule_defs FilterRuleToIPVersion: filterNets(NotSrcNet) filteredAll → nil)', () => {
  const notV4 = np('not-v4', { selector: "app == 'api'", ingress: [{ action: 'Allow', protocol: 'TCP', source: { notNets: ['10.99.0.0/16'] } }] });
  const v6: SimFlow = { ...flow(P(web), P(api)), family: 6 };
  const v4: SimFlow = { ...flow(P(web), P(api)), family: 4 };
  assert.equal(verdict([notV4], v6).verdict, 'deny', 'the rule does not exist for IPv6');
  assert.equal(verdict([notV4], v4).verdict, 'allow', 'for IPv4 the source is outside notNets');
  const toNotV6 = np('to-not-v6', { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', destination: { notNets: ['fd00:99::/64'] } }] });
  assert.equal(verdict([toNotV6], v4).verdict, 'deny', 'destination.notNets the same way');
  assert.equal(verdict([toNotV6], v6).verdict, 'allow');
});

test('a catch-all notNets matches nothing: every packet of its family is in it, and the rule does not exist for the other family (felix FilterRuleToIPVersion)', () => {
  const denyNotAll = np('deny-not-all', { selector: "app == 'api'", order: 10, ingress: [{ action: 'Deny', source: { notNets: ['0.0.0.0/0'] } }] });
  const allowAll = np('allow-all', { selector: "app == 'api'", order: 20, ingress: [{ action: 'Allow' }] });
  assert.equal(verdict([denyNotAll, allowAll], { ...flow(P(web), P(api)), family: 4 }).verdict, 'allow');
  assert.equal(verdict([denyNotAll, allowAll], { ...flow(P(web), P(api)), family: 6 }).verdict, 'allow');
  assert.equal(verdict([denyNotAll], flow(P(web), P(api))).verdict, 'deny', 'it still isolates the pod it selects');
});

test('ports: numbers, "a:b" ranges, named ports, notPorts; protocol and notProtocol by name or number (NP Ports, Protocol)', () => {
  const mk = (rule: Record<string, unknown>) => np('p', { selector: "app == 'api'", ingress: [{ action: 'Allow', ...rule }] });
  assert.equal(verdict([mk({ protocol: 'TCP', destination: { ports: ['8000:8100'] } })], flow(P(web), P(api), 8080)).verdict, 'allow');
  assert.equal(verdict([mk({ protocol: 'TCP', destination: { ports: ['8000:8079'] } })], flow(P(web), P(api), 8080)).verdict, 'deny');
  assert.equal(verdict([mk({ protocol: 'TCP', destination: { ports: ['http'] } })], flow(P(web), P(api), 8080)).verdict, 'allow');
  assert.equal(verdict([mk({ protocol: 'TCP', destination: { ports: ['http'] } })], flow(P(web), P(api), 8081)).verdict, 'deny');
  assert.equal(verdict([mk({ protocol: 'TCP', destination: { notPorts: [8080] } })], flow(P(web), P(api), 8080)).verdict, 'deny');
  assert.equal(verdict([mk({ protocol: 6, destination: { ports: [8080] } })], flow(P(web), P(api), 8080)).verdict, 'allow');
  assert.equal(verdict([mk({ protocol: 'UDP', destination: { ports: [8080] } })], flow(P(web), P(api), 8080)).verdict, 'deny');
  assert.equal(verdict([mk({ notProtocol: 'UDP' })], flow(P(web), P(api), 53, 'UDP')).verdict, 'deny');
  assert.equal(verdict([mk({ notProtocol: 'UDP' })], flow(P(web), P(api), 53, 'TCP')).verdict, 'allow');
});

test('destination.services: egress to a Service reaches its endpoints on their target ports; default/kubernetes = the apiserver (NP ServiceMatch)', () => {
  const toApi = np('to-api', { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', destination: { services: { name: 'api' } } }] });
  assert.equal(verdict([toApi], flow(P(web), P(api), 8080)).verdict, 'allow');
  assert.equal(verdict([toApi], flow(P(web), P(api), 9090)).verdict, 'deny');
  assert.equal(verdict([toApi], flow(P(web), P(shopProm), 8080)).verdict, 'deny');
  const toKube = np('to-kube', { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', destination: { services: { name: 'kubernetes', namespace: 'default' } } }] });
  assert.equal(verdict([toKube], flow(P(web), { kind: 'apiserver', ip: '192.168.0.2' }, 6443)).verdict, 'allow');
  assert.equal(verdict([toKube], flow(P(web), { kind: 'apiserver', ip: '192.168.0.2' }, 443)).verdict, 'deny');
  const fromApi = np('from-api', { selector: "app == 'web'", ingress: [{ action: 'Allow', source: { services: { name: 'api' } } }] });
  assert.equal(verdict([fromApi], flow(P(api), P(web), 8080)).verdict, 'allow');
  assert.equal(verdict([fromApi], flow(P(shopProm), P(web), 8080)).verdict, 'deny');
});

test('host-network pods and nodes: no policy applies to them, only nets match them (NP: policies apply to workload endpoints; no HostEndpoint)', () => {
  const all = gnp('deny-all', { selector: 'all()', types: ['Ingress', 'Egress'] });
  assert.equal(verdict([all], flow(P(agent), { kind: 'node', node, ip: '192.168.0.10' }, 10250)).verdict, 'allow');
  assert.equal(verdict([all], flow(P(web), P(agent), 9100)).egress.allowed, false);
  const bySel = np('sel', { selector: "app == 'api'", ingress: [{ action: 'Allow', source: { selector: 'all()' } }] });
  assert.equal(verdict([bySel], flow(P(agent), P(api))).verdict, 'deny');
  const byNet = np('net', { selector: "app == 'api'", ingress: [{ action: 'Allow', source: { nets: ['192.168.0.10/32'] } }] });
  assert.equal(verdict([byNet], flow(P(agent), P(api))).verdict, 'allow');
  assert.equal(verdict([byNet], flow({ kind: 'node', node, ip: '192.168.0.10' }, P(api))).verdict, 'allow');
});

test('a pod without an address (a finished Job) imposes no family on a flow that does not say: the peer\'s single family, else the cluster\'s; IPv4 only where both ends can use both (NP Rule nets; felix renders a rule per IP version)', () => {
  const job = pod('shop', 'job', { app: 'job' }, []);
  const v6Agent = pod('kube-system', 'agent', { app: 'agent' }, ['fd00::11'], { hostNetwork: true });
  const v6: SimCluster = { ...cluster, nodes: [{ name: 'n1', labels: {}, ips: ['fd00::11'] }], pods: [job, v6Agent], apiserver: [{ ip: 'fd00::100', port: 6443, protocol: 'TCP' }], services: [], podCIDRs: ['fd10::/64'] };
  const to = (nets: string[]) => np('job', { selector: "app == 'job'", types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', destination: { nets, ports: [5432] } }] });
  const decide = (policy: unknown, c: SimCluster, server: SimPod) => factory([policy], c).evaluate(flow(P(job), P(server), 5432)).verdict;
  assert.equal(decide(to(['fd00::11/128']), v6, v6Agent), 'allow', 'the peer is IPv6 only');
  assert.equal(decide(to(['0.0.0.0/0']), v6, v6Agent), 'deny');
  // A podless host-network peer too: an IPv6-only cluster's new pods are IPv6.
  const gone = { ...v6Agent, ips: [] };
  const v6Gone: SimCluster = { ...v6, pods: [job, gone] };
  assert.equal(decide(np('ipv6', { selector: "app == 'job'", types: ['Egress'], egress: [{ action: 'Allow', ipVersion: 6 }] }), v6Gone, gone), 'allow');
  // Dual-stack: the Job's next pod and the agent can use either family; nothing decides, IPv4 is read.
  const dualAgent = { ...v6Agent, ips: ['10.0.0.11', 'fd00::11'] };
  const dual: SimCluster = { ...cluster, nodes: [{ name: 'n1', labels: {}, ips: ['10.0.0.11', 'fd00::11'] }], pods: [job, dualAgent], podCIDRs: ['10.1.0.0/16', 'fd10::/64'] };
  assert.equal(decide(to(['10.0.0.11/32']), dual, dualAgent), 'allow');
  assert.equal(decide(to(['fd00::11/128']), dual, dualAgent), 'deny');
});

test('service accounts: serviceAccounts.names in rules, serviceAccountSelector on the policy (NP serviceAccountSelector: "projectcalico.org/name")', () => {
  const byName = np('sa', { selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', source: { serviceAccounts: { names: ['api-sa'] } } }] });
  assert.equal(verdict([byName], flow(P(api), P(web))).verdict, 'allow');
  assert.equal(verdict([byName], flow(P(web), P(api))).verdict, 'deny');
  const saSel = np('sa-sel', { selector: 'all()', serviceAccountSelector: "projectcalico.org/name == 'api-sa'", types: ['Egress'] });
  assert.equal(verdict([saSel], flow(P(api), P(web))).verdict, 'deny');
  assert.equal(verdict([saSel], flow(P(web), P(api))).verdict, 'allow');
});

test('Kubernetes NetworkPolicy beside Calico policies: default tier, order 1000 (CONV); a Calico Deny of lower order wins, a later Calico Allow still allows', () => {
  const knp = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'http' }] }] } };
  assert.deepEqual(verdict([knp], flow(P(web), P(api))).ingress.by, { policy: 'NetworkPolicy/shop/api', rule: '/spec/ingress/0' });
  assert.equal(verdict([knp], flow(P(shopProm), P(api))).verdict, 'deny');
  const deny = np('deny-web', { order: 100, selector: "app == 'api'", ingress: [{ action: 'Deny', source: { selector: "app == 'web'" } }] });
  assert.equal(verdict([knp, deny], flow(P(web), P(api))).verdict, 'deny');
  const later = np('later', { order: 2000, selector: "app == 'api'", ingress: [{ action: 'Allow', source: { selector: "app == 'prometheus'" } }] });
  assert.deepEqual(verdict([knp, later], flow(P(shopProm), P(api))).ingress.by, { policy: 'NetworkPolicy.projectcalico.org/shop/later', rule: '/spec/ingress/0' });
  // A Calico NetworkPolicy named as the Kubernetes one: the verdict says which (kubectl's resource.group).
  const twin = np('api', { order: 100, selector: "app == 'api'", ingress: [{ action: 'Deny', source: { selector: "app == 'web'" } }] });
  assert.deepEqual(verdict([knp, twin], flow(P(web), P(api))).ingress.by, { policy: 'NetworkPolicy.projectcalico.org/shop/api', rule: '/spec/ingress/0' });
  // A Pass from an earlier tier reaches the converted policy.
  const t = tier('security', 100);
  const pass = gnp('pass', { tier: 'security', selector: 'all()', ingress: [{ action: 'Pass' }] });
  assert.equal(verdict([t, pass, knp], flow(P(shopProm), P(api))).verdict, 'deny');
});

test('Calico-added labels: projectcalico.org/namespace, /orchestrator, /serviceaccount on pods; projectcalico.org/name and kubernetes.io/metadata.name on namespaces (CONV; SEL)', () => {
  const g = gnp('by-calico-labels', {
    selector: "projectcalico.org/namespace == 'shop' && projectcalico.org/orchestrator == 'k8s' && projectcalico.org/serviceaccount == 'api-sa'",
    ingress: [{ action: 'Allow', source: { namespaceSelector: "kubernetes.io/metadata.name == 'monitoring'" } }],
  });
  assert.equal(verdict([g], flow(P(prom), P(api))).verdict, 'allow');
  assert.equal(verdict([g], flow(P(shopProm), P(api))).verdict, 'deny');
  // web has the default service account: not selected.
  assert.equal(verdict([g], flow(P(shopProm), P(web))).ingress.isolated, false);
});

// PROFILE = libcalico-go lib/backend/k8s/conversion: NamespaceToProfile gives profile kns.<ns> the
// labels `pcns.<key>` of every namespace label plus `pcns.projectcalico.org/name`,
// ServiceAccountToProfile gives ksa.<ns>.<sa> `pcsa.<key>` plus `pcsa.projectcalico.org/name`
// (constants.go NamespaceLabelPrefix "pcns.", ServiceAccountLabelPrefix "pcsa."), and
// workload_endpoint_default.go puts both profiles on the pod's endpoint; profile labelsToApply are
// applied to each endpoint "in addition to the endpoint's own labels" (reference/resources/profile),
// whose own labels take priority (felix labelindex InheritIndex, "Label inheritance").
test('profile labels: a selector over pcns.<namespace label> or pcsa.projectcalico.org/name selects the pods of that namespace or ServiceAccount (PROFILE)', () => {
  const denyShop = gnp('deny-shop', { order: 10, selector: "pcns.team == 'shop'", types: ['Ingress'], ingress: [{ action: 'Deny' }] });
  assert.deepEqual(verdict([denyShop], flow(P(prom), P(web))).ingress.by, { policy: 'GlobalNetworkPolicy/deny-shop', rule: '/spec/ingress/0' });
  assert.equal(verdict([denyShop], flow(P(web), P(prom))).ingress.isolated, false, 'monitoring is team platform');
  const byName = gnp('by-ns-name', { selector: "pcns.projectcalico.org/name == 'shop' && pcns.kubernetes.io/metadata.name == 'shop'", types: ['Ingress'] });
  assert.equal(verdict([byName], flow(P(prom), P(api))).verdict, 'deny');
  // A rule's selector sees them too: egress to kube-system's pods by its profile's name label.
  const dns = pod('kube-system', 'dns', { app: 'dns' }, ['10.1.2.5']);
  const withDns: SimCluster = { ...cluster, pods: [...cluster.pods, dns] };
  const noKubeSystem = gnp('no-kube-system', { selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Deny', destination: { selector: "pcns.projectcalico.org/name == 'kube-system'" } }, { action: 'Allow' }] });
  assert.deepEqual(calicoSimulator([noKubeSystem], withDns).evaluate(flow(P(web), P(dns), 53, 'UDP')).egress.by, { policy: 'GlobalNetworkPolicy/no-kube-system', rule: '/spec/egress/0' });
  assert.deepEqual(calicoSimulator([noKubeSystem], withDns).evaluate(flow(P(web), P(api))).egress.by, { policy: 'GlobalNetworkPolicy/no-kube-system', rule: '/spec/egress/1' });
  // The ServiceAccount profile's name label: api runs as api-sa, web as default.
  const bySa = np('by-sa', { selector: "pcsa.projectcalico.org/name == 'api-sa'", types: ['Ingress'] });
  assert.equal(verdict([bySa], flow(P(web), P(api))).verdict, 'deny');
  assert.equal(verdict([bySa], flow(P(api), P(web))).ingress.isolated, false);
  assert.equal(verdict([np('by-default-sa', { selector: "pcsa.projectcalico.org/name == 'default'", types: ['Ingress'] })], flow(P(api), P(web))).verdict, 'deny');
});

test('profile labels: a pod\'s own label wins over the inherited one; host-network pods and nodes get none (PROFILE; no HostEndpoint is modelled)', () => {
  const shadow = pod('shop', 'shadow', { app: 'shadow', 'pcns.team': 'other' }, ['10.1.0.7']);
  const withShadow: SimCluster = { ...cluster, pods: [...cluster.pods, shadow] };
  const denyShop = gnp('deny-shop', { selector: "pcns.team == 'shop'", types: ['Ingress'], ingress: [{ action: 'Deny' }] });
  assert.equal(calicoSimulator([denyShop], withShadow).evaluate(flow(P(web), P(shadow))).ingress.isolated, false);
  const anyNs = gnp('any-ns', { selector: "app == 'api'", ingress: [{ action: 'Allow', source: { selector: 'has(pcns.projectcalico.org/name)' } }] });
  assert.equal(verdict([anyNs], flow(P(prom), P(api))).verdict, 'allow');
  assert.equal(verdict([anyNs], flow(P(agent), P(api))).verdict, 'deny');
  assert.equal(verdict([anyNs], flow({ kind: 'node', node, ip: '192.168.0.10' }, P(api))).verdict, 'deny');
});

test('a policy whose selector does not parse is not applied, and is listed with the syntax error (SEL grammar)', () => {
  const bad = np('bad', { selector: "app = 'api'", ingress: [{ action: 'Deny' }] });
  const sim = calicoSimulator([bad], cluster);
  assert.equal(sim.evaluate(flow(P(web), P(api))).verdict, 'allow');
  assert.equal(sim.ignored.length, 1);
  assert.match(sim.ignored[0]!.reason, /expected == at offset 4/);
});

test('a malformed policy is not applied and is listed, the others still are', () => {
  const broken = np('broken', { selector: "app == 'api'", ingress: { action: 'Deny' } });
  const deny = np('deny', { selector: "app == 'web'", ingress: [{ action: 'Deny' }] });
  const sim = calicoSimulator([broken, deny], cluster);
  assert.equal(sim.evaluate(flow(P(web), P(api))).verdict, 'allow');
  assert.equal(sim.evaluate(flow(P(api), P(web))).verdict, 'deny');
  assert.equal(sim.ignored.length, 1);
  assert.match(sim.ignored[0]!.reason, /^malformed manifest: /);
});

test('List manifests are read item by item (kubectl applies a List as its items)', () => {
  const list = { apiVersion: 'v1', kind: 'List', items: [np('deny', { selector: "app == 'api'", ingress: [{ action: 'Deny' }] })] };
  assert.equal(factory([list], cluster).evaluate(flow(P(web), P(api))).verdict, 'deny');
});

test('deterministic and order-independent: the same verdicts whatever the manifest order', () => {
  const ps = [
    np('a', { order: 1, selector: "app == 'api'", ingress: [{ action: 'Allow', source: { selector: "app == 'web'" } }] }),
    np('b', { order: 1, selector: "app == 'api'", ingress: [{ action: 'Deny' }] }),
    gnp('g', { selector: 'all()', egress: [{ action: 'Allow' }] }),
  ];
  const flows = [flow(P(web), P(api)), flow(P(prom), P(api)), flow(P(api), ext('203.0.113.1'), 443)];
  const a = flows.map((f) => calicoSimulator(ps, cluster).evaluate(f));
  const b = flows.map((f) => calicoSimulator([...ps].reverse(), cluster).evaluate(f));
  assert.equal(JSON.stringify(b), JSON.stringify(a));
});

// Calico 3.29–3.31 (docs.tigera.io calico/3.30/network-policy/policy-tiers/tiered-policy; tigera/docs#2416
// removed it for 3.32): "The Tier with name adminnetworkpolicy is where all Kubernetes admin network
// policies reside … order of 1,000 and a default action of Pass"; calico#9464: "Map the single BANP
// to a policy (with order=1000) in a new dedicated Tier with order=10,000,000"; the priority is the
// policy's order in the tier.
const anp = (name: string, priority: number, spec: Record<string, unknown>) => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name }, spec: { priority, subject: { namespaces: { matchLabels: { team: 'shop' } } }, ...spec } });
const banp = (spec: Record<string, unknown>) => ({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' }, spec: { subject: { namespaces: { matchLabels: { team: 'shop' } } }, ...spec } });
const fromPlatform = [{ namespaces: { matchLabels: { team: 'platform' } } }];

test('Calico enforces AdminNetworkPolicies in its adminnetworkpolicy tier (order 1000, before the default tier): a Deny there wins over a Calico Allow of the default tier; Allow is final; Pass goes on (tiered-policy 3.29–3.31)', () => {
  const allowAll = np('allow-all', { selector: "app == 'api'", ingress: [{ action: 'Allow' }] });
  const f = flow(P(prom), P(api));
  assert.equal(verdict([allowAll], f).verdict, 'allow');
  const deny = anp('deny-platform', 10, { ingress: [{ name: 'no-platform', action: 'Deny', from: fromPlatform }] });
  const v = verdict([allowAll, deny], f);
  assert.equal(v.verdict, 'deny');
  assert.equal(v.ingress.by?.policy, 'AdminNetworkPolicy/deny-platform');
  const allow = anp('allow-platform', 5, { ingress: [{ name: 'platform', action: 'Allow', from: fromPlatform }] });
  assert.equal(verdict([deny, allow, np('deny-all', { selector: "app == 'api'", ingress: [{ action: 'Deny' }] })], f).verdict, 'allow', 'priority 5 before 10; Allow ends the evaluation');
  const pass = anp('pass-platform', 1, { ingress: [{ name: 'platform', action: 'Pass', from: fromPlatform }] });
  assert.equal(verdict([pass, deny, allowAll], f).verdict, 'allow', 'Pass skips the rest of adminnetworkpolicy: the default tier decides');
  assert.equal(verdict([anp('other', 10, { ingress: [{ name: 'x', action: 'Deny', from: [{ namespaces: { matchLabels: { team: 'nobody' } } }] }] }), allowAll], f).verdict, 'allow', 'no rule matches: the tier passes');
});

test('Calico enforces the BaselineAdminNetworkPolicy in its baselineadminnetworkpolicy tier (order 10,000,000, after the default tier): it decides only what the earlier tiers passed (calico#9464)', () => {
  const baselineDeny = banp({ ingress: [{ name: 'no-platform', action: 'Deny', from: fromPlatform }] });
  const f = flow(P(prom), P(api));
  assert.equal(verdict([baselineDeny], f).verdict, 'deny', 'no policy of the default tier applies: kube-baseline decides');
  assert.equal(verdict([baselineDeny, np('allow-all', { selector: "app == 'api'", ingress: [{ action: 'Allow' }] })], f).verdict, 'allow', 'the default tier allows first');
  assert.equal(verdict([banp({ ingress: [{ name: 'platform', action: 'Allow', from: fromPlatform }] }), np('deny-all', { selector: "app == 'api'", ingress: [{ action: 'Deny' }] })], f).verdict, 'deny', 'the default tier denies first');
});

// libcalico-go lib/clientv3/client.go EnsureInitialized: ensureTierExists(names.KubeAdminTierName,
// v3.Pass, v3.KubeAdminTierOrder) and the same for kube-baseline (v3.KubeBaselineTierOrder): Calico
// creates both tiers itself, so a policy naming them is enforced without a Tier manifest.
test('a Calico policy in the built-in kube-admin or kube-baseline tier is enforced without a Tier manifest (client.go EnsureInitialized)', () => {
  const f = flow(P(prom), P(api));
  const allow = np('allow-all', { selector: "app == 'api'", ingress: [{ action: 'Allow' }] });
  const adminDeny = gnp('kube-admin.deny-api', { tier: 'kube-admin', order: 5, selector: "app == 'api'", ingress: [{ action: 'Deny' }] });
  const sim = calicoSimulator([allow, adminDeny], cluster);
  assert.deepEqual(sim.ignored, []);
  assert.equal(sim.evaluate(f).verdict, 'deny', 'kube-admin (order 1,000) comes before the default tier (1,000,000)');
  const baselineDeny = gnp('kube-baseline.deny-api', { tier: 'kube-baseline', selector: "app == 'api'", ingress: [{ action: 'Deny' }] });
  assert.equal(verdict([baselineDeny], f).verdict, 'deny', 'kube-baseline applies: its Deny decides');
  assert.equal(verdict([baselineDeny, allow], f).verdict, 'allow', 'kube-baseline (10,000,000) comes after the default tier');
  const passOnly = gnp('kube-admin.nothing', { tier: 'kube-admin', selector: "app == 'api'", ingress: [{ action: 'Deny', source: { nets: ['203.0.113.0/24'] } }] });
  assert.equal(verdict([passOnly], f).verdict, 'allow', 'no rule matches: kube-admin passes (defaultAction Pass), the profile allows');
});

// libcalico-go lib/backend/k8s/conversion/clusternetworkpolicy.go K8sClusterNetworkPolicyToCalico:
// `order := float64(kcnp.Spec.Priority)` in the tier of spec.tier; tiered-policy "kube-admin tier":
// the priority "maps to the order field in the Calico NetworkPolicy/GlobalNetworkPolicy resources
// so that the two types of policy can be ordered together"; equal orders by policy key
// `name/namespace/kind` (felix calc/policy_sorter.go PolKVLess).
const cnp = (name: string, tierName: 'Admin' | 'Baseline', priority: number, spec: Record<string, unknown>) => ({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec: { tier: tierName, priority, subject: { namespaces: { matchLabels: { team: 'shop' } } }, ...spec } });

test('in kube-admin, Calico policies and ClusterNetworkPolicies are evaluated together by order (the priority is the order; conversion/clusternetworkpolicy.go)', () => {
  const f = flow(P(prom), P(api));
  const accept = cnp('accept-platform', 'Admin', 10, { ingress: [{ name: 'platform', action: 'Accept', from: fromPlatform }] });
  const denyAt = (order: number) => gnp('kube-admin.deny-first', { tier: 'kube-admin', order, selector: "app == 'api'", ingress: [{ action: 'Deny' }] });
  const v = verdict([tier('kube-admin', 1000, 'Pass'), denyAt(5), accept], f);
  assert.equal(v.verdict, 'deny', 'order 5 before priority 10');
  assert.equal(v.ingress.by?.policy, 'GlobalNetworkPolicy/kube-admin.deny-first');
  assert.equal(verdict([denyAt(50), accept], f).verdict, 'allow', 'priority 10 before order 50');
  // Equal orders: policy keys "accept-platform//KubernetesClusterNetworkPolicy" < "kube-admin.deny-first//GlobalNetworkPolicy".
  assert.equal(verdict([denyAt(10), accept], f).verdict, 'allow', 'order 10 = priority 10: by name');
  const passFirst = gnp('kube-admin.pass', { tier: 'kube-admin', order: 1, selector: "app == 'api'", ingress: [{ action: 'Pass' }] });
  assert.equal(verdict([passFirst, cnp('deny-platform', 'Admin', 10, { ingress: [{ name: 'x', action: 'Deny', from: fromPlatform }] })], f).verdict, 'allow', 'a Pass at order 1 skips the ClusterNetworkPolicy at priority 10: the rest of kube-admin');
});

test('AdminNetworkPolicies are in tier adminnetworkpolicy, not kube-admin (Calico 3.29–3.31; lib/names AdminNetworkPolicyTierName): a Calico policy of that tier at order 50 comes after an ANP of priority 10; a kube-admin Calico policy comes after the whole tier (TierLess: equal orders by name)', () => {
  const f = flow(P(prom), P(api));
  const allowAnp = anp('allow-platform', 10, { ingress: [{ name: 'platform', action: 'Allow', from: fromPlatform }] });
  const denyIn = (tierName: string, order: number) => gnp(`${tierName}.deny-api`, { tier: tierName, order, selector: "app == 'api'", ingress: [{ action: 'Deny' }] });
  assert.equal(verdict([allowAnp, denyIn('adminnetworkpolicy', 50)], f).verdict, 'allow', 'priority 10 before order 50');
  const v = verdict([allowAnp, denyIn('adminnetworkpolicy', 5)], f);
  assert.equal(v.verdict, 'deny', 'order 5 before priority 10');
  assert.match(v.ingress.reason, /tier adminnetworkpolicy/);
  assert.equal(verdict([allowAnp, denyIn('kube-admin', 5)], f).verdict, 'allow', 'adminnetworkpolicy (1000) before kube-admin (1000): "adminnetworkpolicy" < "kube-admin"');
  // The BaselineAdminNetworkPolicy is at order 1000 in its tier: a Calico policy there at order 999 comes first.
  const allowBanp = banp({ ingress: [{ name: 'platform', action: 'Allow', from: fromPlatform }] });
  assert.equal(verdict([allowBanp, denyIn('baselineadminnetworkpolicy', 999)], f).verdict, 'deny');
  assert.equal(verdict([allowBanp, denyIn('baselineadminnetworkpolicy', 1001)], f).verdict, 'allow');
});

// libcalico-go lib/backend/k8s/conversion/clusternetworkpolicy.go: combinePortsWithCNPEgressPeers
// converts namespaces, pods and networks peers only, anything else fails the rule ("none of supported
// fields in 'To' is set."); k8sClusterNetPolHandleFailedRules puts `apiv3.Rule{Action: apiv3.Deny}`
// (every peer, protocol and port) in place of a failed Deny or Pass rule and drops a failed Accept
// (clusternetworkpolicy_test.go: a failed Pass egress rule → `Equal(apiv3.Rule{Action: apiv3.Deny})`).
test('a ClusterNetworkPolicy rule with a nodes or domainNames peer is what Calico converts it to: a Deny or Pass rule denies everything, an Accept rule is dropped; the ignored list says so', () => {
  const toNode = { nodes: { matchLabels: {} } };
  const toDomain = { domainNames: ['example.com'] };
  const toWeb = flow(P(api), P(web));
  const toOutside = flow(P(api), ext('203.0.113.1'), 443);
  const denyNodes = cnp('deny-nodes', 'Admin', 10, { egress: [{ name: 'no-nodes', action: 'Deny', to: [toNode], protocols: [{ tcp: { destinationPort: { number: 10250 } } }] }] });
  const sim = calicoSimulator([denyNodes], cluster);
  assert.equal(sim.evaluate(toWeb).verdict, 'deny', 'the deny-all rule matches a pod peer and any port');
  assert.equal(sim.evaluate(toOutside).verdict, 'deny');
  assert.deepEqual(sim.ignored.map((i) => i.policy), ['ClusterNetworkPolicy/deny-nodes']);
  assert.match(sim.ignored[0]!.reason, /egress rule \/spec\/egress\/0: Calico does not convert a nodes peer .* replaced by a Deny of all egress traffic/);
  const passDomain = cnp('pass-domain', 'Admin', 10, { egress: [{ name: 'pass', action: 'Pass', to: [toDomain] }] });
  const allowAll = np('allow-all', { selector: "app == 'api'", egress: [{ action: 'Allow' }] });
  assert.equal(verdict([passDomain, allowAll], toWeb).verdict, 'deny', 'a failed Pass rule denies: it passes nothing on');
  const acceptDomain = cnp('accept-domain', 'Admin', 10, { egress: [{ name: 'ok', action: 'Accept', to: [toDomain] }, { name: 'rest', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }] });
  const v = verdict([acceptDomain], flow(P(api), { kind: 'external', ip: '203.0.113.1', names: ['example.com'] } as SimEndpoint, 443));
  assert.equal(v.verdict, 'deny', 'the Accept rule is gone: the next rule decides');
  assert.equal(v.egress.by?.rule, '/spec/egress/1');
  const mixed = cnp('mixed', 'Admin', 10, { egress: [{ name: 'x', action: 'Accept', to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } } }, toNode] }] });
  assert.equal(verdict([mixed, np('deny-all', { selector: "app == 'api'", egress: [{ action: 'Deny' }] })], toWeb).verdict, 'deny', 'one unconvertible peer fails the whole rule, its pods peer too');
});

// Calico 3.29–3.31 converted AdminNetworkPolicies and the BaselineAdminNetworkPolicy the same way
// (libcalico-go conversion/adminnetworkpolicy.go): From takes namespaces and pods, To those and
// networks (calico#9276 "AdminNetworkPolicy network cidr support"); any other peer fails the rule
// (adminnetworkpolicy_test.go "should faild parsing an AdminNetworkPolicy with a rule with neither
// namespaces or pods set": "none of supported fields in 'To' is set."). A failed Deny rule becomes
// `apiv3.Rule{Action: apiv3.Deny}` ("should replace an unsupported AdminNeworkPolicy rule with Deny
// action with a deny-all one"), so does a failed Pass rule (calico#9331, in 3.29 by #9345: "Rules with
// `pass` action, are converted to a deny-all … Rules with `allow` action, are skipped").
test('an AdminNetworkPolicy or BaselineAdminNetworkPolicy rule with a nodes peer is what Calico 3.29–3.31 converts it to: a Deny or Pass rule denies everything, an Allow rule is dropped; the ignored list says so', () => {
  const toNode = { nodes: { matchLabels: {} } };
  const toWeb = flow(P(api), P(web));
  const toOutside = flow(P(api), ext('203.0.113.1'), 443);
  const denyNodes = anp('deny-nodes', 10, { egress: [{ name: 'no-kubelet', action: 'Deny', to: [toNode], ports: [{ portNumber: { port: 10250 } }] }] });
  const sim = calicoSimulator([denyNodes], cluster);
  assert.equal(sim.evaluate(toWeb).verdict, 'deny', 'the deny-all rule matches a pod peer and any port');
  assert.equal(sim.evaluate(toOutside).verdict, 'deny');
  assert.deepEqual(sim.ignored.map((i) => i.policy), ['AdminNetworkPolicy/deny-nodes']);
  assert.match(sim.ignored[0]!.reason, /egress rule \/spec\/egress\/0: Calico does not convert a nodes peer .* the Deny rule is replaced by a Deny of all egress traffic/);
  const allowAll = np('allow-all', { selector: "app == 'api'", egress: [{ action: 'Allow' }] });
  const passNodes = anp('pass-nodes', 10, { egress: [{ name: 'pass', action: 'Pass', to: [toNode] }] });
  assert.equal(verdict([passNodes, allowAll], toWeb).verdict, 'deny', 'a failed Pass rule denies: it passes nothing on');
  const allowNodes = banp({ egress: [{ name: 'kubelet', action: 'Allow', to: [toNode] }, { name: 'rest', action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }] });
  const toKubelet = flow(P(api), ext('192.168.0.10'), 10250);
  const v = verdict([allowNodes], toKubelet);
  assert.equal(v.verdict, 'deny', 'the Allow rule is gone: the next rule decides');
  assert.equal(v.egress.by?.rule, '/spec/egress/1');
  const banpSim = calicoSimulator([allowNodes], cluster);
  assert.match(banpSim.ignored[0]!.reason, /^egress rule \/spec\/egress\/0: Calico does not convert a nodes peer .* the Allow rule is dropped/);
  assert.equal(banpSim.ignored[0]!.policy, 'BaselineAdminNetworkPolicy/default');
});
