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

test('drop_reason, trace_observation_point and drop_reason_desc survive the wire (cilium/cilium api/v1/flow/flow.proto fields 3, 24, 25); a message without them gains none', () => {
  const time = '2026-12-05T10:00:04Z';
  const base = { time, verdict: 'DROPPED', IP: { source: '10.244.1.10', destination: '10.244.2.20', ipVersion: 'IPv4' }, l4: { UDP: { source_port: 41004, destination_port: 9999 } }, traffic_direction: 'INGRESS' };
  const viaWire = (flow: Record<string, unknown>) => responseToJson(type.deserialize(type.serialize(toWire({ flow })) as Buffer)).flow as Record<string, unknown>;
  const dropped = { ...base, drop_reason: 133, drop_reason_desc: 'POLICY_DENIED' };
  assert.deepEqual(viaWire(dropped), dropped);
  const traced = { ...base, verdict: 'FORWARDED', trace_observation_point: 'FROM_OVERLAY' };
  assert.deepEqual(viaWire(traced), traced);
  // A relay message from before these fields (or a flow that has none): nothing appears, not even a
  // zero value (proto3 sends none, and the loader adds no defaults), so it decodes as it always did.
  assert.deepEqual(viaWire(base), base);
  // The policy drop tells the client (src-is-client); a reason a newer Cilium adds arrives as its
  // number: a drop, but no policy verdict, so it says nothing of who the client is.
  const handshake = (flow: Record<string, unknown>) => {
    const d = createHubbleDecoder().decode({ flow });
    return d.kind === 'flow' ? [d.flow.verdict, d.flow.handshake] : d.kind;
  };
  assert.deepEqual(handshake(viaWire(dropped)), ['dropped', 'src-is-client']);
  const newer = viaWire({ ...base, drop_reason_desc: 204 });
  assert.equal(newer.drop_reason_desc, 204);
  assert.deepEqual(handshake(newer), ['dropped', 'none']);
});
