/**
 * Flows to an address inside the cluster's Service IP ranges that no Service flowmatrix knows held
 * at the flow's time: a Service created and deleted between two imports, or deleted before the
 * store kept gone Services' ClusterIPs. A `ServiceCIDR` (networking.k8s.io/v1, GA in Kubernetes
 * 1.33) "defines a range of IP addresses … used to allocate ClusterIPs to Service objects"
 * (Kubernetes API reference, ServiceCIDR v1): such an address is a Service's, never an outside
 * host's. A NetworkPolicy ipBlock is meant for cluster-external IPs, and whether a Service's
 * translation happens before or after policy processing is not defined (Kubernetes "Network
 * Policies" concept page): a rule naming a ClusterIP matches nothing reliably, and the flow's real
 * destination is unknown.
 *
 * Before: the flow was the edge client → external:10.96.0.77 and every engine's export named
 * 10.96.0.77/32, verified ok.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { peerKey } from '../../domain/peer.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { EdgeStore } from '../../store/edges.ts';
import { clientServerInventory } from '../helpers/client-server-cluster.ts';
import { runCli } from '../helpers/cli.ts';
import { netobservRecord } from '../helpers/netobserv-record.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T1 = Date.UTC(2026, 0, 1, 10);
const CLIENT = '10.244.0.5';
/** Inside the Service range 10.96.0.0/16; no Service the inventory knows ever held it. */
const FORGOTTEN_CLUSTER_IP = '10.96.0.77';
/** Outside every range the cluster has: a host on the internet. */
const OUTSIDE = '203.0.113.9';

/** The default ServiceCIDR the API server creates from --service-cluster-ip-range, as `kubectl get servicecidrs -o json` lists it. */
function serviceCidr(name: string, cidrs: string[]): object {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: { name, uid: `sc-${name}` }, spec: { cidrs }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
}

async function storeWithFlows(extra: object[]): Promise<{ db: ReturnType<typeof tmpDb>['db']; path: string; warnings: string[] }> {
  const { db, path } = tmpDb();
  const summary = importInventory(db, { text: JSON.stringify(clientServerInventory({ extra })), takenAt: T1, source: 'cluster.json', now: T1 });
  const flows = [FORGOTTEN_CLUSTER_IP, OUTSIDE].map((dst, i) => netobservRecord({ src: CLIENT, dst, dstPort: 80, proto: 6, srcPort: 43000 + i, time: T1 + 60_000 })).join('\n') + '\n';
  const ingested = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([flows]) }], { format: 'netobserv', now: () => T1 + 3_600_000 });
  assert.equal(ingested.accepted, 2);
  return { db, path, warnings: summary.warnings };
}

const serversOf = (db: ReturnType<typeof tmpDb>['db']): string[] => new EdgeStore(db).list().map((e) => `${peerKey(e.client)} → ${peerKey(e.server)} ${e.port}/${e.protocol}`);

test('a flow to an address inside an imported ServiceCIDR that no known Service held is unknown, never external; one outside stays external', async () => {
  const { db } = await storeWithFlows([serviceCidr('kubernetes', ['10.96.0.0/16', 'fd00:10:96::/112'])]);
  assert.deepEqual(serversOf(db), [`workload:app/Deployment/client → external:${OUTSIDE} 80/TCP`, `workload:app/Deployment/client → unknown:${FORGOTTEN_CLUSTER_IP} 80/TCP`]);
});

test('no engine\'s export names an address inside the ServiceCIDR', async () => {
  const { path } = await storeWithFlows([serviceCidr('kubernetes', ['10.96.0.0/16'])]);
  for (const engine of ENGINE_NAMES) {
    const exported = await runCli(['export', '--db', path, '--engine', engine]);
    assert.equal(exported.code, 0, `${engine}: ${exported.err}`);
    assert.doesNotMatch(exported.out, /10\.96\.0\.77/, engine);
    assert.match(exported.out, /203\.0\.113\.9/, engine);
  }
});

test('without a ServiceCIDR the Service range is not known (nothing is guessed): the address stays external, as before', async () => {
  const { db } = await storeWithFlows([]);
  assert.deepEqual(serversOf(db), [`workload:app/Deployment/client → external:${FORGOTTEN_CLUSTER_IP} 80/TCP`, `workload:app/Deployment/client → external:${OUTSIDE} 80/TCP`]);
});

test('a ServiceCIDR entry that is no canonical CIDR is skipped with a warning naming the object, the field and the value; the others are used', async () => {
  const { db, warnings } = await storeWithFlows([serviceCidr('kubernetes', ['10.96.0.0/16']), serviceCidr('extra', ['10.97.0.1/16', 'fd00::/64']), serviceCidr('broken', ['not-a-cidr'])]);
  assert.deepEqual(
    warnings.filter((w) => w.includes('ServiceCIDR')),
    [
      'items[11] ServiceCIDR extra: spec.cidrs[0]: expected a CIDR in canonical form such as 10.96.0.0/16, got the string "10.97.0.1/16": skipped (the API server refuses it)',
      'items[12] ServiceCIDR broken: spec.cidrs[0]: expected a CIDR in canonical form such as 10.96.0.0/16, got the string "not-a-cidr": skipped (the API server refuses it)',
    ],
  );
  assert.deepEqual(serversOf(db), [`workload:app/Deployment/client → external:${OUTSIDE} 80/TCP`, `workload:app/Deployment/client → unknown:${FORGOTTEN_CLUSTER_IP} 80/TCP`]);
});
