import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  // The image runs the compiled output, built in the image (no TypeScript compiled at start).
  assert.match(d, /^RUN npm run build/m);
  assert.match(d, /^ENTRYPOINT \["node", "dist\/cli\/run\.js"\]$/m);
  assert.match(d, /^COPY tsconfig\.json tsconfig\.build\.json \.\/$/m);
});

/** Top-level folders that are not part of the running service, and why. */
const NOT_SHIPPED: Record<string, string> = {
  test: 'tests and their fixtures',
  bench: 'benchmarks',
  docs: 'documentation',
  deploy: 'mounted by docker-compose, not baked into the image',
  node_modules: 'installed by npm ci in the image',
  dist: 'compiled inside the image by npm run build',
  data: 'the local SQLite files of `npm start`',
};

/** Every file the service reaches from its entry point: imports, dynamic imports and `new URL(…, import.meta.url)` reads. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  const refs = /(?:from\s+|import\s*\(\s*|new URL\(\s*)'(\.{1,2}\/[^']*)'/g;
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!/\.(ts|mjs)$/.test(file)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(refs)) {
      const target = join(dirname(file), m[1] as string);
      if (m[1]!.endsWith('/')) seen.add(target);
      else if (existsSync(target)) queue.push(target);
    }
  }
  return seen;
}

test('Dockerfile copies every source folder: each top-level folder is copied or named as not shipped, and everything the service reaches is copied', () => {
  const d = read('Dockerfile');
  const copied = new Set([...d.matchAll(/^COPY (\S+) \.\/(\S+)$/gm)].filter((m) => m[1] === m[2]).map((m) => m[1] as string));
  const rootDir = fileURLToPath(root);
  const folders = readdirSync(rootDir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  for (const folder of folders) {
    assert.ok(copied.has(folder) !== folder in NOT_SHIPPED, `${folder}/: copy it in the Dockerfile (COPY ${folder} ./${folder}) or name it in NOT_SHIPPED with the reason`);
  }
  for (const file of reachable(join(rootDir, 'bin/flowmatrix.mjs'))) {
    const top = relative(rootDir, file).split(sep)[0] as string;
    assert.ok(copied.has(top), `the service reaches ${relative(rootDir, file)}, but ${top}/ is not copied into the image`);
  }
  // The folders the service reads at run time, not by import, are among them.
  for (const dir of ['migrations', 'matrices']) assert.ok(copied.has(dir), dir);
});

test('the build copies every folder the service reads at run time into dist/ (bin/sources.mjs DATA_DIRS): the image runs dist/', async () => {
  const { DATA_DIRS } = (await import(new URL('bin/sources.mjs', root).href)) as { DATA_DIRS: string[] };
  const rootDir = fileURLToPath(root);
  // What the service reaches that is no module: folders and data files read relative to the code.
  const data = [...reachable(join(rootDir, 'bin/flowmatrix.mjs'))].map((f) => relative(rootDir, f)).filter((f) => !/\.(ts|mjs|json)$/.test(f) && !f.startsWith(`bin${sep}`));
  assert.deepEqual(data.filter((f) => f.startsWith(`collectors${sep}`)), [join('collectors', 'hubble-relay', 'proto')]);
  for (const f of data) assert.ok(DATA_DIRS.some((d) => f === d || f.startsWith(`${d}${sep}`)), `the service reads ${f} at run time, but bin/sources.mjs DATA_DIRS does not copy it into dist/`);
});
