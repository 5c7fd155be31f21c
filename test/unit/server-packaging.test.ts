import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadServiceConfig } from '../../server/config/load.ts';

const root = new URL('../../', import.meta.url);
const read = (p: string): string => readFileSync(new URL(p, root), 'utf8');

test('docker-compose.yml: flowmatrix + Prometheus, ports, named volumes, healthcheck, scrape target', () => {
  const c = parse(read('docker-compose.yml')) as {
    services: Record<string, { build?: string; ports?: string[]; volumes?: string[]; healthcheck?: { test: string[] }; environment?: Record<string, string>; depends_on?: Record<string, { condition: string }>; command?: string[] }>;
    volumes: Record<string, unknown>;
  };
  assert.deepEqual(Object.keys(c.services).sort(), ['flowmatrix', 'prometheus']);
  const fm = c.services.flowmatrix!;
  assert.equal(fm.build, '.');
  assert.deepEqual(fm.ports, ['8080:8080']);
  assert.ok(fm.volumes?.includes('flowmatrix-data:/data'));
  assert.equal(fm.environment?.FLOWMATRIX_DB, '/data/flowmatrix.db');
  assert.match(fm.environment?.FLOWMATRIX_TOKEN_WRITE ?? '', /^\$\{FLOWMATRIX_TOKEN_WRITE:\?/);
  assert.equal(fm.healthcheck?.test[0], 'CMD');
  assert.match(fm.healthcheck?.test.join(' ') ?? '', /\/healthz/);
  const prom = c.services.prometheus!;
  assert.deepEqual(prom.ports, ['9090:9090']);
  assert.equal(prom.depends_on?.flowmatrix?.condition, 'service_healthy');
  assert.deepEqual(Object.keys(c.volumes).sort(), ['flowmatrix-data', 'prometheus-data']);
  for (const v of [...(fm.volumes ?? []), ...(prom.volumes ?? [])]) {
    const src = v.split(':')[0] as string;
    if (src.startsWith('./')) assert.doesNotThrow(() => read(src.slice(2)), `${src} is mounted but missing`);
    else assert.ok(src in c.volumes, `volume ${src} is not declared`);
  }
  const scrape = parse(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: { job_name: string; metrics_path: string; static_configs: { targets: string[] }[] }[] };
  const job = scrape.scrape_configs.find((j) => j.job_name === 'flowmatrix');
  assert.equal(job?.metrics_path, '/metrics');
  assert.deepEqual(job?.static_configs[0]?.targets, ['flowmatrix:8080']);
  // The mounted service config is valid.
  const cfg = loadServiceConfig({ file: new URL('deploy/flowmatrix/config.yaml', root).pathname, env: { FLOWMATRIX_TOKEN_WRITE: 'z'.repeat(24) } });
  assert.equal(cfg.port, 8080);
  assert.equal(cfg.host, '0.0.0.0');
});

test('Dockerfile: multi-stage on node:20-bookworm-slim, non-root, /data volume, node healthcheck', () => {
  const d = read('Dockerfile');
  assert.equal((d.match(/^FROM node:20-bookworm-slim AS \w+$/gm) ?? []).length, 2);
  assert.match(d, /apt-get install -y --no-install-recommends python3 make g\+\+/);
  assert.match(d, /^USER node$/m);
  assert.match(d, /^VOLUME \["\/data"\]$/m);
  assert.match(d, /^HEALTHCHECK [\s\S]*CMD \["node", "-e", "fetch\('http:\/\/127\.0\.0\.1:'/m);
  assert.doesNotMatch(d, /curl/);
  // Every source folder the runtime imports is copied.
  for (const dir of ['app', 'bin', 'cli', 'collectors', 'domain', 'migrations', 'matrices', 'recommender', 'server', 'store']) assert.match(d, new RegExp(`^COPY ${dir} \\./${dir}$`, 'm'));
});
