// The cilium, calico and clusternetworkpolicy emitters' shortcuts (renderings shared across
// rules and intents, rules de-duplicated by keys made of rendering ids) must give exactly what
// the plain definitions give: rules collapse exactly when their JSON texts are equal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../../recommender/engines/index.ts';
import { apiserverPeer, dnsPeer, explanation, nodesPeer, podsPeer, policySet, tcp, udp } from '../../recommender/policy/build.ts';
import type { PolicyPeer, RuleExplanation } from '../../recommender/policy/ir.ts';

const why = (id: string): RuleExplanation => explanation(id, 'confirmed', 'seen');
const dnsSel = { matchLabels: { 'k8s-app': 'kube-dns' } };

function workload(key: string, namespace: string, egress: unknown[], ingress: unknown[] = []) {
  return {
    key,
    namespace,
    layer: 'allowlist' as const,
    subject: { kind: 'workload' as const, selector: { matchLabels: { app: key.split('/')[1]! } }, hostNetwork: false },
    ingress: ingress.length > 0 ? { mode: 'rules' as const, rules: ingress as never } : { mode: 'none' as const },
    egress: { mode: 'rules' as const, rules: egress as never },
    explanation: 'test',
  };
}

test('cilium: a pods rule and a DNS rule that render the same collapse; a webhook source is any source', () => {
  const set = policySet([
    workload(
      'shop/a',
      'shop',
      [
        { peers: [podsPeer(dnsSel, 'kube-system')], ports: [udp(53)], explanation: why('e#pods') },
        { peers: [dnsPeer('kube-system', dnsSel)], ports: [udp(53)], explanation: why('e#dns') },
        { peers: [dnsPeer('kube-system', dnsSel)], ports: [tcp(53)], explanation: why('e#tcp') },
      ],
      [{ peers: [apiserverPeer([{ ip: '10.0.0.10', port: 6443, protocol: 'TCP' }]), nodesPeer(['10.0.0.1'])], ports: [tcp(8443)], explanation: why('i#webhook') }],
    ),
  ]);
  const [m] = ENGINES.cilium.emit(set).manifests;
  const endpoints = [{ matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }];
  assert.deepEqual(m!.spec.egress, [
    { toEndpoints: endpoints, toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] },
    { toEndpoints: endpoints, toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }] }] },
  ]);
  // A webhook rule (apiserver source) is open to any source on its port: `all` covers the nodes too.
  assert.deepEqual(m!.spec.ingress, [{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '8443', protocol: 'TCP' }] }] }]);
});

test('calico: same peers and ports collapse only when the rule lines are equal too', () => {
  const peers = [podsPeer({ matchLabels: { app: 'db' } })];
  const distinct = workload('shop/a', 'shop', [
    { peers, ports: [tcp(5432)], explanation: why('e#one') },
    { peers, ports: [tcp(5432)], explanation: why('e#two') },
  ]);
  // The same id twice: the same rule line, so the same rule.
  const same = workload('shop/b', 'shop', [
    { peers, ports: [tcp(5432)], explanation: why('e#one') },
    { peers, ports: [tcp(5432)], explanation: why('e#one') },
    { peers, ports: [udp(5432)], explanation: why('e#one') },
  ]);
  const ms = ENGINES.calico.emit(policySet([distinct, same])).manifests;
  const egress = (name: string): unknown[] => ms.find((m) => m.metadata.name.endsWith(name))!.spec.egress as unknown[];
  assert.equal(egress('a').length, 2);
  assert.deepEqual(
    egress('b').map((r) => (r as { protocol: string }).protocol),
    ['TCP', 'UDP'],
  );
});

test('clusternetworkpolicy: a namespace-less peer shared by intents renders in each intent\'s namespace', () => {
  const peer: PolicyPeer = podsPeer({ matchLabels: { app: 'db' } });
  const set = policySet([
    workload('shop/a', 'shop', [{ peers: [peer], ports: [tcp(5432)], explanation: why('e#db') }]),
    workload('bank/a', 'bank', [{ peers: [peer], ports: [tcp(5432)], explanation: why('e#db') }]),
  ]);
  const accepts = ENGINES.clusternetworkpolicy.emit(set).manifests.filter((m) => m.spec.priority === 200);
  const namespaces = accepts.map((m) => ((m.spec.egress as { to: { pods: { namespaceSelector: { matchLabels: Record<string, string> } } }[] }[])[0]!.to[0]!.pods.namespaceSelector.matchLabels['kubernetes.io/metadata.name']));
  assert.deepEqual(namespaces.sort(), ['bank', 'shop']);
});

/** Every object under `x` (arrays' items and objects' values), each with its JSON text. */
function subObjects(x: unknown, out: { object: object; text: string }[] = []): { object: object; text: string }[] {
  if (typeof x !== 'object' || x === null) return out;
  out.push({ object: x, text: JSON.stringify(x) });
  for (const v of Array.isArray(x) ? x : Object.values(x)) subObjects(v, out);
  return out;
}

test('every engine: equal peer renderings from distinct IR peers are one object (the verification compiles and checks each once)', () => {
  // Two workloads naming the same peers through distinct but equal IR objects, as two rules of
  // a recommendation do.
  const peer = () => podsPeer({ matchLabels: { app: 'db' } }, 'data');
  const set = policySet([
    workload('shop/a', 'shop', [{ peers: [peer()], ports: [tcp(5432)], explanation: why('e#a') }], [{ peers: [peer()], ports: [tcp(8080)], explanation: why('i#a') }]),
    workload('shop/b', 'shop', [{ peers: [peer()], ports: [tcp(5432)], explanation: why('e#b') }], [{ peers: [peer()], ports: [tcp(9090)], explanation: why('i#b') }]),
  ]);
  for (const engine of ['kubernetes', 'cilium', 'calico', 'clusternetworkpolicy'] as const) {
    const manifests = ENGINES[engine].emit(set).manifests;
    const rules = manifests.flatMap((m) => subObjects((m as { spec: unknown }).spec));
    // The rendering of the `data/app=db` peer, wherever the engine puts it.
    const renderings = rules.filter((o) => !Array.isArray(o.object) && o.text.includes('db') && !o.text.includes('5432') && !o.text.includes('8080') && !o.text.includes('9090'));
    // (Calico writes an egress peer and its ports as one entity: its two ingress sources are shared.)
    assert.ok(renderings.length >= 2, `${engine}: the peer is rendered in two rules at least (${renderings.length})`);
    const byText = new Map<string, Set<object>>();
    for (const r of renderings) byText.set(r.text, (byText.get(r.text) ?? new Set()).add(r.object));
    for (const [text, objects] of byText) assert.equal(objects.size, 1, `${engine}: ${text} is one object`);
  }
});
