/**
 * One decoder serves files and the gRPC stream: every real Hubble sample line, sent through the
 * collector's .proto (serialize → deserialize, as on the wire) and mapped back with
 * responseToJson, decodes to exactly what the line itself decodes to.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Serialize, Deserialize } from '@grpc/proto-loader';
import { observerDefinition } from '../../collectors/hubble-relay/client.ts';
import { nanosToTimestamp, responseToJson, timestampNanos, timestampToJson } from '../../collectors/hubble-relay/protojson.ts';
import { createHubbleDecoder } from '../../collectors/flows/hubble.ts';
import { parseTimestamp, toWire } from '../helpers/hubble-relay-server.ts';

const DIR = fileURLToPath(new URL('../fixtures/reference/flows/hubble/', import.meta.url));
const SAMPLES = [
  'hubble-otel-basic-sample-10-flows.json',
  'hubble-otel-basic-sample-400-tcp-flows.SUBSET.json',
  'hubble-otel-basic-sample-400-icmpv4-flows.json',
  'hubble-otel-basic-sample-5-dns-flows.json',
  'hubble-otel-basic-sample-5-http-flows.json',
  'hubble-v1.18.3-policy-deny-sample.jsonl',
  'hubble-v1.19.1-tke-guide-samples.jsonl',
];

const type = observerDefinition()['observer.GetFlowsResponse'] as unknown as { serialize: Serialize<object>; deserialize: Deserialize<Record<string, unknown>> };

test('protojson Timestamps: 0, 3, 6 or 9 fractional digits, exact nanoseconds', () => {
  assert.equal(timestampToJson({ seconds: '1623862333', nanos: 136834446 }), '2021-06-16T16:52:13.136834446Z');
  assert.equal(timestampToJson({ seconds: '1623862333', nanos: 136000000 }), '2021-06-16T16:52:13.136Z');
  assert.equal(timestampToJson({ seconds: '1623862333', nanos: 136834000 }), '2021-06-16T16:52:13.136834Z');
  assert.equal(timestampToJson({ seconds: 1623862333 }), '2021-06-16T16:52:13Z');
  // The range of a Timestamp (google/protobuf/timestamp.proto): 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z; outside it, no text.
  assert.equal(timestampToJson({ seconds: '253402300799', nanos: 999_999_999 }), '9999-12-31T23:59:59.999999999Z');
  assert.equal(timestampToJson({ seconds: '-62135596800' }), '0001-01-01T00:00:00Z');
  assert.equal(timestampToJson({ seconds: '253402300800' }), undefined);
  assert.equal(timestampToJson({ seconds: '99999999999999' }), undefined);
  assert.equal(timestampToJson({ seconds: '-62135596801' }), undefined);
  assert.equal(timestampToJson({ seconds: '1.5' }), undefined);
  const ns = timestampNanos(parseTimestamp('2021-11-10T10:40:56.467244400Z'));
  assert.equal(ns, 1636540856467244400n);
  assert.deepEqual(nanosToTimestamp(ns), { seconds: '1636540856', nanos: 467244400 });
});

for (const file of SAMPLES) {
  test(`${file}: every line decodes the same from the file and from the wire`, () => {
    const lines = readFileSync(DIR + file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const fromFile = createHubbleDecoder();
    const fromWire = createHubbleDecoder();
    for (const [i, line] of lines.entries()) {
      const wire = type.deserialize(type.serialize(toWire(line)) as Buffer);
      const json = responseToJson(wire);
      assert.deepEqual(fromWire.decode(json), fromFile.decode(line), `${file} line ${i + 1}`);
    }
  });
}

test('is_reply false survives the wire (a BoolValue, not an absent field) and decodes as src-is-client', () => {
  const line = { flow: { time: '2021-11-10T10:40:56.467Z', IP: { source: '10.0.0.1', destination: '10.0.0.2' }, l4: { TCP: { source_port: 40000, destination_port: 80 } }, is_reply: false } };
  const json = responseToJson(type.deserialize(type.serialize(toWire(line)) as Buffer));
  assert.equal((json.flow as Record<string, unknown>).is_reply, false);
  const d = createHubbleDecoder().decode(json);
  assert.equal(d.kind === 'flow' ? d.flow.handshake : d.kind, 'src-is-client');
});
