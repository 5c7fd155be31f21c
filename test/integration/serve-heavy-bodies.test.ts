/**
 * Bodies that cost far more to parse than they weigh must not take `serve` down: the real
 * process, with a small heap, so that what would exhaust a 1 GiB pod exhausts it with a small body.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tmpDir } from '../helpers/tmp.ts';

const BIN = fileURLToPath(new URL('../../bin/flowmatrix.mjs', import.meta.url));

/** `serve` on a fresh database with a heap of `heapMb`, no token (127.0.0.1), and its base URL. */
async function serve(heapMb: number): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, BIN, 'serve', '--port', '0', '--db', join(tmpDir(), 'f.db')], {
    env: { ...process.env, FLOWMATRIX_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  for (;;) {
    const m = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
    if (m) return { child, base: m[1]!, output: () => out };
    assert.equal(child.exitCode, null, `serve exited early: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a YAML inventory of 400,000 one-byte items (800 kB; hundreds of MB of yaml Document nodes) is refused with 413 and the service stays up', async () => {
  const { child, base, output } = await serve(96);
  try {
    const body = `x: [${Array(400_000).fill('1').join(',')}]\n`;
    const res = await fetch(`${base}/api/v1/inventory`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body }).catch((e: Error) => assert.fail(`no answer (${e.message}): ${output().slice(-500)}`));
    assert.equal(res.status, 413, await res.clone().text());
    assert.match(((await res.json()) as { detail: string }).detail, /more than 200000 tokens/);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal(child.exitCode, null, 'serve is still running');
  } finally {
    child.kill('SIGTERM');
  }
});
