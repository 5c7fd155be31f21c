/**
 * A `must` rule to an outside-looking DNS name whose answers are in-cluster pods: `shop.example.com`
 * answered by a split-horizon DNS with the address of an in-cluster gateway pod (here app/server at
 * 10.244.1.5), as Hubble's `destination_names` of a flow to that pod says.
 *
 * Cilium's toFQDNs never selects such a pod: it "selects remote, non-cluster, peers" (docs.cilium.io
 * "Layer 3 Policies", DNS based) and its IPs "are later added as toCIDRSet entries"
 * (cilium/cilium pkg/policy/api/fqdn.go), and CIDR rules never select cluster endpoints. Before, the
 * rule rendered `toFQDNs: shop.example.com` and the verification passed — its stand-in was an
 * outside address carrying the name — while client → server:8080 was cut. Now the name is also the
 * workloads it was seen answering with (remembered per workload: pod IPs are reused), rendered and
 * verified as their pods on every engine, beside the DNS name for its outside addresses when it has
 * both.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENGINE_NAMES } from '../../recommender/engines/types.ts';
import { runCli } from '../helpers/cli.ts';
import { clientEgressMatrix, clientHubbleRecord, clientServerCli, clientServerInventory, exportClient, HUBBLE_SERVER_POD } from '../helpers/client-server-cluster.ts';
import { tmpDir } from '../helpers/tmp.ts';

const { store, egressAllowed } = clientServerCli(tmpDir());

/** A Hubble record of client → `dst`:8080 with the DNS name Cilium's proxy saw answered by `dst`. */
function hubble(dst: string, destination: object, i: number): string {
  return clientHubbleRecord({ time: new Date(Date.parse('2026-11-20T00:00:00Z') + i * 60000).toISOString(), dst, port: 8080, sourcePort: 41000 + i, destination, names: ['shop.example.com'] });
}
const TO_SERVER_POD = hubble('10.244.1.5', HUBBLE_SERVER_POD, 0);
const TO_OUTSIDE = hubble('203.0.113.9', { labels: ['reserved:world'] }, 1);

const MATRIX = clientEgressMatrix('{ id: shop, peer: { fqdns: [shop.example.com] }, ports: [{ port: 8080 }], level: must, purpose: the shop by its public name, source: { document: doc, line: 1 } }');

/** Namespaces, a node, Deployments app/client (10.244.0.5) and app/server (10.244.1.5, port 8080); the matrix; `flows`. */
const cluster = (name: string, flows: readonly string[]) => store(name, clientServerInventory(), MATRIX, flows);

test('matrix show: a name seen answering with a pod is that pod\'s workload (saying the name), beside the name for its outside addresses', async () => {
  const path = await cluster('show', [TO_SERVER_POD, TO_OUTSIDE]);
  const shown = await runCli(['matrix', 'show', 't', '--db', path, '-o', 'json']);
  assert.equal(shown.code, 0, shown.err);
  const rule = (JSON.parse(shown.out) as { components: { rules: { id: string; active: boolean; peers: { kind: string; workloads?: unknown[]; fqdns?: string[]; dnsNames?: string[] }[] }[] }[] }).components[0]!.rules[0]!;
  assert.equal(rule.active, true);
  assert.deepEqual(rule.peers.map((p) => [p.kind, p.workloads ?? p.fqdns, p.dnsNames]), [
    ['pods', [{ namespace: 'app', kind: 'Deployment', name: 'server' }], ['shop.example.com']],
    ['fqdn', ['shop.example.com'], undefined],
  ]);
});

test('a name answered by an in-cluster pod only: every engine renders and verifies the pod, and the exported policy allows the observed flow (Cilium\'s toFQDNs never selects a pod)', async () => {
  const path = await cluster('pod-only', [TO_SERVER_POD]);
  for (const engine of ENGINE_NAMES) {
    for (const mode of ['documented', 'observed', 'union']) {
      const run = await exportClient(path, engine, mode);
      assert.equal(run.code, 0, `${engine} ${mode}: ${run.err}`);
      assert.deepEqual(await egressAllowed(path, engine, run.out, [TO_SERVER_POD], `pod-only-${mode}`), [true], `${engine} ${mode}: ${run.out}`);
    }
  }
  const cilium = await exportClient(path, 'cilium', 'documented');
  assert.doesNotMatch(cilium.out, /toFQDNs/, cilium.out);
});

test('a name answered by an in-cluster pod and an outside address: Cilium renders the pod and toFQDNs, both flows allowed on every engine', async () => {
  const path = await cluster('both', [TO_SERVER_POD, TO_OUTSIDE]);
  for (const engine of ENGINE_NAMES) {
    const run = await exportClient(path, engine, 'documented');
    assert.equal(run.code, 0, `${engine}: ${run.err}`);
    assert.deepEqual(await egressAllowed(path, engine, run.out, [TO_SERVER_POD, TO_OUTSIDE], 'both'), [true, true], `${engine}: ${run.out}`);
  }
  const cilium = await exportClient(path, 'cilium', 'documented');
  assert.match(cilium.out, /toFQDNs/, cilium.out);
  assert.match(cilium.out, /app: server/, cilium.out);
});
