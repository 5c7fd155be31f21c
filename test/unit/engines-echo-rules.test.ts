/**
 * ICMP echo rules (policy/ir.ts EchoRule) per engine: IR input → manifest part, as each engine's
 * own reference prescribes.
 * - cilium: `icmps: [{fields: [{type, family}]}]` in rules of their own, one peer kind each, no
 *   `toPorts` beside (pkg/policy/api/rule_validation.go errUnsupportedICMPWithToPorts, sanitize;
 *   pkg/policy/api/icmp.go ICMPField);
 * - calico: `protocol: ICMP`/`ICMPv6` by name, `icmp: {type}`, `ipVersion` the protocol fixes, one
 *   address family a rule (libcalico-go validateRule);
 * - kubernetes, clusternetworkpolicy: ports are TCP, UDP, SCTP and a rule without ports opens every
 *   protocol: the echo is left out with a warning, and a direction of echo alone denies everything
 *   — never a rule without ports.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENGINES } from '../../recommender/engines/index.ts';
import { cidrPeer, explanation, nodesPeer, podsPeer, policySet, tcp, PolicyError, apiserverPeer, type IntentInput } from '../../recommender/policy/build.ts';
import type { PolicyPeer } from '../../recommender/policy/ir.ts';
import { verifyManifests } from '../../recommender/verify/index.ts';

const web = podsPeer({ matchLabels: { app: 'web' } });
const pinger = cidrPeer('2001:db8::7/128');
const nodes = nodesPeer(['10.0.1.10', 'fd00:10::10']);

function intent(ingress: NonNullable<IntentInput['ingress']>): IntentInput {
  return { key: 'shop/db', namespace: 'shop', layer: 'allowlist', subject: { kind: 'workload', selector: { matchLabels: { app: 'db' } }, hostNetwork: false }, explanation: 'test', ingress };
}
const echo = (protocol: 'ICMP' | 'ICMPv6', peers: PolicyPeer[], seen: string[]) => ({
  protocol,
  peers,
  seen,
  explanation: explanation(`echo-${protocol}`, 'confirmed' as const, 'seen'),
});
const SET = policySet([
  intent({
    mode: 'rules',
    rules: [{ peers: [web], ports: [tcp(5432)], explanation: explanation('pg', 'confirmed', 'seen') }],
    echo: [echo('ICMP', [web, nodes], ['workload:shop/Deployment/web']), echo('ICMPv6', [pinger, nodes], ['external:2001:db8::7'])],
  }),
]);
const ONLY_ECHO = policySet([intent({ mode: 'rules', rules: [], echo: [echo('ICMP', [web], ['workload:shop/Deployment/web'])] })]);

test('cilium: an icmps rule per family and peer kind, never beside toPorts; admitted', () => {
  const r = ENGINES.cilium.emit(SET);
  const ingress = r.manifests[0]!.spec.ingress!;
  assert.deepEqual(ingress, [
    { fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] },
    { fromEndpoints: [{ matchLabels: { app: 'web' } }], icmps: [{ fields: [{ type: 8, family: 'IPv4' }] }] },
    { fromEntities: ['host', 'remote-node'], icmps: [{ fields: [{ type: 8, family: 'IPv4' }] }] },
    { fromEntities: ['host', 'remote-node'], icmps: [{ fields: [{ type: 128, family: 'IPv6' }] }] },
    { fromCIDRSet: [{ cidr: '2001:db8::7/128' }], icmps: [{ fields: [{ type: 128, family: 'IPv6' }] }] },
  ]);
  assert.deepEqual(verifyManifests(r.manifests), []);
  assert.deepEqual(r.warnings, []);
});

test('calico: protocol ICMP / ICMPv6 by name with the echo type and ipVersion, addresses of the family only; admitted', () => {
  const r = ENGINES.calico.emit(SET);
  const echoRules = r.manifests[0]!.spec.ingress!.filter((x) => x.icmp !== undefined).map(({ metadata: _, ...x }) => x);
  assert.deepEqual(echoRules, [
    { action: 'Allow', protocol: 'ICMP', ipVersion: 4, icmp: { type: 8 }, source: { selector: "app == 'web'" } },
    { action: 'Allow', protocol: 'ICMP', ipVersion: 4, icmp: { type: 8 }, source: { nets: ['10.0.1.10/32'] } },
    { action: 'Allow', protocol: 'ICMPv6', ipVersion: 6, icmp: { type: 128 }, source: { nets: ['2001:db8::7/128', 'fd00:10::10/128'] } },
  ]);
  assert.deepEqual(verifyManifests(r.manifests), []);
});

for (const [engine, kind] of [['kubernetes', 'NetworkPolicy'], ['clusternetworkpolicy', 'ClusterNetworkPolicy']] as const) {
  test(`${engine}: the echo is left out with a warning naming what it cuts; a direction of echo alone denies all, never a rule without ports`, () => {
    const r = ENGINES[engine].emit(SET);
    assert.deepEqual(
      r.warnings.map((w) => [w.code, w.direction, w.message.slice(0, w.message.indexOf(' will'))]),
      [['icmp-not-expressible', 'ingress', 'ingress: ICMP observed from external:2001:db8::7 ICMPv6, workload:shop/Deployment/web ICMP']],
    );
    assert.match(r.warnings[0]!.message, new RegExp(`a ${kind} names TCP, UDP or SCTP ports only`));
    assert.doesNotMatch(JSON.stringify(r.manifests), /ICMP|echo-ICMP/);
    const only = ENGINES[engine].emit(ONLY_ECHO);
    if (engine === 'kubernetes') {
      const spec = (only.manifests[0] as { spec: { ingress?: unknown[]; policyTypes: string[] } }).spec;
      assert.deepEqual([spec.policyTypes, spec.ingress ?? []], [['Ingress'], []]);
    } else {
      const spec = (only.manifests[0] as { spec: { ingress?: { action: string; ports?: unknown }[] } }).spec;
      assert.ok((spec.ingress ?? []).every((x) => x.action === 'Deny'), JSON.stringify(spec));
    }
    assert.deepEqual(verifyManifests(only.manifests), []);
  });
}

test('the IR refuses an echo rule without peers, or naming a peer no echo rule renders (the apiserver)', () => {
  const bad = (peers: PolicyPeer[]) => () => policySet([intent({ mode: 'rules', rules: [], echo: [echo('ICMP', peers, [])] })]);
  assert.throws(bad([]), PolicyError);
  assert.throws(bad([apiserverPeer([{ ip: '10.0.0.1', port: 6443, protocol: 'TCP' }])]), /cannot name a peer of kind apiserver/);
});
