import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINES, ENGINE_NAMES, getEngine } from '../../recommender/engines/index.ts';
import { policySet } from '../../recommender/policy/build.ts';
import { SCHEMA_FILES, verifyManifest, verifyManifests } from '../../recommender/verify/index.ts';
import { REFERENCE } from '../helpers/reference.ts';
import { richIntents } from '../golden/engines/rich-ir.ts';

const SCHEMA_DIR = new URL('../../recommender/schemas/', import.meta.url);
const set = policySet(richIntents());
const emitted = Object.fromEntries(ENGINE_NAMES.map((e) => [e, ENGINES[e].emit(set)]));

test('registry: the four engine names of docs/design.md §4, unknown names rejected with the list', () => {
  assert.deepEqual([...ENGINE_NAMES], ['kubernetes', 'cilium', 'calico', 'clusternetworkpolicy']);
  for (const n of ENGINE_NAMES) assert.equal(getEngine(n).name, n);
  assert.throws(() => getEngine('istio'), /unknown engine "istio": expected one of kubernetes, cilium, calico, clusternetworkpolicy/);
});

/** The SHA-256 of each upstream original, recorded when it was copied (origins in SOURCES.md). */
function upstreamDigests(): Map<string, string> {
  const text = readFileSync(join(REFERENCE, 'schemas', 'SHA256SUMS'), 'utf8');
  return new Map(text.trim().split('\n').map((l) => {
    const [digest, file] = l.split(/\s+/);
    return [file!, digest!];
  }));
}

test('schema copies in recommender/schemas equal the upstream originals (by their recorded SHA-256)', () => {
  const digests = upstreamDigests();
  assert.deepEqual([...digests.keys()].sort(), Object.values(SCHEMA_FILES).sort(), 'one recorded digest per schema file');
  for (const file of Object.values(SCHEMA_FILES)) {
    const copy = createHash('sha256').update(readFileSync(new URL(file, SCHEMA_DIR))).digest('hex');
    assert.equal(copy, digests.get(file), `${file} differs from the upstream original`);
  }
});

/**
 * What the standard channel refuses of the rich set's ClusterNetworkPolicies: the two port names
 * it gives no number (edge:12 `web`, edge:14 `metrics`), kept as destinationNamedPort, which only
 * the experimental channel has since network-policy-api#392 (the engine warns of each).
 */
const KEPT_NAMES = /^\[\d+\]\/spec\/(ingress|egress)\/\d+\/protocols\/\d+\/destinationNamedPort$/;

for (const engine of ENGINE_NAMES) {
  test(`${engine}: every manifest of the rich policy set validates against its schema and CEL rules`, () => {
    const r = emitted[engine]!;
    assert.ok(r.manifests.length >= 4, `${engine} emitted ${r.manifests.length} manifests`);
    const errors = verifyManifests(r.manifests);
    if (engine === 'clusternetworkpolicy') assert.deepEqual(errors.map((e) => KEPT_NAMES.test(e.path) && /experimental channel only/.test(e.message)), [true, true], JSON.stringify(errors));
    else assert.deepEqual(errors, []);
    for (const m of r.manifests) {
      assert.equal(m.metadata.labels['app.kubernetes.io/managed-by'], 'flowmatrix');
      assert.ok(m.metadata.annotations['flowmatrix.io/explanation'], `${m.metadata.name} has an explanation`);
    }
  });
}

test('the reference ClusterNetworkPolicy examples validate (the validator accepts real objects); deny-with-ports\'s named ports, standard-channel test data before network-policy-api#392 made destinationNamedPort experimental, are now the standard channel\'s refusals alone', async () => {
  const { parseAllDocuments } = await import('yaml');
  const dir = join(REFERENCE, 'network-policy-api', 'examples');
  for (const f of ['pkg_crdtest_testdata_valid_deny-with-ports.yaml', 'site-src_user-story-examples_user-story-2.yaml']) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      const errors = verifyManifest(doc.toJS());
      assert.deepEqual(errors.filter((e) => e.crdChannel !== 'standard'), [], f);
      assert.deepEqual(errors.map((e) => e.path.replace(/\/spec\/(ingress|egress)\/\d+/, '')), f.includes('deny-with-ports') ? ['/protocols/4/destinationNamedPort', '/protocols/5/destinationNamedPort'] : [], f);
    }
  }
});

function clone<T>(x: T): T {
  return structuredClone(x);
}

test('kubernetes: a broken manifest fails (bad CIDR, port type, unknown policyType)', () => {
  const m = clone(emitted.kubernetes!.manifests.find((x) => x.metadata.name === 'monitoring-grafana')!) as unknown as {
    spec: { egress: { to: { ipBlock?: { cidr: string } }[]; ports?: unknown[] }[]; policyTypes: string[] };
  };
  const withIp = m.spec.egress.find((r) => r.to.some((p) => p.ipBlock))!;
  withIp.to.find((p) => p.ipBlock)!.ipBlock!.cidr = '10.0.0.300/32';
  m.spec.policyTypes.push(42 as unknown as string);
  const errors = verifyManifest(m);
  // kubernetes pkg/apis/networking/validation ValidateIPBlock: "must be a valid CIDR value".
  assert.ok(errors.some((e) => /"10\.0\.0\.300\/32": must be a valid CIDR value/.test(e.message) && /\/spec\/egress\/\d+\/to\/\d+\/ipBlock\/cidr/.test(e.path)), JSON.stringify(errors));
  assert.ok(errors.some((e) => e.path === '/spec/policyTypes/2'), JSON.stringify(errors));
});

test('cilium: a numeric port and an unknown field fail', () => {
  const m = clone(emitted.cilium!.manifests.find((x) => x.metadata.name === 'monitoring-curator')!) as unknown as {
    spec: { egress: { toPorts: { ports: { port: unknown }[] }[] }[]; bogus?: boolean };
  };
  m.spec.egress[0]!.toPorts[0]!.ports[0]!.port = 9200;
  m.spec.bogus = true;
  const errors = verifyManifest(m);
  assert.ok(errors.some((e) => e.path === '/spec/egress/0/toPorts/0/ports/0/port' && /must be string/.test(e.message)), JSON.stringify(errors));
  assert.ok(errors.some((e) => /additional properties \(bogus\)/.test(e.message)), JSON.stringify(errors));
});

test('calico: ports with services on egress and an unknown action fail', () => {
  const m = clone(emitted.calico!.manifests.find((x) => x.metadata.name === 'monitoring-grafana')!) as unknown as {
    spec: { egress: { action: string; destination?: { services?: unknown; ports?: unknown[] } }[] };
  };
  const svc = m.spec.egress.find((r) => r.destination?.services)!;
  svc.destination!.ports = [443];
  m.spec.egress[0]!.action = 'Accept';
  const errors = verifyManifest(m);
  // libcalico-go validator.go validateRule's own wording.
  assert.ok(errors.some((e) => /cannot specify ports with a service selector/.test(e.message)), JSON.stringify(errors));
  assert.ok(errors.some((e) => /rules with numeric port or port range must set protocol to TCP or UDP or SCTP/.test(e.message)), JSON.stringify(errors));
  assert.ok(errors.some((e) => e.path === '/spec/egress/0/action'), JSON.stringify(errors));
});

test('clusternetworkpolicy: priority > 1000, bad range and bad network fail', () => {
  const m = clone(emitted.clusternetworkpolicy!.manifests.find((x) => x.metadata.name === 'monitoring-grafana')!) as unknown as {
    spec: { priority: number; egress: { protocols?: Record<string, { destinationPort: { range?: { start: number; end: number } } }>[]; to: { networks?: string[] }[] }[] };
  };
  m.spec.priority = 2000;
  const ranged = m.spec.egress.find((r) => r.protocols?.some((p) => p.tcp?.destinationPort.range))!;
  ranged.protocols!.find((p) => p.tcp?.destinationPort.range)!.tcp!.destinationPort.range = { start: 4318, end: 4317 };
  m.spec.egress.find((r) => r.to.some((p) => p.networks))!.to.find((p) => p.networks)!.networks![0] = 'not-a-cidr';
  const errors = verifyManifest(m);
  assert.ok(errors.some((e) => e.path === '/spec/priority'), JSON.stringify(errors));
  assert.ok(errors.some((e) => /Start port must be less than End port/.test(e.message)), JSON.stringify(errors));
  // The CRD's CEL rule on networks: isCIDR(self) with the message "Invalid CIDR format provided".
  assert.ok(errors.some((e) => e.path.endsWith('/networks/0') && /Invalid CIDR format provided/.test(e.message)), JSON.stringify(errors));
});
