import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { main } from '../../cli/main.ts';
import { CATALOG_DIR } from '../../app/catalog.ts';
import { openDb } from '../../store/db.ts';
import { listStoredMatrices } from '../../store/matrices.ts';
import { tmpDir } from '../helpers/tmp.ts';

const dir = tmpDir();
const db = join(dir, 'flowmatrix.db');
const INVALID = new URL('../fixtures/matrices/invalid.yaml', import.meta.url).pathname;

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'flowmatrix', ...args], { out: (t) => void (out += t), err: (t) => void (err += t), stdin: new PassThrough() });
  return { code, out, err };
}

const stored = () => {
  const h = openDb(db);
  try {
    return listStoredMatrices(h).map((m) => m.name);
  } finally {
    h.close();
  }
};

test('validate: a valid file passes, an invalid one exits 1 listing every problem with its path', async () => {
  const ok = await run('matrix', 'validate', join(CATALOG_DIR, 'netobserv.yaml'));
  assert.equal(ok.code, 0);
  assert.match(ok.out, /valid matrix "netobserv" \(4 components, 20 rules\)/);
  const bad = await run('matrix', 'validate', INVALID);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /invalid matrix \(15 problems\)/);
  assert.match(bad.err, /components\.ebpf-agent\.egress\[1\]\.ports\[0\]\.port \(line 22\): out of range/);
});

test('apply: an invalid matrix is rejected and nothing stored changes', async () => {
  const r = await run('matrix', 'apply', INVALID, '--db', db);
  assert.equal(r.code, 1);
  assert.match(r.err, /components\.ebpf-agent\.egress\[0\]\.peer\.component \(line 17\): dangling reference/);
  assert.deepEqual(stored(), []);
});

test('apply: a new matrix is stored and listed; re-applying it is a no-op; a built-in name overrides the catalog entry', async () => {
  const mine = join(dir, 'shop.yaml');
  writeFileSync(
    mine,
    `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: shop, title: The shop }
documents: { wiki: { title: Shop wiki, url: https://wiki.example/shop } }
components:
  cart:
    namespace: shop
    selector: { matchLabels: { app: cart } }
    authoritative: true
    egress:
      - peer: { fqdns: [payments.example.com] }
        ports: [{ port: 443 }]
        level: must
        purpose: payments API
        source: { document: wiki, row: cart }
`,
  );
  const first = await run('matrix', 'apply', mine, '--db', db);
  assert.equal(first.code, 0, first.err);
  assert.equal(JSON.parse(first.out).status, 'applied');
  assert.equal(JSON.parse((await run('matrix', 'apply', mine, '--db', db)).out).status, 'unchanged');

  const override = join(dir, 'netobserv.yaml');
  writeFileSync(override, readFileSync(join(CATALOG_DIR, 'netobserv.yaml'), 'utf8').replace('default: netobserv\n', 'default: observability\n'));
  const o = await run('matrix', 'apply', override, '--db', db);
  assert.equal(JSON.parse(o.out).overridesBuiltIn, true);
  assert.deepEqual(stored(), ['netobserv', 'shop']);

  const list = await run('matrix', 'list', '--db', db);
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, /^netobserv\s+applied \(overrides built-in\)\s+yes\s+no\s+0\/4\s+.*namespace=observability/m);
  assert.match(list.out, /^shop\s+applied\s+yes\s+no\s+0\/1\s+-$/m);
  assert.match(list.out, /^stacklight\s+built-in\s+yes\s+no\s+0\/30\s+namespace=stacklight$/m);

  const show = await run('matrix', 'show', 'shop', '--db', db, '--output', 'json');
  const m = JSON.parse(show.out);
  assert.deepEqual(m.components[0].rules[0].peers, [{ kind: 'fqdn', fqdns: ['payments.example.com'] }]);
  assert.equal(m.components[0].rules[0].id, 'shop/cart/egress/payments-example-com-443');
});

test('config: systems can be turned off and parameters set; bad config is refused with its path', async () => {
  const cfg = join(dir, 'config.yaml');
  writeFileSync(cfg, 'server: { port: 8080 }\nmatrices:\n  systems:\n    stacklight: { enabled: false }\n    kyma-telemetry: { parameters: { model: current } }\n');
  const list = await run('matrix', 'list', '--db', db, '--config', cfg, '--output', 'json');
  assert.equal(list.code, 0, list.err);
  const byName = Object.fromEntries((JSON.parse(list.out) as { name: string; enabled: boolean; parameters: Record<string, unknown> }[]).map((m) => [m.name, m]));
  assert.equal(byName.stacklight?.enabled, false);
  assert.deepEqual(byName['kyma-telemetry']?.parameters.model, { value: 'current', origin: 'config' });

  writeFileSync(cfg, 'matrices:\n  systems:\n    netobserv: { parameters: { deploymentModel: Mesh } }\n');
  const bad = await run('matrix', 'show', 'netobserv', '--db', db, '--config', cfg);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /matrices\.systems\.netobserv\.parameters\["deploymentModel"\]: must be one of "Service", "Kafka", "Direct"; got "Mesh"/);

  const unknown = await run('matrix', 'show', 'nope', '--db', db);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /no matrix named "nope"/);
  const fmt = await run('matrix', 'show', 'netobserv', '--db', db, '--output', 'table');
  assert.match(fmt.err, /--output <format>' argument 'table' is invalid. Allowed choices are yaml, json, source/);
});
