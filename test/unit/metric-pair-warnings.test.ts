/** recommender/metric-pair-warnings.ts: pairs in → the warnings per workload key, in the pairs' order. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricPair } from '../../domain/metric-pair.ts';
import { parsePeerKey } from '../../domain/peer.ts';
import { metricPairWarnings } from '../../recommender/metric-pair-warnings.ts';

const pair = (a: string, b: string, metric = 'netobserv_workload_flows_total'): MetricPair => ({
  peerA: parsePeerKey(a),
  peerB: parsePeerKey(b),
  source: 'prometheus',
  metric,
  lacks: ['direction', 'port', 'protocol'],
  firstSeen: 0,
  lastSeen: 0,
  flows: 1,
  packets: 0,
  bytes: 0,
  matched: false,
});

const TAIL = 'but no flow with a port was observed; unless a documented rule allows that peer, the recommended policy blocks it: collect flows or add it to the matrix';

test('each workload of a pair is warned about the other; a DNS workload by its workload key; a non-workload peer only named', () => {
  const m = metricPairWarnings([
    pair('dns:kube-system/Deployment/coredns', 'workload:shop/Deployment/web'),
    pair('external:192.0.2.10', 'workload:shop/Deployment/web', 'netobserv_workload_egress_bytes_total'),
  ]);
  assert.deepEqual([...m.keys()], ['kube-system/Deployment/coredns', 'shop/Deployment/web']);
  assert.deepEqual(m.get('kube-system/Deployment/coredns'), [`netobserv_workload_flows_total saw kube-system/Deployment/coredns exchange traffic with shop/Deployment/web ${TAIL}`]);
  assert.deepEqual(m.get('shop/Deployment/web'), [
    `netobserv_workload_flows_total saw shop/Deployment/web exchange traffic with dns:kube-system/Deployment/coredns ${TAIL}`,
    `netobserv_workload_egress_bytes_total saw shop/Deployment/web exchange traffic with external:192.0.2.10 ${TAIL}`,
  ]);
});

test('a workload paired with itself is warned once', () => {
  const m = metricPairWarnings([pair('workload:shop/Deployment/web', 'workload:shop/Deployment/web')]);
  assert.deepEqual(m.get('shop/Deployment/web'), [`netobserv_workload_flows_total saw shop/Deployment/web exchange traffic with shop/Deployment/web ${TAIL}`]);
});

test('no pairs, no warnings', () => {
  assert.equal(metricPairWarnings([]).size, 0);
});
