/**
 * fast-check fuzz of every decoder at the door: the NetObserv, Hubble and auto flow
 * decoders and the inventory converter. Inputs are valid records with fields swapped for
 * arbitrary JSON, hostile strings ('/', NUL, markup, `:::`), huge and fractional numbers. A
 * decoder never throws; what it accepts is within the domain's rules (Kubernetes names and
 * labels, ipaddr.js addresses, ports 1-65535, times from 1970 to the limit, counts ≤ 2^53-1);
 * what it rejects names a known reason, and the field and rule when it has one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { autoDecoder } from '../../collectors/flows/auto.ts';
import { REJECT_REASONS, SKIP_REASONS, type Decoded, type Decoder } from '../../collectors/flows/decode.ts';
import { hubbleDecoder } from '../../collectors/flows/hubble.ts';
import { netobservDecoder } from '../../collectors/flows/netobserv.ts';
import { convertInventoryText, InventoryInputError } from '../../collectors/inventory/index.ts';
import { MAX_COUNT, type EndpointMeta, type FlowEndpoint } from '../../domain/flow.ts';
import { isIpAddress } from '../../domain/ip.ts';
import { dns1123LabelError, dns1123SubdomainError, labelKeyError, labelValueError } from '../../domain/k8s-names.ts';

const MAX_TIME = Date.UTC(2026, 10, 21);
const RUNS = Number(process.env.FLOWMATRIX_FUZZ_RUNS ?? 400);

const hostile = fc.constantFrom('a/b', 'web\u0000x', '</script>', '../etc', ':::', 'fffff::1', '010.0.0.1', 'fe80::1%eth0', '', ' ', 'Kube_System', 'x'.repeat(300), '-a-', 'a..b', '\u202e', '__proto__', 'constructor');
const weirdNumber = fc.constantFrom(0, -1, 1.5, 1e300, -1e300, 2 ** 53, 65536, 4102444800000, 8.64e15 + 1, Number.MAX_SAFE_INTEGER, '9999999999999999999', '-5', '1e3');
const value = fc.oneof({ weight: 3, arbitrary: fc.anything({ maxDepth: 3 }) }, { weight: 3, arbitrary: hostile }, { weight: 3, arbitrary: weirdNumber });

/** A valid record with some fields replaced by arbitrary values (or removed). */
function mutated(base: Record<string, unknown>, keys: string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.dictionary(fc.constantFrom(...keys), fc.option(value, { nil: undefined }), { maxKeys: 4 }).map((over) => {
    const r: Record<string, unknown> = structuredClone(base);
    for (const [k, v] of Object.entries(over)) {
      if (v === undefined) delete r[k];
      else r[k] = v;
    }
    return r;
  });
}

const NETOBSERV = {
  SrcAddr: 'fd00::1', SrcPort: 40000, DstAddr: 'fd00::2', DstPort: 443, Proto: 6, TimeFlowEndMs: Date.UTC(2026, 10, 20), Flags: 2, Packets: 3, Bytes: 100, Etype: 34525,
  FlowDirection: 1, SrcK8S_Type: 'Pod', SrcK8S_Namespace: 'shop', SrcK8S_Name: 'web-1', SrcK8S_OwnerType: 'Deployment', SrcK8S_OwnerName: 'web', SrcK8S_HostName: 'node-a',
  DstK8S_Type: 'Service', DstK8S_Namespace: 'shop', DstK8S_Name: 'api', IcmpType: 8,
};

const HUBBLE_FLOW = {
  time: '2026-11-20T12:00:00Z', verdict: 'FORWARDED', IP: { source: '10.0.0.1', destination: '10.0.0.2' },
  l4: { TCP: { source_port: 40000, destination_port: 8080, flags: { SYN: true } } },
  source: { namespace: 'shop', pod_name: 'web-1', labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop'], workloads: [{ kind: 'Deployment', name: 'web' }] },
  destination: { namespace: 'shop', pod_name: 'api-1', labels: ['k8s:app=api'] },
  destination_names: ['api.example.com'], node_name: 'cluster/node-a', is_reply: false, destination_service: { name: 'api', namespace: 'shop' },
};

/** Hubble records: the flow's top-level fields, or those of a nested endpoint / l4 object, mutated. */
const hubbleRecord = fc.oneof(
  mutated(HUBBLE_FLOW, Object.keys(HUBBLE_FLOW)).map((flow) => ({ flow })),
  mutated(HUBBLE_FLOW.source, ['namespace', 'pod_name', 'labels', 'workloads', 'identity']).map((source) => ({ flow: { ...HUBBLE_FLOW, source } })),
  mutated(HUBBLE_FLOW.l4.TCP, ['source_port', 'destination_port', 'flags']).map((TCP) => ({ flow: { ...HUBBLE_FLOW, l4: { TCP } } })),
  fc.array(value, { maxLength: 4 }).map((labels) => ({ flow: { ...HUBBLE_FLOW, destination: { namespace: 'shop', labels } } })),
  value.map((v) => ({ flow: { ...HUBBLE_FLOW, destination_names: [v] } })),
);
const netobservRecord = mutated(NETOBSERV, Object.keys(NETOBSERV));
const anyRecord = fc.oneof(netobservRecord, hubbleRecord, fc.anything({ maxDepth: 4 }));

function checkMeta(m: EndpointMeta | undefined): void {
  if (!m) return;
  if (m.kind === 'pod' || m.kind === 'service') assert.equal(dns1123LabelError(m.namespace), undefined, m.namespace);
  if (m.kind === 'pod') {
    for (const n of [m.podName, m.ownerName, m.node]) if (n !== undefined) assert.equal(dns1123SubdomainError(n), undefined, n);
    for (const [k, v] of Object.entries(m.labels ?? {})) assert.equal(labelKeyError(k) ?? labelValueError(v), undefined, `${k}=${v}`);
  }
  if (m.kind === 'service') assert.equal(dns1123LabelError(m.name), undefined, m.name);
  if (m.kind === 'node') assert.equal(dns1123SubdomainError(m.name), undefined, m.name);
}

function checkEndpoint(e: FlowEndpoint): void {
  assert.ok(isIpAddress(e.ip), e.ip);
  if (e.port !== undefined) assert.ok(Number.isInteger(e.port) && e.port >= 1 && e.port <= 65535, String(e.port));
  checkMeta(e.meta);
  for (const n of e.names ?? []) assert.ok(!/[\s/\u0000<>]/.test(n), n);
}

function checkDecoded(d: Decoded): void {
  if (d.kind === 'reject') {
    assert.ok((REJECT_REASONS as readonly string[]).includes(d.reason), d.reason);
    if (d.field !== undefined) assert.ok(d.message, `reject of ${d.field} without a message`);
    if (d.value !== undefined) assert.ok(d.value.length <= 80 && !/[\u0000-\u001f]/.test(d.value), d.value);
    return;
  }
  if (d.kind === 'skip') {
    assert.ok((SKIP_REASONS as readonly string[]).includes(d.reason));
    return;
  }
  const f = d.flow;
  assert.ok(Number.isInteger(f.time) && f.time >= 0 && f.time <= MAX_TIME, `time ${f.time}`);
  for (const n of [f.packets, f.bytes]) assert.ok(Number.isInteger(n) && n >= 0 && n <= MAX_COUNT, `count ${n}`);
  checkEndpoint(f.src);
  checkEndpoint(f.dst);
  if (f.observedOn !== undefined) assert.equal(dns1123SubdomainError(f.observedOn), undefined);
}

function fuzz(decoder: Decoder, records: fc.Arbitrary<unknown>): void {
  fc.assert(
    fc.property(records, (r) => {
      let d: Decoded;
      try {
        d = decoder.decode(r, { maxTime: MAX_TIME });
      } catch (e) {
        assert.fail(`${decoder.format} threw on ${JSON.stringify(r)?.slice(0, 300)}: ${(e as Error).message}`);
      }
      checkDecoded(d);
    }),
    { numRuns: RUNS, seed: 14 },
  );
}

test('fuzz: the NetObserv decoder never throws and accepts only what the domain allows', () => fuzz(netobservDecoder, netobservRecord));
test('fuzz: the Hubble decoder never throws and accepts only what the domain allows', () => fuzz(hubbleDecoder, hubbleRecord));
test('fuzz: the auto decoder never throws on anything, records of either format or not', () => fuzz(autoDecoder, anyRecord));

test('fuzz: the mutations do reach both outcomes (the fuzz can fail)', () => {
  const outcomes = new Set<string>();
  fc.assert(fc.property(netobservRecord, (r) => void outcomes.add(netobservDecoder.decode(r, { maxTime: MAX_TIME }).kind)), { numRuns: 200, seed: 14 });
  assert.ok(outcomes.has('flow') && outcomes.has('reject'), [...outcomes].join());
});

const POD = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web' }, creationTimestamp: '2026-11-01T00:00:00Z', ownerReferences: [{ kind: 'ReplicaSet', name: 'web-5d9', controller: true }] },
  spec: { nodeName: 'node-a', containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] },
  status: { phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }], startTime: '2026-11-01T00:00:00Z' },
};

test('fuzz: the inventory converter refuses with InventoryInputError (never another error) and stores only valid names, labels and IPs', () => {
  const metadata = mutated(POD.metadata, Object.keys(POD.metadata));
  const status = mutated(POD.status, Object.keys(POD.status));
  const labels = fc.dictionary(fc.oneof(fc.string(), hostile), fc.oneof(fc.string(), hostile) as fc.Arbitrary<unknown>, { maxKeys: 3 });
  const pods = fc.oneof(
    metadata.map((m) => ({ ...POD, metadata: m })),
    status.map((s) => ({ ...POD, status: s })),
    labels.map((l) => ({ ...POD, metadata: { ...POD.metadata, labels: l } })),
    value.map((n) => ({ ...POD, spec: { ...POD.spec, nodeName: n } })),
  );
  fc.assert(
    fc.property(pods, (pod) => {
      let converted;
      try {
        converted = convertInventoryText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod] }), Date.UTC(2026, 10, 2));
      } catch (e) {
        assert.ok(e instanceof InventoryInputError, `${(e as Error).name}: ${(e as Error).message}`);
        return;
      }
      for (const w of converted.snapshot.workloads) {
        assert.equal(dns1123LabelError(w.namespace) ?? dns1123SubdomainError(w.name), undefined);
        for (const [k, v] of Object.entries(w.labels)) assert.equal(labelKeyError(k) ?? labelValueError(v), undefined, `${k}=${v}`);
      }
      for (const a of converted.snapshot.podAddresses) assert.ok(isIpAddress(a.ip), a.ip);
    }),
    { numRuns: RUNS, seed: 14 },
  );
});
