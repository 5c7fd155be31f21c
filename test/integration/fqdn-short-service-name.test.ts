/**
 * A `must` rule naming a Service by a short name: `cart.shop` (`<service>.<namespace>`) and
 * `kubernetes.default`. Kubernetes "DNS for Services and Pods" (kubernetes/website
 * content/en/docs/concepts/services-networking/dns-pod-service.md): a pod's resolv.conf searches
 * `<namespace>.svc.cluster.local svc.cluster.local cluster.local` with `ndots:5`, so "a Pod in the
 * test namespace can successfully resolve either data.prod or data.prod.svc.cluster.local". Such
 * a name was read as an outside DNS name: Cilium's toFQDNs (which never selects a pod:
 * docs.cilium.io "Layer 3 Policies", DNS based) and "any destination" on the Service port (80,
 * 443) elsewhere, not the target port the pods see (8080, 6443), so frontend → cart:8080 and
 * frontend → apiserver:6443 were denied while the export passed. Input → expected: allowed on
 * every engine, by pod address and through the Service, with no "looser than intended" warning.
 * A single label `cart` asked by a pod in shop is shop's Service cart: the first entry of the
 * pod's search path is `shop.svc.cluster.local` ("A Pod running in namespace bar can look up this
 * service by simply doing a DNS query for foo", same page); the matrix refused it before.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { loadDemo } from '../../demo/load.ts';
import { ENGINE_NAMES } from '../../recommender/engines/types.ts';
import { clusterModel } from '../../recommender/simulate/cluster.ts';
import { SIMULATORS } from '../../recommender/simulate/index.ts';
import { runCli } from '../helpers/cli.ts';
import { tmpDb, tmpDir } from '../helpers/tmp.ts';

const { db, path } = tmpDb();
await loadDemo(db);

const file = join(tmpDir(), 'shortnames.yaml');
// The demo's Services (docs/demo.md): shop/cart port 80 → target port `http` (8080 on its pods);
// default/kubernetes 443 → the apiserver's endpoints on 6443.
writeFileSync(
  file,
  `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: shortnames, title: short Service names }
documents:
  doc: { title: test doc, file: none.txt }
components:
  frontend:
    namespace: shop
    selector: { matchLabels: { app: frontend } }
    egress:
      - { id: cart, peer: { fqdns: [cart.shop] }, ports: [{ port: 80 }], level: must, purpose: the cart by its short Service name, source: { document: doc, line: 1 } }
      - { id: cart-label, peer: { fqdns: [cart] }, ports: [{ port: 80 }], level: must, purpose: the cart by its name in the client's own namespace, source: { document: doc, line: 3 } }
      - { id: api, peer: { fqdns: [kubernetes.default] }, ports: [{ port: 443 }], level: must, purpose: the apiserver by its short Service name, source: { document: doc, line: 2 } }
`,
);
const applied = await runCli(['matrix', 'apply', file, '--db', path]);
assert.equal(applied.code, 0, applied.err);

test('mode documented: frontend → cart:8080 (fqdns cart.shop) and frontend → apiserver:6443 (fqdns kubernetes.default) are allowed on every engine, by pod address and through the Service', () => {
  const input = readRecommendationInput(db, {});
  const model = clusterModel(input.inventory, input.externalNames);
  const pod = (prefix: string) => ({ kind: 'pod' as const, pod: model.cluster.pods.find((p) => p.namespace === 'shop' && (p.name ?? '').startsWith(prefix))! });
  const apiserverIp = input.inventory.apiserver[0]!.ip;
  const flows = [
    { client: pod('frontend'), server: pod('cart'), port: 8080, protocol: 'TCP' as const },
    { client: pod('frontend'), server: pod('cart'), port: 8080, protocol: 'TCP' as const, service: { namespace: 'shop', name: 'cart' } },
    { client: pod('frontend'), server: { kind: 'apiserver' as const, ip: apiserverIp }, port: 6443, protocol: 'TCP' as const },
    { client: pod('frontend'), server: { kind: 'apiserver' as const, ip: apiserverIp }, port: 6443, protocol: 'TCP' as const, service: { namespace: 'default', name: 'kubernetes' } },
  ];
  for (const engine of ENGINE_NAMES) {
    const { verification, emitted, rec } = runRecommendation(input, engine, recommendOptions({ mode: 'documented', namespace: 'shop' }), { tightness: false });
    assert.equal(verification.ok, true, `${engine}: ${JSON.stringify(verification.blocked.slice(0, 2))}`);
    const sim = SIMULATORS[engine](emitted.manifests, model.cluster);
    for (const f of flows) {
      const v = sim.evaluate(f);
      assert.equal(v.verdict, 'allow', `${engine} → ${f.server.kind}:${f.port}${f.service ? ' via the Service' : ''}: egress ${v.egress.reason}`);
    }
    assert.doesNotMatch(JSON.stringify(emitted.manifests), /toFQDNs|cart\.shop"|kubernetes\.default"/, engine);
    const frontend = rec.workloads.find((w) => w.workload.name === 'frontend')!;
    assert.ok(!frontend.warnings.some((m) => /looser than intended/.test(m)), `${engine}: ${JSON.stringify(frontend.warnings)}`);
    assert.ok(!emitted.warnings.some((w) => /looser than intended/.test(w.message)), `${engine}: ${JSON.stringify(emitted.warnings)}`);
  }
});
