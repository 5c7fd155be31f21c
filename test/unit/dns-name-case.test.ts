/**
 * DNS names are one spelling whatever the case a resolver or a flow log gives them (RFC 4343:
 * "domain name comparisons … are done in a case-insensitive manner"; `api.example.com.` is the
 * fully qualified `api.example.com`), as the matrix writes them (lowercase, no root dot). Input →
 * expected: a Hubble name `Ingest.Example.com.` is `ingest.example.com`; one stored so by an older
 * version reads as that; and the address seen under it is the rule's address, not "no address is known".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalDnsName } from '../../domain/dns-name.ts';
import { hubbleDecoder } from '../../collectors/flows/hubble.ts';
import { readExternalNames } from '../../store/recommend-read.ts';
import { tmpDb } from '../helpers/tmp.ts';
import type { InventorySnapshot } from '../../domain/inventory.ts';
import { indexCluster } from '../../recommender/compare/context.ts';
import { resolvedPeers } from '../../recommender/synthesize/peers.ts';

test('a DNS name is lowercase without the root dot; a wildcard keeps its star', () => {
  assert.equal(canonicalDnsName('Ingest.Example.COM.'), 'ingest.example.com');
  assert.equal(canonicalDnsName('*.S3.amazonaws.com'), '*.s3.amazonaws.com');
  assert.equal(canonicalDnsName('api.example.com'), 'api.example.com');
});

test('Hubble destination_names are read as their canonical spelling, once each', () => {
  const decoded = hubbleDecoder.decode({
    flow: {
      time: '2026-12-01T00:00:00Z',
      IP: { source: '10.244.1.5', destination: '198.51.100.7', ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 40000, destination_port: 443, flags: { SYN: true } } },
      source: { identity: 1234, namespace: 'ship', pod_name: 'agent-0', labels: ['k8s:app=agent'] },
      destination: { identity: 2 },
      destination_names: ['Ingest.Example.com.', 'ingest.example.com'],
      verdict: 'FORWARDED',
      Type: 'L3_L4',
    },
  });
  assert.equal(decoded.kind, 'flow', JSON.stringify(decoded));
  assert.deepEqual(decoded.kind === 'flow' ? decoded.flow.dst.names : undefined, ['ingest.example.com']);
});

test('names stored in another case by an older version read canonical, once each', () => {
  const { db } = tmpDb();
  const put = db.prepare('INSERT INTO external_names (ip, name, first_seen, last_seen) VALUES (?, ?, 0, 0)');
  put.run('198.51.100.7', 'Ingest.Example.com');
  put.run('198.51.100.7', 'ingest.example.com');
  put.run('198.51.100.8', 'API.example.com.');
  assert.deepEqual([...readExternalNames(db)], [['198.51.100.7', ['ingest.example.com']], ['198.51.100.8', ['api.example.com']]]);
});

test('a matrix FQDN written with the root dot (`ingest.example.com.`, which the matrix syntax accepts) is rendered as the addresses seen under the name: the lookup found nothing and the rule allowed every destination on its ports', () => {
  const inventory: InventorySnapshot = { takenAt: 0, namespaces: [], nodes: [], workloads: [], services: [], endpointSlices: [], policies: [], podAddresses: [], apiserver: [] };
  const ix = indexCluster(inventory, new Map([['203.0.113.5', ['ingest.example.com']]]));
  const peers = resolvedPeers({ kind: 'fqdn', fqdns: ['ingest.example.com.', 'Ingest.Example.com'] }, 'shop', ix, { network: 'pod', peers: [], ports: [] } as unknown as Parameters<typeof resolvedPeers>[3]);
  assert.deepEqual(peers.map((p) => (p as { ips?: readonly string[] }).ips), [['203.0.113.5'], ['203.0.113.5']]);
});
