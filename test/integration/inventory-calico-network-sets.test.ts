/**
 * Calico GlobalNetworkSets and NetworkSets are kept by the inventory import (with the applied
 * policies, from projectcalico.org/v3 and from Calico's CRD storage crd.projectcalico.org/v1),
 * checked at the door as Calico's validator would (libcalico-go lib/validator/v3/validator.go
 * validateObjectMeta, validateGlobalNetworkSet / validateNetworkSet, the `cidr` tag of
 * GlobalNetworkSetSpec.Nets: cnet.ParseCIDROrIP), a set Calico refuses skipped with a warning naming
 * it; and they reach the calico simulator from the store and from `simulate --policies`. A
 * reviewer's reproduction: the GlobalNetworkSet `blocklist` (203.0.113.0/24, blocklist=true) and a
 * GlobalNetworkPolicy denying egress to `blocklist == 'true'` first: web → 203.0.113.5:443 is
 * denied by /spec/egress/0 (docs.tigera.io reference/resources/globalnetworkset: a rule's selector
 * "includes the CIDRs from any network sets that match the selector"), which `simulate` answered
 * allow and the verification beside the applied policies did not list; a tier passing egress to a
 * set was listed as cutting it.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { AppError } from '../../app/errors.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { simulateFlows } from '../../app/simulate.ts';
import { readInventory } from '../../store/inventory.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();
const T = '2026-01-01T00:00:00Z';

const NODE = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'n-n1', creationTimestamp: T }, spec: { podCIDR: '10.244.1.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.11' }] } };
const NS = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', labels: { 'kubernetes.io/metadata.name': 'app' } } };
const containers = [{ name: 'c', image: 'i', ports: [{ containerPort: 8080, protocol: 'TCP' }] }];
const WEB = [
  { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'app', uid: 'u-web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers } } } },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'app', uid: 'p-web', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u-web', controller: true }], creationTimestamp: T },
    spec: { nodeName: 'n1', containers },
    status: { phase: 'Running', startTime: T, podIP: '10.244.1.10', podIPs: [{ ip: '10.244.1.10' }] },
  },
];
const gns = (name: string, labels: Record<string, string>, nets: unknown[], apiVersion = 'projectcalico.org/v3') => ({ apiVersion, kind: 'GlobalNetworkSet', metadata: { name, labels }, spec: { nets } });
const BLOCKLIST = gns('blocklist', { blocklist: 'true' }, ['203.0.113.0/24']);
const DENY_BLOCKLIST = {
  apiVersion: 'projectcalico.org/v3',
  kind: 'GlobalNetworkPolicy',
  metadata: { name: 'deny-blocklist' },
  spec: { order: 10, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { selector: "blocklist == 'true'" } }, { action: 'Allow' }] },
};
const list = (...items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [NODE, NS, ...WEB, ...items] });

/** A NetObserv record of web's SYN to 203.0.113.5:443. */
const FLOW = JSON.stringify({ SrcAddr: '10.244.1.10', DstAddr: '203.0.113.5', SrcPort: 40000, DstPort: 443, Proto: 6, Etype: 2048, Packets: 3, Bytes: 180, Flags: 2, TimeFlowStartMs: NOW - 60_000, TimeFlowEndMs: NOW - 60_000 });
const EDGE = 'workload:app/StatefulSet/web|external:203.0.113.5|443|TCP';

async function store(...items: unknown[]) {
  const { db } = tmpDb();
  const summary = importInventory(db, { text: list(...items), takenAt: NOW - 3_600_000, source: 'inventory.json', now: NOW });
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${FLOW}\n`]) }], { format: 'netobserv' });
  return { db, summary };
}

test('network sets are kept with the applied policies (either API group), and `simulate --policies` over the store denies what the set holds', async () => {
  const ns = { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkSet', metadata: { name: 'partners', namespace: 'app', labels: { zone: 'partner' } }, spec: { nets: ['198.51.100.0/24', '192.0.2.7'] } };
  const { db, summary } = await store(BLOCKLIST, ns);
  assert.deepEqual(summary.ignored, {});
  assert.deepEqual(summary.warnings, []);
  assert.equal(summary.objects['GlobalNetworkSet.projectcalico.org'], 1);
  assert.equal(summary.objects['NetworkSet.crd.projectcalico.org'], 1);
  assert.deepEqual(readInventory(db).policies.map((p) => `${p.apiVersion} ${p.kind} ${p.namespace ?? ''}/${p.name}`), ['crd.projectcalico.org/v1 NetworkSet app/partners', 'projectcalico.org/v3 GlobalNetworkSet /blocklist']);
  // The policy alone is given: the set comes from the store.
  const policies = JSON.stringify(DENY_BLOCKLIST);
  const r = simulateFlows(db, { engine: 'calico', policies, flows: FLOW });
  assert.equal(r.decisions[0]!.verdict, 'deny');
  assert.deepEqual(r.decisions[0]!.egress?.by, { policy: 'GlobalNetworkPolicy/deny-blocklist', rule: '/spec/egress/0' });
  // Given with the policies (the engine inferred from them), a set replaces the stored one of its name.
  const moved = JSON.stringify([DENY_BLOCKLIST, gns('blocklist', { blocklist: 'true' }, ['198.18.0.0/15'])]);
  const given = simulateFlows(db, { policies: moved, flows: FLOW });
  assert.equal(given.engine, 'calico');
  assert.equal(given.decisions[0]!.verdict, 'allow');
});

test('a network set Calico would refuse is skipped and counted, naming the object and the field; the rest is imported', async () => {
  const bad = [
    gns('Bad_Name', {}, ['10.0.0.0/8']),
    gns('nets-not-strings', {}, [42]),
  ];
  const { db, summary } = await store(BLOCKLIST, ...bad);
  assert.equal(summary.objects['GlobalNetworkSet.projectcalico.org'], 3);
  assert.deepEqual(readInventory(db).policies.map((p) => p.name), ['blocklist']);
  const skipped = summary.warnings.filter((w) => /skipped and not stored, as Calico refuses it/.test(w));
  assert.equal(skipped.length, 2, summary.warnings.join('\n'));
  assert.ok(skipped.some((w) => /GlobalNetworkSet: metadata\.name: expected a value that must be a DNS-1123 subdomain/.test(w)), skipped.join('\n'));
  assert.ok(skipped.some((w) => /GlobalNetworkSet nets-not-strings: spec\.nets\[0\]: expected a string, got number 42/.test(w)), skipped.join('\n'));
});

// The CRD (crd.projectcalico.org/v1) takes any string in spec.nets (libcalico-go
// config/crd/crd.projectcalico.org_globalnetworksets.yaml: `items: type: string`, no format), so a
// set written there with one bad entry is stored; felix's syncer then leaves that entry out and
// keeps the set's other nets (libcalico-go updateprocessors/globalnetworksetprocessor.go: "Invalid
// CIDR", continue). A reviewer's reproduction: blocklist (CRD) with ["10.0.0.300/8",
// "203.0.113.0/24"] was skipped whole, so web → 203.0.113.5:443 was judged allowed where Calico
// denies it by deny-blocklist /spec/egress/0.
test('a network set with one bad entry in spec.nets is kept without it (as felix reads it), the import naming the place, the field and the value', async () => {
  const blocklist = gns('blocklist', { blocklist: 'true' }, ['10.0.0.300/8', '203.0.113.0/24'], 'crd.projectcalico.org/v1');
  const partners = { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkSet', metadata: { name: 'partners', namespace: 'app', labels: { zone: 'partner' } }, spec: { nets: ['198.51.100.0/24', 'not-a-net'] } };
  const { db, summary } = await store(blocklist, partners, DENY_BLOCKLIST);
  assert.deepEqual(
    readInventory(db).policies.filter((p) => p.kind.endsWith('NetworkSet')).map((p) => `${p.kind} ${p.namespace ?? ''}/${p.name}`),
    ['GlobalNetworkSet /blocklist', 'NetworkSet app/partners'],
  );
  const left = summary.warnings.filter((w) => /left out of the set/.test(w));
  assert.equal(left.length, 2, summary.warnings.join('\n'));
  assert.match(left.find((w) => w.includes('GlobalNetworkSet blocklist'))!, /items\[\d+\] GlobalNetworkSet blocklist: spec\.nets\[0\]: expected a CIDR or an address \(Calico: cnet\.ParseCIDROrIP\), got the string "10\.0\.0\.300\/8": left out of the set, its other nets kept/);
  // A NetworkSet's entry is not skipped by Calico's syncer (networksetprocessor.go has no `continue`): said.
  assert.match(left.find((w) => w.includes('NetworkSet app/partners'))!, /spec\.nets\[1\]: .*got the string "not-a-net": left out of the set, its other nets kept.*networksetprocessor\.go/);
  const { verification } = runRecommendation(readRecommendationInput(db, {}), 'calico', recommendOptions({ namespace: 'app' }), { tightness: false });
  assert.deepEqual(verification.blockedByApplied.map((f) => f.edge), [EDGE], JSON.stringify(verification.blockedByApplied));
  const r = simulateFlows(db, { engine: 'calico', policies: JSON.stringify(DENY_BLOCKLIST), flows: FLOW });
  assert.equal(r.decisions[0]!.verdict, 'deny');
});

// Calico's validator refuses a set labelled projectcalico.org/namespace (validateGlobalNetworkSet),
// but the CRD stores it (its schema checks no label), and felix reads it with its labels:
// globalnetworksetprocessor.go keeps them as they are, networksetprocessor.go sets that label to
// the set's namespace. Skipping the set lost every other label of it: blocklist == 'true' matched
// nothing and web → 203.0.113.5:443 was judged allowed where Calico denies it.
test('a network set labelled projectcalico.org/namespace (refused by Calico\'s validator, stored by the CRD) is kept as felix reads it, with a warning naming the label', async () => {
  const blocklist = gns('blocklist', { blocklist: 'true', 'projectcalico.org/namespace': 'app' }, ['203.0.113.0/24'], 'crd.projectcalico.org/v1');
  const { db, summary } = await store(blocklist, DENY_BLOCKLIST);
  assert.deepEqual(readInventory(db).policies.filter((p) => p.kind === 'GlobalNetworkSet').map((p) => p.name), ['blocklist']);
  assert.ok(
    summary.warnings.some((w) => /GlobalNetworkSet blocklist: metadata\.labels\.projectcalico\.org\/namespace: .*Calico validateGlobalNetworkSet.*kept as felix reads it/.test(w)),
    summary.warnings.join('\n'),
  );
  const r = simulateFlows(db, { engine: 'calico', policies: JSON.stringify(DENY_BLOCKLIST), flows: FLOW });
  assert.equal(r.decisions[0]!.verdict, 'deny');
});

test('`simulate --policies` refuses a network set Calico refuses, naming the field (validateGlobalNetworkSet, the cidr tag)', async () => {
  const { db } = await store();
  assert.throws(
    () => simulateFlows(db, { engine: 'calico', policies: JSON.stringify([DENY_BLOCKLIST, gns('blocklist', { blocklist: 'true' }, ['203.0.113.300/24'])]), flows: FLOW }),
    (e: unknown) => e instanceof AppError && e.code === 'invalid-input' && JSON.stringify(e.problems).includes('GlobalNetworkSet/blocklist/spec/nets/0') && /invalid CIDR or IP address/.test(JSON.stringify(e.problems)),
  );
});

test('recommend beside the applied policies: the applied blocklist set and its Deny cut web → 203.0.113.5 (blockedByApplied); a tier passing to a set cuts nothing', async () => {
  {
    const { db } = await store(BLOCKLIST, DENY_BLOCKLIST);
    const { verification } = runRecommendation(readRecommendationInput(db, {}), 'calico', recommendOptions({ namespace: 'app' }), { tightness: false });
    assert.deepEqual(
      verification.blockedByApplied.map((f) => f.edge),
      [EDGE],
      JSON.stringify(verification.blockedByApplied),
    );
    assert.match(verification.blockedByApplied[0]!.reason, /GlobalNetworkPolicy\/deny-blocklist/);
  }
  {
    const security = { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'security' }, spec: { order: 100 } };
    const allowed = gns('allowed-egress', { egress: 'allowed' }, ['203.0.113.0/24'], 'crd.projectcalico.org/v1');
    const control = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'egress-control' },
      spec: { tier: 'security', order: 10, selector: "projectcalico.org/namespace == 'app'", types: ['Egress'], egress: [{ action: 'Pass', destination: { selector: "egress == 'allowed'" } }, { action: 'Pass', destination: { nets: ['10.0.0.0/8'] } }] },
    };
    const { db } = await store(security, allowed, control);
    const { verification } = runRecommendation(readRecommendationInput(db, {}), 'calico', recommendOptions({ namespace: 'app' }), { tightness: false });
    assert.equal(verification.ok, true, JSON.stringify(verification.blocked));
    assert.deepEqual(verification.blockedByApplied, []);
  }
});
