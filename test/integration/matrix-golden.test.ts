/**
 * Golden tests: each catalog matrix resolved against the demo inventory (imported through the real
 * `inventory import` path), with default and non-default parameters, printed by `matrix show`.
 * Regenerate after an intended change with: UPDATE_GOLDEN=1 node --import tsx --test test/integration/matrix-golden.test.ts
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { before, test } from 'node:test';
import { main } from '../../cli/main.ts';
import { DEMO_DEFAULTS, generateCluster, inventoryList } from '../../demo/generator/index.ts';
import { tmpDir } from '../helpers/tmp.ts';

const GOLDEN = new URL('../golden/matrices/', import.meta.url).pathname;
const DEMO_INVENTORY = new URL('../../demo/data/inventory.json', import.meta.url).pathname;
const dir = tmpDir();
const db = join(dir, 'flowmatrix.db');

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'flowmatrix', ...args], { out: (t) => void (out += t), err: (t) => void (err += t), stdin: new PassThrough() });
  return { code, out, err };
}

before(async () => {
  const file = existsSync(DEMO_INVENTORY) ? DEMO_INVENTORY : join(dir, 'inventory.json');
  if (file !== DEMO_INVENTORY) writeFileSync(file, JSON.stringify(inventoryList(generateCluster({ seed: DEMO_DEFAULTS.seed, scale: DEMO_DEFAULTS.scale }))));
  const r = await run('inventory', 'import', file, '--db', db, '--taken-at', '2026-11-20T00:00:00Z');
  assert.equal(r.code, 0, r.err);
});

const cases: { golden: string; matrix: string; config?: string }[] = [
  { golden: 'netobserv', matrix: 'netobserv' },
  {
    golden: 'netobserv-kafka-no-loki',
    matrix: 'netobserv',
    config: `matrices:
  bindings:
    roles:
      kafka: { namespace: kafka, selector: { matchLabels: { app.kubernetes.io/name: kafka } }, ports: [{ port: 9092 }] }
  systems:
    netobserv: { parameters: { deploymentModel: Kafka, loki.enabled: false } }
`,
  },
  { golden: 'kyma-telemetry', matrix: 'kyma-telemetry' },
  { golden: 'kyma-telemetry-current', matrix: 'kyma-telemetry', config: 'matrices: { systems: { kyma-telemetry: { parameters: { model: current } } } }\n' },
  { golden: 'stacklight', matrix: 'stacklight' },
  { golden: 'progressive-delivery', matrix: 'progressive-delivery' },
  {
    golden: 'progressive-delivery-gate-off-egress-on',
    matrix: 'progressive-delivery',
    config: `matrices:
  bindings:
    roles:
      s3: { cidrs: [198.51.100.0/24], ports: [{ port: 443 }] }
  systems:
    progressive-delivery: { parameters: { gate.enabled: false, egress.enabled: true, s3.configured: true } }
`,
  },
];

for (const c of cases) {
  test(`golden: ${c.golden}`, async () => {
    const args = ['matrix', 'show', c.matrix, '--db', db];
    if (c.config) {
      const cfg = join(dir, `${c.golden}.config.yaml`);
      writeFileSync(cfg, c.config);
      args.push('--config', cfg);
    }
    const r = await run(...args);
    assert.equal(r.code, 0, r.err);
    const file = join(GOLDEN, `${c.golden}.yaml`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, r.out);
    assert.equal(r.out, readFileSync(file, 'utf8'), `${file} differs (UPDATE_GOLDEN=1 to accept)`);
  });
}

test('the demo cluster holds every documented system: all four are detected', async () => {
  const r = await run('matrix', 'list', '--db', db, '--output', 'json');
  assert.equal(r.code, 0, r.err);
  const list = JSON.parse(r.out) as { name: string; detected: boolean; components: { present: string[]; total: number } }[];
  assert.deepEqual(
    list.map((m) => [m.name, m.detected, m.components.present.length, m.components.total]),
    [
      ['kyma-telemetry', true, 8, 8],
      ['netobserv', true, 4, 4],
      ['progressive-delivery', true, 1, 1],
      ['stacklight', true, 19, 30],
    ],
  );
});

test('non-default parameters change exactly what the documents say they change', async () => {
  const show = async (golden: string) => {
    const text = readFileSync(join(GOLDEN, `${golden}.yaml`), 'utf8');
    return (await import('yaml')).parse(text) as { components: { name: string; authoritative: { egress: { authoritative: boolean } }; rules: { id: string; active: boolean }[] }[] };
  };
  const active = (m: Awaited<ReturnType<typeof show>>) => m.components.flatMap((c) => c.rules.filter((r) => r.active).map((r) => r.id)).sort();
  const [def, kafka] = [active(await show('netobserv')), active(await show('netobserv-kafka-no-loki'))];
  assert.deepEqual(def.filter((id) => !kafka.includes(id)), [
    'netobserv/console-plugin/egress/loki',
    'netobserv/ebpf-agent/egress/flowlogs-pipeline-service',
    'netobserv/flowlogs-pipeline/egress/loki',
    'netobserv/flowlogs-pipeline/ingress/ebpf-agent-service',
  ]);
  assert.deepEqual(kafka.filter((id) => !def.includes(id)), ['netobserv/ebpf-agent/egress/kafka', 'netobserv/flowlogs-pipeline/egress/kafka']);
  const pd = await show('progressive-delivery');
  const pdOn = await show('progressive-delivery-gate-off-egress-on');
  assert.deepEqual(active(pd).filter((id) => !active(pdOn).includes(id)), ['progressive-delivery/controller/ingress/gate']);
  assert.deepEqual(active(pdOn).filter((id) => !active(pd).includes(id)), ['progressive-delivery/controller/egress/s3']);
  assert.equal(pd.components[0]?.authoritative.egress.authoritative, false);
  assert.equal(pdOn.components[0]?.authoritative.egress.authoritative, true);
});
