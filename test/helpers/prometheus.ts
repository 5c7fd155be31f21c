/**
 * A real Prometheus for tests (the Debian package `prometheus`: /usr/bin/prometheus and
 * /usr/bin/promtool; .ci/run installs it). Fixture series are backfilled with
 * `promtool tsdb create-blocks-from openmetrics`, the server runs on 127.0.0.1 on a free port,
 * and it is killed when the test file ends. A missing binary fails the test with a message that
 * says how to install it: these tests are never skipped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after } from 'node:test';
import type { PrometheusApi } from '../../collectors/prometheus/client.ts';
import { tmpDir } from './tmp.ts';

function binary(name: 'prometheus' | 'promtool'): string {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/bin', '/usr/local/bin'])) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  throw new Error(`${name} is not installed: these tests need a real Prometheus (apt-get install -y --no-install-recommends prometheus; .ci/run does it)`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Writes OpenMetrics text (must end with `# EOF`) and backfills it into blocks under `dataDir`. */
export function backfill(openMetrics: string, dataDir: string): void {
  const file = join(tmpDir('flowmatrix-om-'), 'series.om');
  writeFileSync(file, openMetrics);
  const r = spawnSync(binary('promtool'), ['tsdb', 'create-blocks-from', 'openmetrics', file, dataDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`promtool create-blocks-from openmetrics failed (${r.status}): ${r.stderr || r.stdout}`);
}

export interface RunningPrometheus {
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** TSDB directory (backfilled blocks); a fresh one when absent. */
  dataDir?: string;
  /** prometheus.yml text; a config without scrape jobs when absent. */
  config?: string;
  readyTimeoutMs?: number;
}

/** Starts Prometheus on 127.0.0.1:<free port>, waits for /-/ready, and stops it when the test file ends. */
export async function startPrometheus(options: StartOptions = {}): Promise<RunningPrometheus> {
  const dir = tmpDir('flowmatrix-prom-');
  const dataDir = options.dataDir ?? join(dir, 'data');
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, options.config ?? 'global:\n  scrape_interval: 1m\n');
  const port = await freePort();
  const proc = spawn(
    binary('prometheus'),
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Backfilled blocks sit in the past: keep them however old the fixture's times are.
      '--storage.tsdb.retention.time=100y',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 20_000) stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  after(stop);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}: ${stderr}`);
    try {
      const r = await fetch(`${url}/-/ready`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready in time: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, port, process: proc, stop };
}

/** Serves `text` at `/metrics` on 127.0.0.1 with the HTTP status `status()` says, closed when the test file ends; its port. */
async function serveMetrics(text: string, status: () => number): Promise<number> {
  const app = createHttpServer((req, res) => {
    const code = req.url === '/metrics' ? status() : 404;
    res.writeHead(code, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(code === 200 ? text : '');
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  after(() => new Promise<void>((r) => app.close(() => r())));
  return (app.address() as { port: number }).port;
}

/** An HTTP endpoint Prometheus can scrape (`/metrics`, one gauge) on 127.0.0.1, closed when the test file ends; its port. */
export async function startScrapeTarget(): Promise<number> {
  return serveMetrics('# TYPE flowmatrix_test_up gauge\nflowmatrix_test_up 1\n', () => 200);
}

export interface FailingScrapeTarget {
  port: number;
  /** While true, `/metrics` answers 500: a failed scrape, for which Prometheus writes staleness markers. */
  failing: boolean;
}

/** A scrape target serving `text` (Prometheus text format) that fails on demand. */
export async function startFailingScrapeTarget(text: string): Promise<FailingScrapeTarget> {
  const target: FailingScrapeTarget = { port: 0, failing: false };
  target.port = await serveMetrics(text, () => (target.failing ? 500 : 200));
  return target;
}

/** Waits until Prometheus has scraped `count` of its active targets at least once; fails after `timeoutMs`, listing them. */
export async function untilScraped(api: Pick<PrometheusApi, 'activeTargets'>, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await api.activeTargets()).filter((t) => t.lastScrape > 0).length < count) {
    if (Date.now() > deadline) throw new Error(`targets not scraped in time: ${JSON.stringify(await api.activeTargets())}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
