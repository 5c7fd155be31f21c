/**
 * The per-workload cap on DNS names kept (collectors/flows/name-budget.ts, docs/ingest.md "Bounded
 * by design"): the names the store holds count, and one it holds is no new name when seen again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkloadNameBudget } from '../../collectors/flows/name-budget.ts';

/** A store holding `names` ('service\tname') for workload w. */
function store(names: readonly string[]) {
  const asked: string[] = [];
  return {
    asked,
    storedNamesOf: (w: string) => (asked.push(`count ${w}`), w === 'w' ? names.length : 0),
    isStoredName: (w: string, service: string, name: string) => w === 'w' && names.includes(`${service}\t${name}`),
  };
}

test('a workload holding 3 of a cap of 5 names: its stored names seen again take no room, 2 new names fit, the third does not', () => {
  const s = store(['\ta.example', '\tb.example', 'app/api\tc.example']);
  const budget = new WorkloadNameBudget(5, s);
  for (const [service, name] of [['', 'a.example'], ['', 'b.example'], ['app/api', 'c.example']]) assert.equal(budget.admit('w', service!, name!), true, name);
  assert.deepEqual(['d.example', 'e.example', 'f.example'].map((n) => budget.admit('w', '', n)), [true, true, false]);
  // Past the cap a stored name is still updated; the same name through another Service is another name.
  assert.equal(budget.admit('w', '', 'a.example'), true);
  assert.equal(budget.admit('w', 'app/other', 'a.example'), false);
  assert.deepEqual(s.asked, ['count w'], 'one count per workload per run');
});

test('each workload has its own cap; a name met again in the run is admitted with no lookup', () => {
  const s = store([]);
  const budget = new WorkloadNameBudget(1, s);
  assert.equal(budget.admit('x', '', 'a.example'), true);
  assert.equal(budget.admit('x', '', 'a.example'), true);
  assert.equal(budget.admit('x', '', 'b.example'), false);
  assert.equal(budget.admit('y', '', 'b.example'), true);
  assert.deepEqual(s.asked, ['count x', 'count y']);
});
