/**
 * Cilium's world identity in a dual-stack cluster. From Cilium 1.15 an outside address carries
 * `reserved:world-ipv4` (identity 9) or `reserved:world-ipv6` (identity 10) where both families
 * are enabled, and `reserved:world` (identity 2) only on a single-stack agent (cilium/cilium
 * pkg/fqdn/namemanager worldLabel: `if r.cfg.IsDualStack() { … worldLabelV4 / worldLabelV6 }
 * else worldLabelNonDualStack`); the `world` entity selects all three (pkg/policy/api entity.go
 * EntitySelectorMapping: EntityWorld → endpointSelectorWorld, …WorldIPv4, …WorldIPv6). So
 * a Hubble record labelled world-ipv4 / world-ipv6 says what one labelled world says: Cilium holds
 * no identity of the address (an address without an ipcache entry gets the world identity:
 * cilium/cilium bpf, `info = lookup_ip4_remote_endpoint(…)`, `info ? info->sec_identity :
 * WORLD_IPV4_ID`). Outside the cluster's ranges that is an outside host; a Service VIP seen
 * before its translation is the Service; an address of the pod network (a podCIDR, or one the IP
 * history knows: a deleted pod's) is in-cluster yet nobody's, `unknown` (docs/ingest.md), never an
 * `external` peer a CIDR rule would name: Cilium's CIDR selectors select no pod, and an ipBlock of
 * it on another engine allows whichever pod holds the address next.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResolutionIndex } from '../../collectors/flows/resolve.ts';
import type { EndpointMeta } from '../../domain/flow.ts';
import { IpHistory } from '../../domain/ip-history.ts';
import type { Workload } from '../../domain/inventory.ts';
import type { ResolutionData } from '../../domain/resolution.ts';

const T0 = Date.UTC(2026, 10, 20);

function workload(name: string): Workload {
  return { namespace: 'app', kind: 'Deployment', name, labels: { app: name }, selector: { matchLabels: { app: name } }, hostNetwork: false, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], services: ['app/web'], exposure: [] };
}

/** A dual-stack node and pod CIDRs; web held 10.244.0.7 and fd00:10:244::7 until T0 + 1000 (a pod since deleted). */
const CLUSTER: ResolutionData = {
  nodes: [{ name: 'node-a', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.1.10' }, { type: 'InternalIP', address: 'fd00:1::10' }], podCIDRs: ['10.244.0.0/24', 'fd00:10:244::/64'] }],
  workloads: [workload('web')],
  services: [{ namespace: 'app', name: 'web', type: 'ClusterIP', clusterIPs: ['10.96.0.10', 'fd00:96::a'], ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], selector: { app: 'web' } }],
  endpointSlices: [],
  apiserver: [],
  ipHistory: new IpHistory([
    { ip: '10.244.0.7', peerKey: 'workload:app/Deployment/web', node: 'node-a', hostNetwork: false, validFrom: 0, validTo: T0 + 1000 },
    { ip: 'fd00:10:244::7', peerKey: 'workload:app/Deployment/web', node: 'node-a', hostNetwork: false, validFrom: 0, validTo: T0 + 1000 },
  ]),
  dnsWorkloads: [],
  ownerAliases: [],
};

const index = new ResolutionIndex(CLUSTER);
const keys = (ip: string, port: number, identities: string[]): string[] => {
  const meta: EndpointMeta = { kind: 'reserved', identities };
  return index.resolve({ ip, port, meta }, T0 + 5000).map((s) => s.key);
};

test('a Hubble record labelled reserved:world / world-ipv4 / world-ipv6 at an address of the pod network (a deleted pod\'s, or never held) is unknown, never external (docs/ingest.md: an in-cluster address that resolves to nothing is unknown); an address outside the cluster\'s ranges is external', () => {
  // The address a deleted pod held: Cilium holds no identity of it now, and it is no outside host.
  assert.deepEqual(keys('10.244.0.7', 8080, ['world']), ['unknown:10.244.0.7']);
  assert.deepEqual(keys('10.244.0.7', 8080, ['world-ipv4']), ['unknown:10.244.0.7']);
  assert.deepEqual(keys('fd00:10:244::7', 8080, ['world']), ['unknown:fd00:10:244::7']);
  assert.deepEqual(keys('fd00:10:244::7', 8080, ['world-ipv6']), ['unknown:fd00:10:244::7']);
  // Inside a podCIDR, never held by a pod the inventory knew.
  assert.deepEqual(keys('10.244.0.99', 8080, ['world']), ['unknown:10.244.0.99']);
  // Outside every range the cluster has: the world.
  assert.deepEqual(keys('203.0.113.5', 443, ['world-ipv4']), ['external:203.0.113.5']);
  assert.deepEqual(keys('2001:db8::5', 443, ['world-ipv6']), ['external:2001:db8::5']);
});

test('a Service VIP that Hubble labels reserved:world-ipv6 before its translation (cilium/cilium#21251) is the Service\'s backends, as under reserved:world', () => {
  assert.deepEqual(keys('fd00:96::a', 80, ['world-ipv6']), keys('fd00:96::a', 80, ['world']));
  assert.deepEqual(keys('fd00:96::a', 80, ['world-ipv6']), ['workload:app/Deployment/web']);
});
