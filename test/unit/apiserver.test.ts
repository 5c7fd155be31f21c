/**
 * domain/apiserver.ts: the apiserver is `default/kubernetes` by name, and by address only an
 * endpoint address on its endpoint port (kube-apiserver keeps that Service and its endpoints:
 * kubernetes/kubernetes pkg/controlplane/controller/kubernetesservice/controller.go).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formerControlPlaneNodes, isApiserverAddress, isApiserverService, mayBeApiserverAddressAt, wasApiserverAddress } from '../../domain/apiserver.ts';
import type { ApiserverEndpoint } from '../../domain/inventory.ts';

test('by name: default/kubernetes only', () => {
  assert.equal(isApiserverService('default', 'kubernetes'), true);
  assert.equal(isApiserverService('kube-system', 'kubernetes'), false);
  assert.equal(isApiserverService('default', 'kubernetes-dashboard'), false);
  assert.equal(isApiserverService(undefined, 'kubernetes'), false);
  assert.equal(isApiserverService('default', undefined), false);
});

test('by address: an endpoint IP on that endpoint port; the same IP on another port is not the apiserver', () => {
  const eps: ApiserverEndpoint[] = [
    { ip: '172.18.0.2', port: 6443, protocol: 'TCP' },
    { ip: '172.18.0.3', port: 6443, protocol: 'TCP' },
  ];
  assert.equal(isApiserverAddress(eps, ['172.18.0.3'], 6443), true);
  // A node with several addresses: any of them.
  assert.equal(isApiserverAddress(eps, ['10.0.0.9', '172.18.0.2'], 6443), true);
  // The Service port is not the endpoint port: 443 is what clients dial before DNAT.
  assert.equal(isApiserverAddress(eps, ['172.18.0.2'], 443), false);
  // The kubelet on a control-plane node shares the address.
  assert.equal(isApiserverAddress(eps, ['172.18.0.2'], 10250), false);
  assert.equal(isApiserverAddress(eps, ['172.18.0.2'], undefined), false);
  assert.equal(isApiserverAddress([], ['172.18.0.2'], 6443), false);
  // Pairs, not a cross product: an address is the apiserver only on its own endpoint port.
  const split: ApiserverEndpoint[] = [
    { ip: '10.0.0.1', port: 6443, protocol: 'TCP' },
    { ip: '10.0.0.2', port: 8443, protocol: 'TCP' },
  ];
  assert.equal(isApiserverAddress(split, ['10.0.0.1'], 8443), false);
  assert.equal(isApiserverAddress(split, ['10.0.0.2'], 8443), true);
});

test('a former apiserver endpoint is the apiserver on its port from validFrom (inclusive, or since ever) until validTo (exclusive): the import that no longer listed it', () => {
  const former = [
    { ip: '192.168.22.31', port: 6443, protocol: 'TCP' as const, validTo: 2_000 },
    { ip: '192.168.22.40', port: 6443, protocol: 'TCP' as const, validFrom: 1_000, validTo: 2_000 },
  ];
  assert.equal(wasApiserverAddress(former, '192.168.22.31', 6443, 0), true);
  assert.equal(wasApiserverAddress(former, '192.168.22.31', 6443, 1_999), true);
  assert.equal(wasApiserverAddress(former, '192.168.22.31', 6443, 2_000), false);
  assert.equal(wasApiserverAddress(former, '192.168.22.31', 10250, 1_000), false, 'another port of the address is the node\'s');
  assert.equal(wasApiserverAddress(former, '192.168.22.40', 6443, 999), false);
  assert.equal(wasApiserverAddress(former, '192.168.22.40', 6443, 1_000), true);
  assert.equal(wasApiserverAddress(former, '192.168.22.40', undefined, 1_500), false);
});

test('a former endpoint stops being the apiserver where a pod holds its address from a start after the endpoint was listed (since ever: any start), as a pod\'s IP is its successor\'s from its start', () => {
  const former = [
    { ip: '192.168.5.10', port: 443, protocol: 'TCP' as const, validTo: 12_000 },
    { ip: '192.168.5.11', port: 443, protocol: 'TCP' as const, validFrom: 1_000, validTo: 12_000 },
  ];
  // nginx holds .10 from 6,000 on: the apiserver had let the address go by then.
  assert.equal(wasApiserverAddress(former, '192.168.5.10', 443, 8_000, 6_000), false);
  assert.equal(wasApiserverAddress(former, '192.168.5.10', 443, 5_999), true, 'before the pod: still the apiserver');
  assert.equal(wasApiserverAddress(former, '192.168.5.11', 443, 8_000, 6_000), false);
  // A pod the history shows on the address since before the endpoint was listed did not take it from the apiserver.
  assert.equal(wasApiserverAddress(former, '192.168.5.11', 443, 8_000, 500), true);
});

test('mayBeApiserverAddressAt: an address an import lists as an endpoint from 12,000 that a pod was last seen on at 0 may have been the apiserver\'s from 0 on (no import saw it change hands, as none sees a Service\'s backends change: docs/inventory.md "IP history"); not before, nor once listed, nor on another port', () => {
  const endpoints = [{ ip: '192.168.5.10', port: 443, protocol: 'TCP' as const, since: 12_000 }];
  const podLastSeen = (before: number) => (before > 0 ? 0 : undefined);
  const at = (time: number, port?: number) => mayBeApiserverAddressAt(endpoints, [], '192.168.5.10', port, time, podLastSeen);
  assert.equal(at(-1, 443), false, 'the pod was seen on it later: the pod\'s alone');
  assert.equal(at(0, 443), true);
  assert.equal(at(11_999, 443), true);
  assert.equal(at(11_999), true, 'any port: the apiserver as a client');
  assert.equal(at(12_000, 443), false, 'listed: the apiserver\'s, as isApiserverAddressAt says');
  assert.equal(at(6_000, 6443), false, 'no endpoint on that port');
  assert.equal(mayBeApiserverAddressAt(endpoints, [], '192.168.5.11', 443, 6_000, podLastSeen), false, 'another address');
  // Nothing known on the address before it was listed: when the apiserver took it is not bounded.
  assert.equal(mayBeApiserverAddressAt(endpoints, [], '192.168.5.10', 443, 6_000, () => undefined), false);
  // A holder still seen on it when it was listed (the IP history says so up to the listing): no gap.
  assert.equal(mayBeApiserverAddressAt(endpoints, [], '192.168.5.10', 443, 6_000, (before) => before), false);
  // Listed since the first import (no `since`): the apiserver's all along, never a gap.
  assert.equal(mayBeApiserverAddressAt([{ ip: '192.168.5.10', port: 443, protocol: 'TCP' }], [], '192.168.5.10', 443, 6_000, podLastSeen), false);
});

test('mayBeApiserverAddressAt: an import that no longer listed a former endpoint on the address bounds the gap too, and a former endpoint listed later opens one before its listing', () => {
  // Listed 1,000–3,000, listed again from 9,000: between 3,000 and 9,000 the apiserver had let it go, then took it back.
  const former = [{ ip: '192.168.5.10', port: 443, protocol: 'TCP' as const, validFrom: 1_000, validTo: 3_000 }];
  const endpoints = [{ ip: '192.168.5.10', port: 443, protocol: 'TCP' as const, since: 9_000 }];
  const nothingKnown = () => undefined;
  assert.equal(mayBeApiserverAddressAt(endpoints, former, '192.168.5.10', 443, 2_000, nothingKnown), false, 'the apiserver\'s then (wasApiserverAddress)');
  assert.equal(mayBeApiserverAddressAt(endpoints, former, '192.168.5.10', 443, 3_000, nothingKnown), true);
  assert.equal(mayBeApiserverAddressAt(endpoints, former, '192.168.5.10', 443, 8_999, nothingKnown), true);
  // A pod seen on it at 5,000 bounds it later.
  assert.equal(mayBeApiserverAddressAt(endpoints, former, '192.168.5.10', 443, 4_000, () => 5_000), false);
  assert.equal(mayBeApiserverAddressAt(endpoints, former, '192.168.5.10', 443, 5_000, () => 5_000), true);
  // Before the former endpoint was first listed, a pod last seen at 0: the gap before 1,000.
  assert.equal(mayBeApiserverAddressAt([], former, '192.168.5.10', 443, 500, (before) => (before > 0 ? 0 : undefined)), true);
});

test('formerControlPlaneNodes: a gone node whose address was an apiserver endpoint while it held it; not a present node, nor one that held the address at another time', () => {
  const node = (name: string, ip: string, validFrom: number, validTo?: number) => ({ ip, peerKey: `node:${name}`, node: name, hostNetwork: false, validFrom, ...(validTo !== undefined ? { validTo } : {}) });
  const intervals = [
    node('cp-1', '10.0.0.10', 0), // present
    node('cp-2', '10.0.0.11', 0, 500), // replaced at 500, its endpoint with it
    node('w-old', '10.0.0.12', 0, 100), // a worker gone at 100; the address became an endpoint at 200
    node('cp-0', '10.0.0.13', 0, 50), // the endpoint since ever (no validFrom), gone at 50
  ];
  const periods = [{ ip: '10.0.0.10' }, { ip: '10.0.0.11', validTo: 500 }, { ip: '10.0.0.12', validFrom: 200 }, { ip: '10.0.0.13', validTo: 50 }];
  assert.deepEqual(formerControlPlaneNodes(intervals, periods, new Set(['cp-1'])), ['cp-0', 'cp-2']);
  assert.deepEqual(formerControlPlaneNodes(intervals, [], new Set()), []);
});
