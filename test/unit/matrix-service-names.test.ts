/**
 * In-cluster Service names in a rule's `fqdns` (recommender/matrix/service-names.ts): the forms
 * kubernetes.io "DNS for Services and Pods" gives a Service (`<service>.<namespace>.svc.<cluster
 * domain>`, a headless Service's pod `<hostname>.<service>.<namespace>.svc…`), resolved from the
 * inventory to the Service's workloads on its target ports; every other name stays a DNS name.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InventorySnapshot, Service, Workload } from '../../domain/inventory.ts';
import { clusterDomainOf, NO_ANSWERS, resolveNamedPeers, serviceOfName, type NameAnswers } from '../../recommender/matrix/service-names.ts';
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

test('a port the Service does not serve is a pod port; an ExternalName Service stays a DNS name; a Service without selector or absent is unresolved, naming the peer to write', () => {
  const unresolved: string[] = [];
  const cart = resolveFqdns(['cart.shop.svc'], [{ protocol: 'TCP', port: 9090 }], inv, unresolved);
  assert.deepEqual(cart.ports, [{ protocol: 'TCP', port: 9090 }]);
  assert.equal(cart.peers[0]?.ports, undefined, 'one peer: the rule\'s ports are its own');
  assert.deepEqual(resolveFqdns(['provider.shop.svc.cluster.local'], [], inv, unresolved).peers, [{ kind: 'fqdn', fqdns: ['provider.shop.svc.cluster.local'] }]);
  assert.deepEqual(unresolved, []);
  // A selector-less Service's endpoints are set by hand (kubernetes.io "Services without selectors"): any address, a pod's too, which cidrs never select on Cilium.
  const slice = { namespace: 'shop', name: 'legacy-1', service: 'legacy', addressType: 'IPv4' as const, endpoints: [{ addresses: ['203.0.113.5'] }], ports: [{ port: 5432, protocol: 'TCP' as const }] };
  const none = resolveFqdns(['legacy.shop.svc.cluster.local', 'gone.shop.svc'], [{ protocol: 'TCP', port: 5432 }], { ...inv, endpointSlices: [slice] }, unresolved);
  assert.deepEqual(none, { peers: [], ports: [{ protocol: 'TCP', port: 5432 }] });
  assert.deepEqual(unresolved, [
    'legacy.shop.svc.cluster.local names Service shop/legacy, which has no selector (its endpoints are set by hand, listed as 203.0.113.5:5432): write each endpoint as the peer it is — peer {cidrs: [<address>/32]} for an address outside the cluster, {namespace, selector} for pods, on the endpoint port',
    'gone.shop.svc names Service shop/gone, which the inventory does not hold',
  ]);
});

test('a name the flows showed answering with a workload\'s pods is that workload on the ports as written, naming the name; also a DNS name where it answered outside too', () => {
  const unresolved: string[] = [];
  const gateway = { ...inv, workloads: [...inv.workloads, workload('edge', 'gateway', { app: 'gateway' }, [{ port: 8443, protocol: 'TCP' }])] };
  const seen = (table: Record<string, string[]>) => (pattern: string) => table[pattern] ?? [];
  const podOnly = resolveFqdns(['shop.example.com'], [{ protocol: 'TCP', port: 8443 }], gateway, unresolved, { workloads: seen({ 'shop.example.com': ['edge/Deployment/gateway'] }), services: seen({}), addresses: seen({}) });
  assert.deepEqual(podOnly, {
    peers: [{ kind: 'pods', namespace: 'edge', selector: { matchLabels: { app: 'gateway' } }, namespaces: ['edge'], workloads: [{ namespace: 'edge', kind: 'Deployment', name: 'gateway' }], dnsNames: ['shop.example.com'] }],
    ports: [{ protocol: 'TCP', port: 8443 }],
  });
  const both = resolveFqdns(['shop.example.com'], [{ protocol: 'TCP', port: 8443 }], gateway, unresolved, {
    workloads: seen({ 'shop.example.com': ['edge/Deployment/gateway', 'gone/Deployment/old'] }),
    services: seen({}),
    addresses: seen({ 'shop.example.com': ['203.0.113.9'] }),
  });
  assert.deepEqual(both.peers.map((p) => [p.kind, p.kind === 'pods' ? p.workloads.map((w) => w.name) : p.kind === 'fqdn' ? p.fqdns : []]), [['pods', ['gateway']], ['fqdn', ['shop.example.com']]], 'a workload the inventory does not hold is no peer');
  assert.deepEqual(unresolved, []);
});

/**
 * A store upgraded from before migration 0031 holds flows whose in-cluster answers were never kept
 * (`notKept`, migration 0033): a name without one may have had one there, said on the DNS peer; a
 * name the flows since showed answering with pods is known to lead in, and says nothing.
 */
test('while the store holds flows whose in-cluster answers were not kept, the DNS peer says which of its names have none', () => {
  const unresolved: string[] = [];
  const gateway = { ...inv, workloads: [...inv.workloads, workload('edge', 'gateway', { app: 'gateway' }, [{ port: 8443, protocol: 'TCP' }])] };
  const seen = (table: Record<string, string[]>) => (pattern: string) => table[pattern] ?? [];
  const notKept = { edges: 3, before: 1000 };
  const alone = resolveFqdns(['api.example.com'], [{ protocol: 'TCP', port: 443 }], inv, unresolved, { ...NO_ANSWERS, notKept });
  assert.deepEqual(alone.peers, [{ kind: 'fqdn', fqdns: ['api.example.com'], answersNotKept: { edges: 3, before: 1000, names: ['api.example.com'] } }]);
  const answers = { workloads: seen({ 'shop.example.com': ['edge/Deployment/gateway'] }), services: seen({}), addresses: seen({ 'shop.example.com': ['203.0.113.9'] }), notKept };
  const mixed = resolveFqdns(['api.example.com', 'shop.example.com'], [{ protocol: 'TCP', port: 8443 }], gateway, unresolved, answers);
  assert.deepEqual(mixed.peers.map((p) => [p.kind, p.kind === 'fqdn' ? p.answersNotKept?.names : undefined]), [['pods', undefined], ['fqdn', ['api.example.com']]]);
  assert.deepEqual(resolveFqdns(['api.example.com'], [], inv, unresolved).peers, [{ kind: 'fqdn', fqdns: ['api.example.com'] }], 'a store that kept every name says nothing');
  assert.deepEqual(unresolved, []);
});

/**
 * A pattern covers every name under its domain (docs/matrices.md, the `{fqdns}` peer), most never
 * seen: one name under it answered by a pod says nothing of the others, which Cilium's toFQDNs
 * matchPattern still has to reach (docs.cilium.io "Layer 3 Policies", DNS based). Before, the
 * pattern became that pod's workload alone and every outside name under it was cut.
 */
test('a pattern one of whose names the flows showed answering with a workload\'s pods stays a DNS name beside the workload', () => {
  const unresolved: string[] = [];
  const gateway = { ...inv, workloads: [...inv.workloads, workload('edge', 'gateway', { app: 'gateway' }, [{ port: 8443, protocol: 'TCP' }])] };
  const seen = (table: Record<string, string[]>) => (pattern: string) => table[pattern] ?? [];
  const r = resolveFqdns(['*.example.com'], [{ protocol: 'TCP', port: 8443 }], gateway, unresolved, { workloads: seen({ '*.example.com': ['edge/Deployment/gateway'] }), services: seen({}), addresses: seen({}) });
  assert.deepEqual(r.peers.map((p) => [p.kind, p.kind === 'pods' ? p.workloads.map((w) => w.name) : p.kind === 'fqdn' ? p.fqdns : []]), [['pods', ['gateway']], ['fqdn', ['*.example.com']]]);
  assert.deepEqual(unresolved, []);
});

test('the apiserver\'s Service name (kubernetes.default.svc[.cluster.local]) is the apiserver peer, not an unresolved selector-less Service', () => {
  // default/kubernetes has no selector: kube-apiserver keeps its endpoints itself (domain/apiserver.ts); the matrix says `peer: apiserver` for it (docs/matrices.md).
  const apiserver = [{ ip: '10.0.0.1', port: 6443, protocol: 'TCP' as const }];
  const withApi = { ...inv, apiserver, services: [...inv.services, service({ namespace: 'default', name: 'kubernetes', ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }] })] };
  for (const name of ['kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']) {
    const unresolved: string[] = [];
    const r = resolveFqdns([name], [{ protocol: 'TCP', port: 443 }], withApi, unresolved);
    assert.deepEqual(unresolved, [], name);
    assert.deepEqual(r, { peers: [{ kind: 'apiserver', endpoints: apiserver }], ports: [{ protocol: 'TCP', port: 443 }] }, name);
  }
});

test('a name the flows showed answering with a Service\'s ClusterIP is the Service\'s selector on its target ports, as its own name is; a Service that selects no pod today stays its selector', () => {
  const unresolved: string[] = [];
  const seen = (table: Record<string, string[]>) => (pattern: string) => table[pattern] ?? [];
  const answers = { workloads: seen({}), services: seen({ 'api.example.com': ['shop/cart'] }), addresses: seen({}) };
  const r = resolveFqdns(['api.example.com'], [{ protocol: 'TCP', port: 80 }], inv, unresolved, answers);
  assert.deepEqual(unresolved, []);
  assert.deepEqual(r, resolveFqdns(['cart.shop.svc.cluster.local'], [{ protocol: 'TCP', port: 80 }], inv, unresolved));
  assert.deepEqual(r.ports, [{ protocol: 'TCP', port: 8080 }]);
  // No pod carries app: ghost yet: the rule keeps the Service's selector, which pods created later match (not unresolved).
  const ghost = { ...inv, services: [...inv.services, service({ namespace: 'shop', name: 'ghost', selector: { app: 'ghost' }, ports: [{ port: 80, targetPort: 8081, protocol: 'TCP' }] })] };
  const g = resolveFqdns(['ghost.shop.svc'], [{ protocol: 'TCP', port: 80 }], ghost, unresolved);
  assert.deepEqual(unresolved, []);
  assert.deepEqual(g, { peers: [{ kind: 'pods', namespace: 'shop', selector: { matchLabels: { app: 'ghost' } }, namespaces: ['shop'], workloads: [] }], ports: [{ protocol: 'TCP', port: 8081 }] });
});

test('a short Service name a pod\'s search path completes (<service>.<namespace>, a headless pod <hostname>.<service>.<namespace>) is the Service where the inventory holds it; an outside two-label name and an absolute name stay DNS names', () => {
  // kubernetes.io "DNS for Services and Pods": resolv.conf `search <namespace>.svc.cluster.local svc.cluster.local cluster.local`,
  // `options ndots:5`; "a Pod in the test namespace can successfully resolve either data.prod or data.prod.svc.cluster.local".
  assert.deepEqual(serviceOfName('cart.shop', inv.services), { namespace: 'shop', service: 'cart' });
  assert.deepEqual(serviceOfName('Cart.Shop', inv.services), { namespace: 'shop', service: 'cart' });
  // <hostname>.<service>.<namespace> needs a headless Service (cart has a ClusterIP): the test of hostnames below.
  assert.deepEqual(serviceOfName('kubernetes.default', []), { namespace: 'default', service: 'kubernetes' });
  // No namespace `com` holds a Service `example`: the search path finds nothing, the name is asked as written.
  assert.equal(serviceOfName('example.com', inv.services), undefined);
  assert.equal(serviceOfName('api.example.com', inv.services), undefined);
  // Written absolute (the root dot), a name is not searched.
  assert.equal(serviceOfName('cart.shop.', inv.services), undefined);
  // Without the inventory only the full forms are recognized.
  assert.equal(serviceOfName('cart.shop'), undefined);
  const unresolved: string[] = [];
  const r = resolveFqdns(['cart.shop'], [{ protocol: 'TCP', port: 80 }], inv, unresolved);
  assert.deepEqual(r, resolveFqdns(['cart.shop.svc.cluster.local'], [{ protocol: 'TCP', port: 80 }], inv, unresolved));
  assert.deepEqual(r.ports, [{ protocol: 'TCP', port: 8080 }]);
  const apiserver = [{ ip: '10.0.0.1', port: 6443, protocol: 'TCP' as const }];
  assert.deepEqual(resolveFqdns(['kubernetes.default'], [{ protocol: 'TCP', port: 443 }], { ...inv, apiserver }, unresolved), { peers: [{ kind: 'apiserver', endpoints: apiserver }], ports: [{ protocol: 'TCP', port: 443 }] });
  assert.deepEqual(resolveFqdns(['example.com'], [{ protocol: 'TCP', port: 443 }], inv, unresolved).peers, [{ kind: 'fqdn', fqdns: ['example.com'] }]);
  assert.deepEqual(unresolved, []);
});

/**
 * The client's own namespace comes first on its search path. Kubernetes DNS-Based Service
 * Discovery (kubernetes/dns docs/specification.md 2.3.1, 2.4.1): `<service>.<ns>.svc.<zone>` is a
 * Service, `<hostname>.<service>.<ns>.svc.<zone>` a headless Service's endpoint; a pod's resolv.conf
 * searches `<ns>.svc.<zone> svc.<zone> <zone>` with `ndots:5` (kubernetes.io "DNS for Services and
 * Pods": "A Pod running in namespace bar can look up this service by simply doing a DNS query for
 * foo"). Before, `cart` asked from namespace shop stayed a DNS name (toFQDNs on Cilium, which never
 * selects a pod) and `cart-0.cart` was read as Service cart-0 of a namespace cart.
 */
test('a single label asked from a namespace is that namespace\'s Service; one the inventory lacks is unresolved, never a DNS name', () => {
  const shop = { clusterDomain: 'cluster.local', namespace: 'shop' };
  const unresolved: string[] = [];
  const r = resolveNamedPeers([{ kind: 'fqdn', fqdns: ['cart'] }], [{ protocol: 'TCP', port: 80 }], inv, NO_ANSWERS, unresolved, shop);
  assert.deepEqual(r, resolveFqdns(['cart.shop.svc.cluster.local'], [{ protocol: 'TCP', port: 80 }], inv, unresolved));
  assert.deepEqual(r.ports, [{ protocol: 'TCP', port: 8080 }]);
  assert.deepEqual(unresolved, []);
  const gone = resolveNamedPeers([{ kind: 'fqdn', fqdns: ['gone'] }], [{ protocol: 'TCP', port: 80 }], inv, NO_ANSWERS, unresolved, shop);
  assert.deepEqual(gone.peers, []);
  assert.deepEqual(unresolved, ['gone names Service shop/gone (asked from namespace shop), which the inventory does not hold']);
});

test('two labels: the client namespace\'s headless Service is tried first (<hostname>.<service>), then <service>.<namespace>, as resolv.conf orders them', () => {
  const db = service({ namespace: 'shop', name: 'db', clusterIPs: [], selector: { app: 'db' }, ports: [{ port: 5432, targetPort: 5432, protocol: 'TCP' }] });
  const withDb = { ...inv, workloads: [...inv.workloads, workload('shop', 'db', { app: 'db' }, [{ port: 5432, protocol: 'TCP' }])], services: [...inv.services, db] };
  const shop = { clusterDomain: 'cluster.local', namespace: 'shop' };
  const unresolved: string[] = [];
  // db-0.db.shop.svc.cluster.local may be the headless Service's endpoint db-0 (its hostname is not in
  // the inventory); if it is not, the resolver goes on to db-0.db.svc… (no namespace db) and asks db-0.db as written.
  const r = resolveNamedPeers([{ kind: 'fqdn', fqdns: ['db-0.db'] }], [{ protocol: 'TCP', port: 5432 }], withDb, NO_ANSWERS, unresolved, shop);
  assert.deepEqual(r.peers.map((p) => [p.kind, p.kind === 'pods' ? p.workloads.map((w) => w.name) : p.kind === 'fqdn' ? p.fqdns : []]), [['pods', ['db']], ['fqdn', ['db-0.db']]]);
  // cart.shop from shop: cart.shop.shop.svc… would be an endpoint of a headless Service shop/shop, which
  // the inventory does not hold, so the Service shop/cart answers, as before.
  assert.deepEqual(resolveNamedPeers([{ kind: 'fqdn', fqdns: ['cart.shop'] }], [{ protocol: 'TCP', port: 80 }], withDb, NO_ANSWERS, unresolved, shop), resolveFqdns(['cart.shop.svc'], [{ protocol: 'TCP', port: 80 }], withDb, unresolved));
  // From another namespace db-0.db is Service db-0 of namespace db: not held, a DNS name as before.
  assert.deepEqual(resolveNamedPeers([{ kind: 'fqdn', fqdns: ['db-0.db'] }], [{ protocol: 'TCP', port: 5432 }], withDb, NO_ANSWERS, unresolved, { clusterDomain: 'cluster.local', namespace: 'web' }).peers, [{ kind: 'fqdn', fqdns: ['db-0.db'] }]);
  assert.deepEqual(unresolved, []);
});

/** kubernetes/dns docs/specification.md 2.1: `<zone>` = "configured cluster domain, e.g. cluster.local" (kubelet `clusterDomain`). */
test('under another cluster domain, <service>.<namespace>.svc.<domain> is the Service and cluster.local is an outside name', () => {
  const corp = { clusterDomain: 'corp.example' };
  const unresolved: string[] = [];
  const r = resolveNamedPeers([{ kind: 'fqdn', fqdns: ['cart.shop.svc.corp.example'] }], [{ protocol: 'TCP', port: 80 }], inv, NO_ANSWERS, unresolved, corp);
  assert.deepEqual(r, resolveFqdns(['cart.shop.svc'], [{ protocol: 'TCP', port: 80 }], inv, unresolved));
  assert.deepEqual(serviceOfName('cart.shop.svc.corp.example', inv.services, corp), { namespace: 'shop', service: 'cart' });
  assert.equal(serviceOfName('cart.shop.svc.cluster.local', inv.services, corp), undefined);
  assert.equal(serviceOfName('cart.shop.svc.corp.example', inv.services), undefined, 'the default domain is cluster.local');
  assert.deepEqual(unresolved, []);
});

/**
 * A headless Service is not translated: "For headless Services, a cluster IP is not allocated,
 * kube-proxy does not handle these Services, and there is no load balancing or proxying done by the
 * platform for them" (kubernetes.io "Service", Headless Services). Its names answer with the pods'
 * own addresses (kubernetes/dns docs/specification.md 2.4.1), and the client dials them on the port
 * it chose. Before, the Service port 5432 was translated to its targetPort 9187, so every engine
 * allowed 9187 on the pods and cut the client's 5432 while the must flow was verified on 9187.
 */
test('a headless Service\'s names, in every spelling, are its pods on the rule\'s ports as written, never its target ports', () => {
  const pg = service({ namespace: 'shop', name: 'pg', clusterIPs: [], selector: { app: 'postgres' }, ports: [{ name: 'pg', port: 5432, targetPort: 9187, protocol: 'TCP' }] });
  const withPg = { ...inv, workloads: [...inv.workloads, workload('shop', 'postgres', { app: 'postgres' }, [{ name: 'pg', port: 5432, protocol: 'TCP' }, { name: 'metrics', port: 9187, protocol: 'TCP' }])], services: [...inv.services, pg] };
  const shop = { clusterDomain: 'cluster.local', namespace: 'shop' };
  const names = ['pg.shop.svc.cluster.local', 'postgres-0.pg.shop.svc.cluster.local', 'postgres-0.pg.shop.svc', 'pg.shop', 'postgres-0.pg.shop', 'pg'];
  for (const name of names) {
    const unresolved: string[] = [];
    const r = resolveNamedPeers([{ kind: 'fqdn', fqdns: [name] }], [{ protocol: 'TCP', port: 5432 }], withPg, NO_ANSWERS, unresolved, shop);
    assert.deepEqual(unresolved, [], name);
    assert.deepEqual(r, { peers: [{ kind: 'pods', namespace: 'shop', selector: { matchLabels: { app: 'postgres' } }, namespaces: ['shop'], workloads: [{ namespace: 'shop', kind: 'Deployment', name: 'postgres' }] }], ports: [{ protocol: 'TCP', port: 5432 }] }, name);
  }
  // <hostname>.<service> asked from shop is the endpoint first, then (hostnames not in the inventory) the name as written.
  const short = resolveNamedPeers([{ kind: 'fqdn', fqdns: ['postgres-0.pg'] }], [{ protocol: 'TCP', port: 5432 }], withPg, NO_ANSWERS, [], shop);
  assert.deepEqual(short.peers.map((p) => [p.kind, p.ports]), [['pods', [{ protocol: 'TCP', port: 5432 }]], ['fqdn', [{ protocol: 'TCP', port: 5432 }]]]);
  // A port by name that no Service port has stays that name: the pods' container port it names.
  assert.deepEqual(resolveFqdns(['pg.shop.svc'], [{ protocol: 'TCP', name: 'metrics' }], withPg, []).ports, [{ protocol: 'TCP', name: 'metrics' }]);
});

/**
 * A headless Service's port NAME is found through its SRV records: `_<port>._<proto>.<service>.<ns>.svc.<zone>`
 * answers with the endpoint's port number (kubernetes/dns docs/specification.md 2.4.2; CoreDNS's
 * kubernetes plugin fills it from the EndpointSlice port, which is the target port on the pod), so
 * a client reaching `pg` dials the target port. Before, the rule's `pg` stayed a pod port name that no
 * pod declares: the policy opened nothing while the verification passed.
 */
test('a headless Service\'s port by its Service port name is the endpoints\' port (its targetPort on the pods); a numbered port stays as written', () => {
  const db = service({ namespace: 'shop', name: 'db', clusterIPs: [], selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432, targetPort: 6432, protocol: 'TCP' }, { name: 'admin', port: 9000, targetPort: 'bouncer', protocol: 'TCP' }] });
  const withDb = { ...inv, workloads: [...inv.workloads, workload('shop', 'db', { app: 'db' }, [{ name: 'postgres', port: 5432, protocol: 'TCP' }, { name: 'bouncer', port: 6432, protocol: 'TCP' }])], services: [...inv.services, db] };
  assert.deepEqual(resolveFqdns(['db.shop.svc.cluster.local'], [{ protocol: 'TCP', name: 'pg' }], withDb, []).ports, [{ protocol: 'TCP', port: 6432 }]);
  assert.deepEqual(resolveFqdns(['db.shop.svc.cluster.local'], [{ protocol: 'TCP', name: 'admin' }], withDb, []).ports, [{ protocol: 'TCP', port: 6432 }]);
  assert.deepEqual(resolveFqdns(['db.shop.svc.cluster.local'], [{ protocol: 'TCP', port: 5432 }], withDb, []).ports, [{ protocol: 'TCP', port: 5432 }]);
  assert.deepEqual(resolveFqdns(['db.shop.svc.cluster.local'], [{ protocol: 'TCP', name: 'postgres' }], withDb, []).ports, [{ protocol: 'TCP', name: 'postgres' }]);
});

/**
 * An ExternalName Service's name is a CNAME to its externalName (kubernetes/dns
 * docs/specification.md 2.5: `<service>.<ns>.svc.<zone>. <ttl> IN CNAME <extname>.`), which the
 * client's resolver then asks. When the externalName is itself a Service's name, the client reaches
 * that Service: its ClusterIP, translated to its pods' target ports. Before, alias.shop.svc… stayed
 * a DNS name (toFQDNs, or any destination), which never selects the pods the ClusterIP leads to.
 */
test('an ExternalName Service whose externalName is a Service\'s name is that Service (through a chain); one leading outside, looping or too long stays a DNS name', () => {
  const api = workload('shop', 'api', { app: 'api' }, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  const alias = (name: string, externalName: string) => service({ namespace: 'shop', name, type: 'ExternalName', clusterIPs: [], externalName });
  const chain = Array.from({ length: 12 }, (_, i) => alias(`hop${i}`, `hop${i + 1}.shop.svc.cluster.local`));
  const withAlias: InventorySnapshot = {
    ...inv,
    workloads: [...inv.workloads, api],
    services: [
      ...inv.services,
      service({ namespace: 'shop', name: 'api', selector: { app: 'api' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] }),
      alias('alias', 'api.shop.svc.cluster.local'),
      alias('alias2', 'alias.shop.svc.cluster.local.'),
      alias('outside', 'db.example.net'),
      alias('loop1', 'loop2.shop.svc.cluster.local'),
      alias('loop2', 'loop1.shop.svc.cluster.local'),
      alias('other-domain', 'api.shop.svc.corp.example'),
      ...chain,
      service({ namespace: 'shop', name: 'hop12', selector: { app: 'api' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] }),
    ],
  };
  const apiPeer = { kind: 'pods', namespace: 'shop', selector: { matchLabels: { app: 'api' } }, namespaces: ['shop'], workloads: [{ namespace: 'shop', kind: 'Deployment', name: 'api' }] };
  for (const name of ['alias.shop.svc.cluster.local', 'alias2.shop.svc.cluster.local', 'alias.shop']) {
    const unresolved: string[] = [];
    assert.deepEqual(resolveFqdns([name], [{ protocol: 'TCP', port: 80 }], withAlias, unresolved), { peers: [apiPeer], ports: [{ protocol: 'TCP', port: 8080 }] }, name);
    assert.deepEqual(unresolved, [], name);
  }
  for (const name of ['outside.shop.svc.cluster.local', 'loop1.shop.svc.cluster.local', 'other-domain.shop.svc.cluster.local', 'hop0.shop.svc.cluster.local']) {
    assert.deepEqual(resolveFqdns([name], [{ protocol: 'TCP', port: 80 }], withAlias, []), { peers: [{ kind: 'fqdn', fqdns: [name] }], ports: [{ protocol: 'TCP', port: 80 }] }, name);
  }
});

/**
 * Only a headless Service has endpoint hostname records: "Given a headless Service `<service>` in
 * Namespace `<ns>` (i.e., a Service with no ClusterIP) … There must also be an `A` record of the
 * following form for each _ready_ endpoint with _hostname_: `<hostname>.<service>.<ns>.svc.<zone>`"
 * (kubernetes/dns docs/specification.md 2.4.1); a Service with a ClusterIP has its own name only
 * (2.3.1). Before, `cart-0.cart.shop.svc.cluster.local` of the ClusterIP Service cart was read as
 * the Service's name and allowed every cart pod: a name that answers nothing became an allow.
 */
test('<hostname>.<service> of a Service with a ClusterIP has no record: no peer, said; its short form is asked outside as written', () => {
  const unresolved: string[] = [];
  const r = resolveFqdns(['cart-0.cart.shop.svc.cluster.local'], [{ protocol: 'TCP', port: 80 }], inv, unresolved);
  assert.deepEqual(r, { peers: [], ports: [{ protocol: 'TCP', port: 80 }] });
  assert.deepEqual(unresolved, [
    'cart-0.cart.shop.svc.cluster.local has no DNS record: Service shop/cart is not headless, and only a headless Service (clusterIP: None) has records for its endpoints\' hostnames (<hostname>.<service>.<namespace>.svc.cluster.local): write the Service\'s name cart.shop.svc.cluster.local',
  ]);
  assert.equal(serviceOfName('cart-0.cart.shop.svc', inv.services), undefined);
  // cart-0.cart.shop: no search entry answers (cart-0.cart.shop.svc.cluster.local has no record), so the resolver asks it as written.
  const short: string[] = [];
  assert.deepEqual(resolveFqdns(['cart-0.cart.shop'], [{ protocol: 'TCP', port: 80 }], inv, short).peers, [{ kind: 'fqdn', fqdns: ['cart-0.cart.shop'] }]);
  assert.equal(serviceOfName('cart-0.cart.shop', inv.services), undefined);
  assert.deepEqual(short, []);
});

/**
 * A pod's address record `<a>-<b>-<c>-<d>.<ns>.pod.<zone>` answers with that address (kubernetes/dns
 * docs/specification.md, the pod A records; CoreDNS's kubernetes plugin `pods insecure|verified`:
 * "verified" answers only where a pod of that namespace has the address), a pod's own address that
 * no engine's DNS peer selects. Before, `10-244-2-25.shop.pod.cluster.local` stayed a DNS name
 * (toFQDNs, or addresses outside the cluster) and the cart pod it names was cut.
 */
test('a pod address record is the workload of the pod of that namespace holding the address, on the ports as written; one no pod holds is said, no peer', () => {
  const cartPod = { ip: '10.244.2.25', namespace: 'shop', pod: 'cart-abc-1', workload: { namespace: 'shop', kind: 'Deployment' as const, name: 'cart' }, hostNetwork: false };
  const v6Pod = { ip: 'fd00:10:244::19', namespace: 'shop', pod: 'cart-abc-2', workload: { namespace: 'shop', kind: 'Deployment' as const, name: 'cart' }, hostNetwork: false };
  const withPods: InventorySnapshot = { ...inv, podAddresses: [cartPod, v6Pod] };
  const cart = { kind: 'pods', namespace: 'shop', selector: { matchLabels: { app: 'cart' } }, namespaces: ['shop'], workloads: [{ namespace: 'shop', kind: 'Deployment', name: 'cart' }] };
  for (const name of ['10-244-2-25.shop.pod.cluster.local', '10-244-2-25.shop.pod', 'fd00-10-244--19.shop.pod.cluster.local']) {
    const unresolved: string[] = [];
    assert.deepEqual(resolveFqdns([name], [{ protocol: 'TCP', port: 8080 }], withPods, unresolved), { peers: [cart], ports: [{ protocol: 'TCP', port: 8080 }] }, name);
    assert.deepEqual(unresolved, [], name);
  }
  const unresolved: string[] = [];
  assert.deepEqual(resolveFqdns(['10-244-2-99.shop.pod.cluster.local', '10-244-2-25.web.pod.cluster.local'], [{ protocol: 'TCP', port: 8080 }], withPods, unresolved).peers, []);
  assert.deepEqual(unresolved, [
    '10-244-2-99.shop.pod.cluster.local is the pod address record of 10.244.2.99 in namespace shop, which no pod of the inventory holds: write the pod\'s workload as a {namespace, selector} peer',
    '10-244-2-25.web.pod.cluster.local is the pod address record of 10.244.2.25 in namespace web, which no pod of the inventory holds: write the pod\'s workload as a {namespace, selector} peer',
  ]);
  // Not an address, or written absolute without the cluster domain: no pod record, a DNS name as before.
  assert.deepEqual(resolveFqdns(['web.shop.pod', '10-244-2-25.shop.pod.'], [{ protocol: 'TCP', port: 8080 }], withPods, []).peers, [{ kind: 'fqdn', fqdns: ['web.shop.pod', '10-244-2-25.shop.pod.'] }]);
});


/**
 * One endpoint of a headless Service, `<hostname>.<service>.<ns>.svc.<zone>`, has an A record of
 * its own that answers with that endpoint's address alone (kubernetes/dns docs/specification.md
 * 2.4.1: "for each ready endpoint … `<hostname>.<service>.<ns>.svc.<zone>. <ttl> IN A
 * <endpoint-ip>`"), the endpoint named by its EndpointSlice `hostname` (a StatefulSet pod's stable
 * name). Before, the name was the whole Service's backends: here the exporter that shares the
 * kafka label as well. The pod's workload is the peer: a per-pod selector
 * (`statefulset.kubernetes.io/pod-name`) selects no pod under Cilium (cilium#28003) and the
 * verification judges a workload as a whole, so the rule's explanation says it allows the workload.
 */
test('<hostname>.<service>.<ns>.svc of a headless Service is the workload of the endpoint of that hostname, naming the pod; a name no stored endpoint has is the Service\'s backends', () => {
  const kafka: Workload = { ...workload('shop', 'kafka', { app: 'kafka', w: 'kafka' }, [{ name: 'metrics', port: 9404, protocol: 'TCP' }]), kind: 'StatefulSet' };
  const exporter = workload('shop', 'kafka-exporter', { app: 'kafka', w: 'exporter' }, [{ name: 'metrics', port: 9404, protocol: 'TCP' }]);
  const headless = service({ namespace: 'shop', name: 'kafka-headless', clusterIPs: [], selector: { app: 'kafka' }, ports: [{ name: 'metrics', port: 9404, targetPort: 'metrics', protocol: 'TCP' }] });
  const slice = {
    namespace: 'shop', name: 'kafka-headless-abcde', service: 'kafka-headless', addressType: 'IPv4' as const, ports: [{ name: 'metrics', port: 9404, protocol: 'TCP' as const }],
    endpoints: [
      { addresses: ['10.244.0.30'], hostname: 'kafka-0', targetRef: { kind: 'Pod', namespace: 'shop', name: 'kafka-0' } },
      { addresses: ['10.244.0.31'], targetRef: { kind: 'Pod', namespace: 'shop', name: 'kafka-exporter-x1' } },
    ],
  };
  const podAddresses = [
    { ip: '10.244.0.30', namespace: 'shop', pod: 'kafka-0', workload: { namespace: 'shop', kind: 'StatefulSet' as const, name: 'kafka' }, hostNetwork: false },
    { ip: '10.244.0.31', namespace: 'shop', pod: 'kafka-exporter-x1', workload: { namespace: 'shop', kind: 'Deployment' as const, name: 'kafka-exporter' }, hostNetwork: false },
  ];
  const withKafka: InventorySnapshot = { ...inv, workloads: [...inv.workloads, kafka, exporter], services: [...inv.services, headless], endpointSlices: [slice], podAddresses };
  const kafka0 = {
    kind: 'pods', namespace: 'shop', selector: { matchLabels: { app: 'kafka', w: 'kafka' } }, namespaces: ['shop'], workloads: [{ namespace: 'shop', kind: 'StatefulSet', name: 'kafka' }],
    endpoint: { name: 'kafka-0.kafka-headless.shop.svc.cluster.local', service: 'shop/kafka-headless', pods: ['shop/kafka-0'] },
  };
  const port = [{ protocol: 'TCP' as const, port: 9404 }];
  const shop = { clusterDomain: 'cluster.local', namespace: 'shop' };
  for (const name of ['kafka-0.kafka-headless.shop.svc.cluster.local', 'kafka-0.kafka-headless.shop.svc', 'kafka-0.kafka-headless.shop']) {
    const unresolved: string[] = [];
    const r = resolveNamedPeers([{ kind: 'fqdn', fqdns: [name] }], port, withKafka, NO_ANSWERS, unresolved, shop);
    assert.deepEqual(r, { peers: [{ ...kafka0, endpoint: { ...kafka0.endpoint, name } }], ports: port }, name);
    assert.deepEqual(unresolved, [], name);
  }
  // From the component's own namespace `<hostname>.<service>` is first `kafka-0.kafka-headless.shop.svc.cluster.local`
  // (resolv.conf search, ndots:5): the stored endpoint answers it, so the search ends there — no DNS name beside it.
  assert.deepEqual(resolveNamedPeers([{ kind: 'fqdn', fqdns: ['kafka-0.kafka-headless'] }], port, withKafka, NO_ANSWERS, [], shop), { peers: [{ ...kafka0, endpoint: { ...kafka0.endpoint, name: 'kafka-0.kafka-headless' } }], ports: port });
  // An endpoint without a hostname is named by its dashed address (CoreDNS plugin/kubernetes README, endpoint_pod_names).
  const byAddress = resolveNamedPeers([{ kind: 'fqdn', fqdns: ['10-244-0-31.kafka-headless.shop.svc'] }], port, withKafka, NO_ANSWERS, [], shop);
  assert.deepEqual(byAddress.peers.map((p) => p.kind === 'pods' && [p.workloads.map((w) => w.name), p.endpoint?.pods]), [[['kafka-exporter'], ['shop/kafka-exporter-x1']]]);
  // No stored endpoint has the name (an inventory imported before hostnames were kept): the Service's backends, as before.
  const older = resolveNamedPeers([{ kind: 'fqdn', fqdns: ['kafka-1.kafka-headless.shop.svc'] }], port, withKafka, NO_ANSWERS, [], shop);
  assert.deepEqual(older.peers.map((p) => p.kind === 'pods' && [p.selector, p.workloads.map((w) => w.name), p.endpoint]), [[{ matchLabels: { app: 'kafka' } }, ['kafka-exporter', 'kafka'], undefined]]);
  const short = resolveNamedPeers([{ kind: 'fqdn', fqdns: ['kafka-1.kafka-headless'] }], port, withKafka, NO_ANSWERS, [], shop);
  assert.deepEqual(short.peers.map((p) => p.kind), ['pods', 'fqdn'], 'may not answer: the search goes on, as before');
});
/** kubernetes/dns docs/specification.md 2.1: `<zone>` = "configured cluster domain, e.g. cluster.local"; one helper reads it from the config. */
test('the cluster domain of a config: its clusterDomain, else cluster.local', () => {
  assert.equal(clusterDomainOf({}), 'cluster.local');
  assert.equal(clusterDomainOf({ clusterDomain: 'corp.example' }), 'corp.example');
});

/**
 * An ExternalName Service leading outside stays a DNS name, spelled as the name the pod's resolver
 * asks, which is the name every engine ties the answer's addresses to. The pod's resolv.conf
 * (`search <ns>.svc.<zone> svc.<zone> <zone>`, `ndots:5`: kubernetes.io "DNS for Services and
 * Pods") completes `ext`, `ext.shop` and `ext.shop.svc` to `ext.shop.svc.<zone>`, which CoreDNS
 * answers in one response: the CNAME to the externalName and that name's addresses, looked up
 * upstream (coredns plugin/backend_lookup.go `A`: `b.Lookup(ctx, state, target, …)`, appended after
 * the CNAME). Cilium's DNS proxy ties those addresses to the query name alone (cilium/cilium
 * daemon/cmd/fqdn.go notifyOnDNSMsg: `UpdateGenerateDNS(…, {qname: {IPs: responseIPs}})`, qname
 * from `ExtractMsgDetails`, the CNAMEs only logged), and toFQDNs `matchName` compares with that
 * name (pkg/fqdn matchpattern); Hubble's destination_names are those names too. Before, `ext`
 * rendered `toFQDNs: [{matchName: ext}]`, which no query name ever is: the pod was cut while the
 * verification passed on a stand-in carrying the name `ext`.
 */
test('an ExternalName Service leading outside, by any name a pod asks it by, is the DNS name its resolver asks: <service>.<namespace>.svc.<cluster domain>', () => {
  const withExt: InventorySnapshot = { ...inv, services: [...inv.services, service({ namespace: 'shop', name: 'ext', type: 'ExternalName', clusterIPs: [], externalName: 'api.example.com' })] };
  const shop = { clusterDomain: 'cluster.local', namespace: 'shop' };
  for (const name of ['ext', 'ext.shop', 'ext.shop.svc', 'ext.shop.svc.cluster.local', 'EXT.shop.svc.cluster.local.']) {
    const unresolved: string[] = [];
    const r = resolveNamedPeers([{ kind: 'fqdn', fqdns: [name] }], [{ protocol: 'TCP', port: 443 }], withExt, NO_ANSWERS, unresolved, shop);
    assert.deepEqual(r, { peers: [{ kind: 'fqdn', fqdns: ['ext.shop.svc.cluster.local'] }], ports: [{ protocol: 'TCP', port: 443 }] }, name);
    assert.deepEqual(unresolved, [], name);
  }
  // Under the configured cluster domain; and one name however often the rule spells it.
  const corp = resolveNamedPeers([{ kind: 'fqdn', fqdns: ['ext', 'ext.shop.svc.corp.example', 'api.example.com'] }], [], withExt, NO_ANSWERS, [], { clusterDomain: 'corp.example', namespace: 'shop' });
  assert.deepEqual(corp.peers, [{ kind: 'fqdn', fqdns: ['ext.shop.svc.corp.example', 'api.example.com'] }]);
  // The addresses the flows showed under the name asked are looked up under that name.
  const seen = (table: Record<string, string[]>) => (pattern: string) => table[pattern] ?? [];
  const notKept = { edges: 1, before: 1000 };
  const kept = resolveNamedPeers([{ kind: 'fqdn', fqdns: ['ext'] }], [], withExt, { workloads: seen({}), services: seen({}), addresses: seen({}), notKept }, [], shop);
  assert.deepEqual(kept.peers, [{ kind: 'fqdn', fqdns: ['ext.shop.svc.cluster.local'], answersNotKept: { edges: 1, before: 1000, names: ['ext.shop.svc.cluster.local'] } }]);
});
