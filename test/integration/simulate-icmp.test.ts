/**
 * `simulate` on ICMP echo: flow records (NetObserv `Proto` 1/58 with `IcmpType`, Hubble
 * `l4.ICMPv4`/`l4.ICMPv6`) and stored ICMP edges (port 0) are decided under each engine's own
 * ICMP rules, never left `unknown`. The connection is the echo request, client → server (an echo
 * reply record is the same exchange seen the other way: its reply is conntrack's).
 *
 * Sources of the expected verdicts:
 * - Cilium: pkg/policy/api/icmp.go (ICMPField: `family` defaults to IPv4, `type` a number or, in
 *   newer releases, a CamelCase name; PortProtocol: the type is matched as the ICMP "port", no code);
 *   pkg/policy/rule.go mergeIngress/mergeEgress: a rule with neither toPorts nor icmps is L3-only
 *   (`Port "0", Protocol ANY`: every protocol, ICMP too), toPorts with protocol ANY expand to TCP,
 *   UDP and SCTP only, icmps with no L3 peer select every peer; deny rules take the same path.
 * - Calico: projectcalico.org/v3 Rule: `protocol` ICMP (1) / ICMPv6 (58), `icmp` {type, code}
 *   and `notICMP`; a rule without protocol matches every protocol; libcalico-go
 *   conversion.go k8sPortToCalicoFields: a NetworkPolicy rule without ports gets no protocol.
 * - Kubernetes NetworkPolicy: "NetworkPolicy is defined for layer 4 connections (TCP, UDP, and
 *   optionally SCTP). For all the other protocols, the behaviour may vary across network plugins"
 *   (kubernetes.io Network Policies, "Network traffic filtering"); read as Calico and Cilium
 *   enforce it: a rule without ports matches ICMP, a rule with ports never does.
 * - network-policy-api: `protocols` (v1alpha2) / `ports` (v1alpha1): "If unspecified,
 *   protocol-specific attributes will not be used to match traffic" — with them, TCP/UDP/SCTP only.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { simulateFlows, type FlowDecision } from '../../app/simulate.ts';
import { convertInventoryText } from '../../collectors/inventory/index.ts';
import { openDb } from '../../store/db.ts';
import { applySnapshot } from '../../store/inventory.ts';
import { tmpDir } from '../helpers/tmp.ts';

const pod = (name: string, app: string, v4: string, v6: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels: { app } },
  spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'x', ports: app === 'db' ? [{ name: 'pg', containerPort: 5432, protocol: 'TCP' }] : [] }] },
  status: { phase: 'Running', podIP: v4, podIPs: [{ ip: v4 }, { ip: v6 }], hostIP: '10.0.1.10' },
});
const INVENTORY = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.10' }] } },
    pod('web', 'web', '10.244.0.10', 'fd00:10:244::10'),
    pod('db', 'db', '10.244.0.20', 'fd00:10:244::20'),
  ],
};

const T = Date.UTC(2026, 10, 20);
const netobserv = (o: Record<string, unknown>) => JSON.stringify({ Bytes: 84, Packets: 1, TimeFlowStartMs: T, TimeFlowEndMs: T, ...o });
/** web → db echo request (IPv4), its reply, an ICMPv6 echo request, and Hubble's ICMPv4 echo request. */
const ECHO = netobserv({ SrcAddr: '10.244.0.10', DstAddr: '10.244.0.20', Proto: 1, IcmpType: 8, IcmpCode: 0, Etype: 2048 });
const ECHO_REPLY = netobserv({ SrcAddr: '10.244.0.20', DstAddr: '10.244.0.10', Proto: 1, IcmpType: 0, IcmpCode: 0, Etype: 2048 });
const ECHO6 = netobserv({ SrcAddr: 'fd00:10:244::10', DstAddr: 'fd00:10:244::20', Proto: 58, IcmpType: 128, IcmpCode: 0, Etype: 34525 });
const HUBBLE = JSON.stringify({
  flow: {
    time: new Date(T).toISOString(),
    verdict: 'FORWARDED',
    IP: { source: '10.244.0.10', destination: '10.244.0.20', ipVersion: 'IPv4' },
    l4: { ICMPv4: { type: 8 } },
    Type: 'L3_L4',
    node_name: 'node-a',
  },
});
const WEB = { kind: 'workload', workload: { namespace: 'shop', kind: 'Pod', name: 'web' } };
const DB = { kind: 'workload', workload: { namespace: 'shop', kind: 'Pod', name: 'db' } };
const EDGES = JSON.stringify([{ clientPeer: WEB, serverPeer: DB, port: 0, protocol: 'ICMP' }]);

const dir = tmpDir('flowmatrix-icmp-');
const db = openDb(join(dir, 'a.db'));
const { snapshot, objects } = convertInventoryText(JSON.stringify(INVENTORY), T - 86_400_000);
applySnapshot(db, snapshot, { source: 'test', counts: objects });

/** The decision's `icmp` member as a JSON reader sees it. */
const icmpOf = (d: object): unknown => (d as { icmp?: unknown }).icmp;
const NONE = 'apiVersion: v1\nkind: List\nitems: []\n';
type Engine = 'kubernetes' | 'cilium' | 'calico' | 'clusternetworkpolicy';
const decide = (engine: Engine, policies: string, flows: string): FlowDecision[] => simulateFlows(db, { engine, policies, flows }).decisions;
const verdictsOf = (engine: Engine, policies: string, flows = `${ECHO}\n${ECHO6}\n`): string[] => decide(engine, policies, flows).map((d) => d.verdict);

const cnp = (name: string, app: string, body: string) => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: ${app}}}
${body}
---
`;

test('every ICMP input is an ICMP echo request web → db with its type and code in place of the port, under no policy allowed', () => {
  for (const flows of [ECHO, ECHO_REPLY, HUBBLE, EDGES]) {
    const [d] = decide('kubernetes', NONE, flows);
    assert.equal(d?.verdict, 'allow', `${flows}: ${JSON.stringify(d)}`);
    assert.equal(d!.client, 'workload:shop/Pod/web');
    assert.equal(d!.server, 'workload:shop/Pod/db');
    assert.equal(d!.protocol, 'ICMP');
    assert.deepEqual(icmpOf(d!), { type: 8, code: 0 });
    assert.equal(d!.port, undefined);
  }
  const [v6] = decide('calico', NONE, ECHO6);
  assert.deepEqual({ protocol: v6!.protocol, icmp: icmpOf(v6!) }, { protocol: 'ICMPv6', icmp: { type: 128, code: 0 } });
});

test('cilium: the tester case — icmps type 8 allows web egress; db ingress with toPorts only does not allow ICMP (rule.go: toPorts ANY/TCP never ICMP)', () => {
  const policies =
    cnp('web-icmp', 'web', '  egress:\n  - toEndpoints: [{matchLabels: {app: db}}]\n    icmps: [{fields: [{type: 8, family: IPv4}]}]') +
    cnp('db-in', 'db', '  ingress:\n  - fromEndpoints: [{matchLabels: {app: web}}]\n    toPorts: [{ports: [{port: "5432", protocol: TCP}]}]');
  const [d] = decide('cilium', policies, ECHO);
  assert.equal(d!.verdict, 'deny');
  assert.equal(d!.egress!.allowed, true);
  assert.deepEqual(d!.egress!.by, { policy: 'CiliumNetworkPolicy/shop/web-icmp', rule: '/spec/egress/0' });
  assert.equal(d!.ingress!.allowed, false);
  assert.match(d!.ingress!.reason, /ICMP type 8/);
});

test('cilium: an L3-only rule allows ICMP; icmps by number, by name, by family, type 0 as every type; ingressDeny with icmps wins', () => {
  const l3only = cnp('db-in', 'db', '  ingress:\n  - fromEndpoints: [{matchLabels: {app: web}}]');
  assert.deepEqual(verdictsOf('cilium', l3only), ['allow', 'allow']);
  const icmps = (fields: string) => cnp('db-in', 'db', `  ingress:\n  - fromEndpoints: [{matchLabels: {app: web}}]\n    icmps: [{fields: ${fields}}]`);
  assert.deepEqual(verdictsOf('cilium', icmps('[{type: 8}]')), ['allow', 'deny'], 'family defaults to IPv4');
  assert.deepEqual(verdictsOf('cilium', icmps('[{type: EchoRequest}]')), ['allow', 'deny'], 'newer Cilium: a CamelCase name');
  assert.deepEqual(verdictsOf('cilium', icmps('[{type: 128, family: IPv6}]')), ['deny', 'allow']);
  assert.deepEqual(verdictsOf('cilium', icmps('[{type: EchoRequest, family: IPv6}]')), ['deny', 'allow']);
  assert.deepEqual(verdictsOf('cilium', icmps('[{type: 13}]')), ['deny', 'deny'], 'another type is not the echo request');
  // Type 0 is port 0 to the policy code, every port: every ICMP type of the family (cilium#41304, until cilium#44338).
  assert.deepEqual(verdictsOf('cilium', icmps('[{type: 0}]')), ['allow', 'deny'], 'type 0: every IPv4 type');
  // icmps without any L3 peer: every peer (rule.go: an empty endpoint list is the wildcard).
  assert.deepEqual(verdictsOf('cilium', cnp('db-in', 'db', '  ingress:\n  - icmps: [{fields: [{type: 8}]}]')), ['allow', 'deny']);
  const deny = cnp('db-in', 'db', '  ingress:\n  - fromEndpoints: [{matchLabels: {app: web}}]\n  ingressDeny:\n  - fromEndpoints: [{matchLabels: {app: web}}]\n    icmps: [{fields: [{type: 8}]}]');
  const [d] = decide('cilium', deny, ECHO);
  assert.equal(d!.verdict, 'deny');
  assert.deepEqual(d!.ingress!.by, { policy: 'CiliumNetworkPolicy/shop/db-in', rule: '/spec/ingressDeny/0' });
});

test('calico: protocol ICMP with icmp type/code, notICMP, a rule without protocol, and ports (TCP) that never match ICMP', () => {
  const gnp = (rule: string) => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: db-in, namespace: shop}
spec:
  selector: app == 'db'
  types: [Ingress]
  ingress:
  - ${rule}
`;
  assert.deepEqual(verdictsOf('calico', gnp('{action: Allow, protocol: ICMP, icmp: {type: 8, code: 0}}')), ['allow', 'deny']);
  assert.deepEqual(verdictsOf('calico', gnp('{action: Allow, protocol: ICMPv6, icmp: {type: 128}}')), ['deny', 'allow']);
  assert.deepEqual(verdictsOf('calico', gnp('{action: Allow, protocol: ICMP, icmp: {type: 8, code: 3}}')), ['deny', 'deny'], 'another code');
  // `protocol: 1` beside `icmp` is refused by admission (releases before the CRD's CEL rules): test/unit/admission-calico.test.ts.
  assert.deepEqual(verdictsOf('calico', gnp('{action: Allow, protocol: ICMP, notICMP: {type: 8}}')), ['deny', 'deny'], 'every ICMP message but echo request');
  assert.deepEqual(verdictsOf('calico', gnp('{action: Allow, protocol: ICMP, notICMP: {type: 0}}')), ['allow', 'deny']);
  assert.deepEqual(verdictsOf('calico', gnp("{action: Allow, source: {selector: app == 'web'}}")), ['allow', 'allow'], 'no protocol: every protocol');
  assert.deepEqual(verdictsOf('calico', gnp('{action: Allow, protocol: TCP, destination: {ports: [5432]}}')), ['deny', 'deny']);
  assert.deepEqual(verdictsOf('calico', gnp('{action: Allow, notProtocol: ICMP}')), ['deny', 'allow']);
});

const np = (rule: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-in, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress: ${rule}
`;

test('kubernetes: a rule without ports matches ICMP (as Calico and Cilium enforce it, said in the verdict), a rule with ports never, an isolated pod is denied', () => {
  const [d] = decide('kubernetes', np('[{from: [{podSelector: {matchLabels: {app: web}}}]}]'), ECHO);
  assert.equal(d!.verdict, 'allow');
  assert.match(d!.ingress!.reason, /plugin/);
  assert.deepEqual(verdictsOf('kubernetes', np('[{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]')), ['deny', 'deny']);
  const [denied] = decide('kubernetes', np('[]'), ECHO);
  assert.equal(denied!.verdict, 'deny');
  assert.match(denied!.ingress!.reason, /plugin/);
  // Calico and Cilium read the NetworkPolicy alike.
  assert.deepEqual(verdictsOf('calico', np('[{from: [{podSelector: {matchLabels: {app: web}}}]}]')), ['allow', 'allow']);
  assert.deepEqual(verdictsOf('cilium', np('[{from: [{podSelector: {matchLabels: {app: web}}}]}]')), ['allow', 'allow']);
  assert.deepEqual(verdictsOf('calico', np('[{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]')), ['deny', 'deny']);
  assert.deepEqual(verdictsOf('cilium', np('[{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]')), ['deny', 'deny']);
});

test('clusternetworkpolicy: a rule without protocols matches ICMP, one with protocols never does', () => {
  const cnpol = (action: string, protocols: string) => `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: db-in}
spec:
  tier: Admin
  priority: 10
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}
  ingress:
  - action: ${action}
    from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}}]
${protocols}`;
  assert.deepEqual(verdictsOf('clusternetworkpolicy', cnpol('Deny', '')), ['deny', 'deny']);
  assert.deepEqual(verdictsOf('clusternetworkpolicy', cnpol('Deny', '    protocols: [{tcp: {destinationPort: {number: 5432}}}]\n')), ['allow', 'allow']);
  const both = `${cnpol('Accept', '    protocols: [{tcp: {destinationPort: {number: 5432}}}]\n')}  - action: Deny\n    from: [{pods: {namespaceSelector: {}, podSelector: {}}}]\n`;
  const [d] = decide('clusternetworkpolicy', both, ECHO);
  assert.equal(d!.verdict, 'deny');
  assert.deepEqual(d!.ingress!.by, { policy: 'ClusterNetworkPolicy/db-in', rule: '/spec/ingress/1' });
});
