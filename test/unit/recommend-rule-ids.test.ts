import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientDigestState, edgeDigest, fnv1a } from '../../recommender/compare/edge-digest.ts';
import { port, allPorts, portRange } from '../../recommender/policy/build.ts';
import { combineObserved, impliedRuleId, MAX_OBSERVED_ID, observedRuleId, portsLabel } from '../../recommender/synthesize/rule-ids.ts';

test('fnv1a: the published 32-bit FNV-1a vectors, hashed in parts or whole alike', () => {
  assert.equal(fnv1a(''), 0x811c9dc5);
  assert.equal(fnv1a('a'), 0xe40c292c);
  assert.equal(fnv1a('foobar'), 0xbf9cf968);
  assert.equal(fnv1a('bar', fnv1a('foo')), fnv1a('foobar'));
  assert.equal(fnv1a('é'), fnv1a('\u00e9'));
});

test('edge digest: the hash of the whole evidence key, from the client state and the port digits', () => {
  const client = 'workload:shop/Deployment/frontend';
  for (const [server, port, protocol] of [
    ['workload:shop/Deployment/cart', 8080, 'TCP'],
    ['dns:kube-system/Deployment/coredns', 53, 'UDP'],
    ['external:203.0.113.7', 0, 'ICMP'],
    ['apiserver', 6443, 'TCP'],
    ['node:worker-1', 9, 'SCTP'],
    ['node:worker-1', 10, 'TCP'],
    ['node:worker-1', 65535, 'UDP'],
    ['node:worker-1', 100000, 'TCP'],
    ['external:2001:db8::1', 1.5, 'TCP'],
  ] as const) {
    assert.equal(edgeDigest(clientDigestState(client), server, port, protocol), fnv1a(`${client}|${server}|${port}|${protocol}`), `${server} ${port}`);
  }
});

test('ports label: grouped by protocol, every port as any, long lists cut with a count', () => {
  assert.equal(portsLabel([port('TCP', 80), port('TCP', 443), port('UDP', 53)], 60), 'TCP/80,443+UDP/53');
  assert.equal(portsLabel([], 60), 'any');
  assert.equal(portsLabel([allPorts('TCP'), portRange('UDP', 1000, 2000)], 60), 'TCP/any+UDP/1000-2000');
  const many = Array.from({ length: 30 }, (_, i) => port('TCP', 10000 + i));
  const cut = portsLabel(many, 40);
  assert.ok(cut.length <= 40 && /^TCP\/10000,10001,.*\+\d+-more$/.test(cut), cut);
});

test('observed ids: one edge keeps its edge id when short, else direction, ports, count and digest', () => {
  const base = { direction: 'ingress' as const, apiserver: false, ports: [port('TCP', 5432)] };
  assert.equal(observedRuleId({ ...base, count: 1, digest: 0xab, single: 'edge:workload:a/Deployment/x|workload:a/Deployment/y|5432|TCP' }), 'edge:workload:a/Deployment/x|workload:a/Deployment/y|5432|TCP');
  const long = `edge:workload:${'n'.repeat(40)}/Deployment/client|workload:${'n'.repeat(40)}/Deployment/db|5432|TCP`;
  assert.equal(observedRuleId({ ...base, count: 1, digest: 0xab, single: long }), 'observed:ingress:TCP/5432:1-edge:000000ab');
  assert.equal(observedRuleId({ ...base, count: 37, digest: 0x3f9a2c1b }), 'observed:ingress:TCP/5432:37-edges:3f9a2c1b');
  // Every hex digit, the high bit set (a sum modulo 2^32 is often above 2^31).
  assert.equal(observedRuleId({ ...base, count: 2, digest: 0xfedcba98 }), 'observed:ingress:TCP/5432:2-edges:fedcba98');
  assert.equal(observedRuleId({ ...base, count: 2, digest: 0x01234567 }), 'observed:ingress:TCP/5432:2-edges:01234567');
  assert.equal(observedRuleId({ direction: 'egress', apiserver: true, ports: [], count: 2, digest: 1 }), 'observed:egress:apiserver:2-edges:00000001');
  const wide = observedRuleId({ ...base, ports: Array.from({ length: 40 }, (_, i) => port('TCP', 20000 + i)), count: 123456, digest: 7 });
  assert.ok(wide.length <= MAX_OBSERVED_ID && wide.endsWith(':123456-edges:00000007'), wide);
  assert.equal(MAX_OBSERVED_ID, 78);
});

test('a shared rule adds up its members: counts and digests (modulo 2^32), whatever their order', () => {
  const m = (count: number, digest: number) => ({ direction: 'egress' as const, apiserver: false, ports: [port('UDP', 53)], count, digest });
  const a = combineObserved([m(2, 0xffffffff), m(3, 2)])!;
  const b = combineObserved([m(3, 2), m(2, 0xffffffff)])!;
  assert.equal(observedRuleId(a), 'observed:egress:UDP/53:5-edges:00000001');
  assert.equal(observedRuleId(b), observedRuleId(a));
  assert.equal(combineObserved([]), undefined);
});

test('implied rule ids: implied:<direction>:<kind>[:<ports>], ports sorted whatever their order, the apiserver without ports (rendered on its endpoint ports), at most 78 characters', () => {
  assert.equal(impliedRuleId('egress', ['dns'], [port('UDP', 53), port('TCP', 53)], false), 'implied:egress:dns:TCP/53+UDP/53');
  assert.equal(impliedRuleId('egress', ['dns'], [port('TCP', 53), port('UDP', 53)], false), 'implied:egress:dns:TCP/53+UDP/53');
  assert.equal(impliedRuleId('egress', ['apiserver'], [], true), 'implied:egress:apiserver');
  assert.equal(impliedRuleId('ingress', ['dynamic-peers'], [], false), 'implied:ingress:dynamic-peers:any');
  assert.equal(impliedRuleId('egress', ['dns', 'dynamic-peers', 'dns'], [], false), 'implied:egress:dns+dynamic-peers:any');
  const many = impliedRuleId('egress', ['dns'], Array.from({ length: 40 }, (_, i) => port('TCP', 10000 + i)), false);
  assert.ok(many.length <= MAX_OBSERVED_ID && many.endsWith('-more'), many);
});
