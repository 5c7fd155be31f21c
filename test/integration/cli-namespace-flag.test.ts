/**
 * `-n, --namespace` takes a namespace name, a DNS-1123 label (Kubernetes ValidateNamespaceName),
 * checked at the door as the REST API checks `?namespace=` (server/schemas/common.ts, 400):
 * `-n Shop` is a typo of the flag's value, not a namespace the store lacks.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { tmpDir } from '../helpers/tmp.ts';

test('-n with no namespace name is refused before the store is read, naming the flag and the rule', async () => {
  const db = join(tmpDir(), 'empty.db');
  for (const ns of ['Shop', 'bad_ns', 'a.b', '-shop', '', 'x'.repeat(64)]) {
    for (const argv of [['recommend', '--engine', 'kubernetes', '-n', ns], ['export', '--engine', 'cilium', '--namespace', ns], ['edges', '-n', ns], ['edges', 'delete', '--namespace', ns], ['report', '--no-store', '-n', ns]]) {
      const r = await runCli([...argv, '--db', db]);
      assert.equal(r.code, 1, argv.join(' '));
      assert.equal(r.out, '', argv.join(' '));
      assert.match(r.err, new RegExp(`^flowmatrix: -n, --namespace: "${ns.replace(/\./g, '\\.')}" is no namespace name: must be a DNS-1123 label`), argv.join(' '));
    }
  }
});
