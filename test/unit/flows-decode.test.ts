import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { autoDecoder } from '../../collectors/flows/auto.ts';
import type { Decoded } from '../../collectors/flows/decode.ts';
import { hubbleDecoder } from '../../collectors/flows/hubble.ts';
import { netobservDecoder, parseNetobservFlags } from '../../collectors/flows/netobserv.ts';
import { KnownMeta } from '../../collectors/flows/known-meta.ts';
import type { FlowObservation } from '../../domain/flow.ts';

/** Real upstream samples, copied with their origin in test/fixtures/reference/SOURCES.md. */
const FLOWS = fileURLToPath(new URL('../fixtures/reference/flows/', import.meta.url));
const HUBBLE = join(FLOWS, 'hubble');
const netobserv = readFileSync(join(FLOWS, 'netobserv/netobserv-flow-samples.ndjson'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Record<string, unknown>);
const hubbleLines = (file: string) => readFileSync(join(HUBBLE, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);

function flow(d: Decoded): FlowObservation {
  assert.equal(d.kind, 'flow', JSON.stringify(d));
  return (d as { flow: FlowObservation }).flow;
}

test('NetObserv record 1: prometheus-k8s-1 → telemeter-client:8443, ACK only (no handshake), metadata from the record', () => {
  const f = flow(netobservDecoder.decode(netobserv[0]));
  assert.equal(f.time, 1708011866948);
  assert.equal(f.protocol, 'TCP');
  assert.equal(f.handshake, 'none');
  assert.deepEqual(f.src, {
    ip: '10.128.0.29',
    port: 55984,
    meta: { kind: 'pod', namespace: 'openshift-monitoring', podName: 'prometheus-k8s-1', ownerKind: 'StatefulSet', ownerName: 'prometheus-k8s', node: 'ip-10-0-1-7.ec2.internal' },
  });
  assert.equal(f.dst.port, 8443);
  assert.deepEqual([f.packets, f.bytes, f.verdict, f.source], [2, 171, 'forwarded', 'netobserv']);
});

test('NetObserv Flags 788 (SYN_ACK|FIN_ACK|ACK|RST): the destination (node) is the client', () => {
  const rec = netobserv[11] as Record<string, unknown>;
  assert.equal(rec.Flags, 788);
  const f = flow(netobservDecoder.decode(rec));
  assert.equal(f.handshake, 'dst-is-client');
  assert.deepEqual(f.dst.meta, { kind: 'node', name: 'ip-10-0-1-137.ec2.internal' });
});

test('NetObserv flags: bitfield and named array decode alike; SYN alone means the source opened', () => {
  assert.equal(parseNetobservFlags(['SYN', 'ACK', 'SYN_ACK']), 0x112);
  assert.equal(parseNetobservFlags(788), 788);
  const syn = flow(netobservDecoder.decode({ ...netobserv[0], Flags: ['SYN'], FlowDirection: 1 }));
  assert.equal(syn.handshake, 'src-is-client');
  const synAck = flow(netobservDecoder.decode({ ...netobserv[0], Flags: ['SYN', 'ACK', 'SYN_ACK'] }));
  assert.equal(synAck.handshake, 'dst-is-client');
});

test('NetObserv Service and external endpoints; ARP and ICMP errors are skipped', () => {
  const dns = flow(netobservDecoder.decode(netobserv[3]));
  assert.deepEqual(dns.dst.meta, { kind: 'service', namespace: 'openshift-dns', name: 'dns-default' });
  assert.equal(dns.protocol, 'UDP');
  const apiserver = flow(netobservDecoder.decode(netobserv[15]));
  assert.equal(apiserver.dst.meta, undefined);
  assert.equal(apiserver.dst.port, 6443);
  assert.deepEqual(netobservDecoder.decode(netobserv[10]), { kind: 'skip', reason: 'non-ip' });
  assert.deepEqual(netobservDecoder.decode(netobserv[14]), { kind: 'skip', reason: 'icmp-control' });
  assert.deepEqual(netobservDecoder.decode({ ...netobserv[0], Proto: 47 }), { kind: 'skip', reason: 'unsupported-protocol' });
});

test('NetObserv: an acl drop network event makes the flow dropped', () => {
  const f = flow(netobservDecoder.decode({ ...netobserv[0], NetworkEvents: [{ Feature: 'acl', Type: 'NetworkPolicy', Action: 'drop', Direction: 'Ingress' }] }));
  assert.equal(f.verdict, 'dropped');
});

// The agent's kfree_skb tracepoint counts the packets the kernel dropped, in a record of their own
// when no flow of the window holds them ("there is no matching flows so lets create new one and add
// the drops", netobserv-ebpf-agent bpf/pkt_drops.h); RecordToMap (pkg/decode/flows) leaves out
// Packets when it is 0 and names the cause (PktDropCauseToStr: the kernel's skb_drop_reason, OVS's,
// or "NetworkEvent_" + an OVN acl's). PktDropPackets is "Number of packets dropped by the kernel"
// (network-observability-operator docs/flows-format.adoc).
test('NetObserv: a record whose packets a policy dropped, none delivered, is dropped; a record with delivered packets stays delivered; another kernel drop is no evidence either way', () => {
  const base = netobserv[0] as Record<string, unknown>; // Packets 2, Flags 16 (ACK): forwarded
  const dropOnly = {
    ...base,
    Packets: undefined,
    Bytes: undefined,
    Flags: 0,
    PktDropPackets: 3,
    PktDropBytes: 180,
    PktDropLatestFlags: 2,
    PktDropLatestState: 'TCP_SYN_SENT',
    PktDropLatestDropCause: 'SKB_DROP_REASON_NETFILTER_DROP',
  };
  const verdict = (r: Record<string, unknown>) => flow(netobservDecoder.decode(r)).verdict;
  // A SYN netfilter dropped three times (iptables / nftables NetworkPolicy): it never arrived.
  assert.deepEqual([flow(netobservDecoder.decode(dropOnly)).packets, verdict(dropOnly)], [0, 'dropped']);
  assert.equal(verdict({ ...dropOnly, Packets: 0, Bytes: 0 }), 'dropped');
  // Flags OR'd over the record prove no delivery when no packet was delivered.
  assert.equal(verdict({ ...dropOnly, Flags: 16 }), 'dropped');
  // Filters that enforce policy: eBPF dataplanes in tc, OVS flows, OVN acls (as the agent names them).
  for (const cause of ['SKB_DROP_REASON_TC_INGRESS', 'SKB_DROP_REASON_TC_EGRESS', 'OVS_DROP_LAST_ACTION', 'OVS_DROP_EXPLICIT', 'NetworkEvent_NetworkPolicy']) {
    assert.equal(verdict({ ...dropOnly, PktDropLatestDropCause: cause }), 'dropped', cause);
  }
  // A lone SYN the agent counted and netfilter then dropped: nothing proves any arrived.
  assert.equal(verdict({ ...dropOnly, Packets: 1, Bytes: 60, Flags: 2 }), 'dropped');
  // Some packets dropped, not all (PktDropPackets below Packets, which counts every packet the hook
  // saw): no drop of the traffic. UDP one-way (a conntrack clash, kube-proxy's INVALID drop) stays
  // unknown, a rule; an answered TCP record is delivered (a retransmit after a drop).
  const udp = { ...base, Proto: 17, Flags: undefined, Packets: 10, Bytes: 900, PktDropPackets: 1, PktDropLatestDropCause: 'SKB_DROP_REASON_NETFILTER_DROP' };
  assert.equal(verdict(udp), 'unknown');
  assert.equal(verdict({ ...udp, PktDropPackets: 10 }), 'dropped', 'every seen packet dropped');
  // Delivered and dropped packets, the connection answered (a retransmit after a drop): delivered.
  assert.equal(verdict({ ...base, PktDropPackets: 1, PktDropLatestDropCause: 'SKB_DROP_REASON_NETFILTER_DROP' }), 'forwarded');
  assert.equal(verdict(netobserv[9]!), 'forwarded', 'Packets 2, ACK, one TCP_INVALID_SEQUENCE drop');
  // A TCP stack drop (kernel dropreason-core.h: "Invalid RST packet") happens past the policy: the
  // real drop-only RST records stay unknown, and no record without a delivered packet is forwarded.
  assert.equal(netobserv[12]!.Packets, undefined);
  assert.equal(verdict(netobserv[12]!), 'unknown');
  assert.equal(verdict({ ...dropOnly, Flags: 16, PktDropLatestDropCause: 'SKB_DROP_REASON_TCP_INVALID_SEQUENCE' }), 'unknown');
  assert.equal(verdict({ ...base, Packets: undefined, Bytes: undefined }), 'unknown');
  // The drop fields are checked like the others: never read as absent.
  const field = (r: Record<string, unknown>) => {
    const d = netobservBare(r) as { kind: string; reason?: string; field?: string; value?: string };
    return [d.kind, d.reason, d.field, d.value];
  };
  assert.deepEqual(field({ ...dropOnly, PktDropPackets: -1 }), ['reject', 'invalid-field', 'PktDropPackets', '-1']);
  assert.deepEqual(field({ ...dropOnly, PktDropPackets: 'three' }), ['reject', 'invalid-field', 'PktDropPackets', 'three']);
  assert.deepEqual(field({ ...dropOnly, PktDropLatestDropCause: 8 }), ['reject', 'invalid-field', 'PktDropLatestDropCause', '8']);
});

// flowlogs-pipeline's decode_tcp_flags rule rewrites Flags in place "always … even if empty/nil"
// (pkg/pipeline/transform/transform_network.go), and DecodeTCPFlags(0) returns a nil []string
// (pkg/utils/tcp_flags.go), which encoding/json writes as null.
test('NetObserv: Flags null (a pipeline export of a TCP record without flags) is no flags, as [] and 0 are', () => {
  const base = netobserv[0] as Record<string, unknown>;
  for (const Flags of [null, [], 0]) {
    const f = flow(netobservDecoder.decode({ ...base, Flags }));
    assert.deepEqual([f.handshake, f.verdict], ['none', 'unknown'], JSON.stringify(Flags));
  }
});

/** A decode result without its human-readable `message`: these tests pin the field and value. */
function bare(d: ReturnType<typeof netobservDecoder.decode>): unknown {
  if (d.kind !== 'reject') return d;
  const { message: _message, ...rest } = d;
  return rest;
}
const netobservBare = (r: unknown) => bare(netobservDecoder.decode(r));
const hubbleBare = (r: unknown) => bare(hubbleDecoder.decode(r));

test('NetObserv rejects name the field and value at fault', () => {
  const base = netobserv[0] as Record<string, unknown>;
  const without = (k: string) => Object.fromEntries(Object.entries(base).filter(([key]) => key !== k));
  assert.deepEqual(netobservBare(without('SrcAddr')), { kind: 'reject', reason: 'missing-field', field: 'SrcAddr' });
  assert.deepEqual(netobservBare({ ...base, DstAddr: '10.0.0.300' }), { kind: 'reject', reason: 'invalid-field', field: 'DstAddr', value: '10.0.0.300' });
  assert.deepEqual(netobservBare({ ...base, DstPort: 70000 }), { kind: 'reject', reason: 'invalid-field', field: 'DstPort', value: '70000' });
  assert.deepEqual(netobservBare({ ...base, Flags: 'SYN' }), { kind: 'reject', reason: 'invalid-field', field: 'Flags', value: 'SYN' });
  assert.deepEqual(netobservBare({ ...base, FlowDirection: '7' }), { kind: 'reject', reason: 'invalid-field', field: 'FlowDirection', value: '7' });
  assert.deepEqual(netobservBare(without('Proto')), { kind: 'reject', reason: 'missing-field', field: 'Proto' });
  assert.deepEqual(netobservBare({ ...base, Proto: 6.5 }), { kind: 'reject', reason: 'invalid-field', field: 'Proto', value: '6.5' });
  // A field of another type is no absent field: read as absent, it would attribute the flow to another workload, or take another time.
  assert.deepEqual(netobservBare({ ...base, SrcK8S_Type: 'Pod', SrcK8S_Namespace: 'probe', SrcK8S_OwnerName: 5 }), { kind: 'reject', reason: 'invalid-field', field: 'SrcK8S_OwnerName', value: '5' });
  assert.deepEqual(netobservBare({ ...base, DstK8S_Type: 'Pod', DstK8S_Namespace: {} }), { kind: 'reject', reason: 'invalid-field', field: 'DstK8S_Namespace', value: '{}' });
  // Every field's type is checked before any name: a bad type after a bad name is the one named, with the rule it breaks.
  assert.deepEqual(netobservDecoder.decode({ ...base, SrcK8S_Type: 'Pod', SrcK8S_Namespace: 'BAD NS', SrcK8S_HostName: 7 }), { kind: 'reject', reason: 'invalid-field', field: 'SrcK8S_HostName', value: '7', message: 'SrcK8S_HostName must be a string' });
  // A malformed name is refused whatever the Type, or without one: never read as absent.
  const untyped = { ...without('SrcK8S_Type') };
  assert.deepEqual(netobservBare({ ...untyped, SrcK8S_Namespace: 'BAD NS' }), { kind: 'reject', reason: 'invalid-field', field: 'SrcK8S_Namespace', value: 'BAD NS' });
  assert.deepEqual(netobservBare({ ...untyped, SrcK8S_OwnerName: 'Worker_X' }), { kind: 'reject', reason: 'invalid-field', field: 'SrcK8S_OwnerName', value: 'Worker_X' });
  assert.deepEqual(netobservBare({ ...base, SrcK8S_Type: 'Node', SrcK8S_Namespace: 'BAD NS' }), { kind: 'reject', reason: 'invalid-field', field: 'SrcK8S_Namespace', value: 'BAD NS' });
  for (const bad of ['soon', true, '1.795e12']) {
    assert.deepEqual(netobservBare({ ...base, TimeFlowEndMs: bad }), { kind: 'reject', reason: 'invalid-field', field: 'TimeFlowEndMs', value: String(bad) }, String(bad));
  }
  assert.deepEqual(
    netobservBare(Object.fromEntries(Object.entries(base).filter(([k]) => !k.startsWith('Time')))),
    { kind: 'reject', reason: 'missing-field', field: 'TimeFlowEndMs' },
  );
  assert.deepEqual(netobservBare([1, 2]), { kind: 'reject', reason: 'not-an-object' });
});

test('Hubble jsonpb (tke sample 1): reply from reserved:kube-apiserver to csi-cbs-controller, is_reply true', () => {
  const [first] = hubbleLines('hubble-v1.19.1-tke-guide-samples.jsonl');
  const f = flow(hubbleDecoder.decode(first));
  assert.equal(f.handshake, 'dst-is-client');
  assert.deepEqual(f.src.meta, { kind: 'reserved', identities: ['kube-apiserver', 'world'] });
  assert.deepEqual(f.dst.meta, {
    kind: 'pod',
    namespace: 'kube-system',
    podName: 'csi-cbs-controller-7788964bc-lsfw5',
    ownerKind: 'Deployment',
    ownerName: 'csi-cbs-controller',
    labels: { app: 'cbs-csi-controller', metrics: 'cbs-csi-controller' },
    cluster: 'default', // its k8s:io.cilium.k8s.policy.cluster label
  });
  assert.equal(f.time, Date.parse('2026-02-24T08:47:58.042Z'));
  assert.equal(f.observedOn, '10.10.21.166');
  assert.deepEqual([f.src.port, f.dst.port, f.protocol, f.verdict], [60002, 57706, 'TCP', 'forwarded']);
});

test('Hubble policy-verdict drop (1.18.3): SYN without is_reply → source is client, verdict dropped, node name without cluster', () => {
  const [line] = hubbleLines('hubble-v1.18.3-policy-deny-sample.jsonl');
  const f = flow(hubbleDecoder.decode(line));
  assert.equal(f.handshake, 'src-is-client');
  assert.equal(f.verdict, 'dropped');
  assert.equal(f.observedOn, 'cilium-w1');
  assert.deepEqual([f.src.ip, f.dst.ip, f.dst.port], ['10.0.1.235', '10.0.0.21', 80]);
});

test('Hubble bare -o json Flow (printer test); identity numbers without labels map to reserved identities', () => {
  // The printer test's time is 1970-01-01T00:20:34.567800Z, before any Kubernetes flow (rejected, MIN_FLOW_TIME_MS): moved to 2026.
  const bare = JSON.parse(
    '{"time":"2026-01-01T00:20:34.567800Z","verdict":"DROPPED","IP":{"source":"1.1.1.1","destination":"2.2.2.2"},"l4":{"TCP":{"source_port":31793,"destination_port":8080}},"source":{"identity":4},"destination":{"identity":12345},"Type":"L3_L4","node_name":"k8s1","event_type":{"type":1,"sub_type":133},"is_reply":false,"Summary":"TCP Flags: SYN"}',
  ) as Record<string, unknown>;
  // identity 4 is reserved:health: infrastructure, skipped.
  assert.deepEqual(hubbleDecoder.decode(bare), { kind: 'skip', reason: 'cilium-health' });
  const f = flow(hubbleDecoder.decode({ ...bare, source: { identity: 6 } }));
  assert.deepEqual(f.src.meta, { kind: 'reserved', identities: ['remote-node'] });
  assert.equal(f.time, Date.UTC(2026, 0, 1) + 1234567);
  assert.equal(f.handshake, 'src-is-client');
});

test('Hubble: node_status / lost_events lines are skipped; 64-bit values as strings; names kept', () => {
  assert.deepEqual(hubbleDecoder.decode({ node_status: { state_change: 'NODE_CONNECTED', node_names: ['n1'] }, node_name: 'n1', time: '2024-01-01T00:00:00Z' }), { kind: 'skip', reason: 'not-a-flow' });
  assert.deepEqual(hubbleDecoder.decode({ lost_events: { source: 'HUBBLE_RING_BUFFER', num_events_lost: '12' } }), { kind: 'skip', reason: 'not-a-flow' });
  const [line] = hubbleLines('hubble-otel-basic-sample-5-http-flows.json') as Record<string, Record<string, unknown>>[];
  const withStrings = { ...line, flow: { ...line!.flow, l4: { TCP: { source_port: '41000', destination_port: '9080' } }, destination_names: ['api.example.com'] } };
  const f = flow(hubbleDecoder.decode(withStrings));
  assert.deepEqual([f.src.port, f.dst.port, f.dst.names], [41000, 9080, ['api.example.com']]);
});

test('Hubble ICMP echo: the request\'s sender is the client, the reply\'s receiver is; the sample\'s echoes are cilium-health probes', () => {
  type Line = { flow: Record<string, unknown> };
  const icmp = hubbleLines('hubble-otel-basic-sample-400-icmpv4-flows.json') as Line[];
  const requests = icmp.filter((l) => JSON.stringify(l.flow.l4) === '{"ICMPv4":{"type":8}}');
  const replies = icmp.filter((l) => JSON.stringify(l.flow.l4) === '{"ICMPv4":{}}');
  assert.equal(requests.length, 11, 'echo requests in the sample');
  assert.equal(replies.length, 7, 'echo replies in the sample (type 0 is omitted by jsonpb)');
  // The sample is kind's node-to-health-endpoint probing: all infrastructure, never a flow.
  for (const l of [...requests, ...replies]) assert.deepEqual(hubbleDecoder.decode(l), { kind: 'skip', reason: 'cilium-health' });
  // The same request and reply between two ordinary endpoints, without is_reply (which would
  // decide on its own): the ICMP type decides who the client is.
  const pods = (l: Line): Line => {
    const { is_reply: _omitted, ...rest } = l.flow;
    return { flow: { ...rest, source: { identity: 51234, namespace: 'shop', pod_name: 'web-0', labels: ['k8s:app=web'] }, destination: { identity: 51235, namespace: 'shop', pod_name: 'api-0', labels: ['k8s:app=api'] } } };
  };
  const request = flow(hubbleDecoder.decode(pods(requests[0]!)));
  assert.deepEqual([request.protocol, request.handshake, request.src.ip], ['ICMP', 'src-is-client', '10.244.0.148']);
  const reply = flow(hubbleDecoder.decode(pods(replies[0]!)));
  assert.deepEqual([reply.protocol, reply.handshake, reply.src.ip], ['ICMP', 'dst-is-client', '10.244.0.160']);
});

test('Hubble: a FORWARDED lone SYN on its way out of the sender proves no delivery (the receiver\'s ingress policy may drop it, docs/ingest.md); at the receiver, or any later packet, it does', () => {
  const [line] = hubbleLines('hubble-v1.18.3-policy-deny-sample.jsonl') as Record<string, Record<string, unknown>>[];
  const base = { ...(line!.flow as Record<string, unknown>), verdict: 'FORWARDED', drop_reason: undefined, drop_reason_desc: undefined, is_reply: false };
  const syn = { TCP: { source_port: 40885, destination_port: 9401, flags: { SYN: true } } };
  const verdictOf = (over: Record<string, unknown>) => flow(hubbleDecoder.decode({ flow: { ...base, l4: syn, ...over } })).verdict;
  // Cilium's trace of the sender's packet leaving for the overlay (cilium/cilium api/v1/flow/flow.proto TraceObservationPoint TO_OVERLAY).
  assert.equal(verdictOf({ traffic_direction: 'EGRESS', trace_observation_point: 'TO_OVERLAY', event_type: { type: 4, sub_type: 4 } }), 'unknown');
  assert.equal(verdictOf({ traffic_direction: 'EGRESS', event_type: { type: 5 } }), 'unknown');
  assert.equal(verdictOf({ traffic_direction: 'INGRESS', trace_observation_point: 'TO_ENDPOINT', event_type: { type: 4, sub_type: 0 } }), 'forwarded');
  assert.equal(verdictOf({ traffic_direction: 'EGRESS', l4: { TCP: { source_port: 40885, destination_port: 9401, flags: { ACK: true } } } }), 'forwarded');
  assert.equal(verdictOf({ traffic_direction: 'EGRESS', verdict: 'DROPPED' }), 'dropped');
});

test('Hubble: a FORWARDED lone SYN traced on the receiver\'s node before its endpoint (FROM_OVERLAY, FROM_NETWORK: no traffic_direction) proves no delivery; TO_ENDPOINT does', () => {
  // A trace taken outside an endpoint's program carries no traffic_direction (cilium/cilium
  // pkg/hubble/parser/threefour/parser.go decodeTrafficDirection reads it only from a trace whose
  // Source is an endpoint), and every trace is FORWARDED (decodeVerdict). FROM_OVERLAY "received
  // from the tunnel device" and FROM_NETWORK "received from native devices" come before the
  // receiver's ingress policy; TO_ENDPOINT "transmitted towards endpoints" after it
  // (api/v1/flow/flow.proto TraceObservationPoint). A finder's FROM_OVERLAY SYN followed by the
  // receiver's POLICY_DENIED drop was stored forwarded 1, dropped 1, and became an allow rule.
  const [line] = hubbleLines('hubble-v1.18.3-policy-deny-sample.jsonl') as Record<string, Record<string, unknown>>[];
  const { traffic_direction: _direction, event_type: _event, ...rest } = line!.flow as Record<string, unknown>;
  const base = { ...rest, verdict: 'FORWARDED', drop_reason: undefined, drop_reason_desc: undefined, policy_match_type: undefined };
  const syn = { TCP: { source_port: 40885, destination_port: 9401, flags: { SYN: true } } };
  const verdictOf = (over: Record<string, unknown>) => flow(hubbleDecoder.decode({ flow: { ...base, l4: syn, ...over } })).verdict;
  for (const point of ['FROM_OVERLAY', 'FROM_NETWORK', 9, 10]) assert.equal(verdictOf({ trace_observation_point: point }), 'unknown', String(point));
  assert.equal(verdictOf({ trace_observation_point: 'TO_ENDPOINT' }), 'forwarded');
  assert.equal(verdictOf({ trace_observation_point: 101 }), 'forwarded');
  // Neither an observation point nor a direction: nothing says where it was seen, the verdict stands.
  assert.equal(verdictOf({}), 'forwarded');
});

test('Hubble: a FORWARDED UDP, SCTP or echo request traced before the receiver\'s endpoint proves only the sender\'s egress; at the receiver (TO_ENDPOINT, an INGRESS policy verdict) or as a reply it proves delivery', () => {
  // Every trace is FORWARDED (cilium/cilium pkg/hubble/parser/threefour/parser.go decodeVerdict); the
  // receiver's ingress policy runs before TO_ENDPOINT, "transmitted towards endpoints"
  // (api/v1/flow/flow.proto TraceObservationPoint). Whether the server is in the cluster is the
  // pipeline's to say (to outside it the sender's side is all there is): the decoder marks the record.
  const [line] = hubbleLines('hubble-v1.18.3-policy-deny-sample.jsonl') as Record<string, Record<string, unknown>>[];
  const base = { ...(line!.flow as Record<string, unknown>), verdict: 'FORWARDED', drop_reason: undefined, drop_reason_desc: undefined, is_reply: false };
  const udp = { UDP: { source_port: 40885, destination_port: 5000 } };
  const decoded = (over: Record<string, unknown>) => {
    const f = flow(hubbleDecoder.decode({ flow: { ...base, l4: udp, ...over } }));
    return [f.verdict, f.provesEgressOnly === true];
  };
  const egressOnly = ['forwarded', true];
  const delivered = ['forwarded', false];
  for (const point of ['TO_OVERLAY', 'TO_STACK', 'TO_PROXY', 'TO_HOST', 'TO_NETWORK', 'FROM_ENDPOINT', 4]) {
    assert.deepEqual(decoded({ traffic_direction: 'EGRESS', trace_observation_point: point, event_type: { type: 4 } }), egressOnly, String(point));
  }
  // Seen on the receiver's node but before its endpoint: its ingress policy is still ahead.
  assert.deepEqual(decoded({ traffic_direction: 'INGRESS', trace_observation_point: 'FROM_OVERLAY' }), egressOnly);
  assert.deepEqual(decoded({ traffic_direction: 'INGRESS', trace_observation_point: 'TO_ENDPOINT' }), delivered);
  assert.deepEqual(decoded({ traffic_direction: 'INGRESS', trace_observation_point: 101 }), delivered);
  // Policy verdict events (no observation point): the sender's egress verdict, or the receiver's ingress one.
  assert.deepEqual(decoded({ traffic_direction: 'EGRESS', event_type: { type: 5 } }), egressOnly);
  assert.deepEqual(decoded({ traffic_direction: 'INGRESS', event_type: { type: 5 } }), delivered);
  // The DNS proxy's record of a query, on the client's side.
  assert.deepEqual(decoded({ Type: 'L7', traffic_direction: 'EGRESS', event_type: { type: 129 } }), egressOnly);
  // A reply proves the server had it; a record that says nothing of where it was seen keeps its verdict.
  assert.deepEqual(decoded({ traffic_direction: 'EGRESS', trace_observation_point: 'TO_OVERLAY', is_reply: true }), delivered);
  assert.deepEqual(decoded({ traffic_direction: undefined, trace_observation_point: undefined }), delivered);
  assert.deepEqual(decoded({ traffic_direction: 'EGRESS', trace_observation_point: 'TO_OVERLAY', verdict: 'DROPPED' }), ['dropped', false]);
  assert.deepEqual(decoded({ l4: { SCTP: { source_port: 40885, destination_port: 5000 } }, traffic_direction: 'EGRESS', trace_observation_point: 'TO_OVERLAY' }), egressOnly);
  assert.deepEqual(decoded({ l4: { ICMPv4: { type: 8 } }, traffic_direction: 'EGRESS', trace_observation_point: 'TO_OVERLAY' }), egressOnly);
  // TCP keeps its own rule: only a lone SYN leaving the sender is unknown, any later packet proves the handshake.
  assert.deepEqual(decoded({ l4: { TCP: { source_port: 40885, destination_port: 5000, flags: { ACK: true } } }, traffic_direction: 'EGRESS', trace_observation_point: 'TO_OVERLAY' }), delivered);
  assert.equal(hubbleDecoder.decode({ flow: { ...base, l4: udp, trace_observation_point: true } }).kind, 'reject');
});

test('Hubble: a FORWARDED L7 request logged by the sender\'s egress proxy proves only the sender\'s egress, as a datagram; the receiver\'s proxy (INGRESS) or a response proves delivery', () => {
  // The proxy logs a request it allowed as forwarded before it connects to the server (cilium/proxy
  // cilium/l7policy.cc AccessFilter::decodeHeaders, "Log as a forwarded request"; Hubble turns the
  // log into Type L7, traffic_direction EGRESS, is_reply false, no observation point: those are
  // "only applicable to cilium trace notifications", api/v1/flow/flow.proto). No packet of that
  // connection reached the receiver's ingress policy, so no later one follows to prove it did.
  const [line] = hubbleLines('hubble-otel-basic-sample-5-http-flows.json') as Record<string, Record<string, unknown>>[];
  const request = line!.flow as Record<string, unknown>;
  assert.deepEqual([request.Type, request.traffic_direction, request.is_reply, (request.l7 as Record<string, unknown>).type], ['L7', 'EGRESS', false, 'REQUEST']);
  const decoded = (over: Record<string, unknown>) => {
    const f = flow(hubbleDecoder.decode({ flow: { ...request, ...over } }));
    return [f.verdict, f.provesEgressOnly === true];
  };
  assert.deepEqual(decoded({}), ['forwarded', true]);
  assert.deepEqual(decoded({ traffic_direction: 'INGRESS' }), ['forwarded', false]);
  assert.deepEqual(decoded({ is_reply: true, l7: { type: 'RESPONSE' } }), ['forwarded', false]);
  // An L3/L4 packet of an established connection leaving the sender still proves its handshake.
  assert.deepEqual(decoded({ Type: 'L3_L4', l7: undefined, l4: { TCP: { source_port: 48532, destination_port: 9990, flags: { ACK: true } } } }), ['forwarded', false]);
});

test('Hubble: a policy drop without is_reply comes from the client (the datapath enforces policy only on packets that are no reply); other drops are oriented by their ports', () => {
  // cilium/cilium bpf/bpf_lxc.c: "Skip policy enforcement for return traffic" (CT_REPLY, CT_RELATED);
  // pkg/hubble/parser/threefour/parser.go decodeTrafficDirection: "we also assume that dropped
  // packets are not dropped reply packets". A drop carries no is_reply (decodeIsReply).
  const [line] = hubbleLines('hubble-v1.18.3-policy-deny-sample.jsonl') as Record<string, Record<string, unknown>>[];
  const base = { ...(line!.flow as Record<string, unknown>), verdict: 'DROPPED', is_reply: undefined, l4: { UDP: { source_port: 40885, destination_port: 5000 } } };
  const handshake = (over: Record<string, unknown>) => flow(hubbleDecoder.decode({ flow: { ...base, ...over } })).handshake;
  assert.equal(handshake({ drop_reason: 133, drop_reason_desc: 'POLICY_DENIED' }), 'src-is-client');
  assert.equal(handshake({ drop_reason: undefined, drop_reason_desc: 'POLICY_DENY' }), 'src-is-client');
  assert.equal(handshake({ drop_reason: undefined, drop_reason_desc: 133 }), 'src-is-client');
  assert.equal(handshake({ drop_reason: 181, drop_reason_desc: undefined }), 'src-is-client');
  assert.equal(handshake({ drop_reason: '133', drop_reason_desc: undefined }), 'src-is-client');
  assert.equal(handshake({ drop_reason: 155, drop_reason_desc: 'CT_MAP_INSERTION_FAILED' }), 'none');
  assert.equal(handshake({ drop_reason: 133, drop_reason_desc: 'POLICY_DENIED', is_reply: true }), 'dst-is-client');
  // Only a drop: a FORWARDED record's leftover drop reason says nothing.
  assert.equal(handshake({ verdict: 'FORWARDED', drop_reason: 133, drop_reason_desc: 'POLICY_DENIED' }), 'none');
  const bad = hubbleDecoder.decode({ flow: { ...base, drop_reason_desc: { name: 'POLICY_DENIED' } } });
  assert.deepEqual([bad.kind, (bad as { field?: string }).field], ['reject', 'flow.drop_reason_desc']);
  const badNumber = hubbleDecoder.decode({ flow: { ...base, drop_reason: -1, drop_reason_desc: undefined } });
  assert.deepEqual([badNumber.kind, (badNumber as { field?: string }).field], ['reject', 'flow.drop_reason']);
});

// A time of 0 is a time never set: flowlogs-pipeline writes an absent protobuf Timestamp as 0
// (netobserv/flowlogs-pipeline pkg/pipeline/decode/decode_protobuf.go: `flow.TimeFlowEnd.AsTime().UnixMilli()`),
// and a zero Timestamp is 1970-01-01T00:00:00Z. Stored, it moved an edge's firstSeen to 1970.
test('flow times before 2014 (never set: 0; another unit) are rejected naming the field, every time a NetObserv record carries is checked, and a flow does not end before it starts', () => {
  const base = netobserv[0] as Record<string, unknown>;
  const limits = { maxTime: Date.parse('2026-12-01T00:00:00Z') };
  const check = (r: Record<string, unknown>) => bare(netobservDecoder.decode(r, limits));
  const rejected = (field: string, value: unknown, reason = 'invalid-field') => ({ kind: 'reject', reason, field, value: String(value) });
  // A fuzzer's record: TimeFlowEndMs 0 beside a good TimeFlowStartMs.
  assert.deepEqual(check({ ...base, TimeFlowEndMs: 0 }), rejected('TimeFlowEndMs', 0));
  assert.deepEqual(check({ ...base, TimeFlowEndMs: 1708011866 }), rejected('TimeFlowEndMs', 1708011866), 'seconds where milliseconds are due');
  assert.deepEqual(check({ ...base, TimeFlowStartMs: -5 }), rejected('TimeFlowStartMs', -5));
  assert.deepEqual(check({ ...base, TimeFlowStartMs: 0 }), rejected('TimeFlowStartMs', 0));
  assert.deepEqual(check({ ...base, TimeFlowStartMs: 4102444800000 }), rejected('TimeFlowStartMs', 4102444800000, 'time-out-of-range'));
  assert.deepEqual(check({ ...base, TimeReceived: 4102444800 }), rejected('TimeReceived', 4102444800, 'time-out-of-range'));
  assert.deepEqual(check({ ...base, TimeReceived: 0 }), rejected('TimeReceived', 0));
  assert.deepEqual(check({ ...base, TimeFlowStartMs: 1708011866949 }), rejected('TimeFlowStartMs', 1708011866949), 'starts after it ends');
  assert.equal(flow(netobservDecoder.decode(base, limits)).time, 1708011866948);
  assert.equal(flow(netobservDecoder.decode({ ...base, TimeFlowEndMs: undefined }, limits)).time, 1708011866945, 'no end: the start');
  // Hubble: a zero Timestamp as protojson prints it, and a time in the first seconds of 1970.
  const [line] = hubbleLines('hubble-v1.18.3-policy-deny-sample.jsonl') as Record<string, Record<string, unknown>>[];
  const f = line!.flow as Record<string, unknown>;
  for (const time of ['1970-01-01T00:00:00Z', '1970-01-01T00:20:34.567800Z', '2013-12-31T23:59:59Z']) {
    assert.deepEqual(bare(hubbleDecoder.decode({ flow: { ...f, time } }, limits)), rejected('flow.time', time), time);
  }
  assert.equal(flow(hubbleDecoder.decode({ flow: { ...f, time: '2014-01-01T00:00:00Z' } }, limits)).time, Date.UTC(2014, 0, 1));
});

test('Hubble rejects name the field', () => {
  const [line] = hubbleLines('hubble-v1.18.3-policy-deny-sample.jsonl') as Record<string, Record<string, unknown>>[];
  const f = line!.flow as Record<string, unknown>;
  assert.deepEqual(hubbleBare({ flow: { ...f, IP: { source: 'nope', destination: '10.0.0.1' } } }), { kind: 'reject', reason: 'invalid-field', field: 'flow.IP.source', value: 'nope' });
  assert.deepEqual(hubbleBare({ flow: { ...f, time: 'yesterday' } }), { kind: 'reject', reason: 'invalid-field', field: 'flow.time', value: 'yesterday' });
  // Date.parse would take these by the host's time zone, as 2001, or rolled over to March: RFC 3339 with a zone only.
  for (const time of ['2026-11-20T10:00:00.5', '12', '2026-02-30T00:00:00Z', 'Fri Nov 20 2026 10:00:00']) {
    assert.deepEqual(hubbleBare({ flow: { ...f, time } }), { kind: 'reject', reason: 'invalid-field', field: 'flow.time', value: time }, time);
  }
  assert.deepEqual(hubbleBare({ flow: { ...f, l4: { TCP: { source_port: -1 } } } }), { kind: 'reject', reason: 'invalid-field', field: 'flow.l4.TCP.source_port', value: '-1' });
  assert.deepEqual(hubbleBare({ flow: 'x' }), { kind: 'reject', reason: 'invalid-field', field: 'flow', value: 'x' });
  assert.deepEqual(hubbleBare({ hello: 1 }), { kind: 'reject', reason: 'missing-field', field: 'flow' });
});

test('Hubble: a field of the wrong JSON type is rejected, never read as absent (a string `flags` read as "no SYN" made a lone SYN count as delivered); a namespace label that contradicts the namespace too', () => {
  const [line] = hubbleLines('hubble-v1.18.3-policy-deny-sample.jsonl') as Record<string, Record<string, unknown>>[];
  const f = line!.flow as Record<string, Record<string, unknown>>;
  const tcp = (f.l4 as { TCP: Record<string, unknown> }).TCP;
  const cases: [Record<string, unknown>, string, string][] = [
    [{ l4: { TCP: { ...tcp, flags: 'SYN' } } }, 'flow.l4.TCP.flags', 'SYN'],
    [{ l4: { TCP: { ...tcp, flags: { SYN: 'true' } } } }, 'flow.l4.TCP.flags.SYN', 'true'],
    [{ source: { ...f.source, labels: 'k8s:app=x' } }, 'flow.source.labels', 'k8s:app=x'],
    [{ source: { ...f.source, labels: [5] } }, 'flow.source.labels[0]', '5'],
    [{ destination: { ...f.destination, workloads: { name: 'x', kind: 'Deployment' } } }, 'flow.destination.workloads', '{"name":"x","kind":"Deployment"}'],
    [{ source: { ...f.source, namespace: 'default', labels: ['k8s:io.kubernetes.pod.namespace=kube-system'] } }, 'flow.source.labels', 'k8s:io.kubernetes.pod.namespace=kube-system'],
  ];
  for (const [change, field, value] of cases) {
    const d = hubbleBare({ flow: { ...f, ...change } }) as { kind: string; reason?: string; field?: string; value?: string };
    assert.deepEqual([d.kind, d.reason, d.field, d.value], ['reject', 'invalid-field', field, value], JSON.stringify(change));
  }
  // null is the field's default in the proto3 JSON mapping (an empty list, no value): read as absent.
  for (const change of [
    { l4: { TCP: { ...tcp, flags: null } } },
    { l4: { TCP: { ...tcp, flags: { SYN: true, ACK: null } } } },
    { destination: { ...f.destination, labels: null, workloads: null } },
    { source: { ...f.source, namespace: null } },
    { is_reply: null },
  ]) {
    assert.equal((hubbleBare({ flow: { ...f, ...change } }) as { kind: string }).kind, 'flow', JSON.stringify(change));
  }
  // As absent: no IP layer, no L4 layer.
  assert.deepEqual(hubbleBare({ flow: { ...f, IP: null } }), { kind: 'skip', reason: 'non-ip' });
  assert.deepEqual(hubbleBare({ flow: { ...f, l4: null } }), { kind: 'skip', reason: 'unsupported-protocol' });
  // An ICMP type of null is 0 (echo reply), as an absent one is.
  assert.equal((hubbleBare({ flow: { ...f, l4: { ICMPv4: { type: null } } } }) as { kind: string }).kind, (hubbleBare({ flow: { ...f, l4: { ICMPv4: {} } } }) as { kind: string }).kind);
});

test('Hubble: a string field of the endpoint, flow or workload given another type is rejected naming it, never read as absent (a numeric workloads[0].kind attributed the flow to the pod, a numeric pod_name to the address\'s holder)', () => {
  // Source web-abc-1 of Deployment web, but `kind: 7`.
  const repro = JSON.parse(readFileSync(new URL('../fixtures/malformed/flows/hubble-workload-kind-number.ndjson', import.meta.url), 'utf8')) as { flow: Record<string, Record<string, unknown>> };
  const d = hubbleBare(repro) as { kind: string; reason?: string; field?: string; value?: string };
  assert.deepEqual([d.kind, d.reason, d.field, d.value], ['reject', 'invalid-field', 'flow.source.workloads[0].kind', '7']);
  const f = repro.flow;
  const ok = structuredClone(f);
  (ok.source!.workloads as Record<string, unknown>[])[0]!.kind = 'Deployment';
  assert.equal(flow(hubbleDecoder.decode({ flow: ok })).src.meta?.kind, 'pod');
  // Every field the Flow proto types as a string (cilium/cilium api/v1/flow/flow.proto: Endpoint.pod_name,
  // Workload.name/kind, Flow.node_name, Service.name/namespace, repeated string *_names), and the
  // uint32 identity, must have that type; enums may be a name or a number (the proto3 JSON mapping
  // reads both), nothing else.
  const cases: [Record<string, unknown>, string, string][] = [
    [{ source: { ...f.source, workloads: [{ name: 'web', kind: 7 }] } }, 'flow.source.workloads[0].kind', '7'],
    [{ source: { ...f.source, workloads: [{ name: {}, kind: 'Deployment' }] } }, 'flow.source.workloads[0].name', '{}'],
    [{ source: { ...f.source, workloads: [{ name: 'web', kind: 'Deployment' }, { name: 5, kind: 'Deployment' }] } }, 'flow.source.workloads[1].name', '5'],
    [{ source: { ...f.source, pod_name: 123 } }, 'flow.source.pod_name', '123'],
    [{ destination: { ...f.destination, pod_name: ['db-0'] } }, 'flow.destination.pod_name', '["db-0"]'],
    [{ destination: { ...f.destination, identity: 'world' } }, 'flow.destination.identity', 'world'],
    [{ node_name: 7 }, 'flow.node_name', '7'],
    [{ source_names: 'shop.example' }, 'flow.source_names', 'shop.example'],
    [{ destination_names: ['a.example', 3] }, 'flow.destination_names[1]', '3'],
    [{ destination_service: 'db' }, 'flow.destination_service', 'db'],
    [{ destination_service: { name: 5, namespace: 'shop' } }, 'flow.destination_service.name', '5'],
    [{ source_service: { name: 'web', namespace: true } }, 'flow.source_service.namespace', 'true'],
    [{ verdict: { v: 1 } }, 'flow.verdict', '{"v":1}'],
    [{ Type: true }, 'flow.Type', 'true'],
    [{ traffic_direction: 2.5 }, 'flow.traffic_direction', '2.5'],
  ];
  for (const [change, field, value] of cases) {
    const r = hubbleBare({ flow: { ...ok, ...change } }) as { kind: string; reason?: string; field?: string; value?: string };
    assert.deepEqual([r.kind, r.reason, r.field, r.value], ['reject', 'invalid-field', field, value], JSON.stringify(change));
  }
  const top = hubbleBare({ flow: { ...ok, node_name: undefined }, node_name: 42 }) as { field?: string };
  assert.equal(top.field, 'node_name');
  // Enums by number, as protojson may give them: Verdict DROPPED = 2, FlowType SOCK = 3.
  assert.equal(flow(hubbleDecoder.decode({ flow: { ...ok, verdict: 2 } })).verdict, 'dropped');
  assert.deepEqual(hubbleDecoder.decode({ flow: { ...ok, Type: 3 } }), { kind: 'skip', reason: 'socket-event' });
  // null is each field's default: read as absent.
  for (const change of [{ node_name: null }, { source_names: null }, { destination_service: null }, { verdict: null }, { source: { ...ok.source, pod_name: null, identity: null } }]) {
    assert.equal((hubbleBare({ flow: { ...ok, ...change } }) as { kind: string }).kind, 'flow', JSON.stringify(change));
  }
});

test('auto picks the decoder per line and rejects what is neither', () => {
  assert.equal(flow(autoDecoder.decode(netobserv[0])).source, 'netobserv');
  assert.equal(flow(autoDecoder.decode(hubbleLines('hubble-v1.18.3-policy-deny-sample.jsonl')[0])).source, 'hubble');
  assert.deepEqual(autoDecoder.decode({ hello: 'world' }), { kind: 'reject', reason: 'unknown-format' });
});

test('a NetObserv record marked Duplicate (the same packets seen again on another interface of the same host) is skipped and counted, so the flow counts once', () => {
  const record = { SrcAddr: '10.244.1.10', DstAddr: '10.244.2.20', SrcPort: 40000, DstPort: 8080, Proto: 6, Packets: 5, Bytes: 500, TimeFlowEndMs: 1_700_000_000_000, Interface: 'eth0', IfDirection: 1 };
  assert.equal(netobservDecoder.decode({ ...record, Duplicate: false }).kind, 'flow');
  assert.equal(netobservDecoder.decode(record).kind, 'flow');
  assert.deepEqual(netobservDecoder.decode({ ...record, Duplicate: true }), { kind: 'skip', reason: 'duplicate' });
});

test('NetObserv: Duplicate read from a Loki stream label ("true", as FLP writes labels) skips the copy; Duplicate of another type is rejected, never read as "not a duplicate" (which counted the copy\'s packets twice)', () => {
  const record = { SrcAddr: '10.244.1.10', DstAddr: '10.244.2.20', SrcPort: 40000, DstPort: 8080, Proto: 6, Packets: 5, Bytes: 500, TimeFlowEndMs: 1_700_000_000_000, Interface: 'eth0', IfDirection: 1 };
  // network-observability-operator docs/flows-format.adoc: `Duplicate` is a boolean and a Loki
  // label; flowlogs-pipeline pkg/pipeline/write/write_loki.go writes a label's value with
  // fmt.Sprint, so a record read back from Loki (labels merged with the line) says "true"/"false".
  assert.deepEqual(netobservDecoder.decode({ ...record, Duplicate: 'true' }), { kind: 'skip', reason: 'duplicate' });
  assert.equal(netobservDecoder.decode({ ...record, Duplicate: 'false' }).kind, 'flow');
  for (const bad of [1, 0, 'yes', 'True', '', null, {}, ['true']]) {
    const d = netobservBare({ ...record, Duplicate: bad }) as { kind: string; reason?: string; field?: string };
    assert.deepEqual([d.kind, d.reason, d.field], ['reject', 'invalid-field', 'Duplicate'], JSON.stringify(bad));
  }
});

test('NetObserv: NetworkEvents, its items and their Action, and the ICMP type and code, given another JSON type are rejected naming the field, never read as absent (a drop was missed; an echo was skipped as icmp-control)', () => {
  const base = netobserv[0] as Record<string, unknown>;
  // ebpf-agent pkg/decode/flows RecordToMap: NetworkEvents is a list of map[string]string
  // (pkg/utils/networkevents ToMap: Action, Type, Feature, Name, Namespace, Direction, or Message).
  const cases: [Record<string, unknown>, string, string][] = [
    [{ NetworkEvents: { Feature: 'acl', Action: 'drop' } }, 'NetworkEvents', '{"Feature":"acl","Action":"drop"}'],
    [{ NetworkEvents: 'drop' }, 'NetworkEvents', 'drop'],
    [{ NetworkEvents: [{ Feature: 'acl', Action: 'allow' }, 'drop'] }, 'NetworkEvents[1]', 'drop'],
    [{ NetworkEvents: [{ Feature: 'acl', Action: ['drop'] }] }, 'NetworkEvents[0].Action', '["drop"]'],
    [{ NetworkEvents: [{ Feature: 'acl', Action: 2 }] }, 'NetworkEvents[0].Action', '2'],
    // RecordToMap: IcmpType and IcmpCode are the ICMP header's uint8 fields.
    [{ Proto: 1, IcmpType: 'echo', IcmpCode: 0 }, 'IcmpType', 'echo'],
    [{ Proto: 1, IcmpType: true, IcmpCode: 0 }, 'IcmpType', 'true'],
    [{ Proto: 1, IcmpType: 8.5, IcmpCode: 0 }, 'IcmpType', '8.5'],
    [{ Proto: 58, IcmpType: 300, IcmpCode: 0 }, 'IcmpType', '300'],
    [{ Proto: 1, IcmpType: 8, IcmpCode: 'x' }, 'IcmpCode', 'x'],
    [{ Proto: 1, IcmpType: 8, IcmpCode: -1 }, 'IcmpCode', '-1'],
    [{ Etype: 'IPv4' }, 'Etype', 'IPv4'],
    [{ Etype: 2048.5 }, 'Etype', '2048.5'],
  ];
  for (const [change, field, value] of cases) {
    const r = netobservBare({ ...base, ...change }) as { kind: string; reason?: string; field?: string; value?: string };
    assert.deepEqual([r.kind, r.reason, r.field, r.value], ['reject', 'invalid-field', field, value], JSON.stringify(change));
  }
  // What upstream emits is read: a drop among other events, events without Action (a Message), the
  // ICMP fields as numbers (or integer strings, as Proto), Etype as a number or integer string.
  const drop = flow(netobservDecoder.decode({ ...base, NetworkEvents: [{ Message: 'something' }, { Feature: 'acl', Type: 'NetworkPolicy', Action: 'drop', Direction: 'Ingress' }] }));
  assert.equal(drop.verdict, 'dropped');
  // A Go nil slice marshals as null (encoding/json): no events.
  assert.equal(flow(netobservDecoder.decode({ ...base, NetworkEvents: null })).verdict, 'forwarded');
  const icmp = { ...base, Proto: 1, SrcPort: undefined, DstPort: undefined, Flags: undefined };
  assert.equal(flow(netobservDecoder.decode({ ...icmp, IcmpType: 8, IcmpCode: 0 })).handshake, 'src-is-client');
  assert.equal(flow(netobservDecoder.decode({ ...icmp, IcmpType: '0', IcmpCode: '0' })).handshake, 'dst-is-client');
  assert.deepEqual(netobservDecoder.decode({ ...icmp, IcmpType: 3, IcmpCode: 1 }), { kind: 'skip', reason: 'icmp-control' });
  assert.equal(flow(netobservDecoder.decode({ ...base, Etype: '2048' })).protocol, 'TCP');
  assert.deepEqual(netobservDecoder.decode({ ...base, Etype: 2054 }), { kind: 'skip', reason: 'non-ip' });
});

test('Hubble ClusterMesh: an endpoint\'s cluster comes from cluster_name (flow.proto Endpoint field 7) or its io.cilium.k8s.policy.cluster label; the reporting node\'s from node_name "cluster/node"', () => {
  const [line] = hubbleLines('hubble-v1.18.3-policy-deny-sample.jsonl') as Record<string, Record<string, unknown>>[];
  const f = line!.flow as Record<string, Record<string, unknown>>;
  const d = hubbleBare({
    flow: {
      ...f,
      source: { namespace: 'shop', pod_name: 'web-55d6f8d9c7-qwert', labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop'], cluster_name: 'west' },
      destination: { namespace: 'shop', pod_name: 'db-7c9d8f6b4f-xyzab', labels: ['k8s:app=db', 'k8s:io.cilium.k8s.policy.cluster=east', 'k8s:io.kubernetes.pod.namespace=shop'] },
      node_name: 'east/node-2',
    },
  }) as { kind: string; flow: { src: { meta: { cluster?: string } }; dst: { meta: { cluster?: string } }; observedOn?: string; observedInCluster?: string } };
  assert.equal(d.kind, 'flow');
  assert.deepEqual([d.flow.src.meta.cluster, d.flow.dst.meta.cluster, d.flow.observedOn, d.flow.observedInCluster], ['west', 'east', 'node-2', 'east']);
  assert.equal((hubbleBare({ flow: { ...f, source: { ...f.source, cluster_name: 7 } } }) as { field?: string }).field, 'flow.source.cluster_name');
});

test('a reject message that quotes a record value keeps it printable (control characters escaped)', async () => {
  const { reject } = await import('../../collectors/flows/decode.ts');
  const r = reject('invalid-field', 'flow.source.labels', [], 'flow.source.namespace is "Bad_NS!\u0007\u001b[31mRED"');
  assert.equal(r.kind === 'reject' ? r.message : undefined, 'flow.source.namespace is "Bad_NS!\\u0007\\u001b[31mRED"');
});

// NetObserv flows format (network-observability-operator docs/flows-format.adoc, `_RecordType`):
// "flowLog" for regular flow logs, or "newConnection", "heartbeat", "endConnection" for
// conversation tracking. flowlogs-pipeline's conntrack (pkg/pipeline/extract/conntrack) sends the
// flow logs on unchanged and adds summaries whose Packets/Bytes are the conversation's totals so
// far: counting them counted the same packets again (5 flows, 70 packets for one 20-packet connection).
test('NetObserv conversation-tracking summaries (_RecordType newConnection/heartbeat/endConnection) are skipped and counted; flow logs are flows', () => {
  const record = { SrcAddr: '10.244.1.10', DstAddr: '10.244.2.20', SrcPort: 40000, DstPort: 443, Proto: 6, Packets: 10, Bytes: 1000, TimeFlowEndMs: 1_700_000_000_000 };
  assert.equal(netobservDecoder.decode({ ...record, _RecordType: 'flowLog' }).kind, 'flow');
  for (const t of ['newConnection', 'heartbeat', 'endConnection']) {
    assert.deepEqual(netobservDecoder.decode({ ...record, _RecordType: t, Packets_AB: 10, numFlowLogs: 1 }), { kind: 'skip', reason: 'conversation-summary' }, t);
  }
  const bad = netobservDecoder.decode({ ...record, _RecordType: 'summary' });
  assert.equal(bad.kind, 'reject');
  assert.match(JSON.stringify(bad), /_RecordType/);
});

// Hubble SOCK events (FlowType SOCK, cilium/cilium pkg/hubble/parser/sock/parser.go): a socket-LB
// translation traced at the socket, not a packet — "source port is not known for TraceSock
// events" (0, omitted by protojson). They were rejected as malformed (missing source_port), and a
// file of them made ingest exit 1 asking whether --format was right.
test('Hubble SOCK (socket translation) events are skipped with their own reason, not rejected as malformed', () => {
  const sock = {
    flow: {
      time: '2026-12-06T09:23:42.123456789Z',
      verdict: 'TRANSLATED',
      IP: { source: '10.0.1.10', destination: '172.20.0.10', ipVersion: 'IPv4' },
      l4: { TCP: { destination_port: 80 } },
      source: { identity: 1001, namespace: 'shop', labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop'], pod_name: 'web-7c9d5f8b6c-abcde' },
      destination: { identity: 1002, namespace: 'shop', labels: ['k8s:app=api'] },
      Type: 'SOCK',
      event_type: { type: 14, sub_type: 2 },
      sock_xlate_point: 'SOCK_XLATE_POINT_PRE_DIRECTION_FWD',
    },
    node_name: 'node-1',
  };
  assert.deepEqual(hubbleDecoder.decode(sock), { kind: 'skip', reason: 'socket-event' });
  assert.deepEqual(hubbleDecoder.decode(sock.flow), { kind: 'skip', reason: 'socket-event' });
});

test('metadata found valid earlier answers exactly as the checks do; a bad name or type is refused each time, naming its field; the memo is bounded', () => {
  const r = { SrcAddr: '10.0.0.1', DstAddr: '10.0.0.2', SrcPort: 40000, DstPort: 80, Proto: 6, TimeFlowEndMs: Date.UTC(2026, 0, 1) };
  const pod = { SrcK8S_Type: 'Pod', SrcK8S_Namespace: 'shop', SrcK8S_Name: 'web.0', SrcK8S_OwnerType: 'StatefulSet', SrcK8S_OwnerName: 'web', SrcK8S_HostName: 'node-a' };
  const records = [
    { ...r, ...pod },
    // The same pod seen as the destination: the same metadata.
    { ...r, DstK8S_Type: 'Pod', DstK8S_Namespace: 'shop', DstK8S_Name: 'web.0', DstK8S_OwnerType: 'StatefulSet', DstK8S_OwnerName: 'web', DstK8S_HostName: 'node-a' },
    // The same name under another rule: a subdomain with a dot is no Service name (a DNS label).
    { ...r, SrcK8S_Type: 'Service', SrcK8S_Namespace: 'shop', SrcK8S_Name: 'web.0' },
    { ...r, ...pod, SrcK8S_Namespace: 'Shop' },
    { ...r, ...pod, SrcK8S_OwnerType: 'statefulset' },
    { ...r, ...pod, SrcK8S_HostName: 7 },
    { ...r, ...pod, SrcK8S_OwnerName: '' },
    { ...r, ...pod },
  ];
  for (const limit of [1, 10_000]) {
    const limits = { knownMeta: new KnownMeta(limit) };
    for (const record of [...records, ...records]) assert.deepEqual(netobservDecoder.decode(record, limits), netobservDecoder.decode(record), JSON.stringify(record));
  }
  // A side met again hands on the metadata made the first time.
  const limits = { knownMeta: new KnownMeta() };
  const first = flow(netobservDecoder.decode({ ...r, ...pod }, limits));
  const again = flow(netobservDecoder.decode({ ...r, ...pod, SrcPort: 40001 }, limits));
  assert.equal(again.src.meta, first.src.meta);
});

test('a record whose addresses are of two families, or that says IPv4 of IPv6 addresses, is invalid-field naming both fields and values; an IPv4-mapped address is IPv4, and IPv6 of IPv4 addresses is an IPv6 socket', () => {
  // One flow record comes from one IP header, of one family: NetObserv's Etype is the frame's
  // EtherType (ebpf-agent RecordToMap), Hubble's IP.ipVersion the header's (cilium
  // pkg/hubble/parser/threefour decodeIPv4 / decodeIPv6).
  const r = { Proto: 6, SrcPort: 40000, DstPort: 9090, Flags: ['SYN'], TimeFlowEndMs: Date.UTC(2026, 0, 1) };
  const rejected = (d: Decoded) => {
    assert.equal(d.kind, 'reject', JSON.stringify(d));
    const { reason, field, value, message } = d as { reason: string; field: string; value: string; message: string };
    return { reason, field, value, message };
  };
  const mixed = rejected(netobservDecoder.decode({ ...r, SrcAddr: '10.244.1.10', DstAddr: 'fd00:244:1::14' }));
  assert.deepEqual([mixed.reason, mixed.field, mixed.value], ['invalid-field', 'DstAddr', 'fd00:244:1::14']);
  assert.match(mixed.message, /^DstAddr fd00:244:1::14 is IPv6 but SrcAddr 10.244.1.10 is IPv4/);
  const etype = rejected(netobservDecoder.decode({ ...r, SrcAddr: 'fd00:244:1::a', DstAddr: 'fd00:244:1::14', Etype: 2048 }));
  assert.deepEqual([etype.reason, etype.field, etype.value], ['invalid-field', 'Etype', '2048']);
  assert.match(etype.message, /^Etype 2048 is IPv4 but SrcAddr fd00:244:1::a is IPv6/);
  // IPv6 naming IPv4 (or IPv4-mapped) addresses is an IPv6 socket of a dual-stack listener serving IPv4: the
  // agent's TCP retransmit tracepoint takes the socket's family (netobserv-ebpf-agent bpf/tcp_retrans.h).
  assert.equal(flow(netobservDecoder.decode({ ...r, SrcAddr: '10.0.0.1', DstAddr: '10.0.0.2', Etype: 34525 })).src.ip, '10.0.0.1');
  assert.equal(flow(netobservDecoder.decode({ ...r, SrcAddr: '::ffff:10.0.0.1', DstAddr: '::ffff:10.0.0.2', Etype: 34525 })).dst.ip, '10.0.0.2');
  // Compared after an IPv4-mapped address is read as IPv4 (as the agent prints the IPv4 addresses it holds mapped).
  const mapped = rejected(netobservDecoder.decode({ ...r, SrcAddr: '::ffff:10.0.0.11', DstAddr: 'fd00:244:1::14' }));
  assert.match(mapped.message, /^DstAddr fd00:244:1::14 is IPv6 but SrcAddr ::ffff:10.0.0.11 \(IPv4-mapped\) is IPv4/);
  assert.equal(flow(netobservDecoder.decode({ ...r, SrcAddr: '::ffff:10.244.1.10', DstAddr: '10.244.2.20', Etype: 2048 })).src.ip, '10.244.1.10');
  assert.equal(flow(netobservDecoder.decode({ ...r, SrcAddr: 'fd00:244:1::a', DstAddr: '64:ff9b::203.0.113.7', Etype: 34525 })).dst.ip, '64:ff9b::cb00:7107');

  const [line] = hubbleLines('hubble-v1.18.3-policy-deny-sample.jsonl') as Record<string, Record<string, unknown>>[];
  const f = line!.flow as Record<string, unknown>;
  const hubble = (IP: Record<string, unknown>) => hubbleDecoder.decode({ flow: { ...f, IP } });
  const h = rejected(hubble({ source: '10.244.1.10', destination: 'fd00:244:1::14', ipVersion: 'IPv4' }));
  assert.deepEqual([h.reason, h.field, h.value], ['invalid-field', 'flow.IP.destination', 'fd00:244:1::14']);
  assert.match(h.message, /^flow.IP.destination fd00:244:1::14 is IPv6 but flow.IP.source 10.244.1.10 is IPv4/);
  const v = rejected(hubble({ source: 'fd00:244:1::a', destination: 'fd00:244:1::14', ipVersion: 'IPv4' }));
  assert.deepEqual([v.reason, v.field, v.value], ['invalid-field', 'flow.IP.ipVersion', 'IPv4']);
  assert.match(v.message, /^flow.IP.ipVersion IPv4 is IPv4 but flow.IP.source fd00:244:1::a is IPv6/);
  // The enum as its number (proto3 JSON reads both): 1 is IPv4.
  assert.equal(rejected(hubble({ source: 'fd00:244:1::a', destination: 'fd00:244:1::14', ipVersion: 1 })).field, 'flow.IP.ipVersion');
  assert.deepEqual(bare(hubble({ source: '10.0.0.1', destination: '10.0.0.2', ipVersion: ['IPv4'] })), { kind: 'reject', reason: 'invalid-field', field: 'flow.IP.ipVersion', value: '["IPv4"]' });
  for (const ok of [{ ipVersion: 'IPv6' }, { ipVersion: 2 }, {}, { ipVersion: 'IP_NOT_USED' }]) {
    assert.equal(hubble({ source: 'fd00:244:1::a', destination: 'fd00:244:1::14', ...ok }).kind, 'flow', JSON.stringify(ok));
  }
  assert.equal(hubble({ source: '::ffff:10.0.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' }).kind, 'flow');
});
