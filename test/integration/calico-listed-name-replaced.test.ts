/**
 * A Calico default-tier policy created as `<name>` is listed back as `default.<name>` by Calico
 * 3.29.0 to 3.29.3 (projectcalico/calico#9437, #9642), and keeps that name after the fix
 * (#10391, #10417): it is one object with the recommended `<name>`. The drift compares the two
 * (recommender/drift.ts listedName); the verification must read it as the drift does — replaced by
 * the recommended `<name>`, not left beside it — or it reports what the replaced rules decide.
 */
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { demoDb } from '../helpers/demo-db.ts';
import { tmpDir } from '../helpers/tmp.ts';

const demo = await demoDb();

/** An earlier, hand-edited shop/payments policy in the default tier: it denies frontend → payments 8080, which the recommendation allows. */
const listed = (name: string) => `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  tier: default
  order: 1000
  selector: app == 'payments'
  types: [Ingress]
  ingress:
  - action: Deny
    source:
      selector: app == 'frontend'
`;

interface Finding { edge: string; by?: { policy: string }; reason: string }

async function recommendBeside(yaml: string): Promise<{ blockedByApplied: Finding[] }> {
  const dir = tmpDir();
  const db = join(dir, 'd.db');
  copyFileSync(demo, db);
  writeFileSync(join(dir, 'applied.yaml'), yaml);
  assert.equal((await runCli(['inventory', 'import', join(dir, 'applied.yaml'), '--db', db])).code, 0);
  const r = await runCli(['recommend', '--engine', 'calico', '-n', 'shop', '-o', 'json', '--db', db]);
  assert.equal(r.code, 0, r.err);
  return (JSON.parse(r.out) as { verification: { blockedByApplied: Finding[] } }).verification;
}

const FRONTEND_PAYMENTS = 'workload:shop/Deployment/frontend|workload:shop/Deployment/payments|8080|TCP';

test('an applied Calico NetworkPolicy listed as default.<name> is replaced by the recommended <name> (one object: projectcalico/calico#9437): the verification does not judge its Deny beside the recommendation, as the drift lists it differing, not extra', async () => {
  const v = await recommendBeside(listed('default.shop-deployment-payments'));
  assert.deepEqual(
    v.blockedByApplied.filter((f) => f.edge === FRONTEND_PAYMENTS),
    [],
    'applying shop-deployment-payments replaces default.shop-deployment-payments: its Deny is gone',
  );
});

test('with <name> applied beside it, default.<name> is another object that stays (the drift lists it extra): its Deny is judged beside the recommendation', async () => {
  const own = `apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: shop-deployment-payments, namespace: shop}\nspec:\n  selector: app == 'payments'\n  types: [Ingress]\n`;
  const v = await recommendBeside(`${listed('default.shop-deployment-payments')}---\n${own}`);
  assert.ok(
    v.blockedByApplied.some((f) => f.edge === FRONTEND_PAYMENTS && f.by?.policy === 'NetworkPolicy.projectcalico.org/shop/default.shop-deployment-payments'),
    JSON.stringify(v.blockedByApplied),
  );
});

test('a GlobalNetworkPolicy named default.<name> is no listing of the recommended NetworkPolicy <name> (another kind, another object): its Deny stays beside the recommendation', async () => {
  const global = listed('default.shop-deployment-payments').replace('kind: NetworkPolicy', 'kind: GlobalNetworkPolicy').replace(', namespace: shop', '');
  const v = await recommendBeside(global);
  assert.ok(
    v.blockedByApplied.some((f) => f.edge === FRONTEND_PAYMENTS && f.by?.policy === 'GlobalNetworkPolicy/default.shop-deployment-payments'),
    JSON.stringify(v.blockedByApplied),
  );
});
