import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpDir } from '../helpers/tmp.ts';

const BIN = fileURLToPath(new URL('../../bin/flowmatrix.mjs', import.meta.url));

test('flowmatrix demo prints its curl commands once the service listens, on the port it listens on: the first one answers at once', async () => {
  const child = spawn(process.execPath, [BIN, 'demo', '--port', '0', '--db', join(tmpDir(), 'demo.db')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = once(child, 'exit');
  try {
    while (!/\ntry:\n.*\n/.test(stderr)) {
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(child.exitCode, null, `demo exited early: ${stderr}`);
    }
    const first = /try:\n\s+curl -s '([^']+)'/.exec(stderr)?.[1];
    assert.ok(first, stderr);
    assert.doesNotMatch(first, /:0\//, 'the port the service listens on, not the one asked for');
    const res = await fetch(first);
    assert.equal(res.status, 200);
    assert.ok(stderr.indexOf('serving on') < stderr.indexOf('try:'), stderr);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});
