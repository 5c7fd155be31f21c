// --shared across namespaces: rules that several namespaces' shared policies hold become one
// cluster-wide intent, and the result means exactly what the per-namespace policies meant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../../recommender/engines/index.ts';
import { dnsPeer, dnsPorts, explanation, podsPeer, policySet, tcp, type RuleInput } from '../../recommender/policy/build.ts';
import type { Direction } from '../../recommender/policy/ir.ts';
import { createKubernetesSimulator } from '../../recommender/simulate/kubernetes.ts';
import type { SimCluster, SimFlow, SimPod } from '../../recommender/simulate/types.ts';
import type { RuleAssessment } from '../../recommender/compare/compare.ts';
import type { ExpectedRule } from '../../recommender/matrix/resolved.ts';
import type { GroupedRule } from '../../recommender/synthesize/atoms.ts';
import { clusterWideLayers } from '../../recommender/synthesize/cluster-layers.ts';
import type { PlannedIntent } from '../../recommender/synthesize/workload.ts';
import { duplicateNameErrors, nameSlot } from '../../recommender/verify/duplicate-names.ts';

function rule(direction: Direction, input: RuleInput): GroupedRule {
  return { direction, input, status: input.explanation.status as GroupedRule['status'], rules: [], evidence: [], observedInFlows: false, notes: [] };
}

function shared(namespace: string, rules: GroupedRule[]): PlannedIntent {
  const input: PlannedIntent['input'] = { key: `${namespace}/shared`, namespace, layer: 'shared', subject: { kind: 'namespace' }, explanation: `shared ${namespace}` };
  for (const d of ['ingress', 'egress'] as const) {
    const own = rules.filter((r) => r.direction === d);
    if (own.length > 0) input[d] = { mode: 'rules', rules: own.map((r) => r.input) };
  }
  return { input, rules, evidence: [] };
}

const db = { matchLabels: { app: 'db' } };
// The cluster-wide rule's text is made from its members' evidence (here only a note, no edges).
const dns = (ns: string) => ({ ...rule('egress', { peers: [dnsPeer()], ports: dnsPorts(), explanation: explanation('m/dns-53', 'confirmed', `shared by all 2 workloads of ${ns}: DNS`) }), notes: ['DNS'] });
const layers = (): PlannedIntent[] => [
  shared('a', [dns('a'), rule('egress', { peers: [podsPeer(db)], ports: [tcp(5432)], explanation: explanation('m/db', 'confirmed', 'db') }), rule('ingress', { peers: [podsPeer({ matchLabels: { app: 'mon' } }, 'monitoring')], ports: [tcp(8080)], explanation: explanation('m/metrics', 'confirmed', 'metrics') })]),
  // `pods app=db in a` from b is the same rule as a's own-namespace `pods app=db`.
  shared('b', [dns('b'), rule('egress', { peers: [podsPeer(db, 'a')], ports: [tcp(5432)], explanation: explanation('m/db', 'documented-unobserved', 'db') }), rule('ingress', { peers: [podsPeer({ matchLabels: { app: 'x' } })], ports: [tcp(8080)], explanation: explanation('m/x', 'confirmed', 'x') })]),
  shared('c', [dns('c')]),
];

test('rules held by several namespaces move to one cluster-wide intent per namespace set; own-namespace peers are made explicit first', () => {
  const out = clusterWideLayers(layers());
  assert.deepEqual(
    out.map((p) => [p.input.key, p.input.subject.kind === 'namespaces' ? p.input.subject.namespaces : p.input.namespace, p.input.ingress?.mode ?? 'none', p.input.egress?.mode ?? 'none']),
    [
      ['a/shared', 'a', 'rules', 'none'],
      ['b/shared', 'b', 'rules', 'none'],
      ['cluster/shared/a+b', ['a', 'b'], 'none', 'rules'],
      ['cluster/shared/a+b+c', ['a', 'b', 'c'], 'none', 'rules'],
    ],
  );
  const ab = out.find((p) => p.input.key === 'cluster/shared/a+b')!;
  const [dbRule] = ab.rules;
  assert.deepEqual(dbRule!.input.peers, [podsPeer(db, 'a')]);
  // Of confirmed and documented-unobserved, the status a reviewer must see (atoms.ts) wins.
  assert.equal(dbRule!.status, 'documented-unobserved');
  const abc = out.find((p) => p.input.key === 'cluster/shared/a+b+c')!;
  assert.equal(abc.rules[0]!.input.explanation.text, 'shared by every workload of namespaces a, b, c: DNS');
  // Builds as a valid PolicySet (the IR refuses own-namespace peers in cluster-wide intents).
  assert.doesNotThrow(() => policySet(out.map((p) => p.input)));
});

// The demo's case: `recommend --shared` put flux-system and kyma-system's DNS rule in one
// cluster-wide layer whose annotation read "documented: every Telemetry component resolves names
// through the cluster DNS", as if Kyma's matrix documented flux-system's DNS egress.
const DNS_NOTE = 'DNS is always allowed when egress is restricted';
const matrixRule = (matrix: string, purpose: string): RuleAssessment => ({
  matrix,
  component: 'essentials',
  rule: { id: `${matrix}/essentials/egress/dns-53`, purpose } as ExpectedRule,
  status: 'confirmed',
  edges: [],
  matched: [],
});
/** A namespace's shared DNS rule: documented by `documented` (a matrix rule) or not, observed in its flows or not. */
function dnsOf(ns: string, documented: RuleAssessment[], observedInFlows: boolean): PlannedIntent {
  const id = documented.length > 0 ? documented[0]!.rule.id : `observed:egress:${ns}`;
  const r = rule('egress', { peers: [dnsPeer()], ports: dnsPorts(), explanation: explanation(id, documented.length > 0 ? 'confirmed' : 'undocumented', `shared by all 2 workloads of ${ns}`) });
  return shared(ns, [{ ...r, rules: documented, notes: [DNS_NOTE], observedInFlows }]);
}
const clusterDnsText = (layers: PlannedIntent[]): string => clusterWideLayers(layers).find((p) => p.input.subject.kind === 'namespaces')!.rules[0]!.input.explanation.text;

test('a rule several namespaces share names each one\'s own evidence: its system\'s matrix rule where one documents it, the flows where it is only observed (not one system\'s rule for all)', () => {
  const kyma = matrixRule('kyma-telemetry', 'every Telemetry component resolves names through the cluster DNS');
  assert.equal(
    clusterDnsText([dnsOf('flux-system', [], true), dnsOf('kyma-system', [kyma], true), dnsOf('monitoring', [], true)]),
    `shared by every workload of namespaces flux-system, kyma-system, monitoring: flux-system, monitoring (observed in the flows); kyma-system (documented: every Telemetry component resolves names through the cluster DNS. observed in the flows). ${DNS_NOTE}`,
  );
  // Two systems documenting it: each its own purpose, in namespace order; an implied member says so.
  const netobserv = matrixRule('netobserv', 'every NetObserv component resolves names');
  assert.equal(
    clusterDnsText([dnsOf('netobserv', [netobserv], false), dnsOf('kyma-system', [kyma], true), dnsOf('idle', [], false)]),
    `shared by every workload of namespaces idle, kyma-system, netobserv: idle (neither documented nor observed); kyma-system (documented: every Telemetry component resolves names through the cluster DNS. observed in the flows); netobserv (documented: every NetObserv component resolves names). ${DNS_NOTE}`,
  );
  // One kind of evidence for every member: said once, as before.
  assert.equal(clusterDnsText([dnsOf('a', [kyma], true), dnsOf('b', [kyma], true)]), `shared by every workload of namespaces a, b: documented: every Telemetry component resolves names through the cluster DNS. observed in the flows. ${DNS_NOTE}`);
});

test('a cluster-wide rule whose members hold undocumented edges beside the matrix rule names them, not the matrix rule, as observed', () => {
  const unobserved = matrixRule('shop', 'every shop component resolves names');
  unobserved.status = 'documented-unobserved';
  const withLookup = (ns: string, words = `53/UDP to kube-system/Deployment/coredns (from ${ns})`): PlannedIntent => {
    const layer = dnsOf(ns, [unobserved], true);
    layer.rules[0]!.undocumented = [words];
    return layer;
  };
  // The same evidence for every member: said once.
  assert.equal(
    clusterDnsText([withLookup('a', '53/UDP to 10.0.0.53'), withLookup('b', '53/UDP to 10.0.0.53')]),
    `shared by every workload of namespaces a, b: documented: every shop component resolves names (not observed). observed in the flows, undocumented: 53/UDP to 10.0.0.53. ${DNS_NOTE}`,
  );
  assert.equal(
    clusterDnsText([withLookup('a'), withLookup('b')]),
    `shared by every workload of namespaces a, b: a (documented: every shop component resolves names (not observed). observed in the flows, undocumented: 53/UDP to kube-system/Deployment/coredns (from a)); b (documented: every shop component resolves names (not observed). observed in the flows, undocumented: 53/UDP to kube-system/Deployment/coredns (from b)). ${DNS_NOTE}`,
  );
});

test('a rule many namespaces share says a few names and counts the rest, of the namespaces and of each kind of evidence', () => {
  const observedOnly = ['n1', 'n2', 'n3', 'n4', 'n5'].map((ns) => dnsOf(ns, [], true));
  const systems = ['s1', 's2', 's3', 's4'].map((ns) => dnsOf(ns, [matrixRule(ns, `${ns}'s components resolve names`)], false));
  assert.equal(
    clusterDnsText([...observedOnly, ...systems]),
    `shared by every workload of namespaces n1, n2, n3, … 6 more: n1, n2, n3, … 2 more (observed in the flows); s1 (documented: s1's components resolve names); s2 (documented: s2's components resolve names); … 2 more namespaces with other evidence (recommend -o json lists it). ${DNS_NOTE}`,
  );
});

test('nothing shared by two namespaces: the layers are returned unchanged', () => {
  const [a] = layers();
  assert.deepEqual(clusterWideLayers([a!]).map((p) => p.input), [a!.input]);
});

test('each engine renders the cluster-wide intent as its cluster-wide kind (kubernetes: one NetworkPolicy per namespace)', () => {
  const set = policySet(clusterWideLayers(layers()).map((p) => p.input));
  // ClusterNetworkPolicy names share one space with every namespace's: a cluster-wide one carries its key's hash (policy/names.ts clusterWideName).
  const CNP_NAME = /^cluster-shared-a-b-c-[0-9a-f]{8}$/;
  const kinds = (engine: keyof typeof ENGINES) =>
    ENGINES[engine]
      .emit(set)
      .manifests.filter((m) => m.metadata.name === 'cluster-shared-a-b-c' || CNP_NAME.test(m.metadata.name))
      .map((m) => `${m.kind} ${m.metadata.namespace ?? '-'}`);
  assert.deepEqual(kinds('kubernetes'), ['NetworkPolicy a', 'NetworkPolicy b', 'NetworkPolicy c']);
  assert.deepEqual(kinds('cilium'), ['CiliumClusterwideNetworkPolicy -']);
  assert.deepEqual(kinds('calico'), ['GlobalNetworkPolicy -']);
  assert.deepEqual(kinds('clusternetworkpolicy'), ['ClusterNetworkPolicy -']);
  const gnp = ENGINES.calico.emit(set).manifests.find((m) => m.metadata.name === 'cluster-shared-a-b-c')!;
  assert.ok(gnp.kind === 'GlobalNetworkPolicy');
  assert.equal(gnp.spec.namespaceSelector, "projectcalico.org/name in {'a', 'b', 'c'}");
  const ccnp = ENGINES.cilium.emit(set).manifests.find((m) => m.metadata.name === 'cluster-shared-a-b-c')!;
  assert.deepEqual(ccnp.spec.endpointSelector, { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['a', 'b', 'c'] }] });
});

test('same verdicts before and after, on every connection of a small cluster (Kubernetes NetworkPolicy semantics, recommender/simulate)', () => {
  const before = ENGINES.kubernetes.emit(policySet(layers().map((p) => p.input))).manifests;
  const after = ENGINES.kubernetes.emit(policySet(clusterWideLayers(layers()).map((p) => p.input))).manifests;
  assert.notDeepEqual(before, after);
  const pods: SimPod[] = [];
  let n = 1;
  for (const [namespace, app] of [['a', 'db'], ['a', 'web'], ['b', 'db'], ['b', 'x'], ['c', 'web'], ['monitoring', 'mon'], ['kube-system', 'dns']] as const) {
    pods.push({ namespace, labels: app === 'dns' ? { 'k8s-app': 'kube-dns' } : { app }, ips: [`10.1.0.${n++}`], hostNetwork: false, ports: [] });
  }
  const cluster: SimCluster = { namespaces: [...new Set(pods.map((p) => p.namespace))].map((name) => ({ name, labels: {} })), nodes: [], pods, services: [], apiserver: [], podCIDRs: [] };
  const simBefore = createKubernetesSimulator(before, cluster);
  const simAfter = createKubernetesSimulator(after, cluster);
  let compared = 0;
  let allowed = 0;
  for (const client of pods) {
    for (const server of pods) {
      for (const [port, protocol] of [[53, 'UDP'], [5432, 'TCP'], [8080, 'TCP']] as const) {
        const c: SimFlow = { client: { kind: 'pod', pod: client }, server: { kind: 'pod', pod: server }, port, protocol };
        const verdict = simAfter.evaluate(c).verdict;
        if (verdict === 'allow') allowed++;
        assert.equal(verdict, simBefore.evaluate(c).verdict, `${client.namespace}/${client.labels.app} → ${server.namespace}/${server.labels.app ?? 'dns'}:${port}`);
        compared++;
      }
    }
  }
  assert.equal(compared, 147);
  assert.ok(allowed > 0 && allowed < compared, `${allowed} of ${compared} allowed: the grid tells policies apart`);
});

test('namespace sets whose names read alike once joined (x-y+z and x+y-z: both "x-y-z" in a manifest name) get distinct names, on every engine (the export failed with a name clash)', () => {
  const toDb = () => rule('egress', { peers: [podsPeer(db, 'shared-db')], ports: [tcp(5432)], explanation: explanation('m/db', 'confirmed', 'db') });
  const out = clusterWideLayers([shared('x-y', [dns('x-y')]), shared('z', [dns('z')]), shared('x', [toDb()]), shared('y-z', [toDb()])]);
  const keys = out.map((p) => p.input.key).filter((k) => k.startsWith('cluster/'));
  assert.equal(keys.length, 2, JSON.stringify(keys));
  assert.ok(keys.every((k) => /^cluster\/shared\/[a-z+-]+\/[0-9a-f]{8}$/.test(k)), JSON.stringify(keys));
  const set = policySet(out.map((p) => p.input));
  for (const engine of Object.values(ENGINES)) assert.doesNotThrow(() => engine.emit(set));
  // Names without a '-' in any namespace stay as they were.
  assert.ok(clusterWideLayers(layers()).some((p) => p.input.key === 'cluster/shared/a+b'));
});

test('no cluster-scoped name is two objects on any engine: a cluster-wide layer and a namespace named like it (cluster-shared-a), a namespace set read as a workload (a+pod+z), namespaces a--b and a-b', () => {
  // A ClusterNetworkPolicy is cluster-scoped (network-policy-api apis/v1alpha2
  // clusternetworkpolicy_types.go, `+kubebuilder:resource:scope=Cluster`): one object per name, so
  // two manifests of one name are one policy once applied (recommender/verify/duplicate-names.ts).
  const metrics = (port: number) => rule('ingress', { peers: [podsPeer({ matchLabels: { app: 'prom' } }, 'monitoring')], ports: [tcp(port)], explanation: explanation(`m/metrics-${port}`, 'confirmed', 'metrics') });
  const toProm = (port: number) => rule('egress', { peers: [podsPeer({ matchLabels: { app: 'prom' } }, 'monitoring')], ports: [tcp(port)], explanation: explanation(`m/prom-${port}`, 'confirmed', 'prom') });
  const planned = clusterWideLayers([
    // Found by a tester: `cluster/shared/a+shared` and `cluster-shared-a/shared` were both `cluster-shared-a-shared`.
    shared('a', [metrics(8080), toProm(9090)]),
    shared('shared', [metrics(8080), toProm(9090)]),
    shared('cluster-shared-a', [metrics(8081), toProm(9091)]),
    // `cluster/shared/b+pod+z/isolation` read as workload `cluster-shared-b/pod/z`'s isolation.
    shared('b', [toProm(9092)]),
    shared('pod', [toProm(9092)]),
    shared('z', [toProm(9092)]),
    // `x--y/shared` and `x-y/shared` clean alike.
    shared('x--y', [toProm(9093)]),
    shared('x-y', [toProm(9094)]),
  ]);
  const workloadZ = {
    key: 'cluster-shared-b/pod/z',
    namespace: 'cluster-shared-b',
    layer: 'allowlist' as const,
    subject: { kind: 'workload' as const, selector: { matchLabels: { app: 'z' } }, hostNetwork: false },
    egress: { mode: 'rules' as const, rules: [toProm(9095).input] },
    explanation: 'z',
  };
  const set = policySet([...planned.map((p) => p.input), workloadZ]);
  assert.ok(set.intents.some((i) => i.key === 'cluster/shared/a+shared'));
  for (const [name, engine] of Object.entries(ENGINES)) {
    assert.deepEqual(duplicateNameErrors(engine.emit(set).manifests.map(nameSlot)).map((e) => e.error.manifest), [], name);
  }
});
