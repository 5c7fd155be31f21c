/**
 * The same inputs give the same output on any machine (docs/design.md, "Deterministic output"):
 * string orders are code-point orders (domain/order.ts), never the process locale's collation,
 * which follows LANG / LC_ALL (in Danish "aa" sorts after "z").
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Two running pods on one IP, started at the same second: which one holds it must not depend on the locale. */
const INVENTORY = JSON.stringify({
  apiVersion: 'v1',
  kind: 'List',
  items: ['aa-x', 'b-y'].map((name) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns1', labels: { app: name } },
    spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
    status: { phase: 'Running', podIP: '10.244.9.5', podIPs: [{ ip: '10.244.9.5' }], startTime: '2026-11-19T00:00:00Z' },
  })),
});

const SCRIPT = `
import { convertInventoryText } from './collectors/inventory/index.ts';
const r = convertInventoryText(process.env.INVENTORY, 0);
console.log(JSON.stringify({ holder: r.snapshot.podAddresses.map((a) => a.pod), warnings: r.warnings }));
`;

function runUnder(locale: string): string {
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], { cwd: ROOT, env: { ...process.env, LC_ALL: locale, LANG: locale, INVENTORY }, encoding: 'utf8' });
}

test('a pod-IP tie is settled the same under en_US and da_DK (where "aa" sorts after "z"), and the warning says it was a tie', () => {
  const en = runUnder('en_US.UTF-8');
  assert.equal(runUnder('da_DK.UTF-8'), en);
  const out = JSON.parse(en) as { holder: string[]; warnings: string[] };
  assert.deepEqual(out.holder, ['aa-x']);
  assert.ok(out.warnings.some((w) => w.includes('kept ns1/aa-x (both started at the same time; the first by namespace and name)')), out.warnings.join('\n'));
});

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return ['node_modules', 'dist', 'test', 'data', '.git'].includes(name) ? [] : sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

test('no source sorts by the process locale (localeCompare): the order would follow LANG on each machine', () => {
  const offenders = sources(ROOT).filter((f) => /\.localeCompare\(/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders.map((f) => f.slice(ROOT.length)), []);
});
