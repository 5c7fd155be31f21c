import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  apiserverPeer,
  cidrPeer,
  dnsPeer,
  dnsPorts,
  explanation,
  fqdnPeer,
  intent,
  namespacePeer,
  podsPeer,
  policySet,
  PolicyError,
  portRange,
  tcp,
  udp,
  allPorts,
  type IntentInput,
} from '../../recommender/policy/build.ts';
import { canonicalCidr, hostCidr, isCidr, subtractCidrs } from '../../domain/ip.ts';
import { chunkName, clusterPolicyName, clusterWideName, policyName, shortHash } from '../../recommender/policy/names.ts';
import { compareStrings, ruleKey } from '../../recommender/policy/order.ts';

const why = explanation('edge:1', 'confirmed', 'seen');

function base(over: Partial<IntentInput> = {}): IntentInput {
  return {
    key: 'shop/api',
    namespace: 'shop',
    layer: 'allowlist',
    subject: { kind: 'workload', selector: { matchLabels: { app: 'api' } }, hostNetwork: false },
    ingress: { mode: 'rules', rules: [{ peers: [podsPeer({ matchLabels: { app: 'web' } })], ports: [tcp(8080)], explanation: why }] },
    explanation: 'API',
    ...over,
  };
}

test('intent normalises: peers, ports and rules sorted and de-duplicated, selectors canonical', () => {
  const i = intent(
    base({
      egress: {
        mode: 'rules',
        rules: [
          { peers: [podsPeer({ matchLabels: { z: '1', a: '2' } }), dnsPeer()], ports: [udp(53), tcp(80), tcp(80), tcp(53)], explanation: why },
          { peers: [dnsPeer(), podsPeer({ matchLabels: { a: '2', z: '1' } })], ports: [tcp(53), tcp(80), udp(53)], explanation: why },
        ],
      },
    }),
  );
  assert.equal(i.egress.mode, 'rules');
  if (i.egress.mode !== 'rules') return;
  assert.equal(i.egress.rules.length, 1, 'the two rules are the same rule');
  const r = i.egress.rules[0]!;
  assert.deepEqual(r.peers.map((p) => p.kind), ['pods', 'dns']);
  assert.deepEqual(Object.keys((r.peers[0] as { selector: { matchLabels: object } }).selector.matchLabels), ['a', 'z']);
  assert.deepEqual(r.ports, [tcp(53), tcp(80), udp(53)]);
});

test("a protocol's all-ports absorbs its single ports", () => {
  const i = intent(base({ ingress: { mode: 'allow-all', ports: [tcp(80), allPorts('TCP'), udp(53)], explanation: why } }));
  assert.deepEqual(i.ingress, { mode: 'allow-all', ports: [allPorts('TCP'), udp(53)], explanation: why });
});

test('constructor errors name the place and the value', () => {
  const cases: [IntentInput, RegExp][] = [
    [base({ egress: { mode: 'rules', rules: [{ peers: [cidrPeer('10.0.0.0/33')], explanation: why }] } }), /egress\.rules\[0\]\.peers\[0\]\.cidr: "10\.0\.0\.0\/33" is not a CIDR/],
    [base({ egress: { mode: 'rules', rules: [{ peers: [cidrPeer('10.0.0.0/16', ['10.1.0.0/24'])], explanation: why }] } }), /except\[0\]: "10\.1\.0\.0\/24" is not strictly inside 10\.0\.0\.0\/16/],
    [base({ egress: { mode: 'rules', rules: [{ peers: [apiserverPeer([{ ip: '10.0.0.1', port: 6443, protocol: 'TCP' }])], ports: [tcp(443)], explanation: why }] } }), /takes no ports: it is reached on its endpoint ports/],
    [base({ egress: { mode: 'rules', rules: [{ peers: [apiserverPeer([]), dnsPeer()], explanation: why }] } }), /put the apiserver in an egress rule of its own/],
    [base({ ingress: { mode: 'rules', rules: [{ peers: [fqdnPeer('example.com')], explanation: why }] } }), /FQDN peer "example\.com" is only meaningful in egress/],
    [base({ ingress: { mode: 'rules', rules: [] } }), /ingress\.rules: no rules: say deny-all/],
    [base({ layer: 'default-deny' }), /default-deny layer applies to a namespace, not a workload/],
    [base({ namespace: 'Shop' }), /namespace "Shop" is not a DNS-1123 label/],
    [base({ subject: { kind: 'workload', selector: {}, hostNetwork: false } }), /needs a non-empty selector/],
    [base({ ingress: { mode: 'rules', rules: [{ peers: [podsPeer({ matchLabels: { app: 'bad value!' } })], explanation: why }] } }), /label value "bad value!"/],
    [base({ ingress: { mode: 'none' } }), /restricts neither ingress nor egress/],
    [
      base({ key: 'shared/x', namespace: undefined, layer: 'shared', subject: { kind: 'namespaces', namespaces: ['a'], selector: {} }, ingress: { mode: 'rules', rules: [{ peers: [podsPeer({ matchLabels: { a: 'b' } })], explanation: why }] } }),
      /cluster-wide intent has no "own namespace"/,
    ],
  ];
  for (const [input, re] of cases) {
    assert.throws(() => intent(input), (e: unknown) => e instanceof PolicyError && re.test(e.message), String(re));
  }
  assert.throws(() => portRange('TCP', 9000, 9000), /start 9000 must be less than end 9000/);
  assert.throws(() => tcp(0), /port 0 is not an integer in 1\.\.65535/);
});

test('policySet sorts by key and rejects duplicate keys and name clashes', () => {
  const s = policySet([base({ key: 'shop/web' }), base({ key: 'shop/api' })]);
  assert.deepEqual(s.intents.map((i) => i.key), ['shop/api', 'shop/web']);
  assert.throws(() => policySet([base(), base()]), /duplicate key/);
  assert.throws(() => policySet([base({ key: 'shop/api' }), base({ key: 'shop-api' })]), /clashes with intent shop\/api/);
});

test('names: DNS-1123, ≤ 63 chars, hashed only when truncated, stable', () => {
  assert.equal(policyName('monitoring/Deployment/grafana'), 'monitoring-deployment-grafana');
  // A workload whose name ends like a derived policy's (`-exposed`, `-dns`, `-isolation`) carries its key's hash: `web`'s derived policies keep theirs.
  assert.equal(policyName('app/Deployment/web/exposed'), 'app-deployment-web-exposed');
  assert.match(policyName('app/Deployment/web-exposed'), /^app-deployment-web-exposed-[0-9a-f]{8}$/);
  assert.match(policyName('app/Pod/web-isolation'), /^app-pod-web-isolation-[0-9a-f]{8}$/);
  assert.equal(policyName('app/Deployment/web-exposure'), 'app-deployment-web-exposure');
  // A name with `.` or `--` would clean to another's: `web.v2` and `web-v2`.
  assert.match(policyName('shop/pod/web.v2'), /^shop-pod-web-v2-[0-9a-f]{8}$/);
  assert.notEqual(policyName('shop/pod/web.v2'), policyName('shop/pod/web-v2'));
  assert.equal(policyName('shop/pod/web-v2'), 'shop-pod-web-v2');
  assert.match(policyName('a--b/pod/x'), /^a-b-pod-x-[0-9a-f]{8}$/);
  // Cluster-wide (ClusterNetworkPolicy): a namespace holding a kind word as a later segment would read as another split.
  assert.equal(clusterPolicyName('x/pod/y-pod-z'), 'x-pod-y-pod-z');
  assert.match(clusterPolicyName('x-pod-y/pod/z'), /^x-pod-y-pod-z-[0-9a-f]{8}$/);
  assert.equal(clusterPolicyName('cluster/shared/a+b'), policyName('cluster/shared/a+b'), 'no workload key: as policyName');
  // A namespace with `--` (a valid DNS label) cleans to another's name: hashed.
  assert.match(clusterPolicyName('x--y/shared'), /^x-y-shared-[0-9a-f]{8}$/);
  assert.equal(clusterPolicyName('x-y/shared'), 'x-y-shared');
  // A cluster-wide layer's name always carries its key's hash (once: not the list hash of the key too).
  assert.match(clusterWideName('cluster/shared/a+shared'), /^cluster-shared-a-shared-[0-9a-f]{8}$/);
  assert.notEqual(clusterWideName('cluster/shared/a+shared'), clusterPolicyName('cluster-shared-a/shared'));
  assert.match(clusterWideName(`cluster/shared/x-y+z/${shortHash('x-y,z')}/isolation`), /^cluster-shared-x-y-z-isolation-[0-9a-f]{8}$/);
  const long = `ns/${'x'.repeat(80)}`;
  const n = policyName(long);
  assert.equal(n.length, 63);
  assert.match(n, /^ns-x+-[0-9a-f]{8}$/);
  assert.equal(policyName(long), n);
  assert.notEqual(policyName(`${long}y`), n);
  // A piece of a split policy: `--<n>`, which no other name holds (a cleaned key has no `--`), so
  // `web`'s second piece is never workload `web-1`'s own policy.
  assert.equal(chunkName('a', 0), 'a--1');
  assert.notEqual(chunkName(clusterPolicyName('a/deployment/web'), 0), clusterPolicyName('a/deployment/web-1'));
  assert.equal(chunkName(n, 11).length, 63);
  assert.match(chunkName(n, 11), /^ns-x+-[0-9a-f]{8}--12$/);
  // Two long bases cut alike stay apart: the cut base carries the hash of the whole base.
  const m = `${n.slice(0, 60)}abc`;
  assert.notEqual(chunkName(m, 0), chunkName(`${n.slice(0, 60)}abd`, 0));
  assert.ok(chunkName(m, 0).length <= 63);
});

test('CIDR helpers: validity, canonical text, host blocks, subtraction', () => {
  assert.equal(isCidr('10.0.0.0/8'), true);
  assert.equal(isCidr('10.0.0.0'), false);
  assert.equal(isCidr('fd00::/129'), false);
  assert.equal(canonicalCidr('10.1.2.3/16'), '10.1.0.0/16');
  assert.equal(canonicalCidr('FD00:0:0::1/64'), 'fd00::/64');
  assert.equal(hostCidr('10.0.0.1'), '10.0.0.1/32');
  assert.equal(hostCidr('fd00::1'), 'fd00::1/128');
  assert.deepEqual(subtractCidrs('10.0.0.0/24', ['10.0.0.0/26']), ['10.0.0.64/26', '10.0.0.128/25']);
  assert.deepEqual(subtractCidrs('10.0.0.0/30', ['10.0.0.1/32', '10.0.0.2/32']), ['10.0.0.0/32', '10.0.0.3/32']);
  assert.deepEqual(subtractCidrs('fd00::/126', ['fd00::/127']), ['fd00::2/127']);
  assert.deepEqual(dnsPorts(), [udp(53), tcp(53)]);
});

test('rules are ordered by their full sort key, also when one peer key is a prefix of another', () => {
  // Namespace names chosen so that peer keys are prefixes of each other ("1|a" of "1|a-b"): the
  // builder compares first peers without joining the keys and must fall back to the joined key.
  const names = ['a', 'a-b', 'ab', 'a0', 'b'];
  const rule = fc.record({
    peers: fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }),
    port: fc.constantFrom(80, 443),
    id: fc.constantFrom('r1', 'r2'),
  });
  fc.assert(
    fc.property(fc.array(rule, { minLength: 1, maxLength: 8 }), (rs) => {
      const rules = rs.map((r) => ({ peers: r.peers.map((n) => namespacePeer(n)), ports: [tcp(r.port)], explanation: explanation(r.id, 'confirmed', 'seen') }));
      const i = intent(base({ egress: { mode: 'rules', rules } }));
      assert.equal(i.egress.mode, 'rules');
      if (i.egress.mode !== 'rules') return;
      const keys = i.egress.rules.map(ruleKey);
      for (let k = 1; k < keys.length; k++) assert.ok(compareStrings(keys[k - 1]!, keys[k]!) < 0, `${keys[k - 1]} before ${keys[k]}`);
      // Every input rule is there, once: the same keys as the rules checked one by one.
      const one = (r: (typeof rules)[number]): string => {
        const single = intent(base({ egress: { mode: 'rules', rules: [r] } })).egress;
        return single.mode === 'rules' ? ruleKey(single.rules[0]!) : '';
      };
      assert.deepEqual(keys, [...new Set(rules.map(one))].sort(compareStrings));
    }),
    { numRuns: 300 },
  );
});
