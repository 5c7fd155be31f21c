/**
 * A `must` rule of app/client naming `ext`, an ExternalName Service of its own namespace whose
 * externalName, `api.example.com`, lies outside the cluster. The client's resolver completes `ext`
 * through its search path (kubernetes.io "DNS for Services and Pods": `search app.svc.cluster.local
 * …`, `ndots:5`) and asks `ext.app.svc.cluster.local`; CoreDNS answers that one query with the
 * CNAME to api.example.com and api.example.com's addresses (coredns plugin/backend_lookup.go `A`).
 * Cilium's DNS proxy ties those addresses to the query name only (cilium/cilium daemon/cmd/fqdn.go
 * notifyOnDNSMsg → `UpdateGenerateDNS` keyed by the qname of pkg/fqdn/dnsproxy `ExtractMsgDetails`;
 * the CNAME chain is only logged), which is what Hubble's destination_names then carry.
 *
 * Before, the rule rendered `toFQDNs: [{matchName: ext}]`, a name no query ever carries, so the
 * client → api.example.com connection was cut on Cilium while the export verified (its stand-in
 * carried the name `ext`); the other engines found no address under `ext` and allowed any
 * destination on 443 (`fqdn-unresolved`). Input → expected: the name asked on every engine — Cilium
 * `matchName: ext.app.svc.cluster.local`, the others the address seen under that name — and the
 * connection, as Hubble records it, allowed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENGINE_NAMES } from '../../recommender/engines/types.ts';
import { clientEgressMatrix, clientHubbleRecord, clientServerCli, clientServerInventory, exportClient } from '../helpers/client-server-cluster.ts';
import { tmpDir } from '../helpers/tmp.ts';

const { store, egressAllowed } = clientServerCli(tmpDir());

/** Service app/ext, an alias of api.example.com (kubernetes/dns docs/specification.md 2.5: a CNAME to its externalName). */
const EXT_SERVICE = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'app', uid: 'svc-ext' }, spec: { type: 'ExternalName', externalName: 'api.example.com' } };

const MATRIX = clientEgressMatrix('{ id: ext, peer: { fqdns: [ext] }, ports: [{ port: 443 }], level: must, purpose: the outside API by its alias in the namespace, source: { document: doc, line: 1 } }');

/** client → 203.0.113.7:443, an address of api.example.com, under the name Cilium's proxy tied it to: the name the client asked. */
const TO_API = clientHubbleRecord({ time: '2026-11-20T00:00:00Z', dst: '203.0.113.7', port: 443, sourcePort: 41000, destination: { identity: 2, labels: ['reserved:world'] }, names: ['ext.app.svc.cluster.local'] });

test('a rule naming an ExternalName Service that leads outside renders the name the pod asks, and allows the connection Hubble records under it, on every engine', async () => {
  const path = await store('external-name', clientServerInventory({ extra: [EXT_SERVICE] }), MATRIX, [TO_API]);
  for (const engine of ENGINE_NAMES) {
    const run = await exportClient(path, engine, 'documented');
    assert.equal(run.code, 0, `${engine}: ${run.err}`);
    assert.deepEqual(await egressAllowed(path, engine, run.out, [TO_API], 'external-name'), [true], `${engine}: ${run.out}`);
    assert.doesNotMatch(run.out, /matchName: ext$/m, engine);
    assert.doesNotMatch(run.err, /fqdn-unresolved/, engine);
    assert.match(run.out, engine === 'cilium' ? /matchName: ext\.app\.svc\.cluster\.local$/m : /203\.0\.113\.7\/32/, engine);
  }
});
