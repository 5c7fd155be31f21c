/** domain/edge.ts mergeThroughServices: every Service port an edge came through, sorted, de-duplicated and capped, in any order alike. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_THROUGH_SERVICES, mergeThroughServices, throughServicesOf } from '../../domain/edge.ts';

test('one Service port stays as written; NULL (none, or not known) takes the other', () => {
  assert.equal(mergeThroughServices(null, 'shop/web:80'), 'shop/web:80');
  assert.equal(mergeThroughServices('shop/web:80', null), 'shop/web:80');
  assert.equal(mergeThroughServices('shop/web:80', 'shop/web:80'), 'shop/web:80');
  assert.equal(mergeThroughServices(null, null), null);
});

test('two Service ports are kept sorted, whichever came first', () => {
  assert.equal(mergeThroughServices('shop/web:80', 'shop/web-b:8080'), 'shop/web-b:8080,shop/web:80');
  assert.equal(mergeThroughServices('shop/web-b:8080', 'shop/web:80'), 'shop/web-b:8080,shop/web:80');
  assert.equal(mergeThroughServices('shop/web-b:8080,shop/web:80', 'shop/web:80'), 'shop/web-b:8080,shop/web:80');
  assert.deepEqual(throughServicesOf('shop/web-b:8080,shop/web:80'), { ports: ['shop/web-b:8080', 'shop/web:80'], more: false });
});

test(`past ${MAX_THROUGH_SERVICES} the first in order are kept and the text says more came; the merge is the same in any order`, () => {
  const ports = Array.from({ length: MAX_THROUGH_SERVICES + 3 }, (_, i) => `shop/s${String(i).padStart(2, '0')}:80`);
  const forward = ports.reduce<string | null>((a, p) => mergeThroughServices(a, p), null)!;
  const backward = [...ports].reverse().reduce<string | null>((a, p) => mergeThroughServices(a, p), null)!;
  assert.equal(forward, `${ports.slice(0, MAX_THROUGH_SERVICES).join(',')},+`);
  assert.equal(backward, forward);
  assert.deepEqual(throughServicesOf(forward), { ports: ports.slice(0, MAX_THROUGH_SERVICES), more: true });
  // Once more came, it stays said, even when a merge adds nothing new.
  assert.equal(mergeThroughServices(forward, ports[0]!), forward);
  assert.equal(mergeThroughServices(ports[0]!, forward), forward);
});
