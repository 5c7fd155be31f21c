/**
 * A `must` rule to an outside-looking DNS name whose answer is an in-cluster Service's ClusterIP:
 * `api.example.com` CNAMEd to `api.app.svc.cluster.local`, a non-headless Service (ClusterIP
 * 10.96.0.40, port 80 → targetPort 8080) of Deployment app/server, as Hubble's `destination_names`
 * of a flow to that ClusterIP says.
 *
 * Cilium's toFQDNs never selects a cluster endpoint: it "selects remote, non-cluster, peers"
 * (docs.cilium.io "Layer 3 Policies", DNS based) and its IPs "are later added as toCIDRSet entries"
 * (cilium/cilium pkg/policy/api/fqdn.go). Before, ingest kept names for pod and outside addresses
 * only, so the rule rendered `toFQDNs: api.example.com` and its verification passed (the stand-in was
 * an outside address carrying the name) while the observed client → server:8080 was cut. Now the name
 * is kept for the Service's backends with the Service it went through, and the rule's port (the
 * Service port, what the client dials) is translated to the target port the policy sees, as for
 * the Service's own name.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENGINE_NAMES } from '../../recommender/engines/types.ts';
import { runCli } from '../helpers/cli.ts';
import { clientEgressMatrix, clientHubbleRecord, clientServerCli, clientServerInventory, exportClient, HUBBLE_SERVER_POD } from '../helpers/client-server-cluster.ts';
import { tmpDir } from '../helpers/tmp.ts';

const { store, egressAllowed } = clientServerCli(tmpDir());

/** Service app/api (10.96.0.40:80 → 8080) of Deployment app/server. */
const API_SERVICE = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'api', namespace: 'app', uid: 'svc-api' },
  spec: { type: 'ClusterIP', clusterIP: '10.96.0.40', clusterIPs: ['10.96.0.40'], selector: { app: 'server' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
};

/** A Hubble record of client → `dst`:`port` with the DNS name Cilium's proxy saw answered by `dst`, and the Service the record names, if any. */
function hubble(dst: string, port: number, destination: object, i: number, service?: { namespace: string; name: string }): string {
  return clientHubbleRecord({ time: new Date(Date.parse('2026-11-20T00:00:00Z') + i * 60000).toISOString(), dst, port, sourcePort: 41000 + i, destination, names: ['api.example.com'], service });
}
/** The flow to the ClusterIP before its translation (Hubble labels such an address reserved:world, cilium/cilium#21251). */
const TO_CLUSTER_IP = hubble('10.96.0.40', 80, { labels: ['reserved:world'] }, 0);
/** The same connection after the Service's translation: what every engine's policy judges. */
const TO_BACKEND = hubble('10.244.1.5', 8080, HUBBLE_SERVER_POD, 1);

const MATRIX = clientEgressMatrix('{ id: api, peer: { fqdns: [api.example.com] }, ports: [{ port: 80 }], level: must, purpose: the API by its public name, source: { document: doc, line: 1 } }');

/** Namespaces, a node, Deployments app/client (10.244.0.5) and app/server (10.244.1.5, port 8080), Service app/api, then `extra`; the matrix; `flows`. */
const cluster = (name: string, flows: readonly string[], matrixText = MATRIX, extra: object[] = []) => store(name, clientServerInventory({ extra: [API_SERVICE, ...extra] }), matrixText, flows);

test('matrix show: a name seen answered by a Service\'s ClusterIP is the Service\'s pods on its target port', async () => {
  const path = await cluster('show', [TO_CLUSTER_IP]);
  const shown = await runCli(['matrix', 'show', 't', '--db', path, '-o', 'json']);
  assert.equal(shown.code, 0, shown.err);
  const rule = (JSON.parse(shown.out) as { components: { rules: { active: boolean; ports: unknown[]; peers: { kind: string; workloads?: unknown[]; fqdns?: string[] }[] }[] }[] }).components[0]!.rules[0]!;
  assert.equal(rule.active, true);
  assert.deepEqual(rule.peers.map((p) => [p.kind, p.workloads ?? p.fqdns]), [['pods', [{ namespace: 'app', kind: 'Deployment', name: 'server' }]]]);
  assert.deepEqual(rule.ports, [{ protocol: 'TCP', port: 8080 }]);
});

test('a name answered by a Service\'s ClusterIP: every engine renders and verifies the backend on the target port, and the exported policy allows the translated flow (Cilium\'s toFQDNs never selects a pod)', async () => {
  const path = await cluster('cluster-ip', [TO_CLUSTER_IP]);
  for (const engine of ENGINE_NAMES) {
    for (const mode of ['documented', 'union']) {
      const run = await exportClient(path, engine, mode);
      assert.equal(run.code, 0, `${engine} ${mode}: ${run.err}`);
      assert.deepEqual(await egressAllowed(path, engine, run.out, [TO_BACKEND], `cluster-ip-${mode}`), [true], `${engine} ${mode}: ${run.out}`);
    }
  }
  const cilium = await exportClient(path, 'cilium', 'documented');
  assert.doesNotMatch(cilium.out, /toFQDNs/, cilium.out);
});

/** Service app/legacy without a selector, its endpoints set by hand (kubernetes.io "Services without selectors"): an outside database. */
const LEGACY = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'legacy', namespace: 'app', uid: 'svc-legacy' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.41', clusterIPs: ['10.96.0.41'], ports: [{ port: 5432, targetPort: 5432, protocol: 'TCP' }] } },
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'legacy-1', namespace: 'app', uid: 'es-legacy', labels: { 'kubernetes.io/service-name': 'legacy' } }, addressType: 'IPv4', endpoints: [{ addresses: ['203.0.113.5'] }], ports: [{ port: 5432, protocol: 'TCP' }] },
];

test('a must rule whose name does not resolve (a Service without selector) is said by export in the authoritative direction, naming the rule and the peer to write, never left out silently', async () => {
  const matrix = MATRIX.replace('{ id: api, peer: { fqdns: [api.example.com] }, ports: [{ port: 80 }]', '{ id: legacy, peer: { fqdns: [legacy.app.svc.cluster.local] }, ports: [{ port: 5432 }]');
  const path = await cluster('legacy', [], matrix, LEGACY);
  for (const engine of ENGINE_NAMES) {
    const run = await exportClient(path, engine, 'documented');
    assert.match(run.err, /t\/client\/egress\/legacy \(must: the API by its public name\) is not in force: legacy\.app\.svc\.cluster\.local names Service app\/legacy, which has no selector \(its endpoints are set by hand, listed as 203\.0\.113\.5:5432\): write each endpoint as the peer it is/, `${engine}: ${run.err}`);
  }
});

/**
 * The same Service in a dual-stack cluster: an EndpointSlice per family (kubernetes.io "IPv4/IPv6
 * dual-stack": a Service's EndpointSlices are of one addressType each). An IPv6 endpoint is written
 * [address]:port, as RFC 5952 §6 writes an address with a port (`2001:db8::5:5432` reads as the
 * address 2001:db8::5:5432), and its host block is /128: `cidrs: [2001:db8::5/32]` would be the block
 * 2001:db8::/32, 2^96 addresses (the matrix validation refuses it: host bits set).
 */
const LEGACY_DUAL_STACK = [
  ...LEGACY,
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'legacy-2', namespace: 'app', uid: 'es-legacy-v6', labels: { 'kubernetes.io/service-name': 'legacy' } }, addressType: 'IPv6', endpoints: [{ addresses: ['2001:db8::5'] }], ports: [{ port: 5432, protocol: 'TCP' }] },
];

test('a Service without selector with endpoints of both families: the warning writes an IPv6 endpoint [address]:port and the peer to write with each family\'s host prefix', async () => {
  const matrix = MATRIX.replace('{ id: api, peer: { fqdns: [api.example.com] }, ports: [{ port: 80 }]', '{ id: legacy, peer: { fqdns: [legacy.app.svc.cluster.local] }, ports: [{ port: 5432 }]');
  const path = await cluster('legacy-dual-stack', [], matrix, LEGACY_DUAL_STACK);
  const run = await exportClient(path, 'kubernetes', 'documented');
  assert.match(run.err, /which has no selector \(its endpoints are set by hand, listed as 203\.0\.113\.5:5432, \[2001:db8::5\]:5432\): write each endpoint as the peer it is — peer \{cidrs: \[<address>\/32 or <address>\/128 for an IPv6 one\]\} for an address outside the cluster/, run.err);
});

/**
 * With Cilium replacing kube-proxy the Service is translated at the client's socket: Hubble's
 * record of the connection shows the backend pod on the target port, and `destination_service`
 * (cilium/cilium api/v1/flow/flow.proto, "destination_service": the Service of the destination)
 * names the Service it was addressed to. The name reached that pod through the Service, as a name
 * seen for the ClusterIP does: a rule written on the Service port the client dials is the target
 * port here too. Before, the decoder dropped the Service when the record named the pod, the name was
 * kept as the pod's own (no translation), and every engine rendered port 80 on the backend,
 * cutting the observed 8080 while verified.
 */
const TO_BACKEND_VIA_SERVICE = hubble('10.244.1.5', 8080, HUBBLE_SERVER_POD, 2, { namespace: 'app', name: 'api' });

test('a name Hubble reports for the backend pod of a Service it names (destination_service, kube-proxy replaced): every engine allows the target port and verifies, and simulate allows the observed flow', async () => {
  const path = await cluster('via-service', [TO_BACKEND_VIA_SERVICE]);
  for (const engine of ENGINE_NAMES) {
    const run = await exportClient(path, engine, 'documented');
    assert.equal(run.code, 0, `${engine}: ${run.err}`);
    assert.doesNotMatch(run.err, /not in force|blocked/, `${engine}: ${run.err}`);
    assert.deepEqual(await egressAllowed(path, engine, run.out, [TO_BACKEND_VIA_SERVICE, TO_BACKEND], 'via-service'), [true, true], `${engine}: ${run.out}`);
  }
});
