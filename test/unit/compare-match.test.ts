/**
 * recommender/compare/match.ts: which observed edges a documented rule documents. The apiserver is
 * its endpoint address on its endpoint port (docs/recommend.md, "What becomes a rule"): an egress
 * edge to the control-plane node that also serves it, on another port (the kubelet's 10250), is
 * the node's traffic, not the apiserver's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EdgeTraffic } from '../../domain/edge.ts';
import type { InventorySnapshot } from '../../domain/inventory.ts';
import { indexCluster } from '../../recommender/compare/context.ts';
import { edgeMatchesRule } from '../../recommender/compare/match.ts';
import type { ExpectedRule } from '../../recommender/matrix/resolved.ts';

const inventory: InventorySnapshot = {
  takenAt: 0,
  namespaces: [],
  nodes: [{ name: 'cp-1', labels: {}, addresses: [{ type: 'InternalIP', address: '10.0.0.10' }], podCIDRs: [] }],
  workloads: [],
  services: [],
  endpointSlices: [],
  policies: [],
  podAddresses: [],
  apiserver: [{ ip: '10.0.0.10', port: 6443, protocol: 'TCP' }],
};
const ix = indexCluster(inventory);
const agent = { kind: 'workload' as const, workload: { namespace: 'kyma-system', kind: 'DaemonSet' as const, name: 'metric-agent' } };
const toApiserver = { id: 'm/c/egress/apiserver', direction: 'egress', level: 'must', purpose: 'p', source: { document: 'd', title: 't' }, peerRef: 'apiserver', peers: [{ kind: 'apiserver', endpoints: inventory.apiserver }], ports: [] } as unknown as ExpectedRule;
const edge = (server: EdgeTraffic['server'], port: number): EdgeTraffic => ({ client: agent, server, port, protocol: 'TCP', lastSeen: 0, flows: 1, forwarded: 1, dropped: 0 });

test('an apiserver rule without ports documents the apiserver on its endpoint port, not the other ports of the node that serves it', () => {
  assert.equal(edgeMatchesRule(edge({ kind: 'apiserver' }, 6443), toApiserver, ix), true);
  assert.equal(edgeMatchesRule(edge({ kind: 'node', node: 'cp-1' }, 6443), toApiserver, ix), true);
  assert.equal(edgeMatchesRule(edge({ kind: 'node', node: 'cp-1' }, 10250), toApiserver, ix), false);
});

test('the apiserver as a client (calling webhooks) speaks from its address on any port', () => {
  const fromApiserver = { ...toApiserver, direction: 'ingress' } as ExpectedRule;
  const webhook = { client: { kind: 'node' as const, node: 'cp-1' }, server: agent, port: 9443, protocol: 'TCP' as const, lastSeen: 0, flows: 1, forwarded: 1, dropped: 0 };
  assert.equal(edgeMatchesRule(webhook, fromApiserver, ix), true);
});

test('a folded edge (its peer a block, docs/ingest.md "Bounded by design") falls under a CIDR rule only when every address of the block does: not when an except cuts into it', () => {
  const toPartners = { ...toApiserver, id: 'm/c/egress/partners', peerRef: 'cidrs', peers: [{ kind: 'cidr', cidrs: ['203.0.113.0/24', '2001:db8:1::/64'], except: ['203.0.113.128/25', '2001:db8:1::/80'] }], ports: [{ protocol: 'TCP', port: 443 }] } as unknown as ExpectedRule;
  const to = (ip: string) => edge({ kind: 'external', ip }, 443);
  assert.equal(edgeMatchesRule(to('203.0.113.1'), toPartners, ix), true);
  assert.equal(edgeMatchesRule(to('203.0.113.0/25'), toPartners, ix), true, 'a block outside the except');
  assert.equal(edgeMatchesRule(to('203.0.113.0/24'), toPartners, ix), false, 'a block the except cuts into');
  assert.equal(edgeMatchesRule(to('2001:db8:1::/64'), toPartners, ix), false, 'a /64 the /80 except cuts into');
  assert.equal(edgeMatchesRule(to('203.0.113.200'), toPartners, ix), false, 'an address in the except');
});
