/**
 * `simulate` on flow records between dual-stack pods: the connection is matched by the
 * addresses of the family it used. An IPv4 block never matches an IPv6 packet, nor an IPv6 block
 * an IPv4 one:
 * - Kubernetes NetworkPolicy: an ipBlock "selects particular IP CIDR ranges" (Network Policies
 *   page, "Behavior of to and from selectors"); a packet has one source address.
 * - Calico: `nets` "match packets with IP in any of the listed CIDRs"; `ipVersion: 6` "the rule
 *   only applies to IPv6 traffic" (projectcalico.org/v3 Rule reference); libcalico-go's
 *   validator refuses a rule mixing families for that reason.
 * - ClusterNetworkPolicy: `networks` "selects IP CIDR ranges" of the packet's peer.
 * Aggregated edges do not keep the family; flow records do (their addresses).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulateFlows } from '../../app/simulate.ts';
import { convertInventoryText } from '../../collectors/inventory/index.ts';
import { openDb } from '../../store/db.ts';
import { applySnapshot } from '../../store/inventory.ts';
import { tmpDir } from '../helpers/tmp.ts';
import { join } from 'node:path';

const pod = (name: string, app: string, v4: string, v6: string, ports: { name: string; containerPort: number }[] = []) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'app', labels: { app } },
  spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'x', ports: ports.map((p) => ({ ...p, protocol: 'TCP' })) }] },
  status: { phase: 'Running', podIP: v4, podIPs: [{ ip: v4 }, { ip: v6 }], hostIP: '10.0.1.10' },
});
const INVENTORY = {
  apiVersion: 'v1',
  kind: 'List',
  items: [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.10' }, { type: 'InternalIP', address: 'fd00:1::10' }] } },
    pod('web', 'web', '10.244.0.10', 'fd00:10:244::10', [{ name: 'http', containerPort: 8080 }]),
    pod('client', 'client', '10.244.0.11', 'fd00:10:244::11'),
  ],
};

const record = (src: string, dst: string) =>
  JSON.stringify({ SrcAddr: src, DstAddr: dst, SrcPort: 40000, DstPort: 8080, Proto: 6, Flags: 2, Bytes: 100, Packets: 1, TimeFlowStartMs: Date.UTC(2026, 10, 20), TimeFlowEndMs: Date.UTC(2026, 10, 20) });
const V6 = record('fd00:10:244::11', 'fd00:10:244::10');
const V4 = record('10.244.0.11', '10.244.0.10');
const FLOWS = `${V6}\n${V4}\n`;

const dir = tmpDir('flowmatrix-dual-stack-');
const db = openDb(join(dir, 'a.db'));
const { snapshot, objects } = convertInventoryText(JSON.stringify(INVENTORY), Date.UTC(2026, 10, 19));
applySnapshot(db, snapshot, { source: 'test', counts: objects });

const verdicts = (engine: 'calico' | 'clusternetworkpolicy', policies: string): string[] => simulateFlows(db, { engine, policies, flows: FLOWS }).decisions.map((d) => d.verdict);

test('Calico: an IPv4 nets rule does not allow the IPv6 connection of dual-stack pods; an ipVersion 6 rule allows it and not the IPv4 one', () => {
  const v4 = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: v4-only, namespace: app }
spec:
  selector: app == 'web'
  types: [Ingress]
  ingress:
    - { action: Allow, protocol: TCP, source: { nets: [10.244.0.0/16] } }
`;
  assert.deepEqual(verdicts('calico', v4), ['deny', 'allow'], '[IPv6 flow, IPv4 flow]');
  const v6 = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: v6-only, namespace: app }
spec:
  selector: app == 'web'
  types: [Ingress]
  ingress:
    - { action: Allow, protocol: TCP, ipVersion: 6, source: { nets: ['fd00:10:244::/64'] } }
`;
  assert.deepEqual(verdicts('calico', v6), ['allow', 'deny'], '[IPv6 flow, IPv4 flow]');
});

test('ClusterNetworkPolicy: a networks peer of one family matches the connection of that family only (an egress peer: ingress peers have no networks, network-policy-api CRD)', () => {
  const cnp = (cidr: string) => `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: deny-from-net }
spec:
  tier: Admin
  priority: 10
  subject: { namespaces: {} }
  egress:
    - { name: deny, action: Deny, to: [{ networks: ['${cidr}'] }] }
`;
  assert.deepEqual(verdicts('clusternetworkpolicy', cnp('10.244.0.0/16')), ['allow', 'deny'], '[IPv6 flow, IPv4 flow]');
  assert.deepEqual(verdicts('clusternetworkpolicy', cnp('fd00:10:244::/64')), ['deny', 'allow'], '[IPv6 flow, IPv4 flow]');
});

test('a dual-stack node is reached at its address of the flow\'s family (Calico nets on the node\'s IPv6 address)', () => {
  const flows = `${JSON.stringify({ SrcAddr: 'fd00:10:244::11', DstAddr: 'fd00:1::10', SrcPort: 40000, DstPort: 10250, Proto: 6, Flags: 2, Bytes: 1, Packets: 1, TimeFlowStartMs: Date.UTC(2026, 10, 20), TimeFlowEndMs: Date.UTC(2026, 10, 20) })}\n`;
  const policies = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: to-node-v6, namespace: app }
spec:
  selector: app == 'client'
  types: [Egress]
  egress:
    - { action: Allow, protocol: TCP, destination: { nets: ['fd00:1::10/128'] } }
`;
  assert.deepEqual(simulateFlows(db, { engine: 'calico', policies, flows }).decisions.map((d) => d.verdict), ['allow']);
});

test('Calico source ports: matched against the record\'s client port (projectcalico.org/v3 EntityRule "ports": "positive match on the specified ports"); an edge keeps no client port, and then a Deny on source ports matches (fail closed) and an Allow does not', () => {
  // The client's port is 40000 in every record here.
  const policy = (rules: string) => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: by-source-port, namespace: app }
spec:
  selector: app == 'web'
  types: [Ingress]
  ingress:
${rules}`;
  const denyEphemeral = policy(`    - { action: Deny, protocol: TCP, source: { ports: ['32768:60999'] } }
    - { action: Allow }
`);
  assert.deepEqual(verdicts('calico', denyEphemeral), ['deny', 'deny'], 'the Deny rule matches the client port 40000');
  const allowHigh = policy(`    - { action: Allow, protocol: TCP, source: { ports: ['1024:65535'] } }
`);
  assert.deepEqual(verdicts('calico', allowHigh), ['allow', 'allow']);
  const allowNotHigh = policy(`    - { action: Allow, protocol: TCP, source: { notPorts: ['1024:65535'] } }
`);
  assert.deepEqual(verdicts('calico', allowNotHigh), ['deny', 'deny']);
  // The same connection as an edge (edges -o json): no client port.
  const edge = JSON.stringify([{ clientPeer: { kind: 'workload', workload: { namespace: 'app', kind: 'Pod', name: 'client' } }, serverPeer: { kind: 'workload', workload: { namespace: 'app', kind: 'Pod', name: 'web' } }, port: 8080, protocol: 'TCP' }]);
  const onEdge = (policies: string) => simulateFlows(db, { engine: 'calico', policies, flows: edge }).decisions.map((d) => d.verdict);
  assert.deepEqual(onEdge(denyEphemeral), ['deny']);
  assert.deepEqual(onEdge(allowHigh), ['deny']);
});

test('Calico ServiceAccount selectors over labels other than the name are named in a warning, as are endpoint selectors over the inherited pcsa.<key> ones: the inventory holds no ServiceAccount labels (libcalico-go ServiceAccountToProfile puts them on the ksa profile felix matches; constants.go ServiceAccountLabelPrefix "pcsa.")', () => {
  const policies = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: by-sa, namespace: app }
spec:
  serviceAccountSelector: role == 'frontend'
  types: [Ingress]
  ingress:
    - action: Allow
      source: { serviceAccounts: { selector: "projectcalico.org/name == 'client-sa'" } }
    - action: Allow
      source: { serviceAccounts: { selector: "has(tier)" } }
    - action: Allow
      source: { selector: "pcsa.projectcalico.org/name == 'client-sa' || pcsa.team == 'a'", notSelector: "pcns.team == 'b'" }
`;
  const r = simulateFlows(db, { engine: 'calico', policies, flows: FLOWS });
  assert.deepEqual(r.warnings, [
    "NetworkPolicy.projectcalico.org/app/by-sa/spec/serviceAccountSelector: selects ServiceAccounts by label (role); the inventory holds no ServiceAccount labels, so the simulation decides as if they were absent (only projectcalico.org/name, the ServiceAccount's name, is known)",
    "NetworkPolicy.projectcalico.org/app/by-sa/spec/ingress/1/source/serviceAccounts/selector: selects ServiceAccounts by label (tier); the inventory holds no ServiceAccount labels, so the simulation decides as if they were absent (only projectcalico.org/name, the ServiceAccount's name, is known)",
    "NetworkPolicy.projectcalico.org/app/by-sa/spec/ingress/2/source/selector: selects ServiceAccounts by label (pcsa.team); the inventory holds no ServiceAccount labels, so the simulation decides as if they were absent (only pcsa.projectcalico.org/name, the ServiceAccount's name, is known)",
  ]);
});

// felix/rules/policy.go CalculateRuleMatch renders no HTTP field: felix enforces an http rule's
// L3/L4 part alone; Dikastes the HTTP part, where application layer policy is on (ingress only).
test('a Calico rule with an http match is decided by its L3/L4 part as felix enforces it, with a warning naming the rule: its HTTP part is not judged', () => {
  const policies = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: get-only, namespace: app }
spec:
  selector: app == 'web'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      http: { methods: [GET] }
`;
  const r = simulateFlows(db, { engine: 'calico', policies, flows: FLOWS });
  assert.deepEqual(r.decisions.map((d) => d.verdict), ['allow', 'allow']);
  assert.deepEqual(r.warnings, [
    "NetworkPolicy.projectcalico.org/app/get-only/spec/ingress/0/http: the HTTP match (methods, paths) is not judged: felix enforces the rule's L3/L4 part alone, as judged here; where application layer policy is on, Dikastes also refuses the HTTP requests it does not match (ingress only), which no flow shows",
  ]);
});

// Calico's validator does not require protocol ICMP with notICMP (validateRule); felix writes it
// as an iptables icmp match (protocol ICMP only, ip_tables.c) or an nftables "icmp type !="
// (ICMP packets alone): what such a rule does to TCP is not one thing, and is said.
test('a Calico rule with notICMP and no ICMP protocol: TCP judged as if notICMP were absent, with a warning naming the rule', () => {
  const policies = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: not-ping, namespace: app }
spec:
  selector: app == 'web'
  types: [Ingress]
  ingress:
    - action: Allow
      notICMP: { type: 8 }
`;
  const r = simulateFlows(db, { engine: 'calico', policies, flows: FLOWS });
  assert.deepEqual(r.decisions.map((d) => d.verdict), ['allow', 'allow']);
  assert.deepEqual(r.warnings, [
    'NetworkPolicy.projectcalico.org/app/not-ping/spec/ingress/0/notICMP: without protocol ICMP or ICMPv6 on the rule, what it does to traffic that is not ICMP is not judged (it is judged as if notICMP were absent): felix writes notICMP as an iptables icmp match, which the kernel takes with protocol ICMP only, or as an nftables "icmp type !=", which matches ICMP packets alone',
  ]);
});

// An edge keeps no family, but a connection between an IPv4-only pod and a dual-stack end can only
// be IPv4: an IPv6 block never matches it (Network Policies page, ipBlock; Calico `nets`;
// ClusterNetworkPolicy `networks`; Cilium CIDR selectors, which hold addresses of one family). The
// kubernetes, clusternetworkpolicy and cilium (policy-cidr-match-mode: nodes) simulators matched
// the dual-stack end's IPv6 address and allowed it.
test('an edge between an IPv4-only pod and a dual-stack host-network pod is the IPv4 connection: an IPv6 ipBlock/networks/CIDR does not allow it on any engine', () => {
  const inventory = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: { 'policy-cidr-match-mode': 'nodes' } },
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } },
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.2' }, { type: 'InternalIP', address: 'fd00::2' }] } },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'agent', namespace: 'a', labels: { app: 'agent' } },
        spec: { nodeName: 'n2', hostNetwork: true, containers: [{ name: 'c', image: 'x' }] },
        status: { phase: 'Running', podIP: '10.0.0.2', podIPs: [{ ip: '10.0.0.2' }, { ip: 'fd00::2' }], hostIP: '10.0.0.2' },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', namespace: 'b', labels: { app: 'web' } },
        spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
        status: { phase: 'Running', podIP: '10.1.0.3', podIPs: [{ ip: '10.1.0.3' }], hostIP: '10.0.0.1' },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web6', namespace: 'b', labels: { app: 'web6' } },
        spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
        status: { phase: 'Running', podIP: 'fd01::3', podIPs: [{ ip: 'fd01::3' }], hostIP: '10.0.0.1' },
      },
    ],
  };
  const ds = openDb(join(dir, 'family.db'));
  const converted = convertInventoryText(JSON.stringify(inventory), Date.UTC(2026, 10, 19));
  applySnapshot(ds, converted.snapshot, { source: 'test', counts: converted.objects });
  const edge = JSON.stringify([{ clientPeer: { kind: 'workload', workload: { namespace: 'a', kind: 'Pod', name: 'agent' } }, serverPeer: { kind: 'workload', workload: { namespace: 'b', kind: 'Pod', name: 'web' } }, port: 80, protocol: 'TCP' }]);
  const on = (engine: 'kubernetes' | 'calico' | 'clusternetworkpolicy' | 'cilium', policies: string) => simulateFlows(ds, { engine, policies, flows: edge }).decisions.map((d) => d.verdict);
  const np = (cidr: string) => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-nodes, namespace: b }
spec:
  podSelector: {}
  ingress: [{ from: [{ ipBlock: { cidr: '${cidr}' } }] }]
`;
  for (const engine of ['kubernetes', 'calico', 'clusternetworkpolicy', 'cilium'] as const) {
    assert.deepEqual(on(engine, np('fd00::/64')), ['deny'], `${engine}: IPv6 block`);
    assert.deepEqual(on(engine, np('10.0.0.0/24')), ['allow'], `${engine}: IPv4 block`);
  }
  const cnp = (cidr: string) => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: from-nodes, namespace: b }
spec:
  endpointSelector: {}
  ingress: [{ fromCIDR: ['${cidr}'] }]
`;
  assert.deepEqual(on('cilium', cnp('fd00::/64')), ['deny'], 'cilium CNP: IPv6 CIDR');
  assert.deepEqual(on('cilium', cnp('10.0.0.0/24')), ['allow'], 'cilium CNP: IPv4 CIDR');
  // To an IPv6-only pod the connection is IPv6: the IPv4 block (the agent's first address) does not allow it.
  const toWeb6 = JSON.stringify([{ clientPeer: { kind: 'workload', workload: { namespace: 'a', kind: 'Pod', name: 'agent' } }, serverPeer: { kind: 'workload', workload: { namespace: 'b', kind: 'Pod', name: 'web6' } }, port: 80, protocol: 'TCP' }]);
  for (const engine of ['kubernetes', 'calico', 'clusternetworkpolicy', 'cilium'] as const) {
    const v = (policies: string) => simulateFlows(ds, { engine, policies, flows: toWeb6 }).decisions.map((d) => d.verdict);
    assert.deepEqual(v(np('10.0.0.0/24')), ['deny'], `${engine}: IPv4 block, IPv6 connection`);
    assert.deepEqual(v(np('fd00::/64')), ['allow'], `${engine}: IPv6 block, IPv6 connection`);
  }
  assert.deepEqual(simulateFlows(ds, { engine: 'cilium', policies: cnp('10.0.0.0/24'), flows: toWeb6 }).decisions.map((d) => d.verdict), ['deny'], 'cilium CNP: IPv4 CIDR, IPv6 connection');
  ds.close();
});

// An edges JSON peer written in another spelling of the same host: ingest stores one spelling per
// host (domain/ip.ts storedAddress; docs/ingest.md), and `::ffff:203.0.113.5` is the IPv4 host
// 203.0.113.5 (RFC 4291 §2.5.5.2: on the wire an IPv4 packet). The calico simulator read it as
// an IPv6 end, which an IPv4 `nets` never matches, while the three others unmapped it.
test('edges input: an outside peer written IPv4-mapped or in upper case is the host it names, on every engine (an IPv4 rule allows ::ffff:203.0.113.5)', () => {
  const edges = JSON.stringify(['203.0.113.5', '::ffff:203.0.113.5', '2001:db8::7', '2001:DB8:0::7'].map((ip) => ({ client: 'workload:app/Pod/client', server: `external:${ip}`, port: 443, protocol: 'TCP' })));
  const policies: Record<'kubernetes' | 'calico' | 'clusternetworkpolicy' | 'cilium', string> = {
    kubernetes: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: out, namespace: app }
spec:
  podSelector: { matchLabels: { app: client } }
  policyTypes: [Egress]
  egress: [{ to: [{ ipBlock: { cidr: 203.0.113.5/32 } }, { ipBlock: { cidr: '2001:db8::7/128' } }], ports: [{ port: 443, protocol: TCP }] }]
`,
    calico: `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: out, namespace: app }
spec:
  selector: app == 'client'
  types: [Egress]
  egress:
    - { action: Allow, protocol: TCP, destination: { nets: [203.0.113.5/32], ports: [443] } }
    - { action: Allow, protocol: TCP, destination: { nets: ['2001:db8::7/128'], ports: [443] } }
`,
    clusternetworkpolicy: `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: out }
spec:
  tier: Admin
  priority: 10
  subject: { namespaces: {} }
  egress:
    - { name: out, action: Accept, to: [{ networks: [203.0.113.5/32, '2001:db8::7/128'] }], protocols: [{ tcp: { destinationPort: { number: 443 } } }] }
    - { name: rest, action: Deny, to: [{ networks: [0.0.0.0/0, '::/0'] }] }
`,
    cilium: `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: out, namespace: app }
spec:
  endpointSelector: { matchLabels: { app: client } }
  egress: [{ toCIDR: [203.0.113.5/32, '2001:db8::7/128'], toPorts: [{ ports: [{ port: '443', protocol: TCP }] }] }]
`,
  };
  for (const [engine, text] of Object.entries(policies) as [keyof typeof policies, string][]) {
    assert.deepEqual(simulateFlows(db, { engine, policies: text, flows: edges }).decisions.map((d) => d.verdict), ['allow', 'allow', 'allow', 'allow'], engine);
  }
});
