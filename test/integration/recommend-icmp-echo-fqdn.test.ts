/**
 * An egress ping to an outside host known by its DNS name, and nothing else to that name: the
 * cilium engine renders it as a `toFQDNs` rule with `icmps`, and such a rule allows nothing unless
 * the agent sees the pod's lookups of the name: it learns a name's addresses only from the DNS
 * answers its proxy inspects (Cilium docs, DNS based policies). So the pod's DNS egress gets its
 * inspection rule (`rules.dns`) beside it, as for a port rule to a name.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../helpers/cli.ts';
import { clientServerInventory } from '../helpers/client-server-cluster.ts';
import { tmpDir } from '../helpers/tmp.ts';

const hubble = (o: { time: string; dst: string; l4: object; names?: string[]; destination: object }): string =>
  JSON.stringify({
    flow: {
      time: o.time,
      verdict: 'FORWARDED',
      IP: { source: '10.244.0.5', destination: o.dst, ipVersion: 'IPv4' },
      l4: o.l4,
      source: { namespace: 'app', labels: ['k8s:app=client'], pod_name: 'client-abc-x1' },
      destination: o.destination,
      destination_names: o.names ?? [],
      Type: 'L3_L4',
      traffic_direction: 'EGRESS',
      is_reply: false,
    },
  });

test('cilium: an egress ping to a named outside host gets the DNS inspection rule its toFQDNs rule needs; verified', async () => {
  const dir = tmpDir();
  const db = join(dir, 'x.db');
  writeFileSync(join(dir, 'inventory.json'), JSON.stringify(clientServerInventory()));
  writeFileSync(
    join(dir, 'flows.jsonl'),
    [
      hubble({ time: '2026-11-20T00:00:00Z', dst: '203.0.113.7', l4: { ICMPv4: { type: 8, code: 0 } }, names: ['api.example.com'], destination: { identity: 2, labels: ['reserved:world'] } }),
      hubble({ time: '2026-11-20T00:00:01Z', dst: '10.244.1.5', l4: { TCP: { source_port: 40000, destination_port: 8080, flags: { SYN: true } } }, destination: { namespace: 'app', labels: ['k8s:app=server'], pod_name: 'server-abc-x1' } }),
    ].join('\n') + '\n',
  );
  assert.equal((await runCli(['inventory', 'import', join(dir, 'inventory.json'), '--db', db])).code, 0);
  assert.equal((await runCli(['ingest', '--format', 'hubble', join(dir, 'flows.jsonl'), '--db', db])).code, 0);
  const out = await runCli(['export', '--engine', 'cilium', '--mode', 'observed', '-n', 'app', '--workload', 'client', '--db', db]);
  assert.equal(out.code, 0, out.err);
  const client = parseAllDocuments(out.out).map((d) => d.toJS() as { metadata: { name: string }; spec: { egress?: Record<string, unknown>[] } }).find((m) => m.metadata.name.includes('client'));
  assert.ok(client, out.out);
  const egress = client.spec.egress ?? [];
  assert.ok(egress.some((r) => JSON.stringify(r.toFQDNs ?? []).includes('api.example.com') && Array.isArray(r.icmps)), JSON.stringify(egress));
  assert.ok(egress.some((r) => JSON.stringify(r.toPorts ?? []).includes('"dns"')), `no DNS inspection rule: ${JSON.stringify(egress)}`);
});
