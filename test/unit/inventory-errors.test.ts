import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertInventoryText, InventoryInputError } from '../../collectors/inventory/index.ts';
import { parseInventoryText } from '../../collectors/inventory/parse.ts';

const T = Date.parse('2025-03-02T12:00:00Z');
const list = (...items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
const goodPod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ok', namespace: 'n' }, spec: { containers: [{ name: 'c' }] } };

function rejects(text: string, message: RegExp): void {
  assert.throws(
    () => convertInventoryText(text, T),
    (e: unknown) => {
      assert.ok(e instanceof InventoryInputError, `expected InventoryInputError, got ${String(e)}`);
      assert.match(e.message, message);
      return true;
    },
  );
}

test('input that is not Kubernetes objects is refused', () => {
  rejects('', /no Kubernetes objects/);
  rejects('{"apiVersion": "v1", "kind": "List", "items": [', /not valid JSON/);
  // The place as a person finds it: the line and the column, not only V8's character offset.
  rejects('{"kind": "List",\n "items": [\n  {"kind": "Pod", "x": 1,,}\n]}\n', /not valid JSON: .* \(line 3, column 26\)$/);
  rejects('hello: [unclosed', /not valid YAML \(document 1/);
  rejects('[1, 2]', /^\[0\]: expected a Kubernetes object or List, got number/);
  rejects('{"foo": "bar"}', /^input: not a Kubernetes object: kind: expected a non-empty string, got missing/);
  rejects(list(goodPod, { kind: 'Pod', metadata: { name: 'x' } }), /^items\[1\] Pod: not a Kubernetes object: apiVersion/);
});

test('a broken object is refused with its place, kind, name and field', () => {
  rejects(list(goodPod, { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'n' }, spec: {} }), /^items\[1\] Pod: metadata\.name: expected a non-empty string, got missing$/);
  rejects(list({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} }), /^items\[0\] Pod: metadata\.namespace: expected a non-empty string, got missing$/);
  rejects(
    list({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n' }, spec: { containers: [{ name: 'c', ports: [{ containerPort: '80' }] }] } }),
    /^items\[0\] Pod n\/p: spec\.containers\[0\]\.ports\[0\]\.containerPort: expected an integer in 1\.\.65535, got the string "80"$/,
  );
  rejects(
    list({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'n' }, spec: { ports: [{ port: 80, protocol: 'HTTP' }] } }),
    /^items\[0\] Service n\/s: spec\.ports\[0\]\.protocol: expected TCP, UDP or SCTP, got the string "HTTP"$/,
  );
  // Port names are IANA service names (apimachinery IsValidPortName): a container port's, a Service's targetPort.
  rejects(
    list({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'n' }, spec: { ports: [{ port: 80, targetPort: 'Not_A_Name' }] } }),
    /^items\[0\] Service n\/s: spec\.ports\[0\]\.targetPort: expected a port number or name \(a name must be an IANA service name: .*\), got the string "Not_A_Name"$/,
  );
  rejects(
    list({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n' }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http--alt' }] }] } }),
    /^items\[0\] Pod n\/p: spec\.containers\[0\]\.ports\[0\]\.name: expected a port name that must be an IANA service name: .*, got the string "http--alt"$/,
  );
  // A flow protocol is no port protocol: Kubernetes' core/v1 Protocol is TCP, UDP or SCTP.
  rejects(
    list({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n' }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, protocol: 'ICMP' }] }] } }),
    /^items\[0\] Pod n\/p: spec\.containers\[0\]\.ports\[0\]\.protocol: expected TCP, UDP or SCTP, got the string "ICMP"$/,
  );
  rejects(
    list({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n' }, spec: { selector: { matchLabels: { app: 'd' } } } }),
    /^items\[0\] Deployment n\/d: spec\.template: expected an object, got missing$/,
  );
  rejects(
    list({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n', labels: { enabled: true } }, spec: {} }),
    /^items\[0\] Pod n\/p: metadata\.labels\.enabled: expected a string, got boolean true$/,
  );
  rejects(
    list({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n', creationTimestamp: 'yesterday' }, spec: {} }),
    /^items\[0\] Pod n\/p: metadata\.creationTimestamp: expected an RFC 3339 time, got the string "yesterday"$/,
  );
  // A cluster-scoped object never carries a namespace (as a second copy of its name it failed every snapshot of the live collector).
  rejects(
    list({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-z', namespace: 'oops' } }),
    /^items\[0\] Node: metadata\.namespace: expected absent: Node is cluster-scoped, got the string "oops"$/,
  );
  // A day February does not have: Date.parse would roll it over to March 2nd.
  rejects(
    list({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n', creationTimestamp: '2026-02-30T00:00:00Z' }, spec: {} }),
    /^items\[0\] Pod n\/p: metadata\.creationTimestamp: expected an RFC 3339 time, got the string "2026-02-30T00:00:00Z"$/,
  );
  rejects(
    list({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e', namespace: 'n' }, addressType: 'IPv4', endpoints: [{ addresses: [] }] }),
    /^items\[0\] EndpointSlice n\/e: endpoints\[0\]\.addresses: expected at least one address/,
  );
  rejects(list({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np' }, spec: {} }), /^items\[0\] NetworkPolicy: metadata\.namespace/);
  // A finished pod's end dates its IP's release: a broken one is named, not guessed.
  rejects(
    list({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n' }, spec: {}, status: { phase: 'Succeeded', podIP: '10.0.0.5', containerStatuses: [{ name: 'c', state: { terminated: { finishedAt: 'soon' } } }] } }),
    /^items\[0\] Pod n\/p: status\.containerStatuses\[0\]\.state\.terminated\.finishedAt: expected an RFC 3339 time, got the string "soon"$/,
  );
});

test('a Service or EndpointSlice port name is a DNS-1123 label (kubernetes pkg/apis/core/validation validateServicePort and pkg/apis/discovery/validation validatePorts: ValidateDNS1123Label when not empty); another is refused naming the object, field and value', () => {
  const service = (name: unknown) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name, port: 81, targetPort: 8081, protocol: 'TCP' }] } });
  const slice = (name: unknown) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-x', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.0.5'] }],
    ports: [{ name, port: 8081, protocol: 'TCP' }],
  });
  for (const bad of ['kubernetes.io/x', '10.244.1.0/24', 'a'.repeat(254), 'fe80::1', '2025-01-01T00:00:00Z', 'HTTP', '-web', 'a'.repeat(64)]) {
    const shown = JSON.stringify(bad.length > 60 ? `${bad.slice(0, 60)}…` : bad).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    rejects(list(service(bad)), new RegExp(`^items\\[0\\] Service shop/web: spec\\.ports\\[1\\]\\.name: expected a value that must be a DNS-1123 label.*got the string ${shown}$`));
    rejects(list(slice(bad)), new RegExp(`^items\\[0\\] EndpointSlice shop/web-x: ports\\[0\\]\\.name: expected a value that must be a DNS-1123 label.*got the string ${shown}$`));
  }
  // Empty is no name (a single unnamed port), as Kubernetes reads it; a 63-character label is a name.
  for (const ok of ['', 'a'.repeat(63), 'grpc-web', '8080-tcp']) {
    assert.doesNotThrow(() => convertInventoryText(list(service(ok), slice(ok)), T), ok);
  }
});

test('objects in a YAML stream are named by document', () => {
  const yaml = ['apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n', 'apiVersion: v1\nkind: Node\nmetadata:\n  name: n1\nstatus:\n  addresses: oops\n'].join('---\n');
  rejects(yaml, /^document 2 Node n1: status\.addresses: expected an array, got the string "oops"$/);
});

test('the same object twice is refused', () => {
  rejects(list(goodPod, { ...goodPod }), /^items\[1\] Pod n\/ok: duplicate of items\[0\]$/);
});

test('JSON nested deeper than any Kubernetes object is refused as input, as in YAML, not a stack overflow', () => {
  rejects(`${'['.repeat(5000)}${']'.repeat(5000)}`, /^input is not a Kubernetes object or List: nesting deeper than 512 levels$/);
  rejects(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [JSON.parse(`${'{"a":'.repeat(600)}1${'}'.repeat(600)}`)] }), /nesting deeper than 512 levels/);
});

test('YAML nested 5000 deep is refused for its depth before yaml composes it, as 600 levels are (not "Maximum call stack size exceeded")', () => {
  rejects(`a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, /^input is not valid YAML \(document 1, line 1\): nesting deeper than 512 levels/);
  rejects(`apiVersion: v1\nkind: List\nitems:\n${'- '.repeat(5000)}x\n`, /^input is not valid YAML \(document 1, line 4\): nesting deeper than 512 levels/);
  rejects(`a: ${'['.repeat(600)}${']'.repeat(600)}\n`, /^input is not valid YAML \(document 1, line 1\): nesting deeper than 512 levels/);
});

test('YAML merge keys (`<<`) are read as kubectl reads them (sigs.k8s.io/yaml on go-yaml v2, whose decoder merges them): the merged mapping, own keys winning', () => {
  const text = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: mk, namespace: shop }
spec:
  podSelector: { matchLabels: { <<: { app: catalog, tier: back }, tier: data } }
`;
  const objects = parseInventoryText(text);
  assert.deepEqual((objects[0]!.obj as { spec: { podSelector: unknown } }).spec.podSelector, { matchLabels: { app: 'catalog', tier: 'data' } });
});
