/**
 * listTypeErrors against the cases of kubernetes apiextensions-apiserver
 * pkg/apiserver/schema/listtype/validation.go: a set's item twice, a map's keys twice (one key
 * field, several, an item without its key), each reported once at its second appearance; lists
 * nested in items and additionalProperties are walked too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listTypeErrors } from '../../recommender/verify/list-types.ts';

const set = { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } };
const map = (keys: string[]) => ({ type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': keys, items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' }, nets: set } } });
const paths = (schema: unknown, value: unknown) => listTypeErrors(schema, value).map((e) => `${e.path}: ${e.message}`);

test('sets: a value twice (compound values by their JSON, keys in any order), once per value; atomic lists and types that differ pass', () => {
  assert.deepEqual(paths(set, ['a', 'b', 'a', 'a', 'b']), ['/2: Duplicate value: "a" (a list of x-kubernetes-list-type set)', '/4: Duplicate value: "b" (a list of x-kubernetes-list-type set)']);
  assert.deepEqual(paths({ ...set, items: {} }, [{ x: 1, y: 2 }, { y: 2, x: 1 }]), ['/1: Duplicate value: {"x":1,"y":2} (a list of x-kubernetes-list-type set)']);
  assert.deepEqual(paths({ ...set, items: {} }, [1, '1']), []);
  assert.deepEqual(paths({ type: 'array', 'x-kubernetes-list-type': 'atomic' }, ['a', 'a']), []);
});

test('maps: the key fields twice, an item without them counting as the empty key; lists inside items and additionalProperties are walked', () => {
  assert.deepEqual(paths(map(['name']), [{ name: 'a', port: 1 }, { name: 'a', port: 2 }]), ['/1: Duplicate value: {"name":"a"} (a list of x-kubernetes-list-type map)']);
  assert.deepEqual(paths(map(['name', 'port']), [{ name: 'a', port: 1 }, { name: 'a', port: 2 }, { port: 1, name: 'a' }]), ['/2: Duplicate value: {"name":"a","port":1} (a list of x-kubernetes-list-type map)']);
  assert.deepEqual(paths(map(['name']), [{ port: 1 }, { port: 2 }]), ['/1: Duplicate value: {} (a list of x-kubernetes-list-type map)']);
  assert.deepEqual(paths(map(['name']), [{ name: 'a', nets: ['x', 'x'] }]), ['/0/nets/1: Duplicate value: "x" (a list of x-kubernetes-list-type set)']);
  const byName = { type: 'object', additionalProperties: { type: 'object', properties: { 'a/b': set } } };
  assert.deepEqual(paths(byName, { k: { 'a/b': ['x', 'x'] } }), ['/k/a~1b/1: Duplicate value: "x" (a list of x-kubernetes-list-type set)']);
});
