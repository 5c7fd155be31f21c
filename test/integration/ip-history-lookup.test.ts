/**
 * The store's IP history asked one address at a time (store/ip-history-lookup.ts) answers as the
 * whole history read into memory does, and keeps a bounded number of addresses.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IpHistory, type IpInterval } from '../../domain/ip-history.ts';
import { StoredIpHistory } from '../../store/ip-history-lookup.ts';
import { readIntervals } from '../../store/inventory.ts';
import { tmpDb } from '../helpers/tmp.ts';

const INTERVALS: IpInterval[] = [
  { ip: '10.244.0.5', peerKey: 'workload:shop/Deployment/web', node: 'node-a', hostNetwork: false, validFrom: 0, validTo: 1_000 },
  { ip: '10.244.0.5', peerKey: 'workload:shop/Deployment/api', node: 'node-a', hostNetwork: false, validFrom: 1_000 },
  { ip: '10.0.0.1', peerKey: 'node:node-a', node: 'node-a', hostNetwork: false, validFrom: 0 },
  { ip: '10.0.0.1', peerKey: 'workload:monitoring/DaemonSet/node-exporter', node: 'node-a', hostNetwork: true, validFrom: 0, validTo: 3_000 },
  { ip: '10.0.0.1', peerKey: 'workload:monitoring/DaemonSet/agent', node: 'node-a', hostNetwork: true, validFrom: 500 },
];

function stored() {
  const { db } = tmpDb();
  const ins = db.prepare('INSERT INTO ip_history (ip, peer, node, host_network, valid_from, valid_to) VALUES (?, ?, ?, ?, ?, ?)');
  for (const i of INTERVALS) ins.run(i.ip, i.peerKey, i.node ?? null, i.hostNetwork ? 1 : 0, i.validFrom, i.validTo ?? null);
  return db;
}

test('per address from the store, the same answers as the whole history in memory', () => {
  const db = stored();
  const whole = new IpHistory(readIntervals(db));
  const lookup = new StoredIpHistory(db);
  for (const ip of ['10.244.0.5', '10.0.0.1', '10.244.9.9']) {
    assert.equal(lookup.has(ip), whole.has(ip), ip);
    for (const t of [0, 999, 1_000, 2_999, 3_000, 10_000]) {
      assert.deepEqual(lookup.holderAt(ip, t), whole.holderAt(ip, t), `${ip} at ${t}`);
      assert.deepEqual(lookup.hostNetworkHolderAt(ip, t), whole.hostNetworkHolderAt(ip, t), `${ip} host network at ${t}`);
      assert.deepEqual(lookup.hostNetworkHoldersAt(ip, t), whole.hostNetworkHoldersAt(ip, t), `${ip} host-network holders at ${t}`);
    }
  }
  assert.equal(lookup.holderAt('10.244.0.5', 999)?.peerKey, 'workload:shop/Deployment/web');
  assert.equal(lookup.holderAt('10.244.0.5', 1_000)?.peerKey, 'workload:shop/Deployment/api');
});

test('the addresses kept are bounded: past the limit the least recently asked is read again', () => {
  const db = stored();
  const lookup = new StoredIpHistory(db, 2);
  assert.equal(lookup.has('10.244.0.5'), true);
  assert.equal(lookup.has('10.0.0.1'), true);
  db.prepare('DELETE FROM ip_history').run();
  assert.equal(lookup.has('10.244.0.5'), true, 'kept: answered from memory');
  assert.equal(lookup.has('10.244.9.9'), false, 'a third address: the least recently asked (10.0.0.1) is dropped');
  assert.equal(lookup.has('10.0.0.1'), false, 'read again, from the store as it is now');
  assert.equal(lookup.has('10.244.0.5'), false, 'reading 10.0.0.1 dropped 10.244.0.5, by then the least recently asked: read again, gone');
});
