/**
 * Which parameters of the built-in matrices turn on an optional part and which switch between
 * alternative views (recommender/matrix/condition-kind.ts; docs/matrices.md "Documented when
 * set"), per rule whose condition fails on the defaults. The seeds decide: "when configured"
 * (seed 003 lines 81-82) and "when exporters are configured" (seed 002 line 54) are optional parts;
 * the deployment model (seed 002 lines 32-39), Kyma's two analyses (seed 001 lines 11 and 33) and
 * the in-namespace simplification (seed 002 line 14: "you can simplify the rules if you choose to
 * allow in-namespace traffic") are views.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalog } from '../../app/catalog.ts';
import { conditionKind } from '../../recommender/matrix/condition-kind.ts';
import { resolveMatrix } from '../../recommender/matrix/resolve.ts';
import type { ConditionResult, ResolvedParameter } from '../../recommender/matrix/resolved.ts';
import type { InventorySnapshot } from '../../domain/inventory.ts';

const EMPTY: InventorySnapshot = { takenAt: 0, namespaces: [], nodes: [], workloads: [], services: [], endpointSlices: [], policies: [], podAddresses: [], apiserver: [] };

test('the built-in matrices: each failing condition on the defaults is an optional part or a view switch, as its document says', () => {
  const kinds = new Map<string, string>();
  for (const entry of loadCatalog()) {
    const m = resolveMatrix({ matrix: entry.matrix, origin: 'built-in', overridesBuiltIn: false }, EMPTY, {});
    for (const rule of m.components.flatMap((c) => c.rules)) {
      const kind = conditionKind(rule.condition, m.parameters);
      if (kind !== undefined) kinds.set(`${m.name} ${rule.condition!.text}`, kind);
    }
  }
  assert.deepEqual(Object.fromEntries([...kinds].sort()), {
    'kyma-telemetry model=current': 'view',
    'netobserv allowInNamespace=true': 'view',
    'netobserv deploymentModel=Direct': 'view',
    'netobserv deploymentModel=Kafka': 'view',
    'netobserv exporters.configured=true': 'option',
    'progressive-delivery otlp.configured=true': 'option',
    'progressive-delivery s3.configured=true': 'option',
  });
});

const param = (name: string, type: string, value: string | boolean | number, extra: Partial<ResolvedParameter> = {}): ResolvedParameter => ({ name, type, description: name, value, origin: 'default', ...extra });
const cond = (when: ConditionResult['when']): ConditionResult => ({ when, text: Object.entries(when).map(([k, v]) => `${k}=${String(v)}`).join(', '), holds: false });

test('a condition is an optional part only when every parameter it fails on is a defaulted boolean off that it needs on; set in config, it is neither', () => {
  const ps = [param('a', 'boolean', false), param('b', 'boolean', true), param('m', 'string', 'x'), param('v', 'boolean', false, { switchesView: true }), param('c', 'boolean', false, { origin: 'config' })];
  assert.equal(conditionKind(cond({ a: true }), ps), 'option');
  assert.equal(conditionKind(cond({ a: true, b: true }), ps), 'option', 'b holds: only a fails');
  assert.equal(conditionKind(cond({ b: false }), ps), 'view', 'a rule turned on by switching a default-on boolean off');
  assert.equal(conditionKind(cond({ m: 'y' }), ps), 'view');
  assert.equal(conditionKind(cond({ a: true, m: 'y' }), ps), 'view');
  assert.equal(conditionKind(cond({ v: true }), ps), 'view');
  assert.equal(conditionKind(cond({ c: true }), ps), undefined, 'the config said false');
  assert.equal(conditionKind({ ...cond({ a: false }), holds: true }, ps), undefined);
});
