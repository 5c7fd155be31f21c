/**
 * Requests a web page can make a browser send (docs/api.md "Requests from web pages").
 * Expected verdicts: Fetch Metadata (W3C, "Sec-Fetch-Site": cross-site/same-site come from
 * another origin), RFC 6454 §7 (Origin names the page's origin), the Fetch standard's CORS
 * "simple" content types (text/plain needs no preflight), and DNS rebinding (the page's own
 * host name reaches 127.0.0.1 in Host).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import type { ResolvedConfig } from '../../server/config/load.ts';
import { hostName } from '../../server/http/cross-site.ts';
import { openDb } from '../../store/db.ts';
import { testContext } from '../helpers/service.ts';

const FLOW = JSON.stringify({ TimeFlowEndMs: 1_763_700_000_000, SrcAddr: '10.0.0.1', DstAddr: '10.0.0.2', SrcPort: 40000, DstPort: 80, Proto: 6, Bytes: 10, Packets: 1 });

function app(overrides: Partial<ResolvedConfig> = {}) {
  return createApp(testContext(openDb(':memory:'), ':memory:', overrides)).app;
}

const post = (a: ReturnType<typeof app>, headers: Record<string, string>) => {
  const r = request(a).post('/api/v1/flows?format=netobserv').set('Host', 'localhost:8080');
  for (const [k, v] of Object.entries(headers)) r.set(k, v);
  return r.send(FLOW);
};

test('a write from another site is refused (Sec-Fetch-Site, Origin); curl-like and same-origin writes go through', async () => {
  const a = app();
  const nd = { 'Content-Type': 'application/x-ndjson' };
  const cases: [string, Record<string, string>, number, string?][] = [
    ['curl: no Origin, no Sec-Fetch-Site', nd, 200],
    ['same-origin fetch', { ...nd, 'Sec-Fetch-Site': 'same-origin', Origin: 'http://localhost:8080' }, 200],
    ['typed in the address bar (none)', { ...nd, 'Sec-Fetch-Site': 'none' }, 200],
    ['cross-site fetch', { ...nd, 'Sec-Fetch-Site': 'cross-site' }, 403, 'cross-site-request'],
    ['same-site but another origin (another port of localhost)', { ...nd, 'Sec-Fetch-Site': 'same-site' }, 403, 'cross-site-request'],
    ['Origin of another site, no Fetch Metadata (older browser)', { ...nd, Origin: 'https://evil.example' }, 403, 'cross-site-request'],
    ['Origin of the same host on another port', { ...nd, Origin: 'http://localhost:3000' }, 403, 'cross-site-request'],
    ['opaque origin (sandboxed iframe)', { ...nd, Origin: 'null' }, 403, 'cross-site-request'],
    ['text/plain, the type a page sends without a preflight', { 'Content-Type': 'text/plain' }, 415, 'unsupported-media-type'],
  ];
  for (const [name, headers, status, type] of cases) {
    const res = await post(a, headers);
    assert.equal(res.status, status, `${name}: ${res.text}`);
    if (type) assert.equal(res.body.type, `https://flowmatrix.io/problems/${type}`, name);
  }
});

test('an allowed origin may write, as a browser sends it (Sec-Fetch-Site: cross-site, after a CORS preflight for the Authorization header); no other origin gets CORS headers', async () => {
  const a = app({ allowedOrigins: ['https://console.example'] });
  const nd = { 'Content-Type': 'application/x-ndjson' };
  assert.equal((await post(a, { ...nd, Origin: 'https://console.example' })).status, 200);
  // Chrome, Firefox and Safari send Sec-Fetch-Site: cross-site from another origin (W3C Fetch Metadata).
  const browser = await post(a, { ...nd, Origin: 'https://console.example', 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'cors' });
  assert.equal(browser.status, 200, browser.text);
  assert.equal(browser.headers['access-control-allow-origin'], 'https://console.example');
  assert.equal((await post(a, { ...nd, Origin: 'https://console.example.evil' })).status, 403);
  assert.equal((await post(a, { ...nd, Origin: 'https://console.example.evil', 'Sec-Fetch-Site': 'cross-site' })).status, 403);
  // The preflight a page's fetch with an Authorization header makes first (Fetch standard, CORS-preflight request).
  const preflight = (origin: string) =>
    request(a).options('/api/v1/flows').set('Host', 'localhost:8080').set('Origin', origin).set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization,content-type');
  const ok = await preflight('https://console.example');
  assert.equal(ok.status, 204);
  assert.equal(ok.headers['access-control-allow-origin'], 'https://console.example');
  assert.match(ok.headers['access-control-allow-headers'] ?? '', /Authorization/);
  assert.match(ok.headers['access-control-allow-headers'] ?? '', /If-None-Match/);
  // A page reads the headers docs/api.md documents: the export's ETag and file name, simulate's Warning.
  for (const h of ['ETag', 'Content-Disposition', 'Warning', 'X-Flowmatrix-Verified']) assert.match(browser.headers['access-control-expose-headers'] ?? '', new RegExp(h));
  assert.match(ok.headers['access-control-allow-methods'] ?? '', /POST/);
  const other = await preflight('https://evil.example');
  assert.equal(other.headers['access-control-allow-origin'], undefined);
  // Without allowed origins no response carries CORS headers.
  assert.equal((await request(app()).options('/api/v1/flows').set('Host', 'localhost:8080').set('Origin', 'https://console.example').set('Access-Control-Request-Method', 'POST')).headers['access-control-allow-origin'], undefined);
});

test('with no token, only loopback host names are served (DNS rebinding); probes are exempt', async () => {
  const a = app();
  for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080', 'LOCALHOST']) {
    assert.equal((await request(a).get('/api/v1/edges').set('Host', host)).status, 200, host);
  }
  const rebound = await request(a).get('/api/v1/edges').set('Host', 'attacker.example:8080');
  assert.equal(rebound.status, 421);
  assert.equal(rebound.body.type, 'https://flowmatrix.io/problems/misdirected-request');
  assert.equal((await request(a).get('/healthz').set('Host', '10.1.2.3:8080')).status, 200);
});

test('with tokens, any Host is served unless server.allowedHosts lists them', async () => {
  const tokens = [{ name: 'ci', secret: 'x'.repeat(16), scopes: ['read' as const, 'write' as const] }];
  const open = app({ tokens });
  assert.equal((await request(open).get('/healthz').set('Host', 'flowmatrix.example')).status, 200);
  const auth = { Authorization: `Bearer ${'x'.repeat(16)}` };
  assert.equal((await request(open).get('/api/v1/edges').set(auth).set('Host', 'anything.example')).status, 200);
  const listed = app({ tokens, allowedHosts: ['flowmatrix.example'] });
  assert.equal((await request(listed).get('/api/v1/edges').set(auth).set('Host', 'flowmatrix.example:443')).status, 200);
  assert.equal((await request(listed).get('/api/v1/edges').set(auth).set('Host', 'other.example')).status, 421);
});

test('hostName reads the host of a Host header as URL parsing does', () => {
  assert.equal(hostName('[::1]:8080'), '::1');
  assert.equal(hostName('LocalHost'), 'localhost');
  assert.equal(hostName('a b'), undefined);
  assert.equal(hostName(undefined), undefined);
});
