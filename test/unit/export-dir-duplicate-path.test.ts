/**
 * `export --out DIR` (also with --allow-unverified, verify/duplicate-names.ts): two manifests of
 * one kind, namespace and name have one file; writing both would have the second replace the
 * first. The directory writer refuses before anything changes, naming both.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { syncExportDir } from '../../cli/export-dir.ts';
import type { Manifest } from '../../recommender/engines/types.ts';
import { tmpDir } from '../helpers/tmp.ts';

const policy = (intent: string, port: number): Manifest =>
  ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'web', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'flowmatrix' }, annotations: { 'flowmatrix.io/intent': intent } },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ ports: [{ port, protocol: 'TCP' }] }] },
  }) as unknown as Manifest;

test('two manifests of one kind, namespace and name: refused, naming both, and nothing written', async () => {
  const dir = join(tmpDir(), 'out');
  const manifests = [policy('shop/Deployment/web/ingress', 80), policy('shop/StatefulSet/web/ingress', 443), { ...policy('x', 1), metadata: { ...policy('x', 1).metadata, name: 'other' } } as Manifest];
  await assert.rejects(
    syncExportDir(dir, () => manifests),
    (e: Error) => {
      assert.match(e.message, /shop\/networkpolicy-web\.yaml/);
      assert.match(e.message, /shop\/Deployment\/web\/ingress/);
      assert.match(e.message, /shop\/StatefulSet\/web\/ingress/);
      return true;
    },
  );
  assert.equal(existsSync(dir) ? readdirSync(dir, { recursive: true }).length : 0, 0, 'nothing written');
});
