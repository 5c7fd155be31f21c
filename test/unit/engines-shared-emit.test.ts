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
