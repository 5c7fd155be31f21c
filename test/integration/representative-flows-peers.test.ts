/**
 * The representative flows that verify a `must` rule whose peer names no workload
 * (recommender/synthesize/representative-flows.ts; docs/recommend.md, "Verification"), on a
 * two-node cluster (client on n1, server on n2, the apiserver at n1's 10.0.0.1:6443):
 *
 * 1. Ingress from the apiserver (a webhook): the apiserver connects to the pod's own port, so the
 *    rule's ports are required, each on its own; the endpoint port (6443, after DNAT) is what
 *    egress to the apiserver shows, never ingress from it. Seen on 9443 only, a rule on 9443 and
 *    10443 passed mode observed while 10443 was cut; with its only edge gone, the demo's NetObserv
 *    webhook required `apiserver → controller-manager:6443`, which nothing listens on, and failed
 *    mode union. ClusterNetworkPolicy ingress peers are pods and namespaces only
 *    (kubernetes-sigs/network-policy-api apis/v1alpha2 ClusterNetworkPolicyIngressPeer): its
 *    isolation never denies the apiserver, so it passes there.
 * 2. A CIDR's outside part is shown only by an edge to an address outside the cluster's own:
 *    client → node n2:10250 is inside 0.0.0.0/0 but proves nothing of client → 203.0.113.7:10250.
 * 3. The address that stands for a block is a host address outside its `except`, the cluster's
 *    own and the Service ClusterIPs (translated before policy: docs/recommend.md "Folded blocks"):
 *    never 0.0.0.0, a network or broadcast address, or 10.96.0.1 of default/kubernetes.
 * 4. A matrix's `*.example.com` is every name under example.com, at any depth (as
 *    ClusterNetworkPolicy's DomainName and Calico's domains read it, and the comparison does):
 *    Cilium renders it `**.example.com` (cilium/cilium#43420, Cilium 1.19: `*.` is one label
 *    only, pkg/policy/api/fqdn.go), so a flow to a.b.example.com it confirms passes mode union.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDemo } from '../../demo/load.ts';
import { ENGINE_NAMES } from '../../recommender/engines/types.ts';
import { runCli, runCliJson } from '../helpers/cli.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const dir = tmpDir();

/** The inventory (IPv4): namespaces, nodes n1 and n2, Deployments client (n1) and server (n2, ports 8080 and 9443), default/kubernetes at 10.0.0.1:6443. */
function inventory(apiservers: readonly string[] = ['10.0.0.1']): object {
  const items: object[] = [];
  for (const n of ['default', 'app', 'kube-system']) items.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n, uid: `ns-${n}`, labels: { 'kubernetes.io/metadata.name': n } } });
  for (const [name, ip, podCIDR] of [['n1', '10.0.0.1', '10.244.0.0/24'], ['n2', '10.0.0.2', '10.244.1.0/24']] as const) {
    items.push({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `node-${name}`, labels: { 'kubernetes.io/hostname': name } }, spec: { podCIDR, podCIDRs: [podCIDR] }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });
  }
  const deploy = (name: string, node: string, hostIP: string, ip: string, ports: number[]): void => {
    const labels = { app: name };
    const containers = [{ name, image: 'x', ports: ports.map((p) => ({ containerPort: p, protocol: 'TCP' })) }];
    items.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'app', uid: `d-${name}` }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers } } } });
    items.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `${name}-abc`, namespace: 'app', uid: `rs-${name}`, labels: { ...labels, 'pod-template-hash': 'abc' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `d-${name}`, controller: true }] },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers } } },
    });
    items.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `${name}-abc-x1`, namespace: 'app', uid: `p-${name}`, labels: { ...labels, 'pod-template-hash': 'abc' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-abc`, uid: `rs-${name}`, controller: true }] },
      spec: { nodeName: node, containers },
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP },
    });
  };
  deploy('client', 'n1', '10.0.0.1', '10.244.0.5', []);
  deploy('server', 'n2', '10.0.0.2', '10.244.1.5', [8080, 9443]);
  items.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default', uid: 'svc-k' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ipFamilies: ['IPv4'], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] } });
  items.push({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', uid: 'eps-k4', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: apiservers.map((a) => ({ addresses: [a], conditions: { ready: true } })),
    ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
  });
  return { apiVersion: 'v1', kind: 'List', items };
}

/** NetObserv records of a handshake seen from `src` to `dst`:`port`. */
function netobserv(src: string, dst: string, port: number): string {
  const lines: string[] = [];
  for (let i = 0; i < 3; i++) {
    const t = Date.parse('2026-11-20T00:00:00Z') + i * 60000;
    lines.push(JSON.stringify({ AgentIP: '10.0.0.1', Bytes: 1000, Etype: 2048, Flags: ['SYN', 'ACK'], FlowDirection: 1, SrcAddr: src, DstAddr: dst, SrcPort: 40000 + i, DstPort: port, Proto: 6, Packets: 10, TimeFlowStartMs: t, TimeFlowEndMs: t + 1000, TimeReceived: Math.floor(t / 1000) + 2 }));
  }
  return `${lines.join('\n')}\n`;
}

/** Hubble records of client → `dst`:`port` with the DNS name the proxy saw for it. */
function hubbleWithName(dst: string, name: string, port: number): string {
  const lines: string[] = [];
  for (let i = 0; i < 2; i++) {
    const time = new Date(Date.parse('2026-11-20T00:00:00Z') + i * 60000).toISOString();
    lines.push(
      JSON.stringify({
        flow: {
          time,
          verdict: 'FORWARDED',
          IP: { source: '10.244.0.5', destination: dst, ipVersion: 'IPv4' },
          l4: { TCP: { source_port: 41000 + i, destination_port: port, flags: { SYN: true, ACK: true } } },
          source: { namespace: 'app', labels: ['k8s:app=client'], pod_name: 'client-abc-x1', workloads: [{ name: 'client', kind: 'Deployment' }] },
          destination: { labels: ['reserved:world'] },
          destination_names: [name],
          Type: 'L3_L4',
          traffic_direction: 'EGRESS',
          is_reply: false,
        },
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

const MATRIX_HEAD = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: t, title: t }
documents:
  doc: { title: doc, file: none.txt }
components:
`;

/** A database holding the inventory, the matrix (components after MATRIX_HEAD) and the flows (file name → [format, text]). */
async function cluster(name: string, components: string, flows: Record<string, ['netobserv' | 'hubble', string]>, apiservers?: readonly string[]): Promise<string> {
  const { path } = tmpDb();
  const inv = join(dir, `${name}-inv.json`);
  writeFileSync(inv, JSON.stringify(inventory(apiservers)));
  const imported = await runCli(['inventory', 'import', inv, '--taken-at', '2026-11-19T00:00:00Z', '--db', path]);
  assert.equal(imported.code, 0, imported.err);
  const matrix = join(dir, `${name}.yaml`);
  writeFileSync(matrix, MATRIX_HEAD + components);
  const applied = await runCli(['matrix', 'apply', matrix, '--db', path]);
  assert.equal(applied.code, 0, applied.err);
  for (const [file, [format, text]] of Object.entries(flows)) {
    const f = join(dir, `${name}-${file}`);
    writeFileSync(f, text);
    const ingested = await runCli(['ingest', '--format', format, f, '--db', path]);
    assert.equal(ingested.code, 0, ingested.err);
  }
  return path;
}

const CLIENT_TO_SERVER: Record<string, ['netobserv', string]> = { 'c-s.ndjson': ['netobserv', netobserv('10.244.0.5', '10.244.1.5', 8080)] };

const exportRun = (path: string, engine: string, mode: string, namespace = 'app') => runCli(['export', '--db', path, '--engine', engine, '--mode', mode, '--namespace', namespace]);

test('ingress from the apiserver requires each of the rule ports, not the endpoint port: seen on 9443 only, 10443 is cut in mode observed (not on ClusterNetworkPolicy, whose ingress isolation denies pods only)', async () => {
  const path = await cluster(
    'm1b',
    `  server:
    namespace: app
    selector: { matchLabels: { app: server } }
    ingress:
      - { id: webhook, peer: apiserver, ports: [{ port: 9443 }, { port: 10443 }], level: must, purpose: admission webhook, source: { document: doc, line: 1 } }
      - { id: api, peer: { component: client }, ports: [{ port: 8080 }], level: must, purpose: api, source: { document: doc, line: 2 } }
  client:
    namespace: app
    selector: { matchLabels: { app: client } }
    egress:
      - { id: srv, peer: { component: server }, ports: [{ port: 8080 }], level: must, purpose: api, source: { document: doc, line: 3 } }
`,
    { ...CLIENT_TO_SERVER, 'api-9443.ndjson': ['netobserv', netobserv('10.0.0.1', '10.244.1.5', 9443)] },
  );
  for (const engine of ENGINE_NAMES) {
    const observed = await exportRun(path, engine, 'observed');
    assert.ok(!observed.err.includes('6443/TCP stands for it'), `${engine}: ${observed.err}`);
    if (engine === 'clusternetworkpolicy') {
      assert.equal(observed.code, 0, `${engine}: ${observed.err}`);
      continue;
    }
    assert.equal(observed.code, 2, `${engine}: ${observed.err}`);
    assert.match(observed.err, /t\/server\/ingress\/webhook \(must\) requires ingress from the apiserver, not observed yet \(10\.0\.0\.1 on 10443\/TCP stands for it\)/, engine);
    assert.ok(!observed.err.includes('on 9443/TCP stands for it'), `${engine}: 9443 was observed: ${observed.err}`);
    const union = await exportRun(path, engine, 'union');
    assert.equal(union.code, 0, `${engine}: ${union.err}`);
  }
});

/**
 * The webhook seen only from the apiserver on the server pod's own node (10.0.0.2, n2) is stored as
 * `kubelet:n2 → server:9443`: traffic with the pod's own node is always let in (Kubernetes,
 * "Network Policies": an isolated pod accepts "those from the pod's node") and is never a rule, so
 * it shows nothing of the apiserver on n1, whose call the rendered policy must admit.
 */
test('ingress from the apiserver seen only from the server pod\'s own node does not show the rule: the HA apiserver on the other node stays required', async () => {
  const path = await cluster(
    'h2s',
    `  server:
    namespace: app
    selector: { matchLabels: { app: server } }
    ingress:
      - { id: webhook, peer: apiserver, ports: [{ port: 9443 }], level: must, purpose: admission webhook, source: { document: doc, line: 1 } }
`,
    { ...CLIENT_TO_SERVER, 'api2-9443.ndjson': ['netobserv', netobserv('10.0.0.2', '10.244.1.5', 9443)] },
    ['10.0.0.1', '10.0.0.2'],
  );
  for (const engine of ['kubernetes', 'cilium', 'calico']) {
    const observed = await exportRun(path, engine, 'observed');
    assert.equal(observed.code, 2, `${engine}: ${observed.err}`);
    assert.match(observed.err, /t\/server\/ingress\/webhook \(must\) requires ingress from the apiserver, not observed yet \(10\.0\.0\.1 on 9443\/TCP stands for it\)/, engine);
  }
});

test('the demo: with the apiserver → netobserv-controller-manager:9443 edge deleted, the webhook requires 9443 (mode union passes), never 6443', async () => {
  const { db, path } = tmpDb();
  await loadDemo(db);
  const edges = await runCliJson<{ id: number; client: string; server: string; port: number }[]>(['edges', '--namespace', 'netobserv', '--output', 'json', '--db', path]);
  const webhook = edges.find((e) => e.server === 'workload:netobserv/Deployment/netobserv-controller-manager' && e.port === 9443);
  assert.ok(webhook, JSON.stringify(edges.map((e) => `${e.client}|${e.server}|${e.port}`)));
  const deleted = await runCli(['edges', 'delete', '--id', String(webhook.id), '--db', path]);
  assert.equal(deleted.code, 0, deleted.err);
  const union = await exportRun(path, 'kubernetes', 'union', 'netobserv');
  assert.equal(union.code, 0, union.err);
  const observed = await exportRun(path, 'kubernetes', 'observed', 'netobserv');
  assert.equal(observed.code, 2, observed.err);
  assert.match(observed.err, /netobserv\/operator\/ingress\/apiserver-9443 \(must\) requires ingress from the apiserver, not observed yet \(10\.0\.0\.10 on 9443\/TCP stands for it\)/);
  assert.ok(!observed.err.includes('6443/TCP stands for it'), observed.err);
});

test('an edge to a node inside a CIDR does not show its outside part (nor an edge outside its pods): 0.0.0.0/0 on 10250 seen only to node n2 is still required, at an outside address, on every engine', async () => {
  const components = `  client:
    namespace: app
    selector: { matchLabels: { app: client } }
    egress:
      - { id: anywhere-10250, peer: { cidrs: [0.0.0.0/0] }, ports: [{ port: 10250 }], level: must, purpose: metrics from any host, source: { document: doc, line: 1 } }
`;
  const toNode = await cluster('m2', components, { ...CLIENT_TO_SERVER, 'c-n2.ndjson': ['netobserv', netobserv('10.244.0.5', '10.0.0.2', 10250)] });
  const toOutside = await cluster('m2-out', components, { ...CLIENT_TO_SERVER, 'c-out.ndjson': ['netobserv', netobserv('10.244.0.5', '203.0.113.7', 10250)] });
  for (const engine of ENGINE_NAMES) {
    const observed = await exportRun(toNode, engine, 'observed');
    assert.equal(observed.code, 2, `${engine}: ${observed.err}`);
    assert.match(observed.err, /t\/client\/egress\/anywhere-10250 \(must\) requires egress to 0\.0\.0\.0\/0, not observed yet \(198\.51\.100\.1 on 10250\/TCP stands for it\)/, engine);
    // Seen going outside the cluster on its port: the outside part is observed; the pods and nodes the block holds are not.
    const seen = await exportRun(toOutside, engine, 'observed');
    assert.ok(!seen.err.includes('anywhere-10250 (must) requires egress to 0.0.0.0/0,'), `${engine}: ${seen.err}`);
    assert.match(seen.err, /anywhere-10250 \(must\) requires egress to a pod in 0\.0\.0\.0\/0, not observed yet \(app\/server on 10250\/TCP stands for it\)/, engine);
    // The edge to node n2 shows the nodes' part.
    assert.ok(!observed.err.includes('requires egress to a node in 0.0.0.0/0'), `${engine}: ${observed.err}`);
  }
});

test('a block is stood for by a host address outside its except, the cluster own addresses and the Service ClusterIPs: never a network, broadcast or unspecified address, never 10.96.0.1', async () => {
  const path = await cluster(
    'm3',
    `  client:
    namespace: app
    selector: { matchLabels: { app: client } }
    egress:
      - { id: any4, peer: { cidrs: [0.0.0.0/0] }, ports: [{ port: 10250 }], level: must, purpose: any v4, source: { document: doc, line: 1 } }
      - { id: priv, peer: { cidrs: [10.0.0.0/8], except: [10.0.0.0/16] }, ports: [{ port: 10252 }], level: must, purpose: private, source: { document: doc, line: 3 } }
      - { id: bcast, peer: { cidrs: [192.0.2.0/24], except: [192.0.2.0/25, 192.0.2.128/26, 192.0.2.192/27, 192.0.2.224/28, 192.0.2.240/29, 192.0.2.248/30, 192.0.2.252/31] }, ports: [{ port: 10253 }], level: must, purpose: last two, source: { document: doc, line: 4 } }
      - { id: svc, peer: { cidrs: [10.96.0.0/12] }, ports: [{ port: 10254 }], level: must, purpose: service range, source: { document: doc, line: 5 } }
      - { id: svcip, peer: { cidrs: [10.96.0.0/28] }, ports: [{ port: 443 }], level: must, purpose: the API through its Service address, source: { document: doc, line: 6 } }
`,
    CLIENT_TO_SERVER,
  );
  const expected: [string, string, string][] = [
    // The tightness probes' world address, a documentation address (TEST-NET-2) no real peer holds.
    ['any4', '0.0.0.0/0', '198.51.100.1 on 10250'],
    // 10.1.0.0 is the network address of what the except leaves (10.1.0.0/16 first).
    ['priv', '10.0.0.0/8', '10.1.0.1 on 10252'],
    // 192.0.2.254/31 is left, two addresses: 192.0.2.255 is the block's broadcast address.
    ['bcast', '192.0.2.0/24', '192.0.2.254 on 10253'],
    // 10.96.0.0 the network address, 10.96.0.1 the kubernetes ClusterIP (translated to 10.0.0.1:6443 before policy).
    ['svc', '10.96.0.0/12', '10.96.0.2 on 10254'],
    ['svcip', '10.96.0.0/28', '10.96.0.2 on 443'],
  ];
  for (const engine of ENGINE_NAMES) {
    const observed = await exportRun(path, engine, 'observed');
    assert.equal(observed.code, 2, `${engine}: ${observed.err}`);
    for (const [id, block, stands] of expected) {
      assert.ok(observed.err.includes(`t/client/egress/${id} (must) requires egress to ${block}, not observed yet (${stands}/TCP stands for it)`), `${engine} ${id}: ${observed.err}`);
    }
    const union = await exportRun(path, engine, 'union');
    assert.equal(union.code, 0, `${engine}: ${union.err}`);
  }
});

/**
 * A block with no address a host is given (loopback, multicast) cannot be stood for, nor can one
 * wholly the cluster's own (a pod CIDR): the verification cannot tell, and its warning says which
 * reason holds — not "every host address is in its except" of a block without one.
 */
test('a block no host address stands for: the warning gives its own reason, special-use or the cluster own', async () => {
  const path = await cluster(
    'special',
    `  client:
    namespace: app
    selector: { matchLabels: { app: client } }
    egress:
      - { id: loop, peer: { cidrs: [127.0.0.0/8, 224.0.0.0/4] }, ports: [{ port: 443 }], level: must, purpose: special, source: { document: doc, line: 1 } }
      - { id: pods, peer: { cidrs: [10.244.0.0/24] }, ports: [{ port: 443 }], level: must, purpose: a pod range, source: { document: doc, line: 2 } }
`,
    CLIENT_TO_SERVER,
  );
  const out = await exportRun(path, 'kubernetes', 'observed');
  assert.match(out.err, /t\/client\/egress\/loop \(must: special\) needs egress to [^\n]*, but 127\.0\.0\.0\/8, 224\.0\.0\.0\/4 holds no address a host is given \(loopback, multicast, "this network", or a network or broadcast address\), so no outside address stands for it: the verification cannot tell whether the output cuts it/);
  assert.match(out.err, /t\/client\/egress\/pods \(must: a pod range\) needs egress to [^\n]*, but every host address of 10\.244\.0\.0\/24 is in its except, the cluster's own \(nodes, the apiserver, pod CIDRs\) or a Service ClusterIP, so no outside address stands for it/);
});

test('a matrix *.example.com covers a.b.example.com on every engine: seen there, mode union and mode observed pass (Cilium renders **.example.com)', async () => {
  const path = await cluster(
    'm6',
    `  client:
    namespace: app
    selector: { matchLabels: { app: client } }
    egress:
      - { id: sub, peer: { fqdns: ["*.example.com"] }, ports: [{ port: 443 }], level: must, purpose: subdomains, source: { document: doc, line: 1 } }
`,
    { ...CLIENT_TO_SERVER, 'deep.jsonl': ['hubble', hubbleWithName('203.0.113.9', 'a.b.example.com', 443)] },
  );
  for (const engine of ENGINE_NAMES) {
    for (const mode of ['union', 'observed']) {
      const run = await exportRun(path, engine, mode);
      assert.equal(run.code, 0, `${engine} ${mode}: ${run.err}`);
    }
  }
  const cilium = await exportRun(path, 'cilium', 'union');
  assert.match(cilium.out, /matchPattern: "?\*\*\.example\.com"?/, cilium.out);
  assert.doesNotMatch(cilium.out, /matchPattern: "?\*\.example\.com"?/, cilium.out);
  // Before Cilium 1.19 `**.` reads as `*.` (one label): said, as the endPort warning says its version.
  assert.match(cilium.err, /the toFQDNs patterns \*\*\.example\.com match names at any depth under their domain only from Cilium 1\.19 on \(cilium\/cilium#43420\)/, cilium.err);
});

/**
 * A documented address block holds the pods (and nodes) whose addresses lie in it: `cidrs:
 * [10.244.0.0/16]` on a cluster whose pod network is 10.244.0.0/24 and 10.244.1.0/24 means the
 * client pod at 10.244.0.5 too. Not every engine's CIDR peer matches it: a Cilium CIDR selects
 * world identities only (docs.cilium.io Layer 3 "CIDR-based": "CIDR rules do not apply to traffic
 * where both sides of the connection are either managed by Cilium or use an IP belonging to a node
 * in the cluster"), a NetworkPolicy ipBlock is for cluster-external addresses (plugin-dependent),
 * and a ClusterNetworkPolicy ingress peer cannot be a CIDR at all (pods and namespaces only,
 * apis/v1alpha2 ClusterNetworkPolicyIngressPeer) while its isolation denies every pod. Reported on
 * ClusterNetworkPolicy: exit 0, verified, and the client's flow on the rule's port denied by the
 * isolation.
 */
async function simulated(path: string, engine: string, policies: string, flows: string, name: string, side: 'ingress' | 'egress'): Promise<boolean[]> {
  const p = join(dir, `${name}-${engine}-policies.yaml`);
  const f = join(dir, `${name}-${engine}-flows.ndjson`);
  writeFileSync(p, policies);
  writeFileSync(f, flows);
  const decided = await runCli(['simulate', '--engine', engine, '--policies', p, '--flows', f, '--format', 'netobserv', '--db', path]);
  assert.equal(decided.code, 0, decided.err);
  // The rule's own side: the other end has a policy of its own in mode union (its observed traffic only).
  return (JSON.parse(decided.out) as Record<typeof side, { allowed: boolean }>[]).map((d) => d[side].allowed);
}

test('ingress from a block holding pod addresses: the pods in it are allowed on every engine (mode union), and required (mode observed cuts them: blocked, naming the pod)', async () => {
  const path = await cluster(
    'blockpods-in',
    `  server:
    namespace: app
    selector: { matchLabels: { app: server } }
    ingress:
      - { id: pod-range, peer: { cidrs: [10.244.0.0/16] }, ports: [{ port: 9090 }], level: must, purpose: scrapers in the pod range, source: { document: doc, line: 1 } }
`,
    CLIENT_TO_SERVER,
  );
  for (const engine of ENGINE_NAMES) {
    const union = await exportRun(path, engine, 'union');
    assert.equal(union.code, 0, `${engine}: ${union.err}`);
    assert.deepEqual(await simulated(path, engine, union.out, netobserv('10.244.0.5', '10.244.1.5', 9090).split('\n')[0]! + '\n', 'blockpods-in', 'ingress'), [true], `${engine}: ${union.out}`);
    const observed = await exportRun(path, engine, 'observed');
    assert.equal(observed.code, 2, `${engine}: ${observed.err}`);
    assert.match(observed.err, /t\/server\/ingress\/pod-range \(must\) requires ingress from a pod in 10\.244\.0\.0\/16, not observed yet \(app\/client on 9090\/TCP stands for it\)/, engine);
  }
});

test('egress to a block holding pod and node addresses (Cilium toCIDR 10.244.1.0/24, 10.0.0.0/24): the pod and the nodes in it are allowed on every engine (mode union), and required', async () => {
  const path = await cluster(
    'blockpods-out',
    `  client:
    namespace: app
    selector: { matchLabels: { app: client } }
    egress:
      - { id: pod-range, peer: { cidrs: [10.244.1.0/24] }, ports: [{ port: 8080 }], level: must, purpose: the pods of n2, source: { document: doc, line: 1 } }
      - { id: node-range, peer: { cidrs: [10.0.0.0/24] }, ports: [{ port: 10250 }], level: must, purpose: the kubelets, source: { document: doc, line: 2 } }
`,
    {},
  );
  const flows = netobserv('10.244.0.5', '10.244.1.5', 8080).split('\n')[0]! + '\n' + netobserv('10.244.0.5', '10.0.0.2', 10250).split('\n')[0]! + '\n';
  for (const engine of ENGINE_NAMES) {
    const union = await exportRun(path, engine, 'union');
    assert.equal(union.code, 0, `${engine}: ${union.err}`);
    // Cilium: nodes are the host and remote-node entities, whatever the CIDR says (without policy-cidr-match-mode: nodes).
    assert.deepEqual(await simulated(path, engine, union.out, flows, 'blockpods-out', 'egress'), [true, true], `${engine}: ${union.out}`);
    const observed = await exportRun(path, engine, 'observed');
    assert.equal(observed.code, 2, `${engine}: ${observed.err}`);
    assert.match(observed.err, /t\/client\/egress\/pod-range \(must\) requires egress to a pod in 10\.244\.1\.0\/24, not observed yet \(app\/server on 8080\/TCP stands for it\)/, engine);
    assert.match(observed.err, /t\/client\/egress\/node-range \(must\) requires egress to a node in 10\.0\.0\.0\/24, not observed yet \(node n1 on 10250\/TCP stands for it\)/, engine);
  }
});

/**
 * A must flow the verification cannot tell of is one warning of the workload's on the CLI (named by
 * the workload, as the other workload warnings are), not said again among the verification's: the
 * JSON keeps it in both (the workload's `warnings`, the verification's `warnings` and
 * `unverifiedMustFlows`: docs/recommend.md "Verification").
 */
test('the CLI says a "cannot tell" warning once, as the workload\'s; the JSON keeps it in the workload and the verification', async () => {
  const path = await cluster(
    'once',
    `  client:
    namespace: app
    selector: { matchLabels: { app: client } }
    egress:
      - { id: loop, peer: { cidrs: [127.0.0.0/8, 224.0.0.0/4] }, ports: [{ port: 443 }], level: must, purpose: special, source: { document: doc, line: 1 } }
`,
    CLIENT_TO_SERVER,
  );
  const said = (err: string): string[] => err.split('\n').filter((l) => l.includes('t/client/egress/loop (must: special)'));
  for (const args of [['export'], ['recommend']]) {
    const run = await runCli([...args, '--db', path, '--engine', 'kubernetes', '--namespace', 'app']);
    assert.equal(run.code, 0, run.err);
    const lines = said(run.err);
    assert.equal(lines.length, 1, `${args[0]}: ${run.err}`);
    assert.match(lines[0]!, /^warning: app\/Deployment\/client: t\/client\/egress\/loop \(must: special\) needs egress to .*: the verification cannot tell whether the output cuts it$/);
  }
  const json = await runCliJson<{ workloads: { warnings: string[] }[]; verification: { warnings: string[]; unverifiedMustFlows: string[] } }>(['recommend', '--db', path, '--engine', 'kubernetes', '--namespace', 'app', '-o', 'json']);
  const loop = (ws: string[]): number => ws.filter((w) => w.includes('t/client/egress/loop')).length;
  assert.equal(loop(json.workloads.flatMap((w) => w.warnings)), 1);
  assert.equal(loop(json.verification.warnings), 1);
  assert.equal(loop(json.verification.unverifiedMustFlows), 1);
});
