/**
 * A documented `must` rule's flow is required in every mode, at both of its ends
 * (docs/recommend.md, "Verification"). The stage controller fetches artifacts from Flux's
 * source-controller (progressive-delivery/controller/egress/source-controller, 9090/TCP, must).
 * With every edge stale (`--stale-days 5` ten days after the demo's traffic), mode observed renders
 * observed edges only and cut that flow at both ends: the workload's warning said so, yet the
 * verification was ok (exit 0, X-Flowmatrix-Verified: true) and listed the sides under `denied`.
 * The same when the edge was never observed. A cut must flow is `blocked`, naming the rule and the
 * way out, so export fails (exit 2 / 422) instead of printing a warning alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readRecommendationInput, recommendOptions, runRecommendation, type StoredRecommendInput } from '../../app/recommendation.ts';
import { loadDemo } from '../../demo/load.ts';
import { peerKey } from '../../domain/peer.ts';
import type { EdgeFinding } from '../../recommender/verify/recommendation.ts';
import { tmpDb } from '../helpers/tmp.ts';

const { db } = tmpDb();
await loadDemo(db);
const input = readRecommendationInput(db, {});
const RULE = 'progressive-delivery/controller/egress/source-controller';
const CONTROLLER = 'progressive-delivery/Deployment/stage-controller';
const SOURCE = 'flux-system/Deployment/source-controller';
const EDGE = `workload:${CONTROLLER}|workload:${SOURCE}|9090|TCP`;
// Ten days after the demo's traffic (2026-11-20): every edge is stale under --stale-days 5.
const LATER = { now: Date.parse('2026-12-01T00:00:00Z'), staleDays: 5 };

const withoutEdge = (key: string): StoredRecommendInput => ({
  ...input,
  edges: input.edges.filter((e) => `${peerKey(e.client)}|${peerKey(e.server)}|${e.port}|${e.protocol}` !== key),
});
const at = (fs: readonly EdgeFinding[], workload: string, direction: string): EdgeFinding | undefined => fs.find((f) => f.workload === workload && f.direction === direction && f.edge === EDGE);

test('mode observed, the must edge stale: blocked at both ends, naming the rule and the way out (mode union, --stale-days), never merely denied', () => {
  const { verification: v, rec } = runRecommendation(input, 'kubernetes', recommendOptions({ mode: 'observed', ...LATER }), { tightness: false });
  assert.equal(v.ok, false);
  const owner = at(v.blocked, CONTROLLER, 'egress');
  assert.ok(owner, JSON.stringify(v.blocked.filter((f) => f.edge === EDGE)));
  assert.match(owner.reason, new RegExp(`${RULE} \\(must\\) requires it: applying this cuts required traffic; mode union keeps it \\(--mode union, mode=union\\), or 11 stale days count it as recent \\(--stale-days 11, staleDays=11\\)`));
  const peer = at(v.blocked, SOURCE, 'ingress');
  assert.ok(peer, JSON.stringify(v.blocked.filter((f) => f.edge === EDGE)));
  assert.match(peer.reason, new RegExp(`${RULE} requires it \\(${CONTROLLER}'s egress\\): applying this cuts required traffic; mode union keeps it`));
  assert.equal(at(v.denied, CONTROLLER, 'egress'), undefined);
  assert.equal(at(v.denied, SOURCE, 'ingress'), undefined);
  // The workload's warning says the same, once.
  const w = rec.workloads.find((x) => `${x.workload.namespace}/${x.workload.kind}/${x.workload.name}` === CONTROLLER)!;
  assert.equal(w.warnings.filter((m) => m.startsWith(`${RULE} (must: `) && m.includes('that egress flow gets no rule of its own, and the verification fails where the output cuts it (mode union keeps it)')).length, 1, w.warnings.join('\n'));
});

test('mode observed, the must edge never observed: the flow the rule requires is blocked at both ends, not observed yet', () => {
  const { verification: v } = runRecommendation(withoutEdge(EDGE), 'kubernetes', recommendOptions({ mode: 'observed', ...LATER }), { tightness: false });
  assert.equal(v.ok, false);
  for (const [workload, direction] of [[CONTROLLER, 'egress'], [SOURCE, 'ingress']] as const) {
    const f = at(v.blocked, workload, direction);
    assert.ok(f, `${workload} ${direction}: ${JSON.stringify(v.blocked.filter((x) => x.edge === EDGE))}`);
    assert.match(f.reason, new RegExp(`${RULE} \\(must\\) requires it, not observed yet: applying this cuts required traffic; mode union keeps it \\(--mode union, mode=union\\)$`));
  }
});

test('mode observed with --no-egress: the owner\'s egress is open, the source-controller\'s ingress still must let the flow in', () => {
  const stale = runRecommendation(input, 'kubernetes', recommendOptions({ mode: 'observed', egress: false, ...LATER }), { tightness: false }).verification;
  assert.ok(at(stale.blocked, SOURCE, 'ingress'), JSON.stringify(stale.blocked.filter((f) => f.edge === EDGE)));
  assert.equal(at(stale.blocked, CONTROLLER, 'egress'), undefined);
  const never = runRecommendation(withoutEdge(EDGE), 'kubernetes', recommendOptions({ mode: 'observed', egress: false, ...LATER }), { tightness: false }).verification;
  assert.ok(at(never.blocked, SOURCE, 'ingress'), JSON.stringify(never.blocked.filter((f) => f.edge === EDGE)));
});

test('union without documented-unobserved in --include: a must rule seen long ago only is cut, blocked, and the way out says what to include', () => {
  const { verification: v } = runRecommendation(input, 'kubernetes', recommendOptions({ include: ['confirmed', 'undocumented', 'blocked'], ...LATER }), { tightness: false });
  const owner = at(v.blocked, CONTROLLER, 'egress');
  assert.ok(owner, JSON.stringify(v.blocked.filter((f) => f.edge === EDGE)));
  assert.match(owner.reason, /including documented-unobserved keeps it \(--include, include=\), or 11 stale days count it as recent \(--stale-days 11, staleDays=11\)$/);
});

test('modes union and documented keep the flow, stale or never observed: verified at both ends', () => {
  for (const mode of ['union', 'documented'] as const) {
    for (const [what, data] of [['stale', input], ['never observed', withoutEdge(EDGE)]] as const) {
      const { verification: v } = runRecommendation(data, 'kubernetes', recommendOptions({ mode, ...LATER }), { tightness: false });
      assert.equal(v.blocked.filter((f) => f.edge === EDGE).length, 0, `${mode}, ${what}: ${JSON.stringify(v.blocked)}`);
      assert.equal(v.denied.filter((f) => f.edge === EDGE).length, 0, `${mode}, ${what}: ${JSON.stringify(v.denied)}`);
    }
  }
});

test('the demo\'s defaults stay verified on every engine, and so does mode observed on fresh data for this flow', () => {
  for (const engine of ['kubernetes', 'cilium', 'calico', 'clusternetworkpolicy'] as const) {
    assert.equal(runRecommendation(input, engine, recommendOptions({}), { tightness: false }).verification.ok, true, engine);
  }
  const { verification: v } = runRecommendation(input, 'kubernetes', recommendOptions({ mode: 'observed' }), { tightness: false });
  assert.equal(v.blocked.filter((f) => f.edge === EDGE).length, 0, JSON.stringify(v.blocked));
});

test('the workload\'s "no rule of its own" warning agrees with the verification on kubernetes: said of a must rule seen long ago only where the verification blocks its edges, not where the output keeps them (an exposed port open to all, a dynamic-peers direction)', () => {
  const { verification: v, rec } = runRecommendation(input, 'kubernetes', recommendOptions({ mode: 'observed', ...LATER }), { tightness: false });
  const said: string[] = [];
  for (const w of rec.workloads) {
    const key = `${w.workload.namespace}/${w.workload.kind}/${w.workload.name}`;
    for (const m of w.warnings) {
      const rule = /^(\S+) \(must: .*\) is not observed lately \(its edges are stale\), and mode observed renders observed edges only: that \S+ flow gets no rule of its own/.exec(m)?.[1];
      if (rule === undefined) continue;
      said.push(`${key} ${rule}`);
      assert.ok(v.blocked.some((f) => f.workload === key && f.reason.includes(`${rule} (must) requires it`)), `${key}: warned, not blocked: ${rule}`);
    }
  }
  assert.ok(said.includes(`${CONTROLLER} ${RULE}`), said.join('\n'));
  // StackLight's alerta: "allow all ingress - exposed through a load balancer" (must); its exposed port stays open to all.
  assert.ok(!said.includes('stacklight/Deployment/alerta stacklight/alerta/ingress/allow-all'), said.join('\n'));
  // StackLight's Prometheus scrapes dynamic peers: its egress stays open to all (the dynamic-peers exception).
  assert.ok(!said.includes('stacklight/StatefulSet/prometheus-server stacklight/prometheus-server/egress/allow-all'), said.join('\n'));
});
