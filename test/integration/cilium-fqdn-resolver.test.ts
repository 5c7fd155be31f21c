/**
 * Cilium's toFQDNs learns a name's addresses only from the lookups the pod sends through the DNS
 * proxy, and the proxy sees only the DNS traffic a rule with `rules.dns` takes to the resolver
 * the pod really asks (cilium/cilium Documentation/security/policy/language.rst, "Obtaining DNS
 * Data for use by toFQDNs": "This interception is, itself, a separate policy rule governing DNS
 * requests"). The visibility rule added for a pod with FQDN egress must therefore name the
 * cluster's own DNS on its own ports, not kube-system/kube-dns on 53:
 * - CoreDNS on the host network is no Cilium endpoint: its lookups go to the `host`/`remote-node`
 *   entities, and a toEndpoints rule to its labels selects nothing;
 * - OpenShift's DNS is openshift-dns/dns-default on 5353; with --shared its L4 rule sits in the
 *   namespace's shared policy, and the pod's own policy still needs the proxied rule to it.
 * Input → expected: the manifests name that resolver, and the verification (whose simulator takes
 * the lookups to the inventory's DNS pods) allows the FQDN edge.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
const at = (i: number) => new Date(NOW - 120_000 + i * 1000).toISOString();

/** A Hubble flow (TCP SYN or a UDP packet) from one pod to an address, with the DNS names Cilium saw for it. */
function hubble(i: number, src: { ip: string; ns: string; pod: string }, dst: { ip: string; ns?: string; pod?: string; names?: string[] }, port: number, proto: 'TCP' | 'UDP'): string {
  return JSON.stringify({
    time: at(i),
    verdict: 'FORWARDED',
    IP: { source: src.ip, destination: dst.ip, ipVersion: 'IPv4' },
    l4: proto === 'TCP' ? { TCP: { source_port: 40000 + i, destination_port: port, flags: { SYN: true } } } : { UDP: { source_port: 40000 + i, destination_port: port } },
    source: { namespace: src.ns, pod_name: src.pod },
    destination: dst.pod !== undefined ? { namespace: dst.ns, pod_name: dst.pod } : {},
    ...(dst.names ? { destination_names: dst.names } : {}),
    node_name: 'w0',
    traffic_direction: 'EGRESS',
    is_reply: false,
  });
}

async function store(inventory: string, flows: string[], matrix?: string) {
  const { db } = tmpDb();
  importInventory(db, { text: inventory, takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${flows.join('\n')}\n`]) }], { format: 'hubble' });
  if (matrix !== undefined) applyMatrix(db, { text: matrix, origin: 'matrix.yaml', appliedAt: NOW });
  return readRecommendationInput(db, {});
}

interface EgressRule {
  toEndpoints?: { matchLabels?: Record<string, string> }[];
  toEntities?: string[];
  toFQDNs?: unknown[];
  toPorts?: { ports: { port: string; protocol: string }[]; rules?: { dns?: unknown[] } }[];
}
type Cnp = { kind: string; metadata: { name: string; namespace?: string }; spec: { egress?: EgressRule[] } };

/** The egress rules of web's own policy that send lookups through the DNS proxy. */
function proxiedRules(manifests: readonly unknown[]): EgressRule[] {
  const web = (manifests as Cnp[]).find((m) => m.metadata.namespace === 'shop' && /web/.test(m.metadata.name) && (m.spec.egress ?? []).some((r) => r.toFQDNs));
  assert.ok(web, 'web has a policy with toFQDNs');
  return (web.spec.egress ?? []).filter((r) => (r.toPorts ?? []).some((p) => p.rules?.dns !== undefined));
}

const WEB = { ip: '10.128.0.20', ns: 'shop', pod: 'web' };
const API_EXAMPLE = { ip: '203.0.113.80', names: ['api.example.com'] };

test('OpenShift DNS with --shared: web\'s own policy proxies its lookups to openshift-dns/dns-default on 5353, and the verification allows web → api.example.com', async () => {
  const inventory = readFileSync(new URL('../fixtures/openshift-dns/inventory.yaml', import.meta.url), 'utf8');
  const dnsPod = { ip: '10.128.0.5', ns: 'openshift-dns', pod: 'dns-default-a1b2c' };
  const input = await store(inventory, [
    hubble(1, WEB, dnsPod, 5353, 'UDP'),
    hubble(2, { ip: '10.128.0.21', ns: 'shop', pod: 'api' }, dnsPod, 5353, 'UDP'),
    hubble(3, WEB, API_EXAMPLE, 443, 'TCP'),
    hubble(4, WEB, { ip: '10.128.0.21', ns: 'shop', pod: 'api' }, 8080, 'TCP'),
  ]);
  const { emitted, verification } = runRecommendation(input, 'cilium', recommendOptions({ shared: true }), { tightness: false });
  assert.equal(verification.ok, true, JSON.stringify(verification.blocked));
  const proxied = proxiedRules(emitted.manifests);
  assert.deepEqual(
    proxied.map((r) => [r.toEndpoints, r.toPorts?.flatMap((p) => p.ports)]),
    [[[{ matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default', 'k8s:io.kubernetes.pod.namespace': 'openshift-dns' } }], [{ port: '5353', protocol: 'UDP' }, { port: '5353', protocol: 'TCP' }]]],
  );
  assert.ok(!verification.denied.some((f) => f.edge.includes('203.0.113.80')), 'the FQDN edge is allowed');
  assert.ok(!emitted.warnings.some((w) => /kube-system\/k8s-app=kube-dns/.test(w.message)), emitted.warnings.map((w) => w.message).join('; '));
});

const HOST_DNS = `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: shop } }
  - { apiVersion: v1, kind: Namespace, metadata: { name: kube-system } }
  - { apiVersion: v1, kind: Namespace, metadata: { name: default } }
  - apiVersion: v1
    kind: Node
    metadata: { name: w0, creationTimestamp: "2026-01-01T00:00:00Z" }
    spec: { podCIDR: 10.128.0.0/24 }
    status: { addresses: [{ type: InternalIP, address: 10.0.0.11 }] }
  - apiVersion: v1
    kind: Pod
    metadata: { name: web, namespace: shop, labels: { app: web }, creationTimestamp: "2026-01-01T00:00:00Z" }
    spec: { nodeName: w0, containers: [{ name: web, image: web }] }
    status: { phase: Running, podIP: 10.128.0.20, startTime: "2026-01-01T00:00:00Z" }
  - apiVersion: v1
    kind: Pod
    metadata: { name: coredns-1, namespace: kube-system, labels: { k8s-app: kube-dns }, creationTimestamp: "2026-01-01T00:00:00Z" }
    spec:
      nodeName: w0
      hostNetwork: true
      containers: [{ name: coredns, image: coredns, ports: [{ containerPort: 53, protocol: UDP, name: dns }, { containerPort: 53, protocol: TCP, name: dns-tcp }] }]
    status: { phase: Running, podIP: 10.0.0.11, startTime: "2026-01-01T00:00:00Z" }
  - apiVersion: v1
    kind: Service
    metadata: { name: kube-dns, namespace: kube-system, creationTimestamp: "2026-01-01T00:00:00Z" }
    spec: { clusterIP: 10.96.0.10, selector: { k8s-app: kube-dns }, ports: [{ name: dns, port: 53, protocol: UDP, targetPort: 53 }, { name: dns-tcp, port: 53, protocol: TCP, targetPort: 53 }] }
`;

test('CoreDNS on the host network: web\'s lookups are proxied on the host and remote-node entities, the DNS pods\' own labels select no endpoint, and the verification allows web → api.example.com', async () => {
  const input = await store(HOST_DNS, [hubble(1, WEB, { ip: '10.0.0.11' }, 53, 'UDP'), hubble(2, WEB, API_EXAMPLE, 443, 'TCP')]);
  const { emitted, verification } = runRecommendation(input, 'cilium', recommendOptions({}), { tightness: false });
  assert.equal(verification.ok, true, JSON.stringify(verification.blocked));
  const proxied = proxiedRules(emitted.manifests);
  assert.deepEqual(
    proxied.map((r) => [r.toEndpoints, r.toEntities, r.toPorts?.flatMap((p) => p.ports)]),
    [[undefined, ['host', 'remote-node'], [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }]]],
  );
  assert.ok(!verification.denied.some((f) => f.edge.includes('203.0.113.80')), 'the FQDN edge is allowed');
});

test('a pod that asks a nameserver of its own (dnsConfig 8.8.8.8): the rule that takes its lookups there carries rules.dns, so the proxy sees them whichever resolver they go to', async () => {
  const input = await store(HOST_DNS, [hubble(1, WEB, { ip: '8.8.8.8' }, 53, 'UDP'), hubble(2, WEB, API_EXAMPLE, 443, 'TCP')]);
  const { emitted, verification } = runRecommendation(input, 'cilium', recommendOptions({}), { tightness: false });
  assert.equal(verification.ok, true, JSON.stringify(verification.blocked));
  const toGoogle = proxiedRules(emitted.manifests).filter((r) => JSON.stringify(r).includes('8.8.8.8'));
  assert.equal(toGoogle.length, 1, JSON.stringify(proxiedRules(emitted.manifests)));
  assert.deepEqual(toGoogle[0]!.toPorts?.flatMap((p) => p.ports), [{ port: '53', protocol: 'UDP' }]);
});

const MIXED_DNS = `${HOST_DNS}  - apiVersion: v1
    kind: Node
    metadata: { name: w1, creationTimestamp: "2026-01-01T00:00:00Z" }
    spec: { podCIDR: 10.128.1.0/24 }
    status: { addresses: [{ type: InternalIP, address: 10.0.0.12 }] }
  - apiVersion: v1
    kind: Pod
    metadata: { name: coredns-2, namespace: kube-system, labels: { k8s-app: kube-dns }, creationTimestamp: "2026-01-01T00:00:00Z" }
    spec: { nodeName: w1, containers: [{ name: coredns, image: coredns, ports: [{ containerPort: 53, protocol: UDP, name: dns }, { containerPort: 53, protocol: TCP, name: dns-tcp }] }] }
    status: { phase: Running, podIP: 10.128.1.5, startTime: "2026-01-01T00:00:00Z" }
`;

test('the cluster DNS with pods on the host network and on the pod network (the Service balances lookups over both): every engine allows both, and the verification passes', async () => {
  const input = await store(MIXED_DNS, [hubble(1, WEB, { ip: '10.0.0.11' }, 53, 'UDP'), hubble(2, WEB, { ip: '10.128.1.5', ns: 'kube-system', pod: 'coredns-2' }, 53, 'UDP'), hubble(3, WEB, API_EXAMPLE, 443, 'TCP')]);
  for (const engine of ['kubernetes', 'cilium', 'calico', 'clusternetworkpolicy'] as const) {
    const { verification } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
  }
});

/** The cluster DNS as pods on the pod network (kube-system/kube-dns). */
const POD_DNS = `apiVersion: v1
kind: List
items:
  - { apiVersion: v1, kind: Namespace, metadata: { name: shop } }
  - { apiVersion: v1, kind: Namespace, metadata: { name: kube-system } }
  - { apiVersion: v1, kind: Namespace, metadata: { name: default } }
  - apiVersion: v1
    kind: ConfigMap
    metadata: { name: cilium-config, namespace: kube-system }
    data: { cluster-name: default }
  - apiVersion: v1
    kind: Node
    metadata: { name: w0, creationTimestamp: "2026-01-01T00:00:00Z" }
    spec: { podCIDR: 10.128.0.0/24 }
    status: { addresses: [{ type: InternalIP, address: 10.0.0.11 }] }
  - apiVersion: v1
    kind: Pod
    metadata: { name: web, namespace: shop, labels: { app: web }, creationTimestamp: "2026-01-01T00:00:00Z" }
    spec: { nodeName: w0, containers: [{ name: web, image: web }] }
    status: { phase: Running, podIP: 10.128.0.20, startTime: "2026-01-01T00:00:00Z" }
  - apiVersion: v1
    kind: Pod
    metadata: { name: coredns-1, namespace: kube-system, labels: { k8s-app: kube-dns }, creationTimestamp: "2026-01-01T00:00:00Z" }
    spec: { nodeName: w0, containers: [{ name: coredns, image: coredns, ports: [{ containerPort: 53, protocol: UDP, name: dns }, { containerPort: 53, protocol: TCP, name: dns-tcp }] }] }
    status: { phase: Running, podIP: 10.128.0.5, startTime: "2026-01-01T00:00:00Z" }
  - apiVersion: v1
    kind: Service
    metadata: { name: kube-dns, namespace: kube-system, creationTimestamp: "2026-01-01T00:00:00Z" }
    spec: { clusterIP: 10.96.0.10, selector: { k8s-app: kube-dns }, ports: [{ name: dns, port: 53, protocol: UDP, targetPort: 53 }, { name: dns-tcp, port: 53, protocol: TCP, targetPort: 53 }] }
`;

/** web documents DNS to any resolver (the world on 53) and a partner API by name. */
const WORLD_DNS_MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: shopdoc, title: shop }
documents:
  doc: { title: shop doc }
components:
  web:
    namespace: shop
    selector: { matchLabels: { app: web } }
    egress:
      - id: any-resolver
        peer: world
        ports: [{ port: 53, protocol: UDP }, { port: 53, protocol: TCP }]
        level: must
        purpose: DNS to any resolver (the pod's own nameservers)
        source: { document: doc, line: 1 }
      - id: partner-api
        peer: { fqdns: [api.example.com] }
        ports: [{ port: 8443 }]
        level: must
        purpose: partner API
        source: { document: doc, line: 2 }
`;

test('a documented DNS rule to the world on 53 (the cluster DNS absorbed into it) beside a toFQDNs rule: the `all` rule on 53 carries rules.dns, so every lookup passes the DNS proxy and toFQDNs learns api.example.com; the verification passes on cilium as on the other engines', async () => {
  const input = await store(POD_DNS, [hubble(1, WEB, { ip: '8.8.8.8' }, 53, 'UDP'), hubble(2, WEB, { ...API_EXAMPLE }, 8443, 'TCP')], WORLD_DNS_MATRIX);
  for (const engine of ['kubernetes', 'cilium', 'calico', 'clusternetworkpolicy'] as const) {
    const { verification } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked)}`);
  }
  const { emitted } = runRecommendation(input, 'cilium', recommendOptions({}), { tightness: false });
  assert.deepEqual(
    proxiedRules(emitted.manifests).map((r) => [r.toEndpoints, r.toEntities, r.toPorts?.flatMap((p) => p.ports)]),
    [[undefined, ['all'], [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }]]],
  );
  assert.ok(!emitted.warnings.some((w) => w.code === 'dns-visibility-added'), emitted.warnings.map((w) => w.message).join('; '));
});
