/**
 * A scoped run whose manifest replaces an applied policy that selects a workload outside the
 * scope, whose documented `must` flow nothing observed (verify/replaced-subjects.ts). Namespace
 * ns-a: bare pods web (the run: `--workload pod/web`), agent (outside it), collector and other.
 * Applied there: `default-deny-egress` (every pod) and `ns-a-pod-web`, the name the run gives
 * web's policy, selecting web and agent for egress and allowing 4317/TCP and 8080/TCP. agent's
 * matrix says it must reach collector on 4317; nothing observed of it. The one observed edge:
 * web → other:8080.
 */
import { Readable } from 'node:stream';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, type StoredRecommendInput } from '../../app/recommendation.ts';
import type { Db } from '../../store/db.ts';
import { barePodItem, namespaceItem, nodeItem } from './inventory-yaml.ts';

const T = '2026-01-01T00:00:00Z';
export const NOW = Date.parse('2026-03-02T00:00:00Z');

/** The applied policy web's recommended one replaces (kubectl apply: same kind, namespace and name). */
export const REPLACED = 'NetworkPolicy/ns-a/ns-a-pod-web';
/** agent's must rule: agent → collector 4317/TCP. */
export const MUST_RULE = 'fz/agent/egress/collector-4317';
export const AGENT = 'ns-a/Pod/agent';
export const AGENT_TO_COLLECTOR = `workload:${AGENT}|workload:ns-a/Pod/collector|4317|TCP`;

const pod = (name: string, ip: string, ports: number[]) => barePodItem({ namespace: 'ns-a', name, ip, ports });

/**
 * ns-a's four bare pods (each with the ports it declares), `default-deny-<direction>` over every pod,
 * and `ns-a-pod-web` selecting web and agent for that direction, allowing 4317/TCP and 8080/TCP.
 */
function inventory(direction: 'Ingress' | 'Egress', ports: Record<'web' | 'agent' | 'collector' | 'other', number[]>): string {
  const rules = direction === 'Ingress' ? 'ingress' : 'egress';
  return `apiVersion: v1
kind: List
items:
${namespaceItem('ns-a')}
${nodeItem('n1', '10.244.0.0/24', '10.0.0.10')}
${pod('web', '10.244.0.20', ports.web)}
${pod('agent', '10.244.0.21', ports.agent)}
${pod('collector', '10.244.0.30', ports.collector)}
${pod('other', '10.244.0.40', ports.other)}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: default-deny-${rules}, namespace: ns-a}
  spec: {podSelector: {}, policyTypes: [${direction}]}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: ns-a-pod-web, namespace: ns-a}
  spec:
    podSelector: {matchExpressions: [{key: app, operator: In, values: [web, agent]}]}
    policyTypes: [${direction}]
    ${rules}:
    - ports: [{port: 4317, protocol: TCP}, {port: 8080, protocol: TCP}]
`;
}

/** Stores a case in `db`: its inventory, its one flow, its matrix; returns a reader of the recommendation's input. */
async function storeCase(db: Db, c: { inventory: string; flow: string; matrix: string }): Promise<() => StoredRecommendInput> {
  importInventory(db, { text: c.inventory, takenAt: Date.parse(T), source: 'inventory.yaml', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${c.flow}\n`]) }], { format: 'auto', now: () => NOW });
  applyMatrix(db, { text: c.matrix, origin: 'fz.yaml', appliedAt: NOW });
  return () => readRecommendationInput(db, {}, { details: false });
}

const MATRIX = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: fz, title: fuzz }
documents: { d: { title: d, file: d.txt } }
components:
  agent:
    namespace: ns-a
    selector: { matchLabels: { app: agent } }
    egress:
      - { peer: { component: collector }, ports: [{ port: 4317 }], level: must, purpose: p, source: { document: d, line: 1 } }
  collector:
    namespace: ns-a
    selector: { matchLabels: { app: collector } }
    ports: [{ port: 4317 }]
`;

const FLOW = JSON.stringify({ time: '2026-03-01T10:30:00Z', verdict: 'FORWARDED', IP: { source: '10.244.0.20', destination: '10.244.0.40' }, l4: { TCP: { source_port: 51000, destination_port: 8080, flags: { SYN: true } } } });

/** Stores the case in `db`; returns a reader of the recommendation's input. */
export function storeReplacedMustCase(db: Db): Promise<() => StoredRecommendInput> {
  return storeCase(db, { inventory: inventory('Egress', { web: [], agent: [], collector: [4317], other: [8080] }), flow: FLOW, matrix: MATRIX });
}

/**
 * The far-end variant (Ingress): the same pods, web serving 8080 and agent 4317. Applied:
 * `default-deny-ingress` and `ns-a-pod-web`, selecting web and agent for Ingress and allowing
 * 4317/TCP and 8080/TCP. The matrix says `requirer` (collector, outside the run, or web, the run)
 * must reach agent on 4317 — a rule naming agent, whose flow is required at agent's ingress —;
 * agent's component declares the port only. Nothing observed of it; the one observed edge:
 * other → web:8080.
 */
export type FarRequirer = 'collector' | 'web';
/** The must rule of `requirer` and its flow. */
export const farMustRule = (requirer: FarRequirer): string => `fz/${requirer}/egress/agent-4317`;
export const farMustEdge = (requirer: FarRequirer): string => `workload:ns-a/Pod/${requirer}|workload:${AGENT}|4317|TCP`;

const farMatrix = (requirer: FarRequirer) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: fz, title: fuzz }
documents: { d: { title: d, file: d.txt } }
components:
  ${requirer}:
    namespace: ns-a
    selector: { matchLabels: { app: ${requirer} } }
    egress:
      - { peer: { component: agent }, ports: [{ port: 4317 }], level: must, purpose: p, source: { document: d, line: 1 } }
  agent:
    namespace: ns-a
    selector: { matchLabels: { app: agent } }
    ports: [{ port: 4317 }]
`;

const FAR_FLOW = JSON.stringify({ time: '2026-03-01T10:30:00Z', verdict: 'FORWARDED', IP: { source: '10.244.0.40', destination: '10.244.0.20' }, l4: { TCP: { source_port: 51000, destination_port: 8080, flags: { SYN: true, ACK: true } } }, traffic_direction: 'INGRESS' });

/** Stores the far-end case of `requirer` in `db`; returns a reader of the recommendation's input. */
export function storeReplacedFarMustCase(db: Db, requirer: FarRequirer): Promise<() => StoredRecommendInput> {
  return storeCase(db, { inventory: inventory('Ingress', { web: [8080], agent: [4317], collector: [], other: [] }), flow: FAR_FLOW, matrix: farMatrix(requirer) });
}
