/**
 * A pod calling a LoadBalancer Service through the load balancer's IP (status.loadBalancer.ingress[].ip)
 * from inside the cluster. kube-proxy does not send it to the load balancer: "traffic sent to an
 * External IP or LoadBalancer IP from within the cluster will always get Cluster semantics" (Service
 * API reference, spec.externalTrafficPolicy), i.e. the node DNATs it to one of the Service's endpoints
 * as it does the ClusterIP, so the client's egress and the backend's ingress policies see the backend
 * pod. A record taken before the translation (NetObserv at the client's interface) names the load
 * balancer's address: that is the Service, its port translated to each backend's target port.
 *
 * The fixture (test/fixtures/named-ports/service-rollout-inventory.json) is web's LoadBalancer Service
 * on port 80 → target port `http`, 8080 on web-aaa-1 and 9090 on web-bbb-1; the test gives it the
 * status a cloud controller writes, an IP entry and a hostname-only one.
 *
 * Before: the flow was an edge to external:203.0.113.50, the client's egress policy allowed that /32
 * (or the world) and not the backends, and the verification said ok.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ingestFlows } from '../../app/ingest.ts';
import { importInventory } from '../../app/inventory.ts';
import { readRecommendationInput } from '../../app/recommendation.ts';
import { peerKey } from '../../domain/peer.ts';
import { ENGINE_NAMES } from '../../recommender/engines/index.ts';
import type { Db } from '../../store/db.ts';
import { runCli } from '../helpers/cli.ts';
import { netobservRecord } from '../helpers/netobserv-record.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const NOW = Date.now();
const LB_IP = '203.0.113.50';
const CLI_POD = '10.244.0.21';

/** The fixture with web's Service given the load-balancer status `ingress`. */
function inventoryText(ingress: object[]): string {
  const list = JSON.parse(readFileSync(new URL('../fixtures/named-ports/service-rollout-inventory.json', import.meta.url), 'utf8')) as { items: { kind: string; metadata: { name: string }; status?: object }[] };
  list.items.find((i) => i.kind === 'Service' && i.metadata.name === 'web')!.status = { loadBalancer: { ingress } };
  return JSON.stringify(list);
}

const FLOW = netobservRecord({ src: CLI_POD, dst: LB_IP, dstPort: 80, proto: 6, srcPort: 41000, time: NOW - 60_000 });

/** A store of the fixture with `ingress` and the NetObserv record of cli → 203.0.113.50:80. */
async function storedWithFlow(ingress: object[]): Promise<{ db: Db; path: string }> {
  const { db, path } = tmpDb();
  importInventory(db, { text: inventoryText(ingress), takenAt: NOW - 3_600_000, source: 'service-rollout-inventory.json', now: NOW - 3_600_000 });
  const summary = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${FLOW}\n`]) }], { format: 'netobserv', now: () => NOW });
  assert.equal(summary.accepted, 1);
  return { db, path };
}

const edgesOf = (db: Db): string[] => readRecommendationInput(db, {}).edges.map((e) => `${peerKey(e.client)} → ${peerKey(e.server)} ${e.port}/${e.protocol}`);

test('a flow from a pod to its LoadBalancer Service\'s status.loadBalancer.ingress IP on the Service port is an edge to the backends on each target port, and every engine\'s export lets the flow through', async () => {
  const { db, path } = await storedWithFlow([{ ip: LB_IP }, { hostname: 'lb.example.com' }]);
  assert.deepEqual(edgesOf(db), [
    'workload:client/Deployment/cli → workload:shop/Deployment/web 8080/TCP',
    'workload:client/Deployment/cli → workload:shop/Deployment/web 9090/TCP',
  ]);
  const dir = tmpDir('flowmatrix-lb-ip-');
  const flows = join(dir, 'flows.jsonl');
  writeFileSync(flows, `${FLOW}\n`);
  for (const engine of ENGINE_NAMES) {
    const exported = await runCli(['export', '--db', path, '--engine', engine]);
    assert.equal(exported.code, 0, `${engine}: ${exported.err}`);
    const policies = join(dir, `${engine}.yaml`);
    writeFileSync(policies, exported.out);
    const simulated = await runCli(['simulate', '--engine', engine, '--policies', policies, '--flows', flows, '--format', 'netobserv', '--db', path]);
    assert.equal(simulated.code, 0, `${engine}: ${simulated.err}`);
    const [decision] = JSON.parse(simulated.out) as { verdict: string; connections?: { server: string; port: number; verdict: string; egress?: { isolated: boolean; allowed: boolean } }[] }[];
    // The client's egress is isolated and its own policy lets the backends in; no rule names the load balancer's address.
    assert.deepEqual(
      decision?.connections?.map((c) => `${c.server}:${c.port} ${c.verdict}, egress isolated ${c.egress?.isolated} allowed ${c.egress?.allowed}`),
      ['workload:shop/Deployment/web:8080 allow, egress isolated true allowed true', 'workload:shop/Deployment/web:9090 allow, egress isolated true allowed true'],
      engine,
    );
    assert.doesNotMatch(exported.out, /203\.0\.113\.50/, engine);
    assert.equal(decision?.verdict, 'allow', engine);
  }
});

test('an ingress entry with ipMode Proxy is not short-circuited by the node: a flow to it stays a flow to that address', async () => {
  // LoadBalancerIngress.ipMode (Service API reference): "Proxy" — "traffic is delivered to the node
  // or pod with the destination set to the node's IP and node port or the pod's IP and port": the
  // load balancer itself translates, so the client's packet does leave for the load balancer's address.
  const { db } = await storedWithFlow([{ ip: LB_IP, ipMode: 'Proxy' }]);
  assert.deepEqual(edgesOf(db), ['workload:client/Deployment/cli → external:203.0.113.50 80/TCP']);
});
