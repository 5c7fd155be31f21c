/**
 * Flows to the ClusterIP of a Service the inventory no longer lists. A deleted Service holds its
 * ClusterIP until the import that no longer lists it, as a gone pod holds its IP
 * (docs/inventory.md): the flows of its time resolve through it to its backends, as a flow to a
 * Service of today does. An address the inventory knew as a ClusterIP is never an outside peer: at
 * a time no Service held it, a flow to it is `unknown`. A NetworkPolicy ipBlock is meant for
 * cluster-external IPs, and whether a Service's translation happens before or after policy
 * processing is not defined (Kubernetes "Network Policies" concept page, ipBlock and "Behavior of
 * to and from selectors"): a rule naming the ClusterIP matches nothing reliably.
 *
 * Before: the flows while the Service existed were an edge to external:10.96.0.50, every engine's
 * export named 10.96.0.50/32 on port 80 (no rule for the backend on 8080) and said verified.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const HOUR = 3_600_000;
const T1 = Date.UTC(2026, 0, 1, 10);
const CLIENT = '10.244.0.5';
const CLUSTER_IP = '10.96.0.50';

/** A ClusterIP Service in namespace app on `ip`, port 80 → 8080, selecting the pods labelled app=`app`. */
function service(name: string, app: string, created: number, ip = CLUSTER_IP): object {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'app', creationTimestamp: new Date(created).toISOString() },
    spec: { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], selector: { app }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] },
  };
}

/** Service `web` → app/server, created a day before the first import. */
const WEB = service('web', 'server', T1 - 24 * HOUR);
/** Service `other` → app/client, created at T1+3h on the address `web` had. */
const OTHER = service('other', 'client', T1 + 3 * HOUR);

/** A Service every import lists, so that each import is authoritative for Services (an import replaces the kinds it holds: docs/inventory.md). */
const LASTING = service('lasting', 'none', T1 - 24 * HOUR, '10.96.0.99');

/** Imports the client/server inventory with each import's Services (and LASTING) at its time, then flows from the client to the ClusterIP on port 80 at `times`. */
async function storeWithFlows(imports: readonly [services: object[], takenAt: number][], times: readonly number[]): Promise<{ db: ReturnType<typeof tmpDb>['db']; path: string; flows: string }> {
  const { db, path } = tmpDb();
  for (const [extra, takenAt] of imports) {
    importInventory(db, { text: JSON.stringify(clientServerInventory({ extra: [LASTING, ...extra] })), takenAt, source: 'cluster.json', now: takenAt });
  }
  const flows = times.map((time, i) => netobservRecord({ src: CLIENT, dst: CLUSTER_IP, dstPort: 80, proto: 6, srcPort: 43000 + i, time })).join('\n') + '\n';
  const summary = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([flows]) }], { format: 'netobserv', now: () => T1 + 5 * HOUR });
  assert.equal(summary.accepted, times.length);
  return { db, path, flows };
}

const edgesOf = (db: ReturnType<typeof tmpDb>['db']): string[] => new EdgeStore(db).list().map((e) => `${peerKey(e.client)} → ${peerKey(e.server)} ${e.port}/${e.protocol} x${e.flows}`);

test('flows to a deleted Service\'s ClusterIP while it existed resolve to its backends on the target port, until the import that no longer lists it; after, unknown, never an external peer', async () => {
  // Imports at 10:00 (web) and 12:00 (web deleted); flows at 10:30, 11:30 and 12:30.
  const { db } = await storeWithFlows(
    [
      [[WEB], T1],
      [[], T1 + 2 * HOUR],
    ],
    [T1 + HOUR / 2, T1 + 1.5 * HOUR, T1 + 2.5 * HOUR],
  );
  assert.deepEqual(edgesOf(db), [`workload:app/Deployment/client → unknown:${CLUSTER_IP} 80/TCP x1`, 'workload:app/Deployment/client → workload:app/Deployment/server 8080/TCP x2']);
});

test('a ClusterIP held in turn by a deleted Service and a later one: each flow resolves through the Service of its time, and to unknown while none held it', async () => {
  // Imports at 10:00 (web), 12:00 (none), 14:00 (other, created 13:00); flows at 10:30, 11:30, 12:30, 13:30.
  const { db } = await storeWithFlows(
    [
      [[WEB], T1],
      [[], T1 + 2 * HOUR],
      [[OTHER], T1 + 4 * HOUR],
    ],
    [T1 + HOUR / 2, T1 + 1.5 * HOUR, T1 + 2.5 * HOUR, T1 + 3.5 * HOUR],
  );
  assert.deepEqual(edgesOf(db), [
    'workload:app/Deployment/client → unknown:10.96.0.50 80/TCP x1',
    'workload:app/Deployment/client → workload:app/Deployment/client 8080/TCP x1',
    'workload:app/Deployment/client → workload:app/Deployment/server 8080/TCP x2',
  ]);
});

test('a deleted Service\'s ClusterIP is never named by an ipBlock: each engine\'s export allows the client to the backends of the Service\'s time, and the flows simulate allowed', async () => {
  const { path, flows } = await storeWithFlows(
    [
      [[WEB], T1],
      [[], T1 + 2 * HOUR],
    ],
    [T1 + HOUR / 2, T1 + 1.5 * HOUR],
  );
  const dir = tmpDir('flowmatrix-deleted-service-');
  const flowsFile = join(dir, 'flows.jsonl');
  writeFileSync(flowsFile, flows);
  for (const engine of ENGINE_NAMES) {
    const exported = await runCli(['export', '--db', path, '--engine', engine]);
    assert.equal(exported.code, 0, `${engine}: ${exported.err}`);
    assert.doesNotMatch(exported.out, /10\.96\.0\.50/, engine);
    const policies = join(dir, `${engine}.yaml`);
    writeFileSync(policies, exported.out);
    const simulated = await runCli(['simulate', '--engine', engine, '--policies', policies, '--flows', flowsFile, '--format', 'netobserv', '--db', path]);
    assert.equal(simulated.code, 0, `${engine}: ${simulated.err}`);
    // A flow to one backend is decided as that connection; to several, one connection each.
    type Connection = { server: string; port: number; verdict: string };
    const decisions = JSON.parse(simulated.out) as (Connection & { connections?: Connection[] })[];
    assert.deepEqual(
      decisions.map((d) => (d.connections ?? [d]).map((c) => `${c.server}:${c.port} ${c.verdict}`).join(', ')),
      ['workload:app/Deployment/server:8080 allow', 'workload:app/Deployment/server:8080 allow'],
      engine,
    );
  }
});
