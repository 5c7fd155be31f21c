/**
 * A peer with host-network and pod-network workloads, where no node address is known (Node objects
 * without `status.addresses`, the host-network DaemonSet not scheduled yet, so no podIP stands for
 * a node either: domain/node-addresses.ts). The host-network member will speak from a node's
 * address that no rule can name: no pod or namespace selector matches it (kubernetes.io "Network
 * Policies": hostNetwork pods are ignored by podSelector and namespaceSelector; ClusterNetworkPolicy
 * `pods`/`namespaces`: "host-networked pods are not included"; Cilium: `host` / `remote-node`;
 * Calico: no workload endpoint). A peer all on the host network is then open on the rule's ports
 * with a warning, never cut (docs/recommend.md, "nodes without addresses, host-network pods:
 * allowed from or to any peer on the rule's ports until they are known"); the mixed peer rendered
 * its selector only, and the verification blocked the member's flow — the output cut required
 * traffic that the all-host-network peer keeps.
 * Input → expected: client's must egress to db:5432 (a component, or the namespace db) with db-a
 * on the pod network and the DaemonSet db-b on the host network: the rule is open to any
 * destination on 5432, with the warning naming why, and the verification is ok on every engine.
 * The same at the rule's other end (docs/recommend.md, "required at both of its ends"): db's must
 * egress to srv:8080 opens srv's ingress from any source on 8080 (srv's warning says why), whether
 * db is mixed or all on the host network; both were cut there, blocked on kubernetes, cilium and
 * calico (a ClusterNetworkPolicy ingress isolation never denies a node).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importInventory } from '../../app/inventory.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import { barePodItem, namespaceItem } from '../helpers/inventory-yaml.ts';
import { tmpDb } from '../helpers/tmp.ts';

const T = '2026-01-01T00:00:00Z';
const NOW = Date.parse('2026-03-02T00:00:00Z');
/** A Node object without status: its address is not known. */
const node = (name: string, cidr: string) => `- { apiVersion: v1, kind: Node, metadata: { name: ${name}, creationTimestamp: "${T}" }, spec: { podCIDR: ${cidr} } }`;
const INVENTORY = `apiVersion: v1
kind: List
items:
${namespaceItem('app')}
${namespaceItem('db')}
${node('n1', '10.244.1.0/24')}
${node('n2', '10.244.2.0/24')}
${barePodItem({ namespace: 'app', name: 'client', ip: '10.244.2.10', ports: [], node: 'n2' })}
- { apiVersion: v1, kind: Pod, metadata: { name: db-a, namespace: db, labels: { app: db }, creationTimestamp: "${T}" }, spec: { nodeName: n1, containers: [{ name: c, image: c, ports: [{ containerPort: 5432 }] }] }, status: { phase: Running, startTime: "${T}", podIP: 10.244.1.20, podIPs: [{ ip: 10.244.1.20 }] } }
- apiVersion: apps/v1
  kind: DaemonSet
  metadata: { name: db-b, namespace: db, uid: ds1 }
  spec: { selector: { matchLabels: { app: db, shard: b } }, template: { metadata: { labels: { app: db, shard: b } }, spec: { hostNetwork: true, containers: [{ name: c, image: c, ports: [{ containerPort: 5432 }] }] } } }
`;
const matrix = (peer: string) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: m, title: m }
documents: { d: { title: d } }
components:
  client:
    namespace: app
    selector: { matchLabels: { app: client } }
    egress:
      - { id: to-db, peer: ${peer}, ports: [{ port: 5432 }], level: must, purpose: every db, source: { document: d, line: 1 } }
  db:
    namespace: db
    selector: { matchLabels: { app: db } }
    ports: [{ port: 5432 }]
`;

function stored(peer: string) {
  const { db } = tmpDb();
  importInventory(db, { text: INVENTORY, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  applyMatrix(db, { text: matrix(peer), origin: 'm.yaml', appliedAt: NOW });
  return readRecommendationInput(db, {});
}

for (const [what, peer] of [['a component', '{ component: db }'], ['a namespace', '{ namespace: db }']] as const) {
  test(`a must rule to ${what} with a host-network member, no node address known: open on its ports with a warning, verified on every engine`, () => {
    const input = stored(peer);
    for (const engine of ENGINE_NAMES) {
      const { verification: v, rec } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
      assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
      const warnings = rec.workloads.find((w) => w.workload.name === 'client')!.warnings.join('\n');
      assert.match(warnings, /m\/client\/egress\/to-db \(must: every db\): db\/DaemonSet\/db-b runs in the host network and no node address is known; this recommendation allows that egress flow to any destination on the rule's ports until then/, `${engine}: ${warnings}`);
    }
  });
}

const mirrorMatrix = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: m, title: m }
documents: { d: { title: d } }
components:
  srv:
    namespace: app
    selector: { matchLabels: { app: client } }
    ports: [{ port: 8080 }]
  db:
    namespace: db
    selector: { matchLabels: { app: db } }
    egress:
      - { id: to-srv, peer: { component: srv }, ports: [{ port: 8080 }], level: must, purpose: calls srv, source: { document: d, line: 1 } }
`;

for (const mixed of [true, false]) {
  test(`the other end of a must rule of a peer ${mixed ? 'with a host-network member' : 'all on the host network'}, no node address known: open from any source on its ports, with a warning, on every engine`, () => {
    const { db } = tmpDb();
    const inventory = mixed ? INVENTORY : INVENTORY.split('\n').filter((l) => !l.includes('name: db-a')).join('\n');
    importInventory(db, { text: inventory, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
    applyMatrix(db, { text: mirrorMatrix, origin: 'm.yaml', appliedAt: NOW });
    const input = readRecommendationInput(db, {});
    for (const engine of ENGINE_NAMES) {
      const { verification: v, rec } = runRecommendation(input, engine, recommendOptions({}), { tightness: false });
      assert.equal(v.ok, true, `${engine}: ${JSON.stringify(v.blocked)}`);
      const warnings = rec.workloads.find((w) => w.workload.name === 'client')!.warnings.join('\n');
      assert.match(warnings, /m\/db\/egress\/to-srv \(must: calls srv\) needs ingress here from m\/db: (db\/DaemonSet\/db-b runs|its pods run) in the host network and no node address is known; this recommendation allows that ingress flow from any source on the rule's ports until then/, `${engine}: ${warnings}`);
    }
  });
}
