/**
 * A `must` rule whose DNS name is a headless Service's (its own name or an endpoint's
 * `<hostname>.<service>.<ns>.svc.<zone>`, in every spelling a pod's search path completes).
 *
 * "For headless Services, a cluster IP is not allocated, kube-proxy does not handle these Services,
 * and there is no load balancing or proxying done by the platform for them" (kubernetes.io
 * "Service", Headless Services): the name answers with the pods' own addresses (kubernetes/dns
 * docs/specification.md 2.4.1) and the client dials them on the port it chose. Before, the rule's
 * port (the Service port 8080) was translated to the Service's targetPort 9187 as for a Service with
 * a ClusterIP, so every engine allowed 9187 on the server's pods and cut client → server:8080; the
 * export passed verified, because the must flow it checked was the translated 9187 too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENGINE_NAMES } from '../../recommender/engines/types.ts';
import { clientEgressMatrix, clientHubbleRecord, clientServerCli, clientServerInventory, exportClient, HUBBLE_SERVER_POD } from '../helpers/client-server-cluster.ts';
import { tmpDir } from '../helpers/tmp.ts';

const { store, egressAllowed } = clientServerCli(tmpDir());

/** Headless Service app/db of Deployment app/server: port 8080 with a targetPort 9187 that nothing translates. */
const DB_SERVICE = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'db', namespace: 'app', uid: 'svc-db' },
  spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'server' }, ports: [{ name: 'db', port: 8080, targetPort: 9187, protocol: 'TCP' }] },
};

/** What the client sends after resolving any of the names: straight to the server pod on 8080. */
const TO_POD = clientHubbleRecord({ time: '2026-11-20T00:00:00Z', dst: '10.244.1.5', port: 8080, sourcePort: 41000, destination: HUBBLE_SERVER_POD, names: ['server-abc-x1.db.app.svc.cluster.local'] });

const SPELLINGS = ['db.app.svc.cluster.local', 'server-abc-x1.db.app.svc.cluster.local', 'server-abc-x1.db.app.svc', 'db.app', 'server-abc-x1.db.app', 'db'];

test('a headless Service\'s name, in every spelling: every engine allows the client\'s own port on the pods, and the export is verified on it', async () => {
  for (const [i, name] of SPELLINGS.entries()) {
    const matrix = clientEgressMatrix(`{ id: db, peer: { fqdns: [${name}] }, ports: [{ port: 8080 }], level: must, purpose: the database, source: { document: doc, line: 1 } }`);
    // Nothing observed: the verification judges the must rule's own flow, which must be the one the client sends.
    const path = await store(`headless-${i}`, clientServerInventory({ extra: [DB_SERVICE] }), matrix, []);
    for (const engine of ENGINE_NAMES) {
      const run = await exportClient(path, engine, 'documented');
      assert.equal(run.code, 0, `${name} ${engine}: ${run.err}`);
      assert.doesNotMatch(run.out, /9187/, `${name} ${engine}: ${run.out}`);
      assert.deepEqual(await egressAllowed(path, engine, run.out, [TO_POD], `headless-${i}`), [true], `${name} ${engine}: ${run.out}`);
    }
  }
});

/**
 * StatefulSet app/db (pod db-0, hostname db-0 in its EndpointSlice) and a bare exporter pod behind one
 * headless Service db (selector app=db). `db-0.db.app.svc.cluster.local` has an A record of its own
 * that answers with db-0's address alone (kubernetes/dns docs/specification.md 2.4.1: "for each ready
 * endpoint … `<hostname>.<service>.<ns>.svc.<zone>. <ttl> IN A <endpoint-ip>`").
 */
const DB_SET = [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'db', namespace: 'app', uid: 'svc-db' },
    spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432, targetPort: 5432, protocol: 'TCP' }] },
  },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'app', uid: 'sts-db' }, spec: { serviceName: 'db', selector: { matchLabels: { app: 'db', member: 'db' } }, template: { metadata: { labels: { app: 'db', member: 'db' } }, spec: { containers: [{ name: 'pg', image: 'x', ports: [{ containerPort: 5432 }] }] } } } },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'db-0', namespace: 'app', uid: 'p-db-0', labels: { app: 'db', member: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'sts-db', controller: true }] },
    spec: { nodeName: 'n1', hostname: 'db-0', subdomain: 'db', containers: [{ name: 'pg', image: 'x', ports: [{ containerPort: 5432 }] }] },
    status: { phase: 'Running', podIP: '10.244.1.20', podIPs: [{ ip: '10.244.1.20' }], hostIP: '10.0.0.1' },
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'db-exporter', namespace: 'app', uid: 'p-db-exporter', labels: { app: 'db', member: 'exporter' } },
    spec: { nodeName: 'n1', containers: [{ name: 'x', image: 'x', ports: [{ containerPort: 5432 }] }] },
    status: { phase: 'Running', podIP: '10.244.1.21', podIPs: [{ ip: '10.244.1.21' }], hostIP: '10.0.0.1' },
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'db-abcde', namespace: 'app', labels: { 'kubernetes.io/service-name': 'db' } },
    addressType: 'IPv4',
    ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    endpoints: [
      { addresses: ['10.244.1.20'], hostname: 'db-0', conditions: { ready: true }, nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'app', name: 'db-0' } },
      { addresses: ['10.244.1.21'], conditions: { ready: true }, nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'app', name: 'db-exporter' } },
    ],
  },
];
const toPod = (dst: string, pod: string, member: string) => clientHubbleRecord({ time: '2026-11-20T00:00:00Z', dst, port: 5432, sourcePort: 41001, destination: { namespace: 'app', labels: ['k8s:app=db', `k8s:member=${member}`], pod_name: pod }, names: [] });

test('one endpoint\'s name of a headless Service is its pod\'s workload, not every backend: verified on every engine, the exporter behind the same Service not allowed, the explanation naming the pod', async () => {
  const matrix = clientEgressMatrix('{ id: db, peer: { fqdns: [db-0.db.app.svc.cluster.local] }, ports: [{ port: 5432 }], level: must, purpose: the primary, source: { document: doc, line: 1 } }');
  const path = await store('endpoint', clientServerInventory({ extra: DB_SET }), matrix, []);
  for (const engine of ENGINE_NAMES) {
    const run = await exportClient(path, engine, 'documented');
    assert.equal(run.code, 0, `${engine}: ${run.err}`);
    assert.deepEqual(await egressAllowed(path, engine, run.out, [toPod('10.244.1.20', 'db-0', 'db'), toPod('10.244.1.21', 'db-exporter', 'exporter')], `endpoint-${engine}`), [true, false], `${engine}: ${run.out}`);
    assert.match(run.out, /db-0\.db\.app\.svc\.cluster\.local answers with pod app\/db-0 alone \(an endpoint of headless Service app\/db\); allowed as its workload app\/StatefulSet\/db/, `${engine}: ${run.out}`);
  }
});
