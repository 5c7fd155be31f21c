/**
 * The `calico` emitter keeps every list and selector within the projectcalico.org/v3 CRD's bounds
 * (projectcalico/calico@87c15906 api/config/crd/projectcalico.org_{networkpolicies,
 * globalnetworkpolicies}.yaml, bundled in recommender/schemas: EntityRule `nets`/`notNets`
 * `maxItems: 256`, `ingress`/`egress` `maxItems: 1024`, selectors `maxLength: 1024`), splitting
 * what is past a bound instead of leaving a manifest the API server refuses. Each bound is tested
 * at and one past its limit; the split output passes admission and the calico simulator allows
 * what the unsplit rule meant, and nothing more.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../../recommender/engines/index.ts';
import type { Manifest } from '../../recommender/engines/types.ts';
import { cidrPeer, dnsPeer, explanation, nodesPeer, podsPeer, policySet, selectedNamespacesPeer, tcp, udp, type IntentInput, type RuleInput } from '../../recommender/policy/build.ts';
import { manifestErrors } from '../../recommender/verify/index.ts';
import { sharedIntentKey } from '../../recommender/policy/ir.ts';
import { calicoSimulator } from '../../recommender/simulate/calico.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import type { SimCluster, SimEndpoint, SimFlow, SimPod } from '../../recommender/simulate/types.ts';

const why = (id: string) => explanation(id, 'confirmed', 'seen');

function workload(rules: RuleInput[], direction: 'ingress' | 'egress' = 'egress', selector: IntentInput['subject'] = { kind: 'workload', selector: { matchLabels: { app: 'api' } }, hostNetwork: false }): IntentInput {
  return { key: 'shop/deployment/api', namespace: 'shop', layer: 'allowlist', subject: selector, [direction]: { mode: 'rules', rules }, explanation: 'test' };
}

const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string): SimPod => ({
  namespace,
  name,
  labels,
  ips: [ip],
  hostNetwork: false,
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});

const api = pod('shop', 'api', { app: 'api' }, '10.1.0.2');

function cluster(pods: SimPod[], namespaces: string[] = ['shop']): SimCluster {
  return { namespaces: namespaces.map((name) => ({ name, labels: {} })), nodes: [], pods, services: [], apiserver: [], podCIDRs: ['10.1.0.0/16'] };
}

const P = (p: SimPod): SimEndpoint => ({ kind: 'pod', pod: p });
const ext = (ip: string): SimEndpoint => ({ kind: 'external', ip });
const flow = (client: SimEndpoint, server: SimEndpoint, port = 8080): SimFlow => ({ client, server, port, protocol: 'TCP' });

type Rule = { destination?: { nets?: string[]; notNets?: string[]; selector?: string; namespaceSelector?: string }; source?: { selector?: string; namespaceSelector?: string } };
const rulesOf = (m: Manifest, direction: 'ingress' | 'egress'): Rule[] => ((m.spec as Record<string, unknown>)[direction] as Rule[] | undefined) ?? [];

/** `n` distinct IPv4 host addresses from 10.50.0.1 on. */
const v4 = (n: number): string[] => Array.from({ length: n }, (_, i) => `10.50.${Math.floor(i / 250)}.${(i % 250) + 1}`);

test('calico nets at the bound: 256 node addresses are one rule (EntityRule.nets maxItems 256)', () => {
  const set = policySet([workload([{ peers: [nodesPeer(v4(256))], ports: [tcp(9100)], explanation: why('m#nodes') }])]);
  const { manifests } = ENGINES.calico.emit(set);
  assert.deepEqual(manifestErrors(manifests), []);
  assert.deepEqual(rulesOf(manifests[0]!, 'egress').map((r) => r.destination?.nets?.length), [256]);
});

test('calico nets one past the bound: 257 node addresses are split over rules of at most 256 per address family (EntityRule.nets maxItems 256), and every address is still allowed', () => {
  const ips = v4(257);
  const v6 = Array.from({ length: 257 }, (_, i) => `fd00::${(i + 1).toString(16)}`);
  const set = policySet([workload([{ peers: [nodesPeer([...ips, ...v6])], ports: [tcp(9100)], explanation: why('m#nodes') }])]);
  const { manifests } = ENGINES.calico.emit(set);
  assert.deepEqual(manifestErrors(manifests), []);
  assert.equal(manifests.length, 1);
  const nets = rulesOf(manifests[0]!, 'egress').map((r) => r.destination?.nets ?? []);
  assert.deepEqual(
    nets.map((n) => n.length),
    [256, 1, 256, 1],
  );
  assert.deepEqual(new Set(nets.flat()), new Set([...ips.map((ip) => `${ip}/32`), ...v6.map((ip) => `${ip}/128`)]));
  assert.equal(nets.flat().length, 514);
  const sim = calicoSimulator(manifests, cluster([api]));
  for (const ip of [ips[0]!, ips[255]!, ips[256]!]) assert.equal(sim.evaluate(flow(P(api), ext(ip), 9100)).verdict, 'allow', ip);
  assert.equal(sim.evaluate(flow(P(api), ext('10.60.0.1'), 9100)).verdict, 'deny');
  assert.equal(sim.evaluate(flow(P(api), ext(ips[256]!), 9101)).verdict, 'deny');
});

/** `n` /32 holes inside 10.0.0.0/8, spread over it. */
const holes = (n: number): string[] => Array.from({ length: n }, (_, i) => `10.${Math.floor(i / 2)}.${(i % 2) * 100}.7/32`);

test('calico notNets at the bound: a block with 256 holes is one entity (EntityRule.notNets maxItems 256)', () => {
  const set = policySet([workload([{ peers: [cidrPeer('10.0.0.0/8', holes(256))], ports: [tcp(443)], explanation: why('m#block') }])]);
  const { manifests } = ENGINES.calico.emit(set);
  assert.deepEqual(manifestErrors(manifests), []);
  const rules = rulesOf(manifests[0]!, 'egress');
  assert.deepEqual(
    rules.map((r) => [r.destination?.nets, r.destination?.notNets?.length]),
    [[['10.0.0.0/8'], 256]],
  );
});

test('calico notNets one past the bound: a block with 257 holes is halved into entities of at most 256 nets and 256 notNets, allowing exactly the block less its holes', () => {
  const hs = holes(257);
  const set = policySet([workload([{ peers: [cidrPeer('10.0.0.0/8', hs)], ports: [tcp(443)], explanation: why('m#block') }])]);
  const { manifests } = ENGINES.calico.emit(set);
  assert.deepEqual(manifestErrors(manifests), []);
  const rules = rulesOf(manifests[0]!, 'egress');
  assert.ok(rules.length > 1, 'split');
  for (const r of rules) {
    assert.ok(r.destination!.nets!.length <= 256 && (r.destination!.notNets ?? []).length <= 256);
  }
  assert.equal(rules.flatMap((r) => r.destination!.notNets ?? []).length, 257, 'every hole held out once');
  const sim = calicoSimulator(manifests, cluster([api]));
  // Every hole is denied; its neighbours, the block's ends and the addresses around the halving points are allowed.
  for (const h of hs) assert.equal(sim.evaluate(flow(P(api), ext(h.replace('/32', '')), 443)).verdict, 'deny', h);
  for (const ip of ['10.0.0.0', '10.0.0.8', '10.0.100.6', '10.63.255.255', '10.64.0.0', '10.127.255.255', '10.128.0.0', '10.200.1.1', '10.255.255.255']) {
    assert.equal(sim.evaluate(flow(P(api), ext(ip), 443)).verdict, 'allow', ip);
  }
  assert.equal(sim.evaluate(flow(P(api), ext('11.0.0.1'), 443)).verdict, 'deny', 'outside the block');
});

test('calico notNets past the bound on a folded 0.0.0.0/0 (300 nodes and their pod CIDRs held out): the split rules pass admission and the verification\'s simulator allows the folded edge, every address of it but the cluster\'s own', () => {
  const nodeIps = Array.from({ length: 300 }, (_, i) => `10.0.${Math.floor(i / 200)}.${(i % 200) + 10}`);
  const podCIDRs = Array.from({ length: 300 }, (_, i) => `10.${100 + Math.floor(i / 200)}.${i % 200}.0/24`);
  const peer = cidrPeer('0.0.0.0/0', nodeIps.map((ip) => `${ip}/32`), podCIDRs);
  const { manifests } = ENGINES.calico.emit(policySet([workload([{ peers: [peer], ports: [tcp(443)], explanation: why('edge:folded') }])]));
  assert.deepEqual(manifestErrors(manifests), []);
  assert.ok(rulesOf(manifests[0]!, 'egress').length > 1);
  const c: SimCluster = { ...cluster([api]), nodes: nodeIps.map((ip, i) => ({ name: `n${i}`, labels: {}, ips: [ip] })), podCIDRs };
  const sim = SIMULATORS.calico(manifests, c);
  const folded = sim.evaluate(flow(P(api), ext('0.0.0.0/0'), 443));
  assert.equal(folded.verdict, 'allow', folded.egress.reason);
  assert.match(folded.egress.reason, /every address of 0\.0\.0\.0\/0 but the cluster's own/);
  assert.equal(sim.evaluate(flow(P(api), ext('198.51.100.1'), 443)).verdict, 'allow');
  assert.equal(sim.evaluate(flow(P(api), ext(nodeIps[299]!), 443)).verdict, 'deny', 'a node address is held out');
  assert.equal(sim.evaluate(flow(P(api), ext('10.101.99.5'), 443)).verdict, 'deny', 'a pod CIDR is held out');
});

/** `n` ingress rules, each from its own client pods. */
const clientRules = (n: number): RuleInput[] =>
  Array.from({ length: n }, (_, i) => ({
    peers: [podsPeer({ matchLabels: { app: `client-${String(i).padStart(4, '0')}` } })],
    ports: [tcp(8080)],
    explanation: why(`edge:${String(i).padStart(4, '0')}`),
  }));

test('calico rules at the bound: 1024 ingress rules are one NetworkPolicy (spec.ingress maxItems 1024)', () => {
  const { manifests } = ENGINES.calico.emit(policySet([workload(clientRules(1024), 'ingress')]));
  assert.deepEqual(manifestErrors(manifests), []);
  assert.deepEqual(
    manifests.map((m) => [m.metadata.name, rulesOf(m, 'ingress').length]),
    [['shop-deployment-api', 1024]],
  );
});

test('calico rules one past the bound: 1025 ingress rules are two NetworkPolicies of the same order, selector and types, named <name>--1 and --2, each annotated with its own rules; the last rule still allows and the isolation still denies', () => {
  const rules = clientRules(1025);
  const { manifests } = ENGINES.calico.emit(policySet([workload(rules, 'ingress')]));
  assert.deepEqual(manifestErrors(manifests), []);
  assert.deepEqual(
    manifests.map((m) => [m.metadata.name, rulesOf(m, 'ingress').length, m.spec.order, m.spec.selector, m.spec.types]),
    [
      ['shop-deployment-api--1', 1024, 1000, "app == 'api'", ['Ingress']],
      ['shop-deployment-api--2', 1, 1000, "app == 'api'", ['Ingress']],
    ],
  );
  const lines = manifests.map((m) => m.metadata.annotations['flowmatrix.io/rules']!.split('\n'));
  assert.equal(lines[1]!.length, 1);
  assert.match(lines[1]![0]!, /^ingress confirmed edge:1024: seen$/);
  assert.match(lines[0]![0]!, /^ingress confirmed edge:0000: seen$/);
  assert.ok(!lines[0]!.some((l) => l.includes('edge:1024')));
  // Same input, reversed: same manifests.
  assert.deepEqual(ENGINES.calico.emit(policySet([workload([...rules].reverse(), 'ingress')])).manifests, manifests);
  const first = pod('shop', 'c0', { app: 'client-0000' }, '10.1.0.10');
  const last = pod('shop', 'c1024', { app: 'client-1024' }, '10.1.0.11');
  const stranger = pod('shop', 'x', { app: 'stranger' }, '10.1.0.12');
  const sim = calicoSimulator(manifests, cluster([api, first, last, stranger]));
  assert.equal(sim.evaluate(flow(P(first), P(api))).verdict, 'allow');
  assert.equal(sim.evaluate(flow(P(last), P(api))).verdict, 'allow', 'allowed by the second piece');
  assert.equal(sim.evaluate(flow(P(stranger), P(api))).verdict, 'deny', 'the end-of-tier deny still applies');
});

test('calico rules one past the bound in one direction only: the other direction stays in the first piece, and a denied direction is a type of every piece', () => {
  const intent: IntentInput = {
    ...workload(clientRules(1025).map((r) => ({ ...r, ports: [tcp(9000)] })), 'egress'),
    ingress: { mode: 'deny-all', explanation: why('shop/deployment/api#ingress') },
  };
  const { manifests } = ENGINES.calico.emit(policySet([intent]));
  assert.deepEqual(manifestErrors(manifests), []);
  assert.deepEqual(
    manifests.map((m) => [m.metadata.name, rulesOf(m, 'ingress').length, rulesOf(m, 'egress').length, m.spec.types]),
    [
      ['shop-deployment-api--1', 0, 1024, ['Ingress', 'Egress']],
      ['shop-deployment-api--2', 0, 1, ['Ingress', 'Egress']],
    ],
  );
  for (const m of manifests) assert.match(m.metadata.annotations['flowmatrix.io/rules']!, /^ingress confirmed shop\/deployment\/api#ingress: seen$/m);
});

/**
 * Values `name(0)`, `name(1)`, … (the last one lengthened) whose `{'a', 'b', …}` set makes a
 * selector of exactly `length` characters, `empty` being its length with the set `{}`.
 */
function valuesFilling(empty: number, length: number, name: (i: number) => string): string[] {
  const values: string[] = [];
  let total = empty;
  const more = (v: string): number => v.length + 2 + (values.length > 0 ? 2 : 0);
  while (total + more(name(values.length)) <= length) {
    total += more(name(values.length));
    values.push(name(values.length));
  }
  values[values.length - 1] += 'x'.repeat(length - total);
  return values;
}

/** Namespace names whose `projectcalico.org/name in {…}` selector is exactly `length` characters. */
const namespacesOfSelector = (length: number): string[] => valuesFilling('projectcalico.org/name in {}'.length, length, (i) => `team-${String(i).padStart(2, '0')}`);

function sharedIntent(namespaces: string[]): IntentInput {
  const dnsSel = { matchLabels: { 'k8s-app': 'kube-dns' } };
  return {
    key: sharedIntentKey(namespaces),
    layer: 'shared',
    subject: { kind: 'namespaces', namespaces, selector: {} },
    egress: { mode: 'rules', rules: [{ peers: [dnsPeer('kube-system', dnsSel)], ports: [udp(53)], explanation: why('m#dns') }] },
    explanation: 'test',
  };
}

test('calico GlobalNetworkPolicy namespaceSelector at the bound: 1024 characters are one policy (spec.namespaceSelector maxLength 1024)', () => {
  const namespaces = namespacesOfSelector(1024);
  const { manifests } = ENGINES.calico.emit(policySet([sharedIntent(namespaces)]));
  assert.deepEqual(manifestErrors(manifests), []);
  assert.equal(manifests.length, 1);
  assert.equal((manifests[0]!.spec as { namespaceSelector: string }).namespaceSelector.length, 1024);
});

test('calico GlobalNetworkPolicy namespaceSelector one past the bound: 1025 characters are split over GlobalNetworkPolicies of the same order and rules, whose namespaces together are the list; both ends still allowed and isolated', () => {
  const namespaces = namespacesOfSelector(1025);
  const intent = sharedIntent(namespaces);
  const { manifests } = ENGINES.calico.emit(policySet([intent]));
  assert.deepEqual(manifestErrors(manifests), []);
  assert.equal(manifests.length, 2);
  const selectors = manifests.map((m) => (m.spec as { namespaceSelector: string }).namespaceSelector);
  for (const s of selectors) assert.ok(s.length <= 1024, `${s.length} characters`);
  const listed = selectors.flatMap((s) => [...s.matchAll(/'([^']+)'/g)].map((x) => x[1]!));
  assert.deepEqual(listed, namespaces);
  for (const m of manifests) {
    assert.equal(m.kind, 'GlobalNetworkPolicy');
    assert.deepEqual([m.spec.order, m.spec.selector, m.spec.types, m.spec.egress], [900, 'all()', ['Egress'], manifests[0]!.spec.egress]);
  }
  const names = manifests.map((m) => m.metadata.name);
  assert.deepEqual(
    names.map((n) => n.slice(-3)),
    ['--1', '--2'],
  );
  assert.equal(names[0]!.slice(0, -3), names[1]!.slice(0, -3));
  const dns = pod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, '10.1.9.9');
  dns.ports = [{ name: 'dns', port: 53, protocol: 'UDP' }];
  const firstPod = pod(namespaces[0]!, 'a', { app: 'a' }, '10.1.1.1');
  const lastPod = pod(namespaces.at(-1)!, 'b', { app: 'b' }, '10.1.1.2');
  const sim = calicoSimulator(manifests, cluster([dns, firstPod, lastPod], [...namespaces, 'kube-system']));
  for (const p of [firstPod, lastPod]) {
    assert.equal(sim.evaluate({ client: P(p), server: P(dns), port: 53, protocol: 'UDP' }).verdict, 'allow', p.namespace);
    assert.equal(sim.evaluate(flow(P(p), ext('192.0.2.1'), 443)).verdict, 'deny', `${p.namespace}: isolated`);
  }
});

/** Values whose `<key> in {…}` selector is exactly `length` characters. */
const valuesOfSelector = (key: string, length: number): string[] => valuesFilling(`${key} in {}`.length, length, (i) => `svc-${String(i).padStart(3, '0')}`);

test('calico EntityRule selector at and one past the bound: a pods peer whose `in` set makes 1025 characters becomes rules of several selectors (EntityRule.selector maxLength 1024); every value still allowed', () => {
  const at = valuesOfSelector('app', 1024);
  const past = valuesOfSelector('app', 1025);
  const emit = (values: string[]) => ENGINES.calico.emit(policySet([workload([{ peers: [podsPeer({ matchExpressions: [{ key: 'app', operator: 'In', values }] })], ports: [tcp(8080)], explanation: why('m#pods') }], 'ingress')])).manifests;
  const one = emit(at);
  assert.deepEqual(manifestErrors(one), []);
  assert.deepEqual(rulesOf(one[0]!, 'ingress').map((r) => r.source?.selector?.length), [1024]);
  const split = emit(past);
  assert.deepEqual(manifestErrors(split), []);
  const selectors = rulesOf(split[0]!, 'ingress').map((r) => r.source!.selector!);
  assert.equal(selectors.length, 2);
  for (const s of selectors) assert.ok(s.length <= 1024 && s.startsWith('app in {'), s);
  const pods = [past[0]!, past.at(-1)!].map((v, i) => pod('shop', `c${i}`, { app: v }, `10.1.0.${20 + i}`));
  const stranger = pod('shop', 'x', { app: 'stranger' }, '10.1.0.30');
  const sim = calicoSimulator(split, cluster([api, ...pods, stranger]));
  for (const p of pods) assert.equal(sim.evaluate(flow(P(p), P(api))).verdict, 'allow', p.labels.app);
  assert.equal(sim.evaluate(flow(P(stranger), P(api))).verdict, 'deny');
});

test('calico EntityRule namespaceSelector one past the bound: a selected-namespaces peer listing namespaces in 1025 characters becomes rules of several namespace selectors', () => {
  const namespaces = valuesOfSelector('kubernetes.io/metadata.name', 1025);
  const peer = selectedNamespacesPeer({ matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: namespaces }] }, {});
  const { manifests } = ENGINES.calico.emit(policySet([workload([{ peers: [peer], ports: [tcp(8080)], explanation: why('m#ns') }], 'ingress')]));
  assert.deepEqual(manifestErrors(manifests), []);
  const rules = rulesOf(manifests[0]!, 'ingress');
  assert.equal(rules.length, 2);
  for (const r of rules) assert.ok(r.source!.namespaceSelector!.length <= 1024);
});

test('calico policy selector one past the bound: a subject whose `in` set makes 1025 characters becomes NetworkPolicies of several selectors, each with every rule (spec.selector maxLength 1024)', () => {
  const emit = (values: string[]) =>
    ENGINES.calico.emit(
      policySet([workload([{ peers: [podsPeer({ matchLabels: { app: 'web' } })], ports: [tcp(8080)], explanation: why('m#web') }], 'ingress', { kind: 'workload', selector: { matchExpressions: [{ key: 'app', operator: 'In', values }] }, hostNetwork: false })]),
    ).manifests;
  const one = emit(valuesOfSelector('app', 1024));
  assert.deepEqual(manifestErrors(one), []);
  assert.deepEqual(
    one.map((m) => [m.metadata.name, (m.spec.selector as string).length]),
    [['shop-deployment-api', 1024]],
  );
  const values = valuesOfSelector('app', 1025);
  const split = emit(values);
  assert.deepEqual(manifestErrors(split), []);
  assert.deepEqual(
    split.map((m) => m.metadata.name),
    ['shop-deployment-api--1', 'shop-deployment-api--2'],
  );
  for (const m of split) assert.deepEqual([m.spec.types, m.spec.ingress, m.spec.order], [one[0]!.spec.types, one[0]!.spec.ingress, 1000]);
  const web = pod('shop', 'web', { app: 'web' }, '10.1.0.40');
  const stranger = pod('shop', 'x', { app: 'stranger' }, '10.1.0.41');
  const servers = [values[0]!, values.at(-1)!].map((v, i) => pod('shop', `s${i}`, { app: v }, `10.1.0.${50 + i}`));
  const sim = calicoSimulator(split, cluster([web, stranger, ...servers]));
  for (const s of servers) {
    assert.equal(sim.evaluate(flow(P(web), P(s))).verdict, 'allow', s.labels.app);
    assert.equal(sim.evaluate(flow(P(stranger), P(s))).verdict, 'deny', `${s.labels.app} isolated`);
  }
});
