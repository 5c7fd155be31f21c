/**
 * Bounded by design: what the resolver remembers about the addresses and names records
 * carry stays bounded whatever the stream — a scan of distinct addresses or a stream of made-up
 * owner and pod names — while each record still resolves as it would without the caches.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResolutionIndex } from '../../collectors/flows/resolve.ts';
import { IpHistory } from '../../domain/ip-history.ts';
import type { ResolutionData } from '../../domain/resolution.ts';

/** One node whose pods get addresses from 10.128.0.0/9, one Deployment that declares 8080. */
const CLUSTER: ResolutionData = {
  nodes: [{ name: 'node-a', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.0.1' }], podCIDRs: ['10.128.0.0/9'] }],
  workloads: [
    { namespace: 'shop', kind: 'Deployment', name: 'web', labels: { app: 'web' }, selector: { matchLabels: { app: 'web' } }, hostNetwork: false, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], services: [], exposure: [] },
  ],
  services: [],
  endpointSlices: [],
  apiserver: [],
  ipHistory: new IpHistory(),
  dnsWorkloads: [],
  ownerAliases: [],
};

const T = 500_000;
const N = 60_000;
/** The resolver's caches hold at most this many entries: 4,096 addresses plus 10,000 owners and 10,000 record-named workloads. */
const BOUND = 4_096 + 2 * 10_000;

/** The n-th of many distinct addresses, outside every podCIDR of CLUSTER. */
const external = (n: number): string => `203.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

test(`${N} distinct external addresses: each resolves external, the caches stay under ${BOUND} entries`, () => {
  const index = new ResolutionIndex(CLUSTER);
  for (let n = 0; n < N; n++) {
    const [side] = index.resolve({ ip: external(n), port: 443 }, T);
    assert.equal(side?.key, `external:${external(n)}`);
  }
  assert.ok(index.recordCacheEntries <= BOUND, `${index.recordCacheEntries} entries`);
});

test(`${N} distinct in-cluster addresses no inventory object holds: each resolves unknown (inside a podCIDR), the caches stay bounded`, () => {
  const index = new ResolutionIndex(CLUSTER);
  for (let n = 0; n < N; n++) {
    const ip = `10.${128 + ((n >> 16) & 127)}.${(n >> 8) & 255}.${n & 255}`;
    const [side] = index.resolve({ ip, port: 443 }, T);
    assert.equal(side?.key, `unknown:${ip}`);
  }
  assert.ok(index.recordCacheEntries <= BOUND, `${index.recordCacheEntries} entries`);
});

test(`${N} distinct made-up owners and pod names: each resolves to the workload the record names, the caches stay bounded`, () => {
  const index = new ResolutionIndex(CLUSTER);
  for (let n = 0; n < N; n++) {
    const [owned] = index.resolve({ ip: '203.0.113.7', port: 80, meta: { kind: 'pod', namespace: 'scan', podName: `p${n}`, ownerKind: 'Deployment', ownerName: `d${n}` } }, T);
    assert.equal(owned?.key, `workload:scan/Deployment/d${n}`);
    const [pod] = index.resolve({ ip: '203.0.113.8', port: 80, meta: { kind: 'pod', namespace: 'scan', podName: `bare${n}` } }, T);
    assert.equal(pod?.key, `workload:scan/Pod/bare${n}`);
  }
  assert.ok(index.recordCacheEntries <= BOUND, `${index.recordCacheEntries} entries`);
  // The inventory's own workloads are never dropped with the caches.
  const [web] = index.resolve({ ip: '203.0.113.9', port: 8080, meta: { kind: 'pod', namespace: 'shop', ownerKind: 'Deployment', ownerName: 'web' } }, T);
  assert.deepEqual([...(web?.declaredPorts ?? [])], [8080]);
});
