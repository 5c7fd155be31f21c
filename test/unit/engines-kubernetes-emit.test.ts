// The kubernetes emitter's shortcuts (shared renderings, peers compared by id, rules compared
// in full only when their first peers match, annotation lines built only while they fit) must
// give exactly what the plain definitions give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../../recommender/engines/index.ts';
import { directionLines, intentRulesAnnotation, rulesAnnotation } from '../../recommender/engines/metadata.ts';
import { apiserverPeer, cidrPeer, explanation, fqdnPeer, nodesPeer, podsPeer, policySet, tcp, udp } from '../../recommender/policy/build.ts';
import type { DirectionPolicy, PolicyIntent, RuleExplanation } from '../../recommender/policy/ir.ts';

const why = (id: string, text = 'seen'): RuleExplanation => explanation(id, 'confirmed', text);

function intent(ingress: DirectionPolicy, egress: DirectionPolicy): PolicyIntent {
  return { key: 'shop/api', namespace: 'shop', layer: 'allowlist', subject: { kind: 'workload', selector: { matchLabels: { app: 'api' } }, hostNetwork: false }, ingress, egress, explanation: 'test' };
}

const rules = (explanations: RuleExplanation[]): DirectionPolicy => ({ mode: 'rules', rules: explanations.map((e) => ({ peers: [{ kind: 'world' }], ports: [], explanation: e })) });

function reference(i: PolicyIntent): string | undefined {
  const lines = [...directionLines('ingress', i.ingress), ...directionLines('egress', i.egress)];
  return lines.length > 0 ? rulesAnnotation(lines) : undefined;
}

test('rules annotation: the same text as the de-duplicated lines joined up to the limit', () => {
  const many = (prefix: string, n: number): RuleExplanation[] => Array.from({ length: n }, (_, k) => why(`${prefix}#${k}`, 'x'.repeat(k % 7 === 0 ? 300 : 40)));
  const cases: PolicyIntent[] = [
    intent({ mode: 'none' }, { mode: 'none' }),
    intent({ mode: 'deny-all', explanation: why('deny') }, { mode: 'allow-all', ports: [], explanation: why('all') }),
    intent(rules([why('a'), why('b')]), rules([why('a'), why('b')])),
    // Same id twice: one line.
    intent(rules([why('a'), why('a'), why('b')]), { mode: 'none' }),
    // Distinct ids, same line: 'a: b' + '' and 'a' + 'b'.
    intent(rules([why('a: b', ''), why('a', 'b'), why('c')]), { mode: 'none' }),
    // Past the 8 KiB limit, with duplicates before and after it.
    intent(rules([...many('in', 150), why('in#3', 'x'.repeat(40))]), rules([why('dup'), why('dup'), ...many('eg', 150), why('dup')])),
    intent(rules([why('huge', 'y'.repeat(9000)), why('small')]), { mode: 'none' }),
  ];
  for (const c of cases) assert.equal(intentRulesAnnotation(c), reference(c));
  assert.match(intentRulesAnnotation(cases[5]!)!, /\n… \d+ more rule\(s\), see the recommendation$/);
});

test('kubernetes: rules that render the same collapse, peers sort by their JSON, renderings are shared across intents', () => {
  const workload = (key: string, egress: unknown[]) => ({
    key,
    namespace: 'shop',
    layer: 'allowlist' as const,
    subject: { kind: 'workload' as const, selector: { matchLabels: { app: key.split('/')[1]! } }, hostNetwork: false },
    egress: { mode: 'rules' as const, rules: egress as never },
    explanation: 'test',
  });
  const set = policySet([
    workload('shop/a', [
      // Two names resolved to the same addresses: one rule.
      { peers: [fqdnPeer('one.example.com', ['198.51.100.7', '198.51.100.8'])], ports: [tcp(443)], explanation: why('m#one') },
      { peers: [fqdnPeer('two.example.com', ['198.51.100.8', '198.51.100.7'])], ports: [tcp(443)], explanation: why('m#two') },
      // Same peers, other ports: kept.
      { peers: [fqdnPeer('three.example.com', ['198.51.100.7', '198.51.100.8'])], ports: [udp(443)], explanation: why('m#three') },
      // Peers whose IR order is not their JSON order.
      { peers: [podsPeer({ matchLabels: { app: 'z' } }), podsPeer({ matchLabels: { app: 'db' } }, 'data'), nodesPeer(['10.0.0.2', '10.0.0.1']), cidrPeer('10.1.0.0/16')], ports: [tcp(80)], explanation: why('m#mixed') },
      { peers: [apiserverPeer([{ ip: '10.0.0.10', port: 6443, protocol: 'TCP' }])], explanation: why('m#api') },
    ]),
    workload('shop/b', [{ peers: [podsPeer({ matchLabels: { app: 'z' } }), podsPeer({ matchLabels: { app: 'db' } }, 'data')], ports: [tcp(80)], explanation: why('m#b') }]),
  ]);
  const r = ENGINES.kubernetes.emit(set);
  const ips = [{ ipBlock: { cidr: '198.51.100.7/32' } }, { ipBlock: { cidr: '198.51.100.8/32' } }];
  const a = r.manifests.find((m) => m.metadata.name.includes('a'))!;
  const mixed = [
    { ipBlock: { cidr: '10.0.0.1/32' } },
    { ipBlock: { cidr: '10.0.0.2/32' } },
    { ipBlock: { cidr: '10.1.0.0/16' } },
    { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'data' } }, podSelector: { matchLabels: { app: 'db' } } },
    { podSelector: { matchLabels: { app: 'z' } } },
  ];
  const egress = (a.spec.egress as unknown[]).map((rule) => JSON.stringify(rule));
  const expected = [
    { to: ips, ports: [{ protocol: 'TCP', port: 443 }] },
    { to: ips, ports: [{ protocol: 'UDP', port: 443 }] },
    { to: mixed, ports: [{ protocol: 'TCP', port: 80 }] },
    { to: [{ ipBlock: { cidr: '10.0.0.10/32' } }], ports: [{ protocol: 'TCP', port: 6443 }] },
  ];
  assert.deepEqual([...egress].sort(), expected.map((rule) => JSON.stringify(rule)).sort());
  const b = r.manifests.find((m) => m.metadata.name.includes('b'))!;
  assert.deepEqual(b.spec.egress, [{ to: mixed.slice(3), ports: [{ protocol: 'TCP', port: 80 }] }]);
  assert.deepEqual(r.warnings.map((w) => [w.code, w.rule]).sort(), [['fqdn-as-ips', 'm#one'], ['fqdn-as-ips', 'm#three'], ['fqdn-as-ips', 'm#two']]);
});
