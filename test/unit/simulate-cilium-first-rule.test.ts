/**
 * The `cilium` simulator names the first rule, in written order, that matches a side's peer and
 * port — also on long rule lists, which it answers through an index (recommender/simulate/cilium/
 * peer-index.ts) rather than an in-order scan. Cilium allows a flow when any allow rule matches
 * (cilium/cilium pkg/policy repository.go: the rules' L4 filters are merged, a union), so which
 * rule is named is flowmatrix's choice; it must not depend on the list's length. Each case compares
 * a long list with the same rules one at a time (a one-rule list is always scanned).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ciliumSimulator } from '../../recommender/simulate/cilium.ts';
import type { SideVerdict, SimCluster, SimEndpoint, SimFlow, SimPod } from '../../recommender/simulate/types.ts';

function pod(namespace: string, labels: Record<string, string>, ip: string, node: string, extra: Partial<SimPod> = {}): SimPod {
  return { namespace, name: Object.values(labels)[0] ?? 'pod', labels, ips: [ip], node, hostNetwork: false, ports: [], ...extra };
}

const web = pod('shop', { app: 'web', tier: 'front' }, '10.1.0.1', 'node-a');
const api = pod('shop', { app: 'api' }, '10.1.0.2', 'node-b', { ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
const db = pod('shop', { app: 'db', tier: 'back' }, '10.1.0.3', 'node-b');
const prom = pod('monitoring', { app: 'prometheus' }, '10.1.1.1', 'node-a');
const webElsewhere = pod('monitoring', { app: 'web', tier: 'front' }, '10.1.1.2', 'node-b');

const cluster: SimCluster = {
  namespaces: [
    { name: 'shop', labels: { team: 'a' } },
    { name: 'monitoring', labels: { team: 'ops' } },
  ],
  nodes: [
    { name: 'node-a', labels: {}, ips: ['10.0.0.1'] },
    { name: 'node-b', labels: {}, ips: ['10.0.0.2'] },
  ],
  pods: [web, api, db, prom, webElsewhere],
  services: [],
  apiserver: [{ ip: '10.0.0.10', port: 6443, protocol: 'TCP' }],
  podCIDRs: ['10.1.0.0/16'],
};

const P = (p: SimPod): SimEndpoint => ({ kind: 'pod', pod: p });
const PEERS: SimEndpoint[] = [P(web), P(db), P(prom), P(webElsewhere), { kind: 'external', ip: '203.0.113.5' }, { kind: 'node', node: cluster.nodes[0]!, ip: '10.0.0.1' }, { kind: 'node', node: cluster.nodes[1]!, ip: '10.0.0.2' }];
const PORTS = [80, 8080, 9090];

/** Rule shapes of every kind the index treats differently: endpoint-only, entities, CIDRs, named ports, L3-only, ICMP-only, L4-only. */
const RULES: Record<string, unknown>[] = [
  { fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] },
  { fromEndpoints: [{ matchLabels: { app: 'db' } }, { matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '80', endPort: 9090, protocol: 'TCP' }] }] },
  { fromEndpoints: [{ matchLabels: { app: 'web', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'ANY' }] }] },
  { fromEndpoints: [{ matchLabels: { tier: 'front' } }], toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] },
  { fromEndpoints: [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['prometheus', 'db'] }] }], toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }] },
  { fromEndpoints: [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
  { fromEndpoints: [{}], toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }] },
  { fromEntities: ['world'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] },
  { fromEntities: ['remote-node'] },
  { fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }] },
  { fromCIDR: ['203.0.113.0/24'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
  { fromEndpoints: [{ matchLabels: { app: 'db' } }] },
  { fromEndpoints: [{ matchLabels: { app: 'prometheus' } }], icmps: [{ fields: [{ type: 8 }] }] },
  { toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }] },
  { fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'ops' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
];

const policy = (ingress: unknown[], extra: Record<string, unknown> = {}): unknown => ({
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'api-in', namespace: 'shop' },
  spec: { endpointSelector: { matchLabels: { app: 'api' } }, ingress, ...extra },
});

const side = (policies: unknown[], peer: SimEndpoint, port: number): SideVerdict => {
  const flow: SimFlow = { client: peer, server: P(api), port, protocol: 'TCP' };
  return ciliumSimulator(policies, cluster).side(flow, 'ingress');
};

/** The rule an in-order scan names: the first of `rules` that alone allows the side. */
function expectedRule(rules: readonly unknown[], peer: SimEndpoint, port: number): string | undefined {
  for (let i = 0; i < rules.length; i++) {
    const alone = side([policy([rules[i]])], peer, port);
    if (alone.allowed && alone.by !== undefined) return `/spec/ingress/${i}`;
  }
  return undefined;
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    return ((s ^ (s >>> 13)) >>> 0) / 2 ** 32;
  };
}

test('a long list names the first rule in written order that matches, as a scan of it would, for every peer and port (generated lists of 5–14 rules)', () => {
  const rnd = prng(12);
  for (let round = 0; round < 40; round++) {
    const n = 5 + Math.floor(rnd() * 10);
    const rules = Array.from({ length: n }, () => RULES[Math.floor(rnd() * RULES.length)]!);
    const policies = [policy(rules)];
    for (const peer of PEERS) {
      for (const port of PORTS) {
        const got = side(policies, peer, port);
        const want = expectedRule(rules, peer, port);
        const what = `round ${round}, rules ${JSON.stringify(rules)}, peer ${JSON.stringify(peer).slice(0, 80)}, port ${port}`;
        // The host reaches its own pods whatever the rules (allow-localhost); no rule is named then.
        if (peer.kind === 'node' && peer.node.name === api.node) assert.equal(got.by, undefined, what);
        else assert.equal(got.by?.rule, want, what);
        assert.equal(got.allowed, want !== undefined || (peer.kind === 'node' && peer.node.name === api.node), what);
      }
    }
  }
});

test('an endpoint rule later in the list than a matching CIDR rule is not the one named (first in written order)', () => {
  const rules = [RULES[0], RULES[4], RULES[5], RULES[11], { fromCIDR: ['203.0.113.5/32'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }, { fromEndpoints: [{}], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }];
  assert.equal(side([policy(rules)], { kind: 'external', ip: '203.0.113.5' }, 80).by?.rule, '/spec/ingress/4');
  assert.equal(side([policy(rules)], P(db), 80).by?.rule, '/spec/ingress/2');
  assert.equal(side([policy(rules)], P(db), 8080).by?.rule, '/spec/ingress/3');
});

test('a named port rule before an endpoint rule is named only when the pod has that port (language.rst "Limit ingress/egress ports": a port name is the pod\'s named port)', () => {
  const rules = [RULES[11], RULES[4], RULES[3], RULES[6], RULES[2], RULES[0]];
  assert.equal(side([policy(rules)], P(web), 8080).by?.rule, '/spec/ingress/2');
  assert.equal(side([policy(rules)], P(web), 9090).by?.rule, '/spec/ingress/3');
  // tier=front in the policy's namespace only (language.rst "Endpoints based": scoped to the namespace); the monitoring web by rule 4.
  assert.equal(side([policy(rules)], P(webElsewhere), 8080).by?.rule, '/spec/ingress/4');
});

test('fromRequires holds back every endpoint match of a long list (language.rst "Ingress/Egress requirements": fromRequires is added to each fromEndpoints selector of the rules selecting the pod, not to entities or CIDRs: pkg/policy/api ingress.go GetSourceEndpointSelectorsWithRequirements)', () => {
  const rules = [RULES[0], RULES[1], RULES[5], RULES[6], RULES[7], { fromRequires: [{ matchLabels: { tier: 'back' } }] }];
  const p = [policy(rules)];
  assert.equal(side(p, P(web), 8080).allowed, false);
  assert.equal(side(p, P(db), 80).by?.rule, '/spec/ingress/1');
  assert.equal(side(p, { kind: 'external', ip: '203.0.113.5' }, 8080).by?.rule, '/spec/ingress/4');
});
