/**
 * `matrix apply`, `matrix delete` and `matrix validate` check the stored matrices against the service's config
 * (--config, else env FLOWMATRIX_CONFIG) as PUT /api/v1/matrices does: a change that would leave
 * the config unfit — the service refusing every request, and to start — is refused, not stored.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDb } from '../../store/db.ts';
import { listStoredMatrices, saveMatrix } from '../../store/matrices.ts';
import { runCli } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

const dir = tmpDir();

const matrix = (params: string) => `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: shop, title: The shop }
documents: { wiki: { title: Shop wiki } }
parameters:
${params}roles:
  payments: { description: the payment provider }
components:
  cart:
    namespace: shop
    selector: { matchLabels: { app: cart } }
    egress:
      - { peer: { role: payments }, ports: [{ port: 443 }], level: must, purpose: pay, source: { document: wiki, line: 1 } }
`;
const MATRIX = matrix('  peerNamespace: { type: string, default: billing, description: the peers\' namespace }\n');
// The parameter the config sets renamed: the config no longer fits.
const RENAMED = matrix('  peersNamespace: { type: string, default: billing, description: the peers\' namespace }\n');

function files(name: string): { db: string; matrix: string; renamed: string; config: string } {
  const at = (f: string) => join(dir, `${name}-${f}`);
  writeFileSync(at('shop.yaml'), MATRIX);
  writeFileSync(at('renamed.yaml'), RENAMED);
  writeFileSync(at('config.yaml'), 'server: { port: 8080 }\nmatrices:\n  systems:\n    shop: { parameters: { peerNamespace: payments } }\n  bindings:\n    roles:\n      payments: { cidrs: [203.0.113.0/24] }\n');
  return { db: at('flowmatrix.db'), matrix: at('shop.yaml'), renamed: at('renamed.yaml'), config: at('config.yaml') };
}

const storedSource = (db: string): string | undefined => {
  const h = openDb(db);
  try {
    return listStoredMatrices(h).find((m) => m.name === 'shop')?.source;
  } finally {
    h.close();
  }
};

async function withEnvConfig<T>(file: string, f: () => Promise<T>): Promise<T> {
  const before = process.env.FLOWMATRIX_CONFIG;
  process.env.FLOWMATRIX_CONFIG = file;
  try {
    return await f();
  } finally {
    if (before === undefined) delete process.env.FLOWMATRIX_CONFIG;
    else process.env.FLOWMATRIX_CONFIG = before;
  }
}

test('apply --config refuses a matrix the config cannot take, in the words of PUT, naming the config problem; nothing stored changes', async () => {
  const f = files('apply');
  assert.equal((await runCli(['matrix', 'apply', f.matrix, '--db', f.db, '--config', f.config])).code, 0);
  const r = await runCli(['matrix', 'apply', f.renamed, '--db', f.db, '--config', f.config]);
  assert.equal(r.code, 1);
  assert.equal(
    r.err.split('\n')[0],
    `flowmatrix: ${f.renamed}: the service config (${f.config}) cannot take this matrix: storing it would leave every request refused`,
  );
  assert.match(r.err, /\n {2}matrices\.systems\.shop\.parameters\["peerNamespace"\]: unknown parameter \(known: peersNamespace\); got "payments"/);
  assert.equal(storedSource(f.db), MATRIX);
  // The service's config from the environment, as serve reads it.
  assert.equal((await withEnvConfig(f.config, () => runCli(['matrix', 'apply', f.renamed, '--db', f.db]))).code, 1);
  assert.equal(storedSource(f.db), MATRIX);
});

test('validate --config checks what apply --config and POST /matrices/validate check: the document, then whether the config could take it; nothing is stored', async () => {
  const f = files('validate');
  assert.equal((await runCli(['matrix', 'apply', f.matrix, '--db', f.db])).code, 0);
  const refused = await runCli(['matrix', 'validate', f.renamed, '--db', f.db, '--config', f.config]);
  assert.equal(refused.code, 1, refused.out);
  assert.match(refused.err, /cannot take this matrix[^\n]*\n {2}matrices\.systems\.shop\.parameters\["peerNamespace"\]: unknown parameter/);
  assert.equal((await withEnvConfig(f.config, () => runCli(['matrix', 'validate', f.renamed, '--db', f.db]))).code, 1);
  // Without a config the document alone is checked, as before.
  assert.equal((await runCli(['matrix', 'validate', f.renamed, '--db', f.db])).code, 0);
  assert.equal((await runCli(['matrix', 'validate', f.matrix, '--db', f.db, '--config', f.config])).code, 0);
  assert.equal(storedSource(f.db), MATRIX);
});

test('delete --config (or env FLOWMATRIX_CONFIG) refuses to delete a matrix the config names or whose role it binds, saying why; without that need it deletes', async () => {
  const f = files('delete');
  assert.equal((await runCli(['matrix', 'apply', f.matrix, '--db', f.db])).code, 0);
  const r = await runCli(['matrix', 'delete', 'shop', '--db', f.db, '--config', f.config]);
  assert.equal(r.code, 1);
  const lines = r.err.trimEnd().split('\n');
  assert.equal(lines[0], `flowmatrix: shop: the service config (${f.config}) needs this matrix: deleting it would leave every request refused; change the config first`);
  assert.match(lines[1]!, /^ {2}matrices\.systems\.shop: no matrix named "shop"/);
  assert.match(lines[2]!, /^ {2}matrices\.bindings\.roles\.payments: no matrix declares a role "payments"/);
  assert.equal(lines.length, 3, r.err);
  assert.equal(storedSource(f.db), MATRIX);
  assert.equal((await withEnvConfig(f.config, () => runCli(['matrix', 'delete', 'shop', '--db', f.db]))).code, 1);
  assert.equal(storedSource(f.db), MATRIX);

  writeFileSync(f.config, 'matrices: {}\n');
  const ok = await runCli(['matrix', 'delete', 'shop', '--db', f.db, '--config', f.config]);
  assert.equal(ok.code, 0, ok.err);
  assert.deepEqual(JSON.parse(ok.out), { name: 'shop', status: 'deleted', builtInRestored: false });
});

test('a stored matrix that a check added since refuses (a shared rule\'s namespace rendering "Bad_NS") is listed out of force, saying how to get out, and delete --config removes it', async () => {
  const f = files('stale');
  const h = openDb(f.db);
  try {
    const stale = MATRIX.replace('default: billing', 'default: Bad_NS') + `shared:\n  - name: common\n    components: '*'\n    egress:\n      - { peer: { namespace: "\${peerNamespace}" }, ports: [{ port: 9999 }], level: must, purpose: x, source: { document: wiki, line: 2 } }\n`;
    saveMatrix(h, { name: 'shop', source: stale, origin: 'api:1', appliedAt: 1 });
  } finally {
    h.close();
  }
  const list = await runCli(['matrix', 'list', '--db', f.db]);
  assert.equal(list.code, 0, list.err);
  assert.match(list.err, /^warning: stored matrix shop \(applied from api:1\) no longer validates and is not in force \(shared\[0\]\.egress\[0\]\.peer\.namespace \(line \d+\): renders as "Bad_NS".*: apply a fixed one .* or delete it \(`flowmatrix matrix delete shop`\)\n$/);
  writeFileSync(f.config, 'matrices: {}\n');
  const del = await runCli(['matrix', 'delete', 'shop', '--db', f.db, '--config', f.config]);
  assert.equal(del.code, 0, del.err);
  assert.equal(storedSource(f.db), undefined);
});

test('delete --config refuses only what the delete breaks: a misspelt role the config already bound (whose message lists the roles) is not blamed on it', async () => {
  const f = files('misspelt');
  assert.equal((await runCli(['matrix', 'apply', f.matrix, '--db', f.db])).code, 0);
  writeFileSync(f.config, 'matrices:\n  bindings:\n    roles:\n      paymnts: { cidrs: [203.0.113.0/24] }\n');
  const del = await runCli(['matrix', 'delete', 'shop', '--db', f.db, '--config', f.config]);
  assert.equal(del.code, 0, del.err);
  assert.equal(storedSource(f.db), undefined);
});

test('apply --config takes one of two matrices the config names and neither is stored yet: it refuses only what the apply breaks', async () => {
  const f = files('two');
  const shop2 = join(dir, 'two-shop2.yaml');
  writeFileSync(shop2, MATRIX.replace('name: shop,', 'name: shop2,'));
  writeFileSync(f.config, 'matrices:\n  systems:\n    shop: { parameters: { peerNamespace: payments } }\n    shop2: {}\n');
  const first = await runCli(['matrix', 'apply', f.matrix, '--db', f.db, '--config', f.config]);
  assert.equal(first.code, 0, first.err);
  const second = await runCli(['matrix', 'apply', shop2, '--db', f.db, '--config', f.config]);
  assert.equal(second.code, 0, second.err);
  // What the apply does break is still refused.
  const renamed = await runCli(['matrix', 'apply', f.renamed, '--db', f.db, '--config', f.config]);
  assert.equal(renamed.code, 1);
  assert.match(renamed.err, /matrices\.systems\.shop\.parameters\["peerNamespace"\]: unknown parameter/);
  assert.equal(storedSource(f.db), MATRIX);
});

test('apply --config of an unchanged matrix says what the config does not fit already (a misspelt role, a system not applied yet): stored, listed as the config\'s own problems on stdout and stderr; a refusal lists them after its own, marked', async () => {
  const f = files('already');
  assert.equal((await runCli(['matrix', 'apply', f.matrix, '--db', f.db])).code, 0);
  writeFileSync(f.config, 'matrices:\n  systems:\n    shop2: {}\n  bindings:\n    roles:\n      paymnts: { cidrs: [203.0.113.0/24] }\n');
  const r = await runCli(['matrix', 'apply', f.matrix, '--db', f.db, '--config', f.config]);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as { status: string; configProblems: { path: string; message: string }[] };
  assert.equal(out.status, 'unchanged');
  assert.deepEqual(out.configProblems.map((p) => p.path), ['matrices.systems.shop2', 'matrices.bindings.roles.paymnts'], 'in the order the config check finds them, as every refusal lists them');
  const lines = r.err.trimEnd().split('\n');
  assert.equal(lines[0], `warning: the service config (${f.config}) does not fit the matrices in force, as before this apply (2 problems): the service refuses every request until it is fixed`);
  assert.match(lines[1]!, /^ {2}matrices\.systems\.shop2: no matrix named "shop2"/);
  assert.match(lines[2]!, /^ {2}matrices\.bindings\.roles\.paymnts: no matrix declares a role "paymnts"/);
  assert.equal(lines.length, 3, r.err);

  // A config that fits: nothing to say.
  writeFileSync(f.config, 'matrices: {}\n');
  const fits = await runCli(['matrix', 'apply', f.matrix, '--db', f.db, '--config', f.config]);
  assert.deepEqual([fits.code, fits.err, (JSON.parse(fits.out) as { configProblems: unknown[] }).configProblems], [0, '', []]);

  // Refused: the apply's own problem first, then what the config had already, marked so.
  writeFileSync(f.config, 'matrices:\n  systems:\n    shop: { parameters: { peerNamespace: payments } }\n    shop2: {}\n');
  const refused = await runCli(['matrix', 'apply', f.renamed, '--db', f.db, '--config', f.config]);
  assert.equal(refused.code, 1);
  const refusal = refused.err.trimEnd().split('\n');
  assert.match(refusal[1]!, /^ {2}matrices\.systems\.shop\.parameters\["peerNamespace"\]: unknown parameter/);
  assert.match(refusal[2]!, /^ {2}matrices\.systems\.shop2: already before this change: no matrix named "shop2"/);
  assert.equal(refusal.length, 3, refused.err);
  assert.equal(storedSource(f.db), MATRIX);
});
