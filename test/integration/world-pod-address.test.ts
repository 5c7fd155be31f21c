/**
 * A Hubble record Cilium labels `reserved:world` at an address of the pod network (a deleted pod's:
 * Cilium gives the world identity to an address it holds no ipcache entry for) is `unknown`, as
 * docs/ingest.md says of an in-cluster address that resolves to nothing: never an `external` peer
 * that a recommendation renders as an ipBlock naming a pod-network address (an ipBlock "is meant for
 * cluster-external IPs", kubernetes.io "Network Policies"; on another engine it allows whichever pod
 * holds the address next). An address outside the cluster's ranges stays external.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { tmpDb } from '../helpers/tmp.ts';
import { twoNamespaceInventory } from '../helpers/two-namespace-cluster.ts';

const NOW = Date.now();

/** client's forwarded TCP connection (SYN and ACK) to `ip`:8443, whose end Hubble labels world. */
const toWorld = (ip: string): string[] =>
  [{ SYN: true }, { ACK: true }].map((flags, i) =>
    JSON.stringify({
      time: new Date(NOW - 120_000 + i).toISOString(),
      verdict: 'FORWARDED',
      IP: { source: '10.244.1.10', destination: ip, ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 40001, destination_port: 8443, flags } },
      source: { namespace: 'a', pod_name: 'client-x', labels: ['k8s:app=client'] },
      destination: { identity: 2, labels: ['reserved:world'] },
      node_name: 'worker-1',
      traffic_direction: 'EGRESS',
    }),
  );

test('a world-labelled address inside a node\'s podCIDR is unknown, and no recommendation names it in an ipBlock; one outside the cluster is external and is', async () => {
  const { db } = tmpDb();
  importInventory(db, { text: twoNamespaceInventory(''), takenAt: NOW - 3_600_000, source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${[...toWorld('10.244.1.99'), ...toWorld('203.0.113.9')].join('\n')}\n`]) }], { format: 'hubble' });
  const servers = (db.prepare('SELECT server FROM edges ORDER BY server').all() as { server: string }[]).map((e) => e.server);
  assert.deepEqual(servers, ['external:203.0.113.9', 'unknown:10.244.1.99']);
  const result = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({ now: NOW, namespace: 'a' }), { tightness: false });
  const text = JSON.stringify(result.emitted.manifests);
  assert.ok(!text.includes('10.244.1.99'), text);
  assert.ok(text.includes('203.0.113.9/32'), text);
});
