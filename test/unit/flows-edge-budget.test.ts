/**
 * collectors/flows/edge-budget.ts, as docs/ingest.md "Bounded by design" states it: distinct edges
 * are capped per workload, on whichever side the workload is, and a stream of refused edges
 * costs neither memory nor a store query per record.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EdgeBudget } from '../../collectors/flows/edge-budget.ts';

const PG = 'workload:db/StatefulSet/pg';
const made = (i: number) => `workload:shop/Deployment/fake-${i}`;
// No inventory: every workload is one only flow records name.
const unlisted = () => false;

test('the per-workload cap holds for the server side too: made-up clients cannot give one server unbounded edges', () => {
  const budget = new EdgeBudget({ maxEdgesPerWorkload: 100, maxEdgesPerRun: 1_000_000 }, () => 0, unlisted);
  let admitted = 0;
  for (let i = 0; i < 1000; i++) if (budget.admit(made(i), PG, 5432, 'TCP')) admitted++;
  assert.equal(admitted, 100);
  assert.equal(budget.size, 100);
});

test('edges refused past a cap keep nothing and ask the store nothing per record', () => {
  let queries = 0;
  const budget = new EdgeBudget({ maxEdgesPerWorkload: 10, maxEdgesPerRun: 50 }, () => (queries++, 0), unlisted);
  for (let i = 0; i < 10; i++) budget.admit(made(i), PG, 5432, 'TCP');
  const afterPg = queries;
  // PG is full: each new client is refused on PG's count, without a query for the client.
  for (let i = 10; i < 10_000; i++) assert.equal(budget.admit(made(i), PG, 5432, 'TCP'), undefined);
  assert.equal(queries, afterPg);
  // The run is full after 50 edges: what comes next is refused before any query.
  for (let i = 0; i < 40; i++) budget.admit(made(20_000 + i), made(30_000 + i), 80, 'TCP');
  assert.equal(budget.size, 50);
  const atCap = queries;
  for (let i = 0; i < 10_000; i++) assert.equal(budget.admit(made(40_000 + i), made(50_000 + i), 80, 'TCP'), undefined);
  assert.equal(queries, atCap);
  assert.ok(budget.owners <= 2 * budget.size, `owners kept: ${budget.owners} for ${budget.size} edges`);
});

test('edges between workloads the inventory lists are never refused; an address far side folds on the workload\'s count', () => {
  const budget = new EdgeBudget({ maxEdgesPerWorkload: 2, maxEdgesPerRun: 1_000_000 }, () => 0, () => true);
  for (let i = 0; i < 10; i++) assert.ok(budget.admit(made(i), PG, 5432, 'TCP'));
  const web = 'workload:shop/Deployment/web';
  const out = Array.from({ length: 6 }, (_, i) => budget.admit(web, `external:198.51.100.${i}`, 443, 'TCP')!);
  assert.deepEqual(out.map((e) => [e.server, e.folded]), [
    ['external:198.51.100.0', false],
    ['external:198.51.100.1', false],
    ['external:198.51.100.0/24', true],
    ['external:198.51.100.0/24', true],
    ['external:198.51.100.0/24', true],
    ['external:198.51.100.0/24', true],
  ]);
});

test('an address whose block already holds a folded edge is that edge again, not a fold one level wider (a repeat adds no edge, and the cap bounds edges)', () => {
  const WEB = 'workload:shop/Deployment/web';
  const budget = new EdgeBudget({ maxEdgesPerWorkload: 1, maxEdgesPerRun: 1_000_000 }, () => 0, () => true);
  assert.equal(budget.admit(WEB, 'external:203.0.113.1', 443, 'TCP')?.server, 'external:203.0.113.1');
  assert.equal(budget.admit(WEB, 'external:198.51.100.1', 443, 'TCP')?.server, 'external:198.51.100.0/24');
  // The same address again, and another of that /24: the /24 edge, though the workload's folded edges are at the cap.
  assert.equal(budget.admit(WEB, 'external:198.51.100.1', 443, 'TCP')?.server, 'external:198.51.100.0/24');
  assert.equal(budget.admit(WEB, 'external:198.51.100.7', 443, 'TCP')?.server, 'external:198.51.100.0/24');
  // A new block past the cap folds into the family.
  assert.equal(budget.admit(WEB, 'external:192.0.2.1', 443, 'TCP')?.server, 'external:0.0.0.0/0');
  assert.equal(budget.size, 3);
});

test('one pair\'s edges are told apart by port and protocol; an edge met again is the object admitted first, its key built once', () => {
  const budget = new EdgeBudget({ maxEdgesPerWorkload: 100, maxEdgesPerRun: 1_000_000 });
  const web = 'workload:shop/Deployment/web';
  const ports = [[5432, 'TCP'], [5432, 'UDP'], [53, 'UDP'], [0, 'ICMP'], [0, 'ICMPv6'], [5432, 'SCTP']] as const;
  const first = ports.map(([port, protocol]) => budget.admit(web, PG, port, protocol));
  assert.equal(budget.size, ports.length);
  assert.equal(new Set(first).size, ports.length);
  assert.deepEqual(
    first.map((e) => e?.key),
    ports.map(([port, protocol]) => `${web}\t${PG}\t${port}\t${protocol}`),
  );
  for (const [i, [port, protocol]] of ports.entries()) assert.equal(budget.admit(web, PG, port, protocol), first[i]);
  // The other direction is another edge.
  assert.notEqual(budget.admit(PG, web, 5432, 'TCP'), first[0]);
  assert.equal(budget.size, ports.length + 1);
});
