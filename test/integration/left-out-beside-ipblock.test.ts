/**
 * An edge the recommendation leaves out (mode documented, no matrix documents it) whose client an
 * applied NetworkPolicy isolates for egress with one rule to 0.0.0.0/0 by ipBlock — as the demo's
 * kyma-system/telemetry-self-monitor does (its egress to telemetry-fluent-bit:2021 and
 * telemetry-manager:8080, which no Kyma Telemetry rule documents). Whether that rule keeps the edge open after the
 * recommendation is applied beside it is the plugin's reading of ipBlocks:
 * - kubernetes.io NetworkPolicyPeer ipBlock: "cluster-external IPs"; what it does to pod IPs is
 *   the plugin's — so on `kubernetes` the edge is still allowed on one reading, and said so;
 * - Cilium never matches an ipBlock against a pod: it reads it as a CIDR rule, and "CIDR rules do
 *   not apply to traffic where both sides of the connection are either managed by Cilium or use an
 *   IP belonging to a node in the cluster" (cilium/cilium Documentation/security/policy/language.rst,
 *   Layer 3 "CIDR based"; docs.cilium.io "Network Policy": Cilium applies NetworkPolicies beside its
 *   own policy types) — so on `cilium`, where Cilium enforces
 *   the applied NetworkPolicy beside the CiliumNetworkPolicies, the edge is denied; the finding
 *   must name the applied policy that isolates it too and say why its rule does not count, or the
 *   two outputs disagree with no word of why.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { loadDemo } from '../../demo/load.ts';
import type { EngineName } from '../../recommender/engines/types.ts';
import type { EdgeFinding } from '../../recommender/verify/recommendation.ts';
import { tmpDb } from '../helpers/tmp.ts';

// The demo (docs/demo.md): its inventory shows no network plugin and applies NetworkPolicies only.
const { db } = tmpDb();
await loadDemo(db);
const input = readRecommendationInput(db, {});
const verify = (engine: EngineName) => runRecommendation(input, engine, recommendOptions({ mode: 'documented', defaultDeny: true, namespace: 'kyma-system' }), { tightness: false }).verification;

const SELF_MONITOR = 'kyma-system/Deployment/telemetry-self-monitor';
const APPLIED = 'NetworkPolicy/kyma-system/telemetry-self-monitor';
const EDGES = [
  'workload:kyma-system/Deployment/telemetry-self-monitor|workload:kyma-system/DaemonSet/telemetry-fluent-bit|2021|TCP',
  'workload:kyma-system/Deployment/telemetry-self-monitor|workload:kyma-system/Deployment/telemetry-manager|8080|TCP',
];
const selfMonitorEgress = (fs: readonly EdgeFinding[]) => fs.filter((f) => f.workload === SELF_MONITOR && f.direction === 'egress' && EDGES.includes(f.edge)).sort((a, b) => a.edge.localeCompare(b.edge));

test('kubernetes (no plugin shown): the left-out egress is still allowed by the applied ipBlock rule on one reading of ipBlocks, and says so', () => {
  const v = verify('kubernetes');
  const found = selfMonitorEgress(v.stillAllowed);
  assert.equal(found.length, 2, JSON.stringify(v.stillAllowed));
  for (const f of found) {
    assert.equal(f.dependsOnIpBlockReading, true);
    assert.deepEqual(f.by, { policy: APPLIED, rule: '/spec/egress/0' });
  }
});

test('cilium: the left-out egress is denied beside the applied NetworkPolicy Cilium enforces too; the finding names it among the isolating policies and says why its ipBlock rule does not count on Cilium', () => {
  const v = verify('cilium');
  assert.deepEqual(selfMonitorEgress(v.stillAllowed), []);
  const found = selfMonitorEgress(v.denied);
  assert.equal(found.length, 2, JSON.stringify(v.denied));
  for (const f of found) {
    assert.ok(f.isolatedBy?.includes(APPLIED), JSON.stringify(f));
    assert.ok(f.isolatedBy?.includes('CiliumNetworkPolicy/kyma-system/kyma-system-deployment-telemetry-self-monitor'), JSON.stringify(f));
    assert.match(f.reason, /^mode documented: no included documented rule covers this edge; /);
    assert.match(f.reason, /egress rule \/spec\/egress\/0 of NetworkPolicy\/kyma-system\/telemetry-self-monitor/);
    assert.match(f.reason, /Cilium never matches an ipBlock against a pod address/);
  }
});
