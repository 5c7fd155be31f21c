/** Importing an inventory from an export's text or from objects a collector read: one snapshot, one summary. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AppError } from '../../app/errors.ts';
import { importInventory, importInventoryObjects } from '../../app/inventory.ts';
import { parseInventoryText } from '../../collectors/inventory/index.ts';
import { listWorkloads } from '../../store/inventory.ts';
import { tmpDb } from '../helpers/tmp.ts';

const text = readFileSync(new URL('../fixtures/inventory/cluster.json', import.meta.url), 'utf8');
const takenAt = Date.UTC(2026, 10, 20);

test('objects already read import exactly as their text does: same summary, same stored workloads', () => {
  const a = tmpDb().db;
  const b = tmpDb().db;
  const fromText = importInventory(a, { text, takenAt, source: 'collector' });
  const fromObjects = importInventoryObjects(b, { objects: parseInventoryText(text), takenAt, source: 'collector' });
  assert.ok(fromText.workloads.inSnapshot > 0);
  assert.deepEqual(fromObjects, fromText);
  assert.deepEqual(listWorkloads(b, { includeAbsent: true }), listWorkloads(a, { includeAbsent: true }));
});

test('an object that is no inventory is refused whole: AppError invalid-input naming the source, nothing stored', () => {
  const { db } = tmpDb();
  const [pod] = parseInventoryText('{"kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}]}');
  assert.ok(pod);
  assert.throws(
    () => importInventoryObjects(db, { objects: [pod], takenAt, source: 'watcher' }),
    (e: unknown) => e instanceof AppError && e.code === 'invalid-input' && e.subject === 'watcher' && /metadata\.namespace.*; nothing was imported$/.test(e.message),
  );
  assert.deepEqual(listWorkloads(db, { includeAbsent: true }), []);
});

test('the summary writes an IPv6 apiserver endpoint as [address]:port (RFC 5952 §6), an IPv4 one as address:port', () => {
  const { db } = tmpDb();
  const slice = (name: string, addressType: string, address: string) =>
    ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } }, addressType, endpoints: [{ addresses: [address], conditions: { ready: true } }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] });
  const list = { apiVersion: 'v1', kind: 'List', items: [slice('kubernetes', 'IPv4', '10.0.0.10'), slice('kubernetes-v6', 'IPv6', '2001:db8:0:1::10')] };
  const summary = importInventory(db, { text: JSON.stringify(list), takenAt, source: 'dual-stack' });
  assert.deepEqual(summary.apiserver, ['10.0.0.10:6443/TCP', '[2001:db8:0:1::10]:6443/TCP']);
});

test('an applied NetworkPolicy with an ipBlock the API server stores with a warning (leading zeros, IPv4-mapped) is imported, with a warning naming the policy, field and value and how the API server reads it', () => {
  // kubernetes/kubernetes pkg/apis/networking/validation ValidateIPBlock → IsValidCIDRForLegacyField:
  // refused only with the StrictIPCIDRValidation gate, so such policies exist in clusters; read
  // with netutils.ParseCIDRSloppy (decimal octets; an IPv4-mapped block as the IPv4 block).
  const { db } = tmpDb();
  const policy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'odd-cidrs', namespace: 'shop' },
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '010.0.0.0/8', except: ['10.01.0.0/16'] } }, { ipBlock: { cidr: '::ffff:10.0.0.0/104' } }] }] },
  };
  const summary = importInventory(db, { text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [policy] }), takenAt, source: 'cluster.json' });
  assert.deepEqual(summary.objects, { 'NetworkPolicy.networking.k8s.io': 1 });
  assert.deepEqual(summary.warnings, [
    'NetworkPolicy shop/odd-cidrs: spec.egress[0].to[0].ipBlock.cidr: non-standard CIDR "010.0.0.0/8" read as 10.0.0.0/8, as the API server reads it (leading zeros as decimal); network plugins may read it otherwise (a leading 0 as octal) or refuse it: write "10.0.0.0/8"',
    'NetworkPolicy shop/odd-cidrs: spec.egress[0].to[0].ipBlock.except[0]: non-standard CIDR "10.01.0.0/16" read as 10.1.0.0/16, as the API server reads it (leading zeros as decimal); network plugins may read it otherwise (a leading 0 as octal) or refuse it: write "10.1.0.0/16"',
    'NetworkPolicy shop/odd-cidrs: spec.egress[0].to[1].ipBlock.cidr: non-standard CIDR "::ffff:10.0.0.0/104" read as 10.0.0.0/8, as the API server reads it (an IPv4-mapped IPv6 block as the IPv4 block it maps); network plugins may read it otherwise (as IPv6, matching no IPv4 address) or refuse it: write "10.0.0.0/8"',
  ]);
});
