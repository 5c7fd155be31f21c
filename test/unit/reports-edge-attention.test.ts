/**
 * The report's attention class of an edge (reports/edge-attention.ts): input (an edge and what
 * each of its sides says) → expected class. "Blocked" tells the operator to open traffic a matrix
 * requires; it must not be said of traffic the other side's matrix is authoritative about and
 * does not document (StackLight seed: metric-collector "Deny all ingress … (including Prometheus
 * scrape)", while Prometheus's "allow all egress" rule is a must): that is a violation, and its
 * drop is what the documented policy wants.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Edge } from '../../domain/edge.ts';
import { classifyEdges } from '../../reports/edge-attention.ts';
import type { EdgeSide } from '../../reports/model.ts';

const edge: Edge = {
  id: 1,
  client: { kind: 'workload', workload: { namespace: 'stacklight', kind: 'Deployment', name: 'prometheus-server' } },
  server: { kind: 'workload', workload: { namespace: 'stacklight', kind: 'Deployment', name: 'metric-collector' } },
  port: 8080,
  protocol: 'TCP',
  firstSeen: 0,
  lastSeen: 0,
  flows: 3,
  packets: 3,
  bytes: 300,
  forwarded: 0,
  dropped: 3,
  sources: ['netobserv'],
};
const client: EdgeSide = { workload: 'stacklight/Deployment/prometheus-server', direction: 'egress', status: 'blocked', rules: ['stacklight/prometheus-server/egress/allow-all'], included: true, violation: false };
const server: EdgeSide = { workload: 'stacklight/Deployment/metric-collector', direction: 'ingress', status: 'undocumented', rules: [], included: false, reason: 'a violation', violation: true };
const classOf = (sides: EdgeSide[]): string | undefined => {
  const c = classifyEdges([edge], new Map([[1, sides]]), () => true);
  return (Object.entries(c.counts).find(([, n]) => n > 0) ?? [])[0];
};

test('a must rule of one side and an authoritative undocumented other side: a violation, not blocked', () => {
  assert.equal(classOf([client, server]), 'violations');
});

test('a must rule dropped with no side against it: blocked', () => {
  assert.equal(classOf([client, { ...server, status: 'confirmed', violation: false, included: true }]), 'blocked');
  assert.equal(classOf([client]), 'blocked');
});
