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
