/**
 * Applying a recommendation replaces the applied policies of the same kind, namespace and name and
 * leaves the others in force: an edge the recommendation leaves out that one of those still allows
 * stays open, and the export says so on stderr (docs/recommend.md, "Verification").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { demoDb } from '../helpers/demo-db.ts';

const dbPath = await demoDb();

test('export names on stderr an edge the recommendation leaves out that an applied policy beside it keeps open (the demo\'s Kyma self-monitor → manager 8080 violation, left out of the self-monitor\'s egress and allowed by the applied telemetry-self-monitor policy)', async () => {
  const r = await runCli(['export', '--engine', 'calico', '-n', 'kyma-system', '--db', dbPath]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /warning: kyma-system\/Deployment\/telemetry-self-monitor egress workload:kyma-system\/Deployment\/telemetry-self-monitor\|workload:kyma-system\/Deployment\/telemetry-manager\|8080\|TCP: left out \(.*\) but an applied policy beside the recommendation allows it: .*NetworkPolicy\/kyma-system\/telemetry-self-monitor.*; delete or tighten it\n/);
});

test('a direction the recommendation leaves open (--no-egress) that an applied policy closes (a default-deny of Ingress and Egress in shop): every egress edge it cuts is blockedByApplied, said as the applied policies\' decision (Kubernetes: a pod an Egress policy selects is isolated for egress)', async () => {
  const { copyFileSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpDir } = await import('../helpers/tmp.ts');
  const dir = tmpDir();
  const db = join(dir, 'd.db');
  copyFileSync(dbPath, db);
  writeFileSync(join(dir, 'deny.yaml'), 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n');
  assert.equal((await runCli(['inventory', 'import', join(dir, 'deny.yaml'), '--db', db])).code, 0);
  const r = await runCli(['recommend', '--engine', 'kubernetes', '-n', 'shop', '--no-egress', '-o', 'json', '--db', db]);
  assert.equal(r.code, 0, r.err);
  const v = (JSON.parse(r.out) as { verification: { blockedByApplied: { direction: string; edge: string; reason: string }[] } }).verification;
  const egress = v.blockedByApplied.filter((f) => f.direction === 'egress');
  assert.ok(egress.length > 0, JSON.stringify(v.blockedByApplied));
  for (const f of egress) assert.match(f.reason, /NetworkPolicy\/shop\/default-deny.*; the recommendation leaves this direction open, the applied policies decide it$/, f.edge);
  assert.ok(egress.some((f) => /^workload:shop\/Deployment\/[a-z-]+\|dns:kube-system/.test(f.edge)), 'DNS among them');
});

test('an applied NetworkPolicy whose ipBlocks have leading zeros or an IPv4-mapped address is read as the API server reads it (010.0.0.0/8 is 10.0.0.0/8, not octal 8.0.0.0/8), and the recommendation says so: its egress cuts depend on whether the plugin matches ipBlocks against the demo\'s pod addresses (10.244.x.y)', async () => {
  // kubernetes/kubernetes pkg/apis/networking/validation ValidateIPBlock reads the block with
  // netutils.ParseCIDRSloppy (decimal octets; net.IPNet makes ::ffff:10.0.0.0/104 the IPv4 10.0.0.0/8).
  const { copyFileSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpDir } = await import('../helpers/tmp.ts');
  const dir = tmpDir();
  const db = join(dir, 'd.db');
  copyFileSync(dbPath, db);
  for (const [name, cidr] of [['leading-zeros', '010.0.0.0/8'], ['ipv4-mapped', '"::ffff:10.0.0.0/104"']] as const) {
    writeFileSync(join(dir, `${name}.yaml`), `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: odd-cidrs, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{to: [{ipBlock: {cidr: ${cidr}}}]}]\n`);
    assert.equal((await runCli(['inventory', 'import', join(dir, `${name}.yaml`), '--db', db])).code, 0);
    const r = await runCli(['recommend', '--engine', 'kubernetes', '-n', 'shop', '--no-egress', '-o', 'json', '--db', db]);
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as { verification: { warnings: string[]; blockedByApplied: { direction: string; edge: string; dependsOnIpBlockReading?: boolean }[] } };
    const v = out.verification;
    const toPods = v.blockedByApplied.filter((f) => f.direction === 'egress' && /\|workload:shop\//.test(f.edge));
    assert.ok(toPods.length > 0, JSON.stringify(v.blockedByApplied));
    for (const f of toPods) assert.equal(f.dependsOnIpBlockReading, true, `${name}: ${f.edge}: 10.0.0.0/8 holds the pod, allowed where the plugin matches ipBlocks against pods`);
    assert.ok(
      v.warnings.some((w) => w.startsWith('applied NetworkPolicy/shop/odd-cidrs/spec/egress/0/to/0/ipBlock/cidr: non-standard CIDR ') && w.includes('read as 10.0.0.0/8, as the API server reads it')),
      `${name}: ${JSON.stringify(v.warnings)}`,
    );
  }
});
