import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterOwnBlocks, minimalCidrs, ownBlocksInside } from '../../domain/cluster-own-blocks.ts';

test('the cluster’s own blocks: node and apiserver addresses as host blocks, pod CIDRs canonical, each list minimal and in address order', () => {
  const own = clusterOwnBlocks(['10.0.0.11', 'FD00:10::10', '10.0.0.10', '10.0.0.10', '::ffff:10.0.0.12', 'not-an-ip'], ['10.244.1.0/24', 'fd00:244::/64', '10.244.0.0/16']);
  assert.deepEqual(own, { hosts: ['10.0.0.10/32', '10.0.0.11/32', '10.0.0.12/32', 'fd00:10::10/128'], pods: ['10.244.0.0/16', 'fd00:244::/64'] });
});

test('ownBlocksInside: only blocks strictly inside (a NetworkPolicy except must be a strict subset: ValidateIPBlock), of the same family', () => {
  const own = ['10.0.0.10/32', '10.244.0.0/24', '198.51.100.0/24', 'fd00:10::10/128'];
  assert.deepEqual(ownBlocksInside('0.0.0.0/0', own), ['10.0.0.10/32', '10.244.0.0/24', '198.51.100.0/24']);
  assert.deepEqual(ownBlocksInside('::/0', own), ['fd00:10::10/128']);
  // A block of the cluster's own that equals or holds the folded block cannot be cut out of it.
  assert.deepEqual(ownBlocksInside('198.51.100.0/24', own), []);
  assert.deepEqual(ownBlocksInside('203.0.113.0/24', own), []);
  assert.throws(() => ownBlocksInside('10.0.0.0/33', own), /invalid CIDR "10.0.0.0\/33"/);
});

test('minimalCidrs drops duplicates and blocks another one holds', () => {
  assert.deepEqual(minimalCidrs(['10.1.2.3/32', '10.0.0.0/8', '10.0.0.0/8', '11.0.0.1/32', '10.255.0.0/16', 'fd00::1/128', 'fd00::/64']), ['10.0.0.0/8', '11.0.0.1/32', 'fd00::/64']);
});
