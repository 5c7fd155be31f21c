/** PortSets: an atom's merged ports as one shared, sorted, de-duplicated set per run (synthesize/port-sets.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allPorts, namedPort, tcp, udp } from '../../recommender/policy/build.ts';
import { portKey } from '../../recommender/policy/order.ts';
import { PortSets } from '../../recommender/synthesize/port-sets.ts';

test('a union is sorted by port key, each port once, and keyed by the joined port keys', () => {
  const sets = new PortSets();
  const ports = [tcp(8080), udp(53), tcp(80), tcp(8080), namedPort('TCP', 'metrics')];
  const set = sets.union(ports);
  const expected = [tcp(80), tcp(8080), namedPort('TCP', 'metrics'), udp(53)];
  assert.deepEqual(set.ports, expected);
  assert.equal(set.key, expected.map(portKey).join(';'));
});

test('equal sets are one array for the run, whatever order their ports came in; the first of equal ports is kept', () => {
  const sets = new PortSets();
  const a = tcp(443);
  const b = tcp(443);
  const first = sets.union([a, tcp(80)]);
  const second = sets.union([tcp(80), b]);
  assert.equal(second, first, 'the same PortSet object');
  assert.equal(first.ports[1], a);
  assert.notEqual(sets.union([tcp(80), allPorts('UDP')]), first);
});

test('no ports is every port; a port key is its portKey', () => {
  const sets = new PortSets();
  assert.deepEqual(sets.union([]), { ports: [], key: '' });
  const p = udp(53);
  assert.equal(sets.keyOf(p), portKey(p));
});

test('a one-port list is the set of that port, the same object as any list of that port alone', () => {
  const sets = new PortSets();
  const one = sets.union([tcp(80)]);
  assert.deepEqual(one, { ports: [tcp(80)], key: portKey(tcp(80)) });
  assert.equal(sets.union([tcp(80), tcp(80)]), one);
  assert.equal(sets.union([tcp(80)]), one);
});
