/**
 * In-cluster Service names in a rule's `fqdns` (recommender/matrix/service-names.ts): the forms
 * kubernetes.io "DNS for Services and Pods" gives a Service (`<service>.<namespace>.svc.<cluster
 * domain>`, a headless Service's pod `<hostname>.<service>.<namespace>.svc…`), resolved from the
 * inventory to the Service's workloads on its target ports; every other name stays a DNS name.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InventorySnapshot, Service, Workload } from '../../domain/inventory.ts';
import { NO_ANSWERS, resolveNamedPeers, serviceOfName, type NameAnswers } from '../../recommender/matrix/service-names.ts';
import type { ResolvedPort } from '../../recommender/matrix/resolved.ts';

test('the names of a Service, with or without the default cluster domain; a wildcard and other names are none', () => {
  assert.deepEqual(serviceOfName('opensearch.stacklight.svc.cluster.local'), { namespace: 'stacklight', service: 'opensearch' });
  assert.deepEqual(serviceOfName('opensearch.stacklight.svc'), { namespace: 'stacklight', service: 'opensearch' });
  assert.deepEqual(serviceOfName('Opensearch.Stacklight.SVC.cluster.local.'), { namespace: 'stacklight', service: 'opensearch' });
  assert.deepEqual(serviceOfName('opensearch-0.opensearch-headless.stacklight.svc.cluster.local'), { namespace: 'stacklight', service: 'opensearch-headless' });
  assert.equal(serviceOfName('*.stacklight.svc.cluster.local'), undefined);
  assert.equal(serviceOfName('stacklight.svc.cluster.local'), undefined);
  assert.equal(serviceOfName('api.example.com'), undefined);
  assert.equal(serviceOfName('api.svc.example.net'), undefined);
});

const workload = (namespace: string, name: string, labels: Record<string, string>, ports: Workload['ports']): Workload => ({
  namespace, kind: 'Deployment', name, labels, selector: { matchLabels: labels }, hostNetwork: false, ports, services: [], exposure: [],
});
const service = (s: Partial<Service> & Pick<Service, 'namespace' | 'name'>): Service => ({ type: 'ClusterIP', clusterIPs: ['10.96.0.9'], ports: [], ...s });
/** A rule's `fqdns` peer with those names, resolved as the matrix resolution does. */
const resolveFqdns = (names: string[], ports: ResolvedPort[], inventory: InventorySnapshot, unresolved: string[], answers: NameAnswers = NO_ANSWERS) =>
  resolveNamedPeers([{ kind: 'fqdn', fqdns: names }], ports, inventory, answers, unresolved);
const inv: InventorySnapshot = {
  takenAt: 0, namespaces: [], nodes: [], endpointSlices: [], policies: [], podAddresses: [], apiserver: [],
  workloads: [workload('shop', 'cart', { app: 'cart' }, [{ name: 'http', port: 8080, protocol: 'TCP' }])],
  services: [
    service({ namespace: 'shop', name: 'cart', selector: { app: 'cart' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] }),
    service({ namespace: 'shop', name: 'legacy', ports: [{ port: 5432, targetPort: 5432, protocol: 'TCP' }] }),
    service({ namespace: 'shop', name: 'provider', type: 'ExternalName', clusterIPs: [] }),
  ],
};

test('a Service name beside an outside name: each peer on its own ports, the rule on their union', () => {
  const unresolved: string[] = [];
  const r = resolveFqdns(['api.example.com', 'cart.shop.svc.cluster.local'], [{ protocol: 'TCP', port: 80 }], inv, unresolved);
  assert.deepEqual(unresolved, []);
  assert.deepEqual(r.peers, [
    { kind: 'pods', namespace: 'shop', selector: { matchLabels: { app: 'cart' } }, namespaces: ['shop'], workloads: [{ namespace: 'shop', kind: 'Deployment', name: 'cart' }], ports: [{ protocol: 'TCP', port: 8080 }] },
    { kind: 'fqdn', fqdns: ['api.example.com'], ports: [{ protocol: 'TCP', port: 80 }] },
  ]);
  assert.deepEqual(r.ports, [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 8080 }]);
});

test('a port the Service does not serve is a pod port; an ExternalName Service stays a DNS name; a Service without selector or absent is unresolved', () => {
  const unresolved: string[] = [];
  const cart = resolveFqdns(['cart.shop.svc'], [{ protocol: 'TCP', port: 9090 }], inv, unresolved);
  assert.deepEqual(cart.ports, [{ protocol: 'TCP', port: 9090 }]);
  assert.equal(cart.peers[0]?.ports, undefined, 'one peer: the rule\'s ports are its own');
  assert.deepEqual(resolveFqdns(['provider.shop.svc.cluster.local'], [], inv, unresolved).peers, [{ kind: 'fqdn', fqdns: ['provider.shop.svc.cluster.local'] }]);
  assert.deepEqual(unresolved, []);
  const none = resolveFqdns(['legacy.shop.svc.cluster.local', 'gone.shop.svc'], [{ protocol: 'TCP', port: 5432 }], inv, unresolved);
  assert.deepEqual(none, { peers: [], ports: [{ protocol: 'TCP', port: 5432 }] });
  assert.deepEqual(unresolved, [
    'legacy.shop.svc.cluster.local names Service shop/legacy, which has no selector: name its endpoints\' addresses as cidrs',
    'gone.shop.svc names Service shop/gone, which the inventory does not hold',
  ]);
});

test('a name the flows showed answering with a workload\'s pods is that workload on the ports as written, naming the name; also a DNS name where it answered outside too', () => {
  const unresolved: string[] = [];
  const gateway = { ...inv, workloads: [...inv.workloads, workload('edge', 'gateway', { app: 'gateway' }, [{ port: 8443, protocol: 'TCP' }])] };
  const seen = (table: Record<string, string[]>) => (pattern: string) => table[pattern] ?? [];
  const podOnly = resolveFqdns(['shop.example.com'], [{ protocol: 'TCP', port: 8443 }], gateway, unresolved, { workloads: seen({ 'shop.example.com': ['edge/Deployment/gateway'] }), addresses: seen({}) });
  assert.deepEqual(podOnly, {
    peers: [{ kind: 'pods', namespace: 'edge', selector: { matchLabels: { app: 'gateway' } }, namespaces: ['edge'], workloads: [{ namespace: 'edge', kind: 'Deployment', name: 'gateway' }], dnsNames: ['shop.example.com'] }],
    ports: [{ protocol: 'TCP', port: 8443 }],
  });
  const both = resolveFqdns(['shop.example.com'], [{ protocol: 'TCP', port: 8443 }], gateway, unresolved, {
    workloads: seen({ 'shop.example.com': ['edge/Deployment/gateway', 'gone/Deployment/old'] }),
    addresses: seen({ 'shop.example.com': ['203.0.113.9'] }),
  });
  assert.deepEqual(both.peers.map((p) => [p.kind, p.kind === 'pods' ? p.workloads.map((w) => w.name) : p.kind === 'fqdn' ? p.fqdns : []]), [['pods', ['gateway']], ['fqdn', ['shop.example.com']]], 'a workload the inventory does not hold is no peer');
  assert.deepEqual(unresolved, []);
});
