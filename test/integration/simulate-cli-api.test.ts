/**
 * `flowmatrix simulate` and POST /api/v1/simulate on the demo cluster: one decision per flow, in
 * input order, with the policy and rule that decided each side. Expected verdicts follow the
 * Kubernetes "Network Policies" page: a pod selected by a policy with policyTypes Ingress is
 * isolated for ingress and accepts only what a rule allows; a pod no policy selects is not
 * isolated (section "The two sorts of pod isolation").
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { test } from 'node:test';
import request from 'supertest';
import { simulateFlows } from '../../app/simulate.ts';
import { main } from '../../cli/main.ts';
import { openDb } from '../../store/db.ts';
import { runCli } from '../helpers/cli.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { testApp } from '../helpers/service.ts';
import { slowReader } from '../helpers/slow-reader.ts';
import { tmpDir } from '../helpers/tmp.ts';

const dbPath = await demoDb();
const dir = tmpDir('flowmatrix-simulate-');

// kustomize-controller → source-controller 9090/TCP is observed in the demo (flux-system).
const EDGE = {
  clientPeer: { kind: 'workload', workload: { namespace: 'flux-system', kind: 'Deployment', name: 'kustomize-controller' } },
  serverPeer: { kind: 'workload', workload: { namespace: 'flux-system', kind: 'Deployment', name: 'source-controller' } },
  port: 9090,
  protocol: 'TCP',
};
const REVERSE = { ...EDGE, clientPeer: EDGE.serverPeer, serverPeer: EDGE.clientPeer, port: 8080 };

// kustomize-controller → source-controller 9090/TCP as NetObserv records it.
const NETOBSERV_FLOW = {
  TimeFlowStartMs: Date.UTC(2026, 10, 20, 10),
  TimeFlowEndMs: Date.UTC(2026, 10, 20, 10),
  SrcAddr: '10.244.1.22',
  DstAddr: '10.244.3.22',
  SrcPort: 41000,
  DstPort: 9090,
  Proto: 6,
  Flags: 2,
  SrcK8S_Namespace: 'flux-system',
  SrcK8S_OwnerName: 'kustomize-controller',
  SrcK8S_OwnerType: 'Deployment',
  SrcK8S_Type: 'Pod',
  DstK8S_Namespace: 'flux-system',
  DstK8S_OwnerName: 'source-controller',
  DstK8S_OwnerType: 'Deployment',
  DstK8S_Type: 'Pod',
  Bytes: 100,
  Packets: 1,
};

const POLICIES = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: source-controller, namespace: flux-system }
spec:
  podSelector: { matchLabels: { app: source-controller } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ podSelector: { matchLabels: { app: kustomize-controller } } }]
      ports: [{ port: 9090, protocol: TCP }]
`;

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

interface Decision {
  index: number;
  line?: number;
  verdict: string;
  reason?: string;
  ingress?: { isolated: boolean; allowed: boolean; by?: { policy: string; rule?: string } };
}

test('simulate CLI: an edges file under a NetworkPolicy: allowed by its rule, denied on another port; the engine inferred from the kinds', async () => {
  const policies = write('np.yaml', POLICIES);
  const onOtherPort = { ...EDGE, port: 9091 };
  const flows = write('edges.json', JSON.stringify([EDGE, onOtherPort, REVERSE]));
  const r = await runCli(['simulate', '--policies', policies, '--flows', flows, '--db', dbPath]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as Decision[];
  assert.deepEqual(out.map((d) => [d.index, d.verdict]), [[0, 'allow'], [1, 'deny'], [2, 'allow']]);
  assert.deepEqual(out[0]!.ingress!.by, { policy: 'NetworkPolicy/flux-system/source-controller', rule: '/spec/ingress/0' });
  assert.equal(out[1]!.ingress!.isolated, true);
  assert.equal(out[1]!.ingress!.allowed, false);
  // kustomize-controller is selected by no policy: not isolated for ingress.
  assert.equal(out[2]!.ingress!.isolated, false);
  assert.match(r.err, /engine kubernetes, 1 policy, 3 flow\(s\): 2 allow, 1 deny, 0 unknown/);
});

test('simulate CLI: flow records in an ingest format are decided one per line, in order, with the line number', async () => {
  const policies = write('np2.yaml', POLICIES);
  const records = [
    JSON.stringify({ not: 'a flow' }),
    '{broken',
    JSON.stringify(NETOBSERV_FLOW),
  ];
  const flows = write('flows.ndjson', `${records.join('\n')}\n`);
  const r = await runCli(['simulate', '--engine', 'kubernetes', '--policies', policies, '--flows', flows, '--format', 'netobserv', '--db', dbPath]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as Decision[];
  assert.deepEqual(out.map((d) => [d.index, d.line, d.verdict]), [[0, 1, 'unknown'], [1, 2, 'unknown'], [2, 3, 'allow']]);
  assert.match(out[0]!.reason!, /^rejected: /);
  assert.equal(out[1]!.reason, 'invalid-json');
});

test('simulate CLI: unreadable inputs name what is wrong and exit non-zero', async () => {
  const missing = await runCli(['simulate', '--policies', join(dir, 'nope.yaml'), '--flows', join(dir, 'nope.json'), '--db', dbPath]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nope\.yaml: no such file/);
  const mixed = write('mixed.yaml', `${POLICIES}---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: x, namespace: a }\nspec: { endpointSelector: {} }\n---\napiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: { name: y, namespace: a }\nspec: { selector: all() }\n`);
  const r = await runCli(['simulate', '--policies', mixed, '--flows', write('e.json', JSON.stringify([EDGE])), '--db', dbPath]);
  assert.equal(r.code, 1);
  assert.match(r.err, /several engines \(calico, cilium\): name one \(`--engine` on the command line, `engine` in the API request\)/);
});

test('simulate refuses policies the engine would refuse (a refused policy is never in force), naming each problem; CLI exit 1, API 422', async () => {
  // The API server refuses it (Kubernetes ValidateNetworkPolicy): metadata.name is no DNS-1123 subdomain, policyTypes holds only Ingress and Egress.
  const refused = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: Bad_Name!, namespace: flux-system }
spec: { podSelector: {}, policyTypes: [Egress, Bogus] }
`;
  const r = await runCli(['simulate', '--policies', write('refused.yaml', refused), '--flows', write('e2.json', JSON.stringify([EDGE])), '--db', dbPath]);
  assert.equal(r.code, 1);
  assert.equal(r.out, '');
  assert.match(r.err, /^flowmatrix: policies: NetworkPolicy\/flux-system\/Bad_Name!: the engine would refuse it \(3 problem\(s\)\), and a refused policy is never in force: fix or leave out\n/);
  assert.match(r.err, /\n {2}NetworkPolicy\/flux-system\/Bad_Name!\/metadata\/name: name "Bad_Name!" is not a DNS-1123 subdomain\n/);
  assert.match(r.err, /\n {2}NetworkPolicy\/flux-system\/Bad_Name!\/spec\/policyTypes\/1: Unsupported value: "Bogus"/);
  const db = openDb(dbPath);
  try {
    const api = await request(testApp(db, dbPath)).post('/api/v1/simulate').send({ policies: refused, flows: [EDGE] }).expect(422);
    assert.match(api.body.detail, /^NetworkPolicy\/flux-system\/Bad_Name!: the engine would refuse it/);
    assert.equal(api.body.errors.length, 3);
    assert.deepEqual(api.body.errors[2], { path: 'NetworkPolicy/flux-system/Bad_Name!/spec/policyTypes/1', message: 'Unsupported value: "Bogus": supported values: "Ingress", "Egress"' });
  } finally {
    db.close();
  }
});

test('simulate refuses a built-in Calico Tier the Tier CRD refuses (order or default action changed) instead of simulating with it', () => {
  // projectcalico/api config/crd projectcalico.org_tiers.yaml x-kubernetes-validations: "kube-admin tier
  // order must be 1000", "The 'kube-admin' tier must have default action 'Pass'", "default tier order
  // must be 1000000" (recommender/verify/admission/calico.ts checkTier).
  const gnp = `apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: { name: kube-admin.deny-first }
spec: { tier: kube-admin, order: 5, selector: all(), ingress: [{ action: Deny }] }
`;
  const tier = (name: string, order: number, action: string) => `apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: { name: ${name} }\nspec: { order: ${order}, defaultAction: ${action} }\n`;
  const db = openDb(dbPath);
  try {
    const simulate = (policies: string) => simulateFlows(db, { engine: 'calico', policies, flows: JSON.stringify([EDGE]) });
    assert.throws(() => simulate(`${gnp}---\n${tier('kube-admin', 20000000, 'Pass')}`), /Tier\/kube-admin: the engine would refuse it/);
    assert.throws(() => simulate(`${gnp}---\n${tier('kube-admin', 1000, 'Deny')}`), /Tier\/kube-admin: the engine would refuse it/);
    assert.throws(() => simulate(`${gnp}---\n${tier('default', 5, 'Deny')}`), /Tier\/default: the engine would refuse it/);
    assert.equal(simulate(`${gnp}---\n${tier('kube-admin', 1000, 'Pass')}`).decisions.length, 1, 'the built-in values are admitted');
    // TierSpec.DefaultAction is `+kubebuilder:default=Deny` (projectcalico/api tier.go): the API server
    // fills it in before the CEL rules run, so the default tier may omit it and kube-admin may not.
    const noAction = (name: string, order: number) => `apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: { name: ${name} }\nspec: { order: ${order} }\n`;
    assert.equal(simulate(`${gnp}---\n${noAction('default', 1000000)}`).decisions.length, 1, 'the default tier defaults to Deny, its built-in action');
    assert.throws(() => simulate(`${gnp}---\n${noAction('kube-admin', 1000)}`), /Tier\/kube-admin: the engine would refuse it/, 'the default Deny breaks its CEL rule');
  } finally {
    db.close();
  }
});

test('simulate with engine calico warns of a ClusterNetworkPolicy rule Calico does not convert as written (conversion/clusternetworkpolicy.go: a nodes peer fails the rule, a failed Deny becomes a Deny of everything)', () => {
  const cnp = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: deny-nodes }
spec:
  tier: Admin
  priority: 10
  subject: { namespaces: {} }
  egress: [{ name: no-kubelet, action: Deny, to: [{ nodes: { matchLabels: {} } }], protocols: [{ tcp: { destinationPort: { number: 10250 } } }] }]
`;
  const db = openDb(dbPath);
  try {
    const r = simulateFlows(db, { engine: 'calico', policies: cnp, flows: JSON.stringify([EDGE]) });
    assert.ok(r.warnings.some((w) => /^ClusterNetworkPolicy\/deny-nodes: egress rule \/spec\/egress\/0: Calico does not convert a nodes peer/.test(w)), r.warnings.join('\n'));
    assert.equal(r.decisions[0]!.verdict, 'deny');
  } finally {
    db.close();
  }
});

test('simulate takes an ipBlock CIDR with host bits set as the API server does by default: the network it masks, with a warning (CLI stderr, API Warning header)', async () => {
  // kubernetes/kubernetes pkg/apis/networking/validation ValidateIPBlock → IsValidCIDRForLegacyField:
  // host bits are refused only with the StrictIPCIDRValidation gate (KEP-4858, off by default while
  // alpha); without it the object is stored with a warning and the CIDR parsed by Go's
  // net.ParseCIDR, which gives the masked network: 192.0.2.77/24 is 192.0.2.0/24.
  const policies = POLICIES.replace('name: source-controller,', 'name: from-partner,').replace('podSelector: { matchLabels: { app: kustomize-controller } }', 'ipBlock: { cidr: 192.0.2.77/24 }');
  assert.match(policies, /name: from-partner,[^]*from: \[\{ ipBlock: \{ cidr: 192\.0\.2\.77\/24 \} \}\][^]*port: 9090/);
  const inside = { ...EDGE, clientPeer: { kind: 'external', ip: '192.0.2.1' } };
  const outside = { ...EDGE, clientPeer: { kind: 'external', ip: '192.0.3.1' } };
  const r = await runCli(['simulate', '--policies', write('hostbits.yaml', policies), '--flows', write('hostbits.json', JSON.stringify([inside, outside])), '--db', dbPath]);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual((JSON.parse(r.out) as Decision[]).map((d) => d.verdict), ['allow', 'deny']);
  assert.match(r.err, /warning: NetworkPolicy\/flux-system\/from-partner\/spec\/ingress\/0\/from\/0\/ipBlock\/cidr: "192\.0\.2\.77\/24": must not have bits set beyond the prefix length \(accepted with a warning by API servers without the StrictIPCIDRValidation feature gate, refused with it\)\n/);
  const db = openDb(dbPath);
  try {
    const api = await request(testApp(db, dbPath)).post('/api/v1/simulate').send({ policies, flows: [inside, outside] }).expect(200);
    assert.deepEqual((api.body as Decision[]).map((d) => d.verdict), ['allow', 'deny']);
    assert.match(String(api.headers.warning), /^299 - "NetworkPolicy\/flux-system\/from-partner\/spec\/ingress\/0\/from\/0\/ipBlock\/cidr: \\"192\.0\.2\.77\/24\\": must not have bits set/);
  } finally {
    db.close();
  }
});

test('simulate takes ipBlocks with leading zeros or an IPv4-mapped address as the API server reads them without the StrictIPCIDRValidation gate: decimal octets, the IPv4 block mapped; warned, on kubernetes and calico alike', async () => {
  // kubernetes/kubernetes pkg/apis/networking/validation ValidateIPBlock: IsValidCIDRForLegacyField
  // refuses these only with strict validation (StrictIPCIDRValidation: alpha, off, in 1.33; beta, on,
  // from 1.36, KEP-4858 kep.yaml), and reads the block with netutils.ParseCIDRSloppy, whose
  // parseIPv4 reads octets as decimal (198.051.100.0 is 198.51.100.0, not ipaddr.js's octal
  // 198.41.100.0); net.IPNet reads ::ffff:203.0.113.0/120 as 203.0.113.0/24.
  const policies = POLICIES.replace('name: source-controller,', 'name: from-partner,').replace(
    'podSelector: { matchLabels: { app: kustomize-controller } }',
    'ipBlock: { cidr: 198.051.100.0/24 } }, { ipBlock: { cidr: "::ffff:203.0.113.0/120" }',
  );
  assert.match(policies, /from: \[\{ ipBlock: \{ cidr: 198\.051\.100\.0\/24 \} \}, \{ ipBlock: \{ cidr: "::ffff:203\.0\.113\.0\/120" \} \}\]/);
  const from = (ip: string): object => ({ ...EDGE, clientPeer: { kind: 'external', ip } });
  const flows = write('legacy-cidrs.json', JSON.stringify([from('198.51.100.7'), from('198.41.100.7'), from('203.0.113.9')]));
  for (const engine of ['kubernetes', 'calico']) {
    const r = await runCli(['simulate', '--engine', engine, '--policies', write('legacy-cidrs.yaml', policies), '--flows', flows, '--db', dbPath]);
    assert.equal(r.code, 0, `${engine}: ${r.err}`);
    assert.deepEqual((JSON.parse(r.out) as Decision[]).map((d) => d.verdict), ['allow', 'deny', 'allow'], engine);
    assert.match(r.err, /warning: NetworkPolicy\/flux-system\/from-partner\/spec\/ingress\/0\/from\/0\/ipBlock\/cidr: "198\.051\.100\.0\/24": must not have leading 0s in IP or prefix length; read as 198\.51\.100\.0\/24, as the API server reads it \(leading zeros as decimal\); network plugins may read it otherwise \(a leading 0 as octal\) or refuse it: write "198\.51\.100\.0\/24" \(accepted with a warning by API servers without the StrictIPCIDRValidation feature gate, refused with it\)\n/, engine);
    assert.match(r.err, /warning: NetworkPolicy\/flux-system\/from-partner\/spec\/ingress\/0\/from\/1\/ipBlock\/cidr: "::ffff:203\.0\.113\.0\/120": must not have an IPv4-mapped IPv6 address; read as 203\.0\.113\.0\/24, as the API server reads it \(an IPv4-mapped IPv6 block as the IPv4 block it maps\); network plugins may read it otherwise \(as IPv6, matching no IPv4 address\) or refuse it: write "203\.0\.113\.0\/24" \(accepted/, engine);
  }
});

test('simulate with an engine named and another engine\'s policies: that simulation leaves them out and says so, naming the engine that evaluates them (a Cilium policy isolates where Cilium enforces it)', async () => {
  const cilium = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: deny-all-in, namespace: flux-system }
spec: { endpointSelector: {}, ingress: [{}] }
`;
  const edges = write('other-engine.json', JSON.stringify([EDGE]));
  const r = await runCli(['simulate', '--engine', 'kubernetes', '--policies', write('cilium.yaml', cilium), '--flows', edges, '--db', dbPath]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /warning: CiliumNetworkPolicy\/flux-system\/deny-all-in: the kubernetes simulation does not evaluate this kind, left out; .* simulate with engine cilium\n/);
  // The cilium simulation evaluates it: the pod is isolated for ingress.
  const own = await runCli(['simulate', '--engine', 'cilium', '--policies', write('cilium.yaml', cilium), '--flows', edges, '--db', dbPath]);
  assert.equal(own.code, 0, own.err);
  assert.doesNotMatch(own.err, /does not evaluate/);
  assert.deepEqual((JSON.parse(own.out) as Decision[]).map((d) => d.verdict), ['deny']);
  // A Calico NetworkPolicy is named with its group: the Kubernetes NetworkPolicy of that name is another object.
  const calico = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: source-controller, namespace: flux-system }
spec: { selector: "app == 'source-controller'", ingress: [{ action: Deny }] }
`;
  const mixed = await runCli(['simulate', '--engine', 'kubernetes', '--policies', write('mixed.yaml', `${POLICIES}---\n${calico}`), '--flows', edges, '--db', dbPath]);
  assert.equal(mixed.code, 0, mixed.err);
  assert.match(mixed.err, /warning: NetworkPolicy\.projectcalico\.org\/flux-system\/source-controller: the kubernetes simulation does not evaluate this kind/);
});

test('simulate refuses two policies of one kind, namespace and name (a cluster holds one: applying the file leaves the last), naming where each is; CLI exit 1, API 422', async () => {
  const twice = `${POLICIES}---\n${POLICIES}`;
  const r = await runCli(['simulate', '--policies', write('twice.yaml', twice), '--flows', write('twice.json', JSON.stringify([EDGE])), '--db', dbPath]);
  assert.equal(r.code, 1);
  assert.match(r.err, /^flowmatrix: policies: \d+ duplicate policy name\(s\): keep one of each\n {2}document 2: NetworkPolicy\/flux-system\/[a-z-]+ again \(first at document 1\)/);
  const db = openDb(dbPath);
  try {
    const api = await request(testApp(db, dbPath)).post('/api/v1/simulate').send({ policies: twice, flows: [EDGE] }).expect(422);
    assert.match(JSON.stringify(api.body), /again \(first at document 1\)/);
  } finally {
    db.close();
  }
});

test('simulate refuses an edge whose external or unknown peer is no IP address nor block (in a key or a peer object), naming the element and field', async () => {
  for (const [edge, message] of [
    [{ ...EDGE, clientPeer: undefined, client: 'external:999.1.1.1' }, /flows\[0\]\.client: "999\.1\.1\.1" is not an IP address/],
    [{ ...EDGE, clientPeer: undefined, client: 'external:10.0.0.0/33' }, /flows\[0\]\.client: "10\.0\.0\.0\/33" is not an IP address or a CIDR block/],
    [{ ...EDGE, clientPeer: { kind: 'external', ip: 'hello' } }, /flows\[0\]\.clientPeer: "hello" is not an IP address/],
    [{ ...EDGE, clientPeer: { kind: 'workload', workload: { namespace: 'x' } } }, /flows\[0\]\.clientPeer: invalid/],
  ] as const) {
    const r = await runCli(['simulate', '--policies', write('p.yaml', POLICIES), '--flows', write('bad-peer.json', JSON.stringify([edge])), '--db', dbPath]);
    assert.equal(r.code, 1, JSON.stringify(edge));
    assert.match(r.err, message);
  }
});

test('simulate warns of ClusterNetworkPolicies of one tier and priority: where both match, the implementation may apply either (network-policy-api apis/v1alpha2 clusternetworkpolicy_types.go, Priority)', async () => {
  const cnp = (name: string, action: string, priority: number) => `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: ${name} }
spec: { tier: Admin, priority: ${priority}, subject: { namespaces: {} }, ingress: [{ name: r, action: ${action}, from: [{ namespaces: {} }] }] }
`;
  const edges = write('prio.json', JSON.stringify([EDGE]));
  const same = await runCli(['simulate', '--policies', write('same.yaml', `${cnp('deny', 'Deny', 10)}---\n${cnp('accept', 'Accept', 10)}`), '--flows', edges, '--db', dbPath]);
  assert.equal(same.code, 0, same.err);
  assert.match(same.err, /warning: ClusterNetworkPolicy\/deny, ClusterNetworkPolicy\/accept: the same Admin tier, priority 10; where more than one matches a connection the implementation may apply any of them/);
  const apart = await runCli(['simulate', '--policies', write('apart.yaml', `${cnp('deny', 'Deny', 10)}---\n${cnp('accept', 'Accept', 20)}`), '--flows', edges, '--db', dbPath]);
  assert.doesNotMatch(apart.err, /the same Admin tier/);
});

test('simulate warns of one tier and priority only where the subjects select a common pod of the inventory (per-workload policies never match one connection)', async () => {
  const onPod = (name: string, app: string) => `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: ${name} }
spec: { tier: Baseline, priority: 200, subject: { pods: { namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: flux-system } }, podSelector: { matchLabels: { app: ${app} } } } }, ingress: [{ name: r, action: Accept, from: [{ namespaces: {} }] }] }
`;
  const edges = write('prio-pods.json', JSON.stringify([EDGE]));
  const disjoint = await runCli(['simulate', '--policies', write('disjoint.yaml', `${onPod('kc', 'kustomize-controller')}---\n${onPod('sc', 'source-controller')}`), '--flows', edges, '--db', dbPath]);
  assert.equal(disjoint.code, 0, disjoint.err);
  assert.doesNotMatch(disjoint.err, /the same Baseline tier/);
  const nsWide = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: flux }
spec: { tier: Baseline, priority: 200, subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: flux-system } } }, ingress: [{ name: r, action: Deny, from: [{ namespaces: {} }] }] }
`;
  const overlap = await runCli(['simulate', '--policies', write('overlap.yaml', `${onPod('sc', 'source-controller')}---\n${nsWide}`), '--flows', edges, '--db', dbPath]);
  assert.equal(overlap.code, 0, overlap.err);
  assert.match(overlap.err, /warning: ClusterNetworkPolicy\/sc, ClusterNetworkPolicy\/flux: the same Baseline tier, priority 200; where more than one matches a connection/);
});

test('POST /api/v1/simulate: parsed policies and edges; a JSON array in input order; bad policies are a 422 problem', async () => {
  const db = openDb(dbPath);
  try {
    const app = testApp(db, dbPath);
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny-all', namespace: 'flux-system' },
      spec: { podSelector: { matchLabels: { app: 'source-controller' } }, policyTypes: ['Ingress'] },
    };
    const ok = await request(app).post('/api/v1/simulate').send({ policies: [policy], flows: [EDGE, REVERSE] });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual((ok.body as Decision[]).map((d) => [d.index, d.verdict]), [[0, 'deny'], [1, 'allow']]);
    const bad = await request(app).post('/api/v1/simulate').send({ policies: '{ kind: Nothing', flows: [EDGE] });
    assert.equal(bad.status, 422, bad.text);
    assert.match(bad.headers['content-type'] ?? '', /application\/problem\+json/);
  } finally {
    db.close();
  }
});

test('simulate CLI streams flow records: a log of several MiB through stdin, CRLF and blank lines, gives the decisions of the whole-text simulation byte for byte, written as they are made', async () => {
  const policies = write('np3.yaml', POLICIES);
  const denied = { ...NETOBSERV_FLOW, DstPort: 9091 };
  const lines: string[] = [];
  for (let i = 0; i < 12_000; i++) lines.push(i % 1000 === 7 ? '{broken' : i % 500 === 3 ? '   ' : JSON.stringify(i % 3 === 0 ? denied : NETOBSERV_FLOW));
  const text = `${lines.join('\r\n')}\r\n`;
  assert.ok(text.length > 3 * 1024 * 1024, `${text.length} characters: several 1 MiB chunks`);
  const db = openDb(dbPath);
  let expected: string;
  try {
    expected = `${JSON.stringify(simulateFlows(db, { engine: 'kubernetes', policies: POLICIES, flows: text, format: 'netobserv' }).decisions, null, 2)}\n`;
  } finally {
    db.close();
  }
  // stdin in 64 KiB pieces; a reader taking a piece per millisecond.
  const stdin = Readable.from((function* () {
    for (let at = 0; at < text.length; at += 65536) yield Buffer.from(text.slice(at, at + 65536));
  })());
  const reader = slowReader(16384);
  let err = '';
  const code = await main(['node', 'flowmatrix', 'simulate', '--engine', 'kubernetes', '--policies', policies, '--flows', '-', '--format', 'netobserv', '--db', dbPath], {
    out: (t) => void reader.stream.write(t),
    err: (t) => void (err += t),
    stdin,
    outStream: reader.stream,
  });
  await new Promise<void>((resolve) => reader.stream.end(resolve));
  assert.equal(code, 0, err);
  const out = reader.text();
  assert.ok(out === expected, `the streamed output (${out.length} characters) is the whole-text one (${expected.length})`);
  assert.match(err, /engine kubernetes, 1 policy, 11976 flow\(s\): 7976 allow, 3988 deny, 12 unknown/);
  // Each 1 MiB of input is decided and written before the next is read: never the whole output waiting.
  assert.ok(reader.mostWaiting() < expected.length / 3, `${reader.mostWaiting()} of ${expected.length} characters waited for the reader`);
});

test('simulate CLI: edges JSON after blank lines on stdin is read whole, as the edges of the store it came from', async () => {
  const policies = write('np4.yaml', POLICIES);
  let out = '';
  let err = '';
  const code = await main(['node', 'flowmatrix', 'simulate', '--policies', policies, '--flows', '-', '--db', dbPath], {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    stdin: Readable.from([Buffer.from('\n  \n'), Buffer.from(JSON.stringify([EDGE, { ...EDGE, port: 9091 }]))]),
  });
  assert.equal(code, 0, err);
  assert.deepEqual((JSON.parse(out) as Decision[]).map((d) => [d.index, d.verdict]), [[0, 'allow'], [1, 'deny']]);
});

test('simulate takes a ClusterNetworkPolicy with a named port as the experimental channel does, with a warning: the standard channel\'s CRD has no destinationNamedPort since kubernetes-sigs/network-policy-api#392 (`<network-policy-api:experimental>`); beside a networks peer both channels refuse it (the experimental CRD\'s CEL rule, clusternetworkpolicy_types.go <network-policy-api:experimental:validation>): refused', async () => {
  const cnp = (to: string) => `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: named }
spec:
  tier: Admin
  priority: 5
  subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: flux-system } } }
  egress:
    - { name: deny-named, action: Deny, to: [${to}], protocols: [{ destinationNamedPort: http }] }
`;
  const pods = await runCli(['simulate', '--policies', write('named-pods.yaml', cnp('{ namespaces: {} }')), '--flows', write('named-pods.json', JSON.stringify([EDGE])), '--db', dbPath]);
  assert.equal(pods.code, 0, pods.err);
  assert.match(pods.err, /warning: ClusterNetworkPolicy\/named\/spec\/egress\/0\/protocols\/0\/destinationNamedPort: destinationNamedPort is a field of the network-policy-api experimental channel only .* \(refused where the network-policy-api standard-channel CRD is installed; the experimental channel accepts it\)\n/);
  const nets = await runCli(['simulate', '--policies', write('named-nets.yaml', cnp('{ networks: [10.244.0.0/16] }')), '--flows', write('named-nets.json', JSON.stringify([EDGE])), '--db', dbPath]);
  assert.equal(nets.code, 1, nets.err);
  assert.match(nets.err, /^flowmatrix: policies: ClusterNetworkPolicy\/named: the engine would refuse it \(2 problem\(s\)\)/);
  assert.match(nets.err, /\n {2}ClusterNetworkPolicy\/named\/spec\/egress\/0: networks\/nodes\/domainNames peer cannot be set with namedPorts .* \(the experimental-channel CRD\)\n/);
  assert.match(nets.err, /\n {2}ClusterNetworkPolicy\/named\/spec\/egress\/0\/protocols\/0\/destinationNamedPort: .* \(the standard-channel CRD\)/);
});

test('simulate warns of a selector on a pod\'s own StatefulSet label (statefulset.kubernetes.io/pod-name) for edges input only, and only where the inventory lists no pod of a StatefulSet with its own labels: there an edge\'s side takes them as lacking it (CLI stderr, API Warning header)', async () => {
  const policies = POLICIES.replace('podSelector: { matchLabels: { app: kustomize-controller } }', 'podSelector: { matchLabels: { statefulset.kubernetes.io/pod-name: kustomize-0 } }');
  assert.match(policies, /statefulset\.kubernetes\.io\/pod-name: kustomize-0/);
  // The demo lists every pod with its own labels: an edge is judged at each pod the label tells apart, nothing to warn of.
  const listed = await runCli(['simulate', '--policies', write('podname.yaml', policies), '--flows', write('podname.json', JSON.stringify([EDGE])), '--db', dbPath]);
  assert.equal(listed.code, 0, listed.err);
  assert.doesNotMatch(listed.err, /pod-name/);
  // The same store as a release before migration 0024 left it, once migrated: no pod's own labels.
  const unlisted = join(dir, 'unlisted.db');
  const demo = openDb(dbPath);
  try {
    demo.prepare('VACUUM INTO ?').run(unlisted);
  } finally {
    demo.close();
  }
  const db = openDb(unlisted);
  try {
    db.prepare("UPDATE workloads SET pod_labels = '[]', pod_ports = NULL").run();
    db.prepare('UPDATE pod_addresses SET label_set = NULL, port_set = NULL').run();
  } finally {
    db.close();
  }
  const expected = /warning: NetworkPolicy\/flux-system\/source-controller\/spec\/ingress\/0\/from\/0\/podSelector: selects pods by statefulset\.kubernetes\.io\/pod-name, which each pod of a StatefulSet gets from its own name; the inventory lists no pod of kafka\/StatefulSet\/kafka-cluster-kafka, .* with its own labels, so an edge's side there takes their pods as lacking the label: import their Pods, or simulate flow records to decide per pod\n/;
  const edges = await runCli(['simulate', '--policies', write('podname.yaml', policies), '--flows', write('podname.json', JSON.stringify([EDGE])), '--db', unlisted]);
  assert.equal(edges.code, 0, edges.err);
  assert.match(edges.err, expected);
  const records = await runCli(['simulate', '--policies', write('podname.yaml', policies), '--flows', write('podname.ndjson', JSON.stringify(NETOBSERV_FLOW)), '--db', unlisted]);
  assert.equal(records.code, 0, records.err);
  assert.doesNotMatch(records.err, /pod-name/);
  for (const [path, warned] of [
    [dbPath, false],
    [unlisted, true],
  ] as const) {
    const db = openDb(path);
    try {
      const api = await request(testApp(db, path)).post('/api/v1/simulate').send({ policies, flows: [EDGE] }).expect(200);
      assert.equal(/selects pods by statefulset\.kubernetes\.io\/pod-name/.test(String(api.headers.warning)), warned, path);
    } finally {
      db.close();
    }
  }
});

test('simulate: a ClusterNetworkPolicy selector apimachinery cannot build (operator "in") selects nothing on clusternetworkpolicy, warned naming policy, path and operator; Calico converts it ignoring the expression', () => {
  // The CRD's `operator` is a bare string: the API server stores it. apimachinery
  // pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector refuses it (`"in" is not a valid label
  // selector operator`), so an implementation building the selector with it programs nothing for
  // it: the Accept peer matches no pod and deny-all decides. Calico instead converts the selector
  // with libcalico-go conversion.go k8sSelectorToCalico, whose switch has no case for it: the
  // expression is dropped and the peer selects every pod (conversion/clusternetworkpolicy.go).
  const policies = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: acc }
spec:
  tier: Admin
  priority: 1
  subject: { namespaces: {} }
  egress:
  - action: Accept
    to: [{ pods: { namespaceSelector: {}, podSelector: { matchExpressions: [{ key: app, operator: in, values: [nothing] }] } } }]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: deny-all }
spec: { tier: Admin, priority: 2, subject: { namespaces: {} }, egress: [{ action: Deny, to: [{ namespaces: {} }] }] }
`;
  const db = openDb(dbPath);
  try {
    const cnp = simulateFlows(db, { engine: 'clusternetworkpolicy', policies, flows: JSON.stringify([EDGE]) });
    assert.equal(cnp.decisions[0]!.verdict, 'deny');
    assert.ok(
      cnp.warnings.includes('ClusterNetworkPolicy/acc/spec/egress/0/to/0/pods/podSelector/matchExpressions/0/operator: "in" is not a valid label selector operator (apimachinery LabelSelectorAsSelector): the selector selects nothing'),
      cnp.warnings.join('\n'),
    );
    const calico = simulateFlows(db, { engine: 'calico', policies, flows: JSON.stringify([EDGE]) });
    assert.equal(calico.decisions[0]!.verdict, 'allow');
    assert.ok(calico.warnings.some((w) => w.startsWith('ClusterNetworkPolicy/acc/spec/egress/0/to/0/pods/podSelector/matchExpressions/0/operator: "in" is not a valid label selector operator') && /Calico/.test(w)), calico.warnings.join('\n'));
    const noValues = simulateFlows(db, { engine: 'clusternetworkpolicy', policies: policies.replace('operator: in, values: [nothing]', 'operator: NotIn'), flows: JSON.stringify([EDGE]) });
    assert.equal(noValues.decisions[0]!.verdict, 'deny', 'NotIn without values selects nothing either');
    assert.ok(noValues.warnings.some((w) => w.startsWith("ClusterNetworkPolicy/acc/spec/egress/0/to/0/pods/podSelector/matchExpressions/0/values: for 'in', 'notin' operators, values set can't be empty")), noValues.warnings.join('\n'));
  } finally {
    db.close();
  }
});

test('simulate reads `ingress:` / `egress:` written as YAML null as absent, as the API server does: a ClusterNetworkPolicy is admitted, a NetworkPolicy with policyTypes [Ingress] isolates and allows nothing', async () => {
  // Custom resources: apiextensions-apiserver pkg/apiserver/schema/defaulting/prunenulls.go
  // PruneNonNullableNullsWithoutDefaults drops the null of a non-nullable field before validation
  // (kubernetes/kubernetes#95423). The built-in NetworkPolicy: a JSON null decodes to a nil slice,
  // and "If this field is empty then this NetworkPolicy does not allow any traffic" (Kubernetes
  // NetworkPolicy API reference, NetworkPolicySpec.ingress) for a policy of type Ingress.
  const cnp = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: deny-egress }
spec:
  tier: Admin
  priority: 1
  subject: { namespaces: {} }
  ingress:
  egress:
  - action: Deny
    to: [{ namespaces: {} }]
`;
  const np = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: np, namespace: flux-system }
spec:
  podSelector: {}
  ingress:
  policyTypes: [Ingress]
`;
  const edges = write('null-rules.json', JSON.stringify([EDGE]));
  const denied = await runCli(['simulate', '--policies', write('null-cnp.yaml', cnp), '--flows', edges, '--db', dbPath]);
  assert.equal(denied.code, 0, denied.err);
  const d = (JSON.parse(denied.out) as Decision[])[0]!;
  assert.equal(d.verdict, 'deny');
  const isolated = await runCli(['simulate', '--policies', write('null-np.yaml', np), '--flows', edges, '--db', dbPath]);
  assert.equal(isolated.code, 0, isolated.err);
  const i = (JSON.parse(isolated.out) as Decision[])[0]!;
  assert.equal(i.verdict, 'deny');
  assert.deepEqual([i.ingress!.isolated, i.ingress!.allowed], [true, false]);
  const db = openDb(dbPath);
  try {
    await request(testApp(db, dbPath)).post('/api/v1/simulate').send({ policies: cnp, flows: [EDGE] }).expect(200);
  } finally {
    db.close();
  }
});

test('simulate reads a NetworkPolicy rule written as null (`ingress: [null]`) as the API server decodes it: the empty rule, allowing every source on every port; a null peer is the empty peer, refused for it alone', () => {
  // Built-in kinds are decoded into Go structs (sigs.k8s.io/json, Go's encoding/json): array()
  // appends a zero element and literalStore leaves a struct as it is for null, so `ingress: [null]`
  // is `ingress: [{}]`, a NetworkPolicyIngressRule with no from and no ports ("If this field is
  // empty or missing, this rule matches all sources", "… all ports": NetworkPolicyIngressRule), which
  // ValidateNetworkPolicySpec accepts. A null peer is NetworkPolicyPeer{}: ValidateNetworkPolicyPeer
  // "must specify a peer". (Custom resources keep null items, which their schema refuses.)
  const np = (rules: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: np, namespace: flux-system }
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ${rules}
`;
  const db = openDb(dbPath);
  try {
    const allowAll = simulateFlows(db, { engine: 'kubernetes', policies: np('ingress: [null]'), flows: JSON.stringify([EDGE]) });
    const d = allowAll.decisions[0]!;
    assert.equal(d.verdict, 'allow');
    assert.deepEqual([d.ingress!.isolated, d.ingress!.allowed], [true, true]);
    assert.throws(
      () => simulateFlows(db, { engine: 'kubernetes', policies: np('ingress: [{ from: [null] }]'), flows: JSON.stringify([EDGE]) }),
      (e: { problems?: { path: string; message: string }[] }) => {
        assert.deepEqual(e.problems, [{ path: 'NetworkPolicy/flux-system/np/spec/ingress/0/from/0', message: 'must specify a peer' }]);
        return true;
      },
    );
  } finally {
    db.close();
  }
});

test('simulate reads a NetworkPolicy label written as null (`matchLabels: { app: }`) as the API server decodes it: the empty value, not absent — the peer selects pods labelled app="" only', () => {
  // sigs.k8s.io/json object(): a map element is decoded into a zero value and written back
  // (SetMapIndex), and literalStore leaves a string as it is for null, so `app: null` is stored as
  // `app: ""`. Dropping it would make the selector select every pod.
  const np = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: np, namespace: flux-system }
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app:
`;
  const db = openDb(dbPath);
  try {
    const d = simulateFlows(db, { engine: 'kubernetes', policies: np, flows: JSON.stringify([EDGE]) }).decisions[0]!;
    assert.equal(d.verdict, 'deny');
    assert.deepEqual([d.ingress!.isolated, d.ingress!.allowed], [true, false]);
  } finally {
    db.close();
  }
});
