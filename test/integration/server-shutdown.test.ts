import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb } from '../../store/db.ts';
import { tmpDir } from '../helpers/tmp.ts';

const BIN = fileURLToPath(new URL('../../bin/flowmatrix.mjs', import.meta.url));
const FLOWS = fileURLToPath(new URL('../../demo/data/netobserv.ndjson', import.meta.url));

test('SIGTERM: readiness drops, the in-flight ingest finishes and commits, the DB is closed, exit 0', async () => {
  const dir = tmpDir();
  const db = join(dir, 'f.db');
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db], { env: { ...process.env, FLOWMATRIX_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = once(child, 'exit');
  try {
    while (!/serving on (http:\/\/127\.0\.0\.1:\d+)/.test(stderr)) {
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(child.exitCode, null, `serve exited early: ${stderr}`);
    }
    assert.match(stderr, /no token configured: 127\.0\.0\.1 only/);
    const base = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)![1]!;
    const lines = readFileSync(FLOWS, 'utf8').split('\n').filter(Boolean).slice(0, 200);

    // A slow upload: half the records, then SIGTERM, then the rest.
    const url = new URL('/api/v1/flows?format=netobserv', base);
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' } });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    req.write(`${lines.slice(0, 100).join('\n')}\n`);
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(child.exitCode, null, 'the process waits for the in-flight request');
    req.end(`${lines.slice(100).join('\n')}\n`);
    const res = await response;
    assert.equal(res.status, 200, res.body);
    const summary = JSON.parse(res.body) as { records: number; accepted: number };
    assert.equal(summary.records, 200);
    const [code] = await exited;
    assert.equal(code, 0, stderr);
    assert.match(stdout, /"msg":"shutting down/);
    assert.match(stdout, /"msg":"stopped: database closed"/);
    const check = openDb(db);
    const n = (check.prepare('SELECT sum(accepted) AS n FROM ingest_runs').get() as { n: number }).n;
    check.close();
    assert.equal(n, summary.accepted);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
