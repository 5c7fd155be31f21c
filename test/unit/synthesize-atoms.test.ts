import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { edgeKeys, SideComparison, type RuleAssessment } from '../../recommender/compare/compare.ts';
import type { ExpectedRule } from '../../recommender/matrix/resolved.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';
import { canonicalPeer, podsPeer, port } from '../../recommender/policy/build.ts';
import { policyPeerKey, portKey } from '../../recommender/policy/order.ts';
import { AtomGroups } from '../../recommender/synthesize/atoms.ts';

const NOW = Date.UTC(2026, 10, 20);
const self = { kind: 'workload', workload: { namespace: 'shop', kind: 'Deployment', name: 'api' } } as const;
const clients = ['a', 'b', 'c', 'd'].map((name) => ({ kind: 'workload', workload: { namespace: 'shop', kind: 'Deployment', name } }) as const);

/** An ingress side of `n` edges (client i % 4 on port 80 + i): what atoms point into. */
function side(n: number): SideComparison {
  const edges: EdgeTraffic[] = Array.from({ length: n }, (_, i) => ({ client: clients[i % 4]!, server: self, port: 80 + i, protocol: 'TCP', lastSeen: NOW, flows: 1, forwarded: 1, dropped: 0 }));
  const s = new SideComparison('ingress', edges, false);
  for (let i = 0; i < n; i++) {
    s.status[i] = 'undocumented';
    s.rules[i] = [];
  }
  return s;
}

test('atoms of one peer merge into one rule even when other peers come between, ports united, evidence kept', () => {
  // Atoms: (peer, port, edge position). Peer 0 comes back after peer 1: still one peer, one rule.
  const atoms = fc.array(fc.record({ peer: fc.nat({ max: 3 }), port: fc.constantFrom(80, 443, 8080) }), { minLength: 1, maxLength: 30 });
  fc.assert(
    fc.property(atoms, (list) => {
      const peers = clients.map((c) => {
        const value = canonicalPeer(podsPeer({ matchLabels: { app: c.workload.name } }));
        return { value, key: policyPeerKey(value) };
      });
      const groups = new AtomGroups('ingress', side(list.length));
      list.forEach((a, i) => groups.add(peers[a.peer]!.value, peers[a.peer]!.key, [port('TCP', a.port)], 'undocumented', [], i));
      const rules = groups.build(edgeKeys());

      // Expected: per peer, its ports (sorted, unique) and its atoms' positions.
      const want = new Map<string, { ports: Set<number>; edges: number[] }>();
      list.forEach((a, i) => {
        const k = peers[a.peer]!.key;
        const w = want.get(k) ?? { ports: new Set<number>(), edges: [] };
        w.ports.add(a.port);
        w.edges.push(i);
        want.set(k, w);
      });
      const seen = new Set<string>();
      let lastFirstKey = '';
      for (const r of rules) {
        const keys = r.input.peers.map(policyPeerKey);
        assert.ok(lastFirstKey < keys[0]!, 'rules in the order of their first peer key');
        lastFirstKey = keys[0]!;
        const ports = (r.input.ports ?? []).map(portKey);
        const edges: number[] = [];
        for (const k of keys) {
          assert.ok(!seen.has(k), `peer ${k} in one rule only`);
          seen.add(k);
          const w = want.get(k)!;
          assert.deepEqual(ports, [...w.ports].sort((x, y) => x - y).map((p) => portKey(port('TCP', p))), `ports of ${k}`);
          edges.push(...w.edges);
        }
        assert.deepEqual(r.evidence.flatMap((e) => [...e.idx]), edges.sort((x, y) => x - y), 'evidence: every atom of the rule');
      }
      assert.deepEqual([...seen].sort(), [...want.keys()].sort(), 'every peer has a rule');
    }),
    { numRuns: 300 },
  );
});

/** db's ingress: the mirrored `web reads db` (not observed) on 5432, and api → db 5432 observed but undocumented. */
function mixedIngress(apiStatus: 'undocumented' | 'confirmed'): string {
  const db = { kind: 'workload', workload: { namespace: 'shop', kind: 'Deployment', name: 'db' } } as const;
  const api = { kind: 'workload', workload: { namespace: 'shop', kind: 'Deployment', name: 'api' } } as const;
  const s = new SideComparison('ingress', [{ client: api, server: db, port: 5432, protocol: 'TCP', lastSeen: NOW, flows: 1, forwarded: 1, dropped: 0 }], false);
  const webDbStatus = apiStatus === 'confirmed' ? 'confirmed' : 'documented-unobserved';
  const webDb: RuleAssessment = {
    matrix: 'shop',
    component: 'web',
    rule: { id: 'shop/web/egress/web-db', purpose: 'web reads db' } as ExpectedRule,
    status: webDbStatus,
    edges: apiStatus === 'confirmed' ? [s.edges[0]!] : [],
    matched: apiStatus === 'confirmed' ? [0] : [],
  };
  s.status[0] = apiStatus;
  s.rules[0] = apiStatus === 'confirmed' ? [webDb.rule.id] : [];
  const peerOf = (name: string) => {
    const value = canonicalPeer(podsPeer({ matchLabels: { app: name } }));
    return { value, key: policyPeerKey(value) };
  };
  const groups = new AtomGroups('ingress', s);
  const note = 'required at the other end by shop/web (egress): open here too';
  groups.add(peerOf('web').value, peerOf('web').key, [port('TCP', 5432)], webDbStatus, [webDb], webDb.matched, [note]);
  groups.add(peerOf('api').value, peerOf('api').key, [port('TCP', 5432)], apiStatus, apiStatus === 'confirmed' ? [webDb] : [], 0);
  const [rule, ...rest] = groups.build(edgeKeys());
  assert.equal(rest.length, 0, 'one rule: the same port set');
  return `${rule!.input.explanation.status} ${rule!.input.explanation.id}: ${rule!.input.explanation.text}`;
}

test('a rule merging a documented rule nothing observed with an undocumented edge says which part is which', () => {
  assert.equal(
    mixedIngress('undocumented'),
    'undocumented shop/web/egress/web-db: documented: web reads db (not observed). observed in the flows, undocumented: 5432/TCP from shop/Deployment/api. required at the other end by shop/web (egress): open here too',
  );
});

test('a rule whose observed edges its documented rules all cover keeps the plain wording', () => {
  assert.equal(mixedIngress('confirmed'), 'confirmed shop/web/egress/web-db: documented: web reads db. observed in the flows. required at the other end by shop/web (egress): open here too');
});
