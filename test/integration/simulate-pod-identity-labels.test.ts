/**
 * Labels a pod gets from its own identity: the StatefulSet controller sets
 * `statefulset.kubernetes.io/pod-name` to the pod's name and (Kubernetes 1.28 on, feature gate
 * PodIndexLabel, beta on by default, GA in 1.32) `apps.kubernetes.io/pod-index` to its ordinal
 * (kubernetes pkg/controller/statefulset/stateful_set_utils.go updateIdentity; Kubernetes docs
 * "StatefulSets", "Pod Name Label" and "Pod index label"). The network-policy-api conformance
 * `core-gress-rules-combined.yaml` selects `professor-dumbledore-0` by the first. The simulators
 * gave every pod its workload's labels only, which hold neither (the inventory keeps them out of
 * workload labels): a policy naming one never matched.
 *
 * Where a flow record names an address, the pod holding it carries them; an edge's side is judged
 * at each pod a policy naming them tells apart, where the inventory lists the pods with their own
 * labels, and where it lists none of a StatefulSet's, `simulate` says its pods are taken as lacking them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { simulateFlows } from '../../app/simulate.ts';
import { convertInventoryText } from '../../collectors/inventory/index.ts';
import { identityRelevant } from '../../recommender/simulate/cilium/label-filter.ts';
import { openDb } from '../../store/db.ts';
import { applySnapshot } from '../../store/inventory.ts';
import { netobservRecord } from '../helpers/netobserv-record.ts';
import { tmpDir } from '../helpers/tmp.ts';

const NS = { gryffindor: 'network-policy-conformance-gryffindor', ravenclaw: 'network-policy-conformance-ravenclaw', staff: 'network-policy-conformance-hogwarts-staff' };
/** StatefulSet name → namespace, template labels and the subnet its pods' addresses are in (pod i at .1{i}). */
const SETS = {
  'harry-potter': { ns: NS.gryffindor, labels: { 'conformance-house': 'gryffindor' }, net: '10.245.1' },
  'luna-lovegood': { ns: NS.ravenclaw, labels: { 'conformance-house': 'ravenclaw' }, net: '10.245.4' },
  'professor-dumbledore': { ns: NS.staff, labels: { app: 'professor-dumbledore' }, net: '10.245.5' },
} as const;
type SetName = keyof typeof SETS;
const ip = (set: SetName, i: number) => `${SETS[set].net}.1${i}`;

const items: unknown[] = Object.values(NS).map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } }));
for (const [name, s] of Object.entries(SETS)) {
  const template = { metadata: { labels: s.labels }, spec: { containers: [{ name: 'c', image: 'agnhost', ports: [{ containerPort: 80 }, { containerPort: 8080 }] }] } };
  items.push({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: s.ns, uid: `u-${name}` }, spec: { replicas: 2, selector: { matchLabels: s.labels }, template } });
  for (const i of [0, 1]) {
    items.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${name}-${i}`,
        namespace: s.ns,
        // What the controller stamps on the pod (stateful_set_utils.go updateIdentity).
        labels: { ...s.labels, 'statefulset.kubernetes.io/pod-name': `${name}-${i}`, 'apps.kubernetes.io/pod-index': String(i), 'controller-revision-hash': 'abc' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name, uid: `u-${name}`, controller: true }],
      },
      spec: template.spec,
      status: { phase: 'Running', podIP: ip(name as SetName, i), podIPs: [{ ip: ip(name as SetName, i) }] },
    });
  }
}
const dir = tmpDir('flowmatrix-pod-identity-');
const db = openDb(join(dir, 'a.db'));
const { snapshot, objects } = convertInventoryText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }), Date.UTC(2025, 5, 1));
applySnapshot(db, snapshot, { source: 'test', counts: objects });

const T = Date.UTC(2025, 5, 2);
/** One TCP SYN record per [client, its ordinal, server, its ordinal, port]. */
const records = (...flows: [SetName, number, SetName, number, number][]) =>
  flows.map(([c, ci, s, si, port], n) => netobservRecord({ src: ip(c, ci), dst: ip(s, si), srcPort: 40000 + n, dstPort: port, proto: 6, time: T })).join('\n');
const verdicts = (engine: 'kubernetes' | 'cilium' | 'calico' | 'clusternetworkpolicy', policies: string, flows: string) => simulateFlows(db, { engine, policies, flows }).decisions.map((d) => d.verdict);

/** Isolates harry-potter-0 for ingress, by the label only that pod carries. */
const ISOLATE_HARRY_0 = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: isolate-harry-0, namespace: ${NS.gryffindor} }
spec:
  podSelector: { matchLabels: { statefulset.kubernetes.io/pod-name: harry-potter-0 } }
  policyTypes: [Ingress]
`;
/** Every gryffindor pod accepts luna-lovegood-0 only. */
const ONLY_FROM_LUNA_0 = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: only-from-luna-0, namespace: ${NS.gryffindor} }
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
    - from: [{ namespaceSelector: {}, podSelector: { matchLabels: { statefulset.kubernetes.io/pod-name: luna-lovegood-0 } } }]
`;

test('kubernetes: a NetworkPolicy selecting statefulset.kubernetes.io/pod-name isolates that pod and not its sibling', () => {
  assert.deepEqual(verdicts('kubernetes', ISOLATE_HARRY_0, records(['luna-lovegood', 0, 'harry-potter', 0, 80], ['luna-lovegood', 0, 'harry-potter', 1, 80])), ['deny', 'allow']);
});

test('kubernetes: a peer podSelector on statefulset.kubernetes.io/pod-name admits that pod and not its sibling', () => {
  assert.deepEqual(verdicts('kubernetes', ONLY_FROM_LUNA_0, records(['luna-lovegood', 0, 'harry-potter', 0, 80], ['luna-lovegood', 1, 'harry-potter', 0, 80])), ['allow', 'deny']);
});

test('kubernetes: apps.kubernetes.io/pod-index is the ordinal (PodIndexLabel, on by default from 1.28)', () => {
  const policies = ISOLATE_HARRY_0.replace('statefulset.kubernetes.io/pod-name: harry-potter-0', 'apps.kubernetes.io/pod-index: "1"').replace('isolate-harry-0', 'isolate-index-1');
  assert.deepEqual(verdicts('kubernetes', policies, records(['luna-lovegood', 0, 'harry-potter', 0, 80], ['luna-lovegood', 0, 'harry-potter', 1, 80])), ['allow', 'deny']);
});

test('clusternetworkpolicy: the conformance AdminNetworkPolicy gress-rules (core-gress-rules-combined.yaml) allows professor-dumbledore-0 on 8080, denies it elsewhere, and leaves professor-dumbledore-1 alone', () => {
  // The rules "allow-to-dumbledore-at-tcp-udp-sctp" and "deny-to-dumbledore-everything-else", as the conformance YAML has them.
  const peer = `pods: { namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ${NS.staff} } }, podSelector: { matchLabels: { statefulset.kubernetes.io/pod-name: professor-dumbledore-0 } } }`;
  const policies = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: { name: gress-rules }
spec:
  priority: 15
  subject: { namespaces: { matchLabels: { kubernetes.io/metadata.name: ${NS.gryffindor} } } }
  egress:
    - name: allow-to-dumbledore-at-tcp-udp-sctp
      action: Allow
      to: [{ ${peer} }]
      ports: [{ portNumber: { protocol: TCP, port: 8080 } }]
    - name: deny-to-dumbledore-everything-else
      action: Deny
      to: [{ ${peer} }]
`;
  const flows = records(['harry-potter', 0, 'professor-dumbledore', 0, 8080], ['harry-potter', 0, 'professor-dumbledore', 0, 80], ['harry-potter', 0, 'professor-dumbledore', 1, 80]);
  assert.deepEqual(verdicts('clusternetworkpolicy', policies, flows), ['allow', 'deny', 'allow']);
});

test('clusternetworkpolicy: a ClusterNetworkPolicy subject on the pod-name label denies that pod only', () => {
  const policies = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: deny-into-harry-0 }
spec:
  tier: Admin
  priority: 10
  subject: { pods: { namespaceSelector: {}, podSelector: { matchLabels: { statefulset.kubernetes.io/pod-name: harry-potter-0 } } } }
  ingress:
    - name: deny-all
      action: Deny
      from: [{ namespaces: {} }]
`;
  assert.deepEqual(verdicts('clusternetworkpolicy', policies, records(['luna-lovegood', 0, 'harry-potter', 0, 80], ['luna-lovegood', 0, 'harry-potter', 1, 80])), ['deny', 'allow']);
});

test('calico: a selector on the pod-name label matches the workload endpoint of that pod (its labels are the pod\'s, libcalico-go conversion)', () => {
  const policies = `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: { name: deny-into-harry-0, namespace: ${NS.gryffindor} }
spec:
  selector: statefulset.kubernetes.io/pod-name == 'harry-potter-0'
  types: [Ingress]
  ingress:
    - action: Deny
`;
  assert.deepEqual(verdicts('calico', policies, records(['luna-lovegood', 0, 'harry-potter', 0, 80], ['luna-lovegood', 0, 'harry-potter', 1, 80])), ['deny', 'allow']);
});

test('cilium: the agent leaves pod-name and pod-index out of identities (pkg/labelsfilter defaultLabelPrefixCfg, cilium#28003, Cilium 1.15): a selector on them selects no pod', () => {
  assert.equal(identityRelevant('statefulset.kubernetes.io/pod-name'), false);
  assert.equal(identityRelevant('apps.kubernetes.io/pod-index'), false);
  assert.equal(identityRelevant('batch.kubernetes.io/job-completion-index'), false);
  // Not isolated by the policy that selects nobody; denied by the one whose only peer is nobody.
  assert.deepEqual(verdicts('cilium', ISOLATE_HARRY_0, records(['luna-lovegood', 0, 'harry-potter', 0, 80])), ['allow']);
  assert.deepEqual(verdicts('cilium', ONLY_FROM_LUNA_0, records(['luna-lovegood', 0, 'harry-potter', 0, 80])), ['deny']);
});

const EDGE = JSON.stringify([{ client: `workload:${NS.ravenclaw}/StatefulSet/luna-lovegood`, server: `workload:${NS.gryffindor}/StatefulSet/harry-potter`, port: 80, protocol: 'TCP' }]);

test('edges: where the inventory lists the pods with their own labels, an edge is judged at each pod a selector on a per-pod label tells apart, and nothing is warned of', () => {
  const r = simulateFlows(db, { engine: 'kubernetes', policies: ISOLATE_HARRY_0, flows: EDGE });
  assert.deepEqual(r.warnings.filter((x) => x.includes('pod-name')), []);
  const [d] = r.decisions;
  assert.equal(d?.verdict, 'deny', JSON.stringify(d));
  assert.match(JSON.stringify(d?.ingress), /isolate-harry-0; no rule allows it \(at .*\(pod harry-potter-0\)/);
  // Cilium never has the label in an identity: the selector selects no pod.
  const cilium = simulateFlows(db, { engine: 'cilium', policies: ISOLATE_HARRY_0, flows: EDGE });
  assert.deepEqual([cilium.decisions[0]?.verdict, cilium.warnings.filter((x) => x.includes('pod-name'))], ['allow', []]);
});

test('edges: where the inventory lists no pod of a StatefulSet with its own labels (a store imported before they were kept), its pods are taken as lacking the label: the warning names the policy, the label and those StatefulSets; flow records name the pod and are not warned of', () => {
  const old = openDb(join(dir, 'unlisted.db'));
  applySnapshot(old, snapshot, { source: 'test', counts: objects });
  // What a release before migration 0024 left, once migrated: no pod's own labels.
  old.prepare("UPDATE workloads SET pod_labels = '[]', pod_ports = NULL").run();
  old.prepare('UPDATE pod_addresses SET label_set = NULL, port_set = NULL').run();
  const r = simulateFlows(old, { engine: 'kubernetes', policies: ISOLATE_HARRY_0, flows: EDGE });
  assert.equal(r.decisions[0]?.verdict, 'allow');
  assert.deepEqual(r.warnings.filter((x) => x.includes('pod-name')), [
    `NetworkPolicy/${NS.gryffindor}/isolate-harry-0/spec/podSelector: selects pods by statefulset.kubernetes.io/pod-name, which each pod of a StatefulSet gets from its own name; the inventory lists no pod of ${NS.gryffindor}/StatefulSet/harry-potter, ${NS.staff}/StatefulSet/professor-dumbledore, ${NS.ravenclaw}/StatefulSet/luna-lovegood with its own labels, so an edge's side there takes their pods as lacking the label: import their Pods, or simulate flow records to decide per pod`,
  ]);
  assert.ok(!simulateFlows(old, { engine: 'kubernetes', policies: ISOLATE_HARRY_0, flows: records(['luna-lovegood', 0, 'harry-potter', 0, 80]) }).warnings.some((x) => x.includes('pod-name')));
  old.close();
});
