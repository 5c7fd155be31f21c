import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ENGINES, ENGINE_NAMES, toMultiDocYaml } from '../../recommender/engines/index.ts';
import { policySet, type IntentInput, type RuleInput } from '../../recommender/policy/build.ts';
import { richIntents } from '../golden/engines/rich-ir.ts';
import { requirementProblem } from '../../recommender/matrix/selector.ts';

const GOLDEN = new URL('../golden/engines/', import.meta.url);

function render(intents: IntentInput[], engine: (typeof ENGINE_NAMES)[number]): string {
  const r = ENGINES[engine].emit(policySet(intents));
  return toMultiDocYaml(r.manifests) + (r.warnings.length > 0 ? `# warnings\n${r.warnings.map((w) => `# ${w.code} ${w.intent} ${w.direction ?? '-'} ${w.rule ?? '-'}: ${w.message}`).join('\n')}\n` : '');
}

/** A seeded Fisher–Yates shuffle (mulberry32) so a failure is reproducible. */
function shuffler(seed: number): <T>(xs: readonly T[]) => T[] {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return <T>(xs: readonly T[]): T[] => {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  };
}

function shuffledIntents(seed: number): IntentInput[] {
  const sh = shuffler(seed);
  const shuffleRule = (r: RuleInput): RuleInput => ({
    ...r,
    peers: sh(r.peers).map((p) => (p.kind === 'apiserver' ? { ...p, endpoints: sh(p.endpoints) } : p.kind === 'nodes' ? { ...p, ips: sh(p.ips) } : p)),
    ports: sh(r.ports ?? []),
  });
  return sh(richIntents()).map((i) => ({
    ...i,
    subject: i.subject.kind === 'namespaces' ? { ...i.subject, namespaces: sh(i.subject.namespaces) } : i.subject,
    ingress: i.ingress?.mode === 'rules' ? { mode: 'rules', rules: sh(i.ingress.rules).map(shuffleRule) } : i.ingress,
    egress: i.egress?.mode === 'rules' ? { mode: 'rules', rules: sh(i.egress.rules).map(shuffleRule) } : i.egress,
  }));
}

for (const engine of ENGINE_NAMES) {
  test(`${engine}: output equals test/golden/engines/${engine}.yaml byte for byte (UPDATE_GOLDEN=1 rewrites it)`, () => {
    const file = new URL(`${engine}.yaml`, GOLDEN);
    const yaml = render(richIntents(), engine);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, yaml);
    assert.ok(existsSync(file), `missing golden ${file.pathname}: run with UPDATE_GOLDEN=1 and review it`);
    assert.equal(yaml, readFileSync(file, 'utf8'));
  });

  test(`${engine}: shuffled input (intents, rules, peers, ports, endpoints) gives byte-identical YAML`, () => {
    const expected = render(richIntents(), engine);
    for (const seed of [1, 2, 3, 42, 1337]) assert.equal(render(shuffledIntents(seed), engine), expected, `seed ${seed}`);
  });
}

test('every engine writes only label-selector requirements apimachinery can build (LabelSelectorAsSelector: In/NotIn with values, Exists/DoesNotExist without)', () => {
  // A requirement it refuses makes a network-policy-api selector select nothing
  // (domain/label-selector.ts requirementProblem); flowmatrix's own output never holds one.
  for (const engine of ENGINE_NAMES) {
    const refused: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}/${i}`));
      else if (typeof v === 'object' && v !== null)
        for (const [k, x] of Object.entries(v)) {
          if (k === 'matchExpressions' && Array.isArray(x)) x.forEach((e, i) => requirementProblem(e) !== undefined && refused.push(`${path}/${k}/${i}: ${JSON.stringify(e)}`));
          walk(x, `${path}/${k}`);
        }
    };
    ENGINES[engine].emit(policySet(richIntents())).manifests.forEach((m, i) => walk(m, `[${i}]`));
    assert.deepEqual(refused, [], engine);
  }
});
