/**
 * `serve` following a file while the store cannot grow (a file size limit: every write past it
 * fails with EFBIG, SQLite's "disk I/O error"): the collector backs off and logs the episode once,
 * /healthz and /readyz answer, and SIGTERM stops the process. The real process under `ulimit -f`
 * (a limit is per process), on a store migrated beforehand so that only the collector's writes grow it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../store/db.ts';
import { HUBBLE, text } from '../helpers/follow-files.ts';
import { tmpDir } from '../helpers/tmp.ts';
import { until } from '../helpers/until.ts';

const BIN = fileURLToPath(new URL('../../bin/flowmatrix.mjs', import.meta.url));
/** KiB the process may write to one file: the write-ahead log fills up after a few dozen commits. */
const LIMIT_KIB = 300;

interface FilesStatus {
  state: string;
  lastError?: string;
  counters: Record<string, number>;
}

test('serve under a file size limit: the files collector backs off on a refused commit, logs it once, and the process answers probes and stops on SIGTERM', async () => {
  const dir = tmpDir();
  const db = join(dir, 'f.db');
  openDb(db).close();
  const file = join(dir, 'flows.jsonl');
  writeFileSync(file, text(Array.from({ length: 100 }, () => HUBBLE).flat()));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `collectors:\n  files:\n    files:\n      - { path: ${file}, format: hubble }\n    pollInterval: 50ms\n    flushInterval: 50ms\n    batchSize: 5\n`);
  const child = spawn('bash', ['-c', `ulimit -f ${LIMIT_KIB} && exec "$0" "$@"`, process.execPath, BIN, 'serve', '--port', '0', '--db', db, '--config', config], {
    env: { ...process.env, FLOWMATRIX_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = once(child, 'exit');
  try {
    await until('serve listens', () => {
      assert.equal(child.exitCode, null, `serve exited early: ${out}`);
      return /serving on http:\/\/127\.0\.0\.1:\d+/.test(out);
    }, { timeoutMs: 30_000, everyMs: 50 });
    const base = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    const get = (path: string) => fetch(`${base}${path}`, { signal: AbortSignal.timeout(2_000) }).catch((e: Error) => assert.fail(`${path} did not answer (${e.message}): ${out.slice(-800)}`));
    const files = async (): Promise<{ status: number; files: FilesStatus }> => {
      const r = await get('/readyz');
      const body = (await r.json()) as { checks: { collectors: (FilesStatus & { name: string })[] } };
      return { status: r.status, files: body.checks.collectors.find((c) => c.name === 'files')! };
    };

    await until('a refused commit is reported', async () => ((await files()).files.counters.storeErrors ?? 0) > 0, { timeoutMs: 20_000, everyMs: 100 });
    const first = await files();
    assert.equal(first.status, 200, 'a collector that retries keeps /readyz 200');
    assert.equal(first.files.state, 'starting');
    assert.match(first.files.lastError ?? '', /could not be committed|refused/);
    assert.match(first.files.lastError ?? '', new RegExp(db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));

    // Retries are spaced by the backoff (1 s at first, doubling): a few in three seconds, never hundreds.
    const before = first.files.counters.storeErrors ?? 0;
    for (let i = 0; i < 6; i++) {
      assert.equal((await get('/healthz')).status, 200);
      await new Promise((r) => setTimeout(r, 500));
    }
    const attempts = ((await files()).files.counters.storeErrors ?? 0) - before;
    assert.ok(attempts <= 6, `at most a few attempts in 3 s, got ${attempts}`);
    assert.equal(out.match(/"msg":"the store refused a followed file's lines/g)?.length, 1, `one warning for the episode: ${out.slice(-1500)}`);

    child.kill('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
    assert.ok(stopped, `SIGTERM stops serve: ${out.slice(-800)}`);
    assert.equal(child.exitCode, 0, out.slice(-800));
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
