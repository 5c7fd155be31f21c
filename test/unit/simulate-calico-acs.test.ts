/**
 * Calico enforces Kubernetes NetworkPolicies (converted into its default tier): the calico
 * simulator must reproduce np-guard netpol-analyzer's connectivity for the ACS security demo
 * exactly — every listed connection allowed, every other pod/port/protocol and every external
 * address denied. Fixtures: test/fixtures/reference/calico/acs-security-demos (see SOURCES.md).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { calicoSimulator } from '../../recommender/simulate/calico.ts';
import type { SimCluster, SimEndpoint, SimPod } from '../../recommender/simulate/types.ts';

const DIR = fileURLToPath(new URL('../fixtures/reference/calico/acs-security-demos/', import.meta.url));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => (statSync(join(dir, f)).isDirectory() ? yamlFiles(join(dir, f)) : f.endsWith('.yaml') ? [join(dir, f)] : []));
}

type Obj = Record<string, any>;
const docs: Obj[] = yamlFiles(DIR).flatMap((f) => parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS() as Obj).filter((d) => d && typeof d === 'object'));

const pods: SimPod[] = docs
  .filter((d) => d.kind === 'Deployment')
  .map((d, i) => ({
    namespace: d.metadata.namespace,
    name: d.metadata.name,
    labels: d.spec.template.metadata.labels,
    ips: [`10.128.0.${i + 1}`],
    hostNetwork: false,
    ports: d.spec.template.spec.containers.flatMap((c: Obj) => (c.ports ?? []).map((p: Obj) => ({ ...(p.name ? { name: p.name } : {}), port: p.containerPort, protocol: p.protocol ?? 'TCP' }))),
  }));
const cluster: SimCluster = {
  namespaces: [...new Set(pods.map((p) => p.namespace))].sort().map((name) => ({ name, labels: {} })),
  nodes: [],
  pods,
  services: [],
  apiserver: [],
  podCIDRs: ['10.128.0.0/14'],
};
const policies = docs.filter((d) => d.kind === 'NetworkPolicy');

// connlist_output.json: `ns/name[Deployment]` → `ns/name[Deployment]`, "TCP 8080". Its two
// `{ingress-controller}` sources (netpol-analyzer's stand-in for the OpenShift router behind the
// Routes) are no pod of the cluster model and are left out.
const expected = new Set(
  (JSON.parse(readFileSync(join(DIR, 'connlist_output.json'), 'utf8')) as { src: string; dst: string; conn: string }[]).filter((c) => !c.src.startsWith('{')).map((c) => {
    const [proto, port] = c.conn.split(' ');
    return `${c.src.replace('[Deployment]', '')}>${c.dst.replace('[Deployment]', '')}:${port}/${proto}`;
  }),
);

test('ACS security demo: the calico simulator reproduces netpol-analyzer’s allowed connections exactly', () => {
  assert.equal(pods.length, 11);
  assert.equal(policies.length, 14);
  assert.equal(expected.size, 12);
  const sim = calicoSimulator(policies, cluster);
  assert.deepEqual(sim.ignored, []);
  const ends: { key: string; ep: SimEndpoint }[] = [...pods.map((p) => ({ key: `${p.namespace}/${p.name}`, ep: { kind: 'pod', pod: p } as SimEndpoint })), { key: 'external', ep: { kind: 'external', ip: '203.0.113.9' } }];
  const allowed = new Set<string>();
  for (const a of ends) {
    for (const b of ends) {
      if (a === b || (a.ep.kind === 'external' && b.ep.kind === 'external')) continue;
      for (const port of [8080, 80, 443, 9090]) {
        for (const protocol of ['TCP', 'UDP'] as const) {
          if (sim.evaluate({ client: a.ep, server: b.ep, port, protocol }).verdict === 'allow') allowed.add(`${a.key}>${b.key}:${port}/${protocol}`);
        }
      }
    }
  }
  assert.deepEqual([...allowed].sort(), [...expected].sort());
});
