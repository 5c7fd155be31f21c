/**
 * A flow record addressed to one pod's own IP is that pod's connection: the engines judge it with
 * that pod's own labels and resolve a named port on that pod's own container ports, not on its
 * workload's template labels or on the ports merged over all its pods.
 *
 * - Labels: a NetworkPolicy's podSelector "selects the pods to which this NetworkPolicy object
 *   applies" (kubernetes/kubernetes staging/src/k8s.io/api/networking/v1/types.go,
 *   NetworkPolicySpec.podSelector), by the pod's labels; "a pod is isolated for ingress if there is
 *   any NetworkPolicy that both selects the pod and has Ingress in its policyTypes" (kubernetes.io
 *   "Network Policies"). Calico's WorkloadEndpoint carries the pod's labels (libcalico-go
 *   conversion), Cilium's identity the pod's labels (pkg/k8s, minus the filtered ones).
 * - Named ports: NetworkPolicyPort.port "can either be a numerical or named port on a pod"
 *   (types.go); Cilium resolves an ingress port name on the endpoint's own pod ("Ingress only needs
 *   the ports of the POD itself", pkg/endpoint GetNamedPort); a Calico named port is "a named port,
 *   as defined in the ports list of one or more endpoints" (docs.tigera.io, Rule / EndpointPort);
 *   a ClusterNetworkPolicy `destinationNamedPort` is the destination pod's container port of that
 *   name (network-policy-api ClusterNetworkPolicyPort).
 *
 * The inventory is a Deployment mid-rollout: api-h1 (revision 1: `track: v1`, `http` = 8080) and
 * api-h2 (revision 2, the template's: `track: v2`, `http` = 8081), both running.
 * Before: the simulators judged a record to api-h1's address with the template's `track: v2` and
 * with `http` meaning both 8080 and 8081, so `simulate` allowed what the engines drop.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { openDb, type Db } from '../../store/db.ts';
import { loadMigrations, migrate } from '../../store/migrate.ts';
import { list, namespace, node, NOW, pod, record, service, stored, T } from '../helpers/node-exporter-cluster.ts';
import { tmpDir } from '../helpers/tmp.ts';

const API_OWNER = { kind: 'Deployment', name: 'api', uid: 'd-api' };
const replicaSet = (name: string, hash: string, track: string, httpPort: number) => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name, namespace: 'shop', uid: `rs-${name}`, ownerReferences: [{ apiVersion: 'apps/v1', ...API_OWNER, controller: true }] },
  spec: {
    selector: { matchLabels: { app: 'api', 'pod-template-hash': hash } },
    template: { metadata: { labels: { app: 'api', track, 'pod-template-hash': hash } }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: httpPort }] }] } },
  },
});
const apiPod = (name: string, rs: string, hash: string, track: string, ip: string, httpPort: number) =>
  pod('shop', name, { app: 'api', track, 'pod-template-hash': hash }, 'node0', ip, { owner: { kind: 'ReplicaSet', name: rs, uid: `rs-${rs}` }, ports: [{ name: 'http', containerPort: httpPort }] });

const V1_POD = '10.244.0.21';
const V2_POD = '10.244.0.22';
const CLIENT = '10.244.0.5';
const ROLLOUT = [
  namespace('shop'),
  node('node0', '10.244.0.0/24', '192.168.0.10'),
  pod('shop', 'client', { app: 'client' }, 'node0', CLIENT),
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'shop', uid: 'd-api' },
    spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api', track: 'v2' } }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: 8081 }] }] } } },
  },
  replicaSet('api-h1', 'h1', 'v1', 8080),
  replicaSet('api-h2', 'h2', 'v2', 8081),
  apiPod('api-h1-a', 'api-h1', 'h1', 'v1', V1_POD, 8080),
  apiPod('api-h2-a', 'api-h2', 'h2', 'v2', V2_POD, 8081),
  service('shop', 'api', '10.96.0.30', { app: 'api' }, 80, 8081),
];

/** Revision 1's pods (`track: v1`) accept nothing: a policy selecting them with no ingress rule. */
const ISOLATE_V1 = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: isolate-v1, namespace: shop }
spec:
  podSelector: { matchLabels: { track: v1 } }
  policyTypes: [Ingress]
`;

const verdicts = (db: Db, engine: 'kubernetes' | 'cilium' | 'calico' | 'clusternetworkpolicy', policies: string, flows: string[]) =>
  simulateFlows(db, { engine, policies, flows: flows.join('\n') }).decisions.map((d) => d.verdict);

for (const engine of ['kubernetes', 'cilium', 'calico'] as const) {
  test(`${engine}: a record to a pod of the rollout's old revision is judged with that pod's own labels (track: v1, isolated), one to the new revision's with its own (not selected)`, () => {
    const db = stored(ROLLOUT);
    assert.deepEqual(verdicts(db, engine, ISOLATE_V1, [record(CLIENT, V1_POD, 8080), record(CLIENT, V2_POD, 8081, 1)]), ['deny', 'allow']);
  });
}

/** What each engine writes for "api accepts client on the port named http". */
const NAMED_HTTP: Record<'kubernetes' | 'cilium' | 'calico' | 'clusternetworkpolicy', string> = {
  kubernetes: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: api-http, namespace: shop }
spec:
  podSelector: { matchLabels: { app: api } }
  policyTypes: [Ingress]
  ingress:
    - from: [{ podSelector: { matchLabels: { app: client } } }]
      ports: [{ port: http, protocol: TCP }]
`,
  cilium: `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api-http, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: client } }]
      toPorts: [{ ports: [{ port: http, protocol: TCP }] }]
`,
  calico: `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: api-http, namespace: shop }
spec:
  selector: app == 'api'
  types: [Ingress]
  ingress:
    - action: Allow
      protocol: TCP
      source: { selector: app == 'client' }
      destination: { ports: [http] }
`,
  clusternetworkpolicy: `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: api-http }
spec:
  tier: Admin
  priority: 10
  subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: api } } } }
  ingress:
    - name: client-http
      action: Accept
      from: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { app: client } } } }]
      protocols: [{ destinationNamedPort: http }]
    - name: nothing-else
      action: Deny
      from: [{ namespaces: {} }]
`,
};

for (const engine of ['kubernetes', 'cilium', 'calico', 'clusternetworkpolicy'] as const) {
  test(`${engine}: a rule on the port name http resolves on each destination pod's own container ports (old revision 8080, new 8081)`, () => {
    const db = stored(ROLLOUT);
    const flows = [record(CLIENT, V1_POD, 8080), record(CLIENT, V1_POD, 8081, 1), record(CLIENT, V2_POD, 8081, 2), record(CLIENT, V2_POD, 8080, 3)];
    assert.deepEqual(verdicts(db, engine, NAMED_HTTP[engine], flows), ['allow', 'deny', 'allow', 'deny']);
  });
}

/**
 * A store an older release wrote (schema 0047): its pod addresses say nothing of each pod's own
 * labels or ports. Made as that release would have left it: the rows of a store holding the
 * rollout, in the columns schema 0047 has.
 */
function storeBefore0048(): string {
  const dir = tmpDir();
  const current = stored(ROLLOUT);
  const currentPath = join(dir, 'current.db');
  current.exec(`VACUUM INTO '${currentPath}'`);
  current.close();
  const path = join(dir, 'v47.db');
  const old = openDb(path, { migrate: false });
  migrate(old, loadMigrations(), 47);
  old.exec(`ATTACH DATABASE '${currentPath}' AS current`);
  const tables = old.prepare("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'").pluck().all() as string[];
  for (const t of tables) {
    const columns = (old.prepare(`SELECT name FROM pragma_table_info('${t}')`).pluck().all() as string[]).map((c) => `"${c}"`).join(', ');
    old.exec(`DELETE FROM main."${t}"; INSERT INTO main."${t}" (${columns}) SELECT ${columns} FROM current."${t}"`);
  }
  old.exec('DETACH DATABASE current');
  old.close();
  return path;
}

test('migration 0048: a store written before it opens, and a record to a pod is judged as before (template labels, the ports of all its pods) until an import carrying Pods says each pod\'s own', () => {
  const db = openDb(storeBefore0048());
  try {
    assert.deepEqual(db.prepare('SELECT DISTINCT label_set, port_set FROM pod_addresses').all(), [{ label_set: null, port_set: null }]);
    assert.deepEqual(db.prepare("SELECT pod_ports FROM workloads WHERE name = 'api'").all(), [{ pod_ports: null }]);
    const flows = [record(CLIENT, V1_POD, 8080), record(CLIENT, V1_POD, 8081, 1), record(CLIENT, V2_POD, 8081, 2), record(CLIENT, V2_POD, 8080, 3)];
    assert.deepEqual(verdicts(db, 'kubernetes', ISOLATE_V1, flows.slice(0, 1)), ['allow']);
    assert.deepEqual(verdicts(db, 'kubernetes', NAMED_HTTP.kubernetes, flows), ['allow', 'allow', 'allow', 'allow']);
    importInventory(db, { text: list(ROLLOUT), takenAt: Date.parse(T) + 60_000, source: 'inventory.json', now: NOW });
    assert.deepEqual(verdicts(db, 'kubernetes', ISOLATE_V1, flows.slice(0, 1)), ['deny']);
    assert.deepEqual(verdicts(db, 'kubernetes', NAMED_HTTP.kubernetes, flows), ['allow', 'deny', 'allow', 'deny']);
  } finally {
    db.close();
  }
});
