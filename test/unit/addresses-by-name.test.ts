/**
 * The DNS-name index answers, for a name or a `*.domain` pattern, exactly the stored addresses a
 * scan of every address with the comparison's own matcher (compare/match.ts peerMatches, an fqdn
 * peer) admits: seeded random names of 1–4 labels over a small alphabet (so that names share
 * domains), with upper case and trailing dots as resolvers store them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexCluster } from '../../recommender/compare/context.ts';
import { peerMatches } from '../../recommender/compare/match.ts';
import type { InventorySnapshot } from '../../domain/inventory.ts';

const EMPTY: InventorySnapshot = { takenAt: 0, namespaces: [], nodes: [], workloads: [], services: [], endpointSlices: [], policies: [], podAddresses: [], apiserver: [] };

function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

test('addressesOfName: each name and *.domain pattern gives exactly the addresses a scan with peerMatches admits', () => {
  const rnd = random(7);
  const label = () => ['a', 'b', 'api', 'Example', 'com'][Math.floor(rnd() * 5)]!;
  const name = () => Array.from({ length: 1 + Math.floor(rnd() * 4) }, label).join('.') + (rnd() < 0.2 ? '.' : '');
  const stored = new Map<string, string[]>();
  for (let i = 0; i < 300; i++) stored.set(i < 250 ? `203.0.113.${i}` : `198.51.100.${i - 250}`, Array.from({ length: 1 + Math.floor(rnd() * 3) }, name));
  const ix = indexCluster(EMPTY, stored);
  const patterns = [...new Set(Array.from({ length: 200 }, () => (rnd() < 0.5 ? '*.' : '') + name()))];
  let nonEmpty = 0;
  for (const pattern of patterns) {
    const scanned = [...ix.externalNames.keys()].filter((ip) => peerMatches({ kind: 'external', ip }, { kind: 'fqdn', fqdns: [pattern] }, ix)).sort();
    assert.deepEqual([...ix.addressesOfName(pattern)].sort(), scanned, pattern);
    if (scanned.length > 0) nonEmpty++;
  }
  assert.ok(nonEmpty > 50, `the patterns meet stored names (${nonEmpty} of ${patterns.length})`);
});
