import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { convertInventoryText } from '../../collectors/inventory/index.ts';
import { isVolatileLabel, selectorFromLabels } from '../../collectors/inventory/labels.ts';
import type { Service, Workload } from '../../domain/inventory.ts';
import { exposureOf } from '../../domain/service-links.ts';
import { workloadKey } from '../../domain/peer.ts';
import { REFERENCE } from '../helpers/reference.ts';

const FIXTURES = new URL('../fixtures/inventory/', import.meta.url).pathname;
const T = Date.parse('2025-03-02T12:00:00Z');
const cluster = convertInventoryText(readFileSync(join(FIXTURES, 'cluster.json'), 'utf8'), T);

function workload(key: string): Workload {
  const w = cluster.snapshot.workloads.find((x) => workloadKey(x) === key);
  assert.ok(w, `workload ${key} exists; have ${cluster.snapshot.workloads.map(workloadKey).join(', ')}`);
  return w;
}

test('workload identity follows owner references', () => {
  assert.deepEqual(cluster.snapshot.workloads.map(workloadKey), [
    'batch-jobs/CronJob/report',
    'batch-jobs/Job/db-migrate',
    'kube-system/Deployment/coredns',
    'monitoring/DaemonSet/node-exporter',
    'shop/Deployment/checkout',
    'shop/Deployment/web',
    'shop/Pod/debug',
    'shop/StatefulSet/db',
  ]);
  const alias = (ns: string, kind: string, name: string) =>
    cluster.snapshot.ownerAliases?.find((a) => a.namespace === ns && a.kind === kind && a.name === name)?.workload;
  assert.deepEqual(alias('shop', 'ReplicaSet', 'web-6b9f8c7d54'), { namespace: 'shop', kind: 'Deployment', name: 'web' });
  assert.deepEqual(alias('shop', 'Pod', 'web-6b9f8c7d54-x2x9k'), { namespace: 'shop', kind: 'Deployment', name: 'web' });
  assert.deepEqual(alias('batch-jobs', 'Job', 'report-28995030'), { namespace: 'batch-jobs', kind: 'CronJob', name: 'report' });
  assert.deepEqual(alias('batch-jobs', 'Pod', 'report-28995030-kx2lp'), { namespace: 'batch-jobs', kind: 'CronJob', name: 'report' });
  assert.deepEqual(alias('shop', 'Pod', 'db-0'), { namespace: 'shop', kind: 'StatefulSet', name: 'db' });
  assert.deepEqual(alias('monitoring', 'Pod', 'node-exporter-r2m9q'), { namespace: 'monitoring', kind: 'DaemonSet', name: 'node-exporter' });
  assert.deepEqual(alias('shop', 'Pod', 'debug'), { namespace: 'shop', kind: 'Pod', name: 'debug' });
  assert.deepEqual(cluster.warnings, []);
});

test('selectors: the owner spec.selector, else pod labels without volatile ones', () => {
  assert.deepEqual(workload('shop/Deployment/web').selector, { matchLabels: { app: 'web' } });
  assert.deepEqual(workload('shop/Deployment/web').labels, { app: 'web', tier: 'frontend' });
  // CronJobs have no selector; the Job controller's controller-uid selector names one run only.
  assert.deepEqual(workload('batch-jobs/CronJob/report').selector, { matchLabels: { app: 'report' } });
  assert.deepEqual(workload('batch-jobs/Job/db-migrate').selector, { matchLabels: { 'app.kubernetes.io/name': 'db-migrate' } });
  assert.deepEqual(workload('shop/Pod/debug').selector, { matchLabels: { run: 'debug' } });
  for (const k of ['pod-template-hash', 'controller-revision-hash', 'pod-template-generation', 'statefulset.kubernetes.io/pod-name', 'job-name', 'controller-uid', 'batch.kubernetes.io/job-name', 'topology.kubernetes.io/zone']) {
    assert.ok(isVolatileLabel(k), k);
  }
  assert.ok(!isVolatileLabel('app.kubernetes.io/name'));
  assert.deepEqual(selectorFromLabels({ app: 'x', 'pod-template-hash': 'abc', 'batch.kubernetes.io/controller-uid': 'u' }), { matchLabels: { app: 'x' } });
});

test('a workload scaled to zero is still a workload, with its template ports', () => {
  const w = workload('shop/Deployment/checkout');
  assert.deepEqual(w.ports, [{ name: 'https', port: 8443, protocol: 'TCP', container: 'checkout' }]);
  assert.equal(cluster.snapshot.podAddresses.some((a) => a.workload.name === 'checkout'), false);
});

test('Services select workloads by their labels, also per-pod Services of a StatefulSet', () => {
  assert.deepEqual(workload('shop/Deployment/web').services, ['shop/web', 'shop/web-metrics']);
  assert.deepEqual(workload('shop/StatefulSet/db').services, ['shop/db', 'shop/db-0-primary']);
  assert.deepEqual(workload('kube-system/Deployment/coredns').services, ['kube-system/kube-dns']);
  assert.deepEqual(workload('shop/Pod/debug').services, []);
});

test('exposure: LoadBalancer/NodePort (with the Service\'s externalTrafficPolicy) and Ingress backends resolve named target ports to pod ports', () => {
  assert.deepEqual(workload('shop/Deployment/web').exposure, [
    { via: 'Ingress', object: 'shop/storefront', port: 8080, protocol: 'TCP' },
    { via: 'LoadBalancer', object: 'shop/web', port: 8080, protocol: 'TCP', externalTrafficPolicy: 'Cluster' },
  ]);
  assert.deepEqual(workload('shop/Deployment/checkout').exposure, [
    { via: 'Ingress', object: 'shop/storefront', port: 8443, protocol: 'TCP' },
    { via: 'NodePort', object: 'shop/checkout', port: 8443, protocol: 'TCP', externalTrafficPolicy: 'Cluster' },
  ]);
  assert.deepEqual(workload('shop/StatefulSet/db').exposure, []);
});

/** A List of one Deployment's Pod (app=api, port 8080) and the Service `spec` (and `status`, if given) selecting it. */
function withService(spec: Record<string, unknown>, status?: Record<string, unknown>): string {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'api', namespace: 'shop', labels: { app: 'api' } }, spec: { containers: [{ name: 'api', ports: [{ name: 'http', containerPort: 8080 }] }] } };
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop' }, spec: { selector: { app: 'api' }, clusterIP: '10.96.9.9', ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }], ...spec }, ...(status ? { status } : {}) };
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod, svc] });
}

test('a Service\'s spec.externalIPs and spec.externalTrafficPolicy are read; a ClusterIP Service with externalIPs is exposed on them (kubernetes.io "Service", External IPs), and each exposure says its Service\'s externalTrafficPolicy', () => {
  // "Traffic that ingresses into the cluster with the external IP (as destination IP), on the Service
  // port, will be routed to one of the Service endpoints" (kubernetes.io "Service", External IPs).
  const r = convertInventoryText(withService({ externalIPs: ['203.0.113.20', '2001:DB8::10', '203.0.113.10'], externalTrafficPolicy: 'Local' }), T);
  const svc = r.snapshot.services.find((s) => s.name === 'api')!;
  assert.deepEqual(svc.externalIPs, ['2001:db8::10', '203.0.113.10', '203.0.113.20']);
  assert.equal(svc.externalTrafficPolicy, 'Local');
  assert.deepEqual(r.snapshot.workloads.find((w) => w.name === 'api')!.exposure, [
    { via: 'externalIPs', object: 'shop/api', port: 8080, protocol: 'TCP', addresses: ['2001:db8::10', '203.0.113.10', '203.0.113.20'], externalTrafficPolicy: 'Local' },
  ]);
  // A LoadBalancer's exposure carries its policy; no externalIPs, no such exposure.
  const lb = convertInventoryText(withService({ type: 'LoadBalancer', externalTrafficPolicy: 'Cluster' }), T);
  assert.deepEqual(lb.snapshot.workloads.find((w) => w.name === 'api')!.exposure, [{ via: 'LoadBalancer', object: 'shop/api', port: 8080, protocol: 'TCP', externalTrafficPolicy: 'Cluster' }]);
  // An ExternalName Service is no proxy: its externalIPs expose nothing (kubernetes pkg/api/service ExternallyAccessible).
  const named = convertInventoryText(withService({ type: 'ExternalName', externalName: 'db.example.com', externalIPs: ['203.0.113.10'] }), T);
  assert.deepEqual(named.snapshot.workloads.find((w) => w.name === 'api')!.exposure, []);
  // Its externalName is kept, canonical: its own name is a CNAME to it (kubernetes/dns docs/specification.md 2.5).
  const alias = convertInventoryText(withService({ type: 'ExternalName', externalName: 'API.shop.svc.cluster.local.' }), T);
  assert.equal(alias.snapshot.services.find((s) => s.name === 'api')!.externalName, 'api.shop.svc.cluster.local');
  // Anything else the API server never holds there (ValidateService: a DNS-1123 subdomain): refused at the door, naming the field and value.
  assert.throws(() => convertInventoryText(withService({ type: 'ExternalName', externalName: 'not a name' }), T), /externalName: expected a DNS name that must be a DNS-1123 subdomain.*"not a name"/);
});

test('a Service\'s externalIPs entry that is no IP address, or an externalTrafficPolicy other than Cluster or Local, is refused naming the object, the field and the value', () => {
  assert.throws(() => convertInventoryText(withService({ externalIPs: ['203.0.113.10', 'lb.example.com'] }), T), /Service shop\/api.*spec\.externalIPs\[1\]: expected an IPv4 or IPv6 address, got the string "lb\.example\.com"/);
  assert.throws(() => convertInventoryText(withService({ type: 'NodePort', externalTrafficPolicy: 'OnlyLocal' }), T), /Service shop\/api.*spec\.externalTrafficPolicy: expected Cluster or Local, got the string "OnlyLocal"/);
});

test('a Service\'s status.loadBalancer.ingress IPs in VIP mode are read as its load-balancer IPs; hostname-only and ipMode Proxy entries are not, and the exposure stays via LoadBalancer', () => {
  // kubernetes pkg/proxy (newBaseServiceInfo): an ingress entry without `ip`, or whose ipMode is not
  // VIP (absent is VIP: pkg/proxy/util IsVIPMode), is no address the node translates; "Proxy"
  // means "traffic is delivered to the node or pod with the destination set to the node's IP and
  // node port or the pod's IP and port" (Service API reference, LoadBalancerIngress.ipMode).
  const ingress = [{ ip: '203.0.113.50' }, { hostname: 'lb.example.com' }, { ip: '2001:DB8::50', ipMode: 'VIP' }, { ip: '198.51.100.5', ipMode: 'Proxy' }, { ip: '203.0.113.50' }];
  const r = convertInventoryText(withService({ type: 'LoadBalancer' }, { loadBalancer: { ingress } }), T);
  assert.deepEqual(r.snapshot.services.find((s) => s.name === 'api')!.loadBalancerIPs, ['2001:db8::50', '203.0.113.50']);
  assert.deepEqual(r.snapshot.workloads.find((w) => w.name === 'api')!.exposure, [{ via: 'LoadBalancer', object: 'shop/api', port: 8080, protocol: 'TCP' }]);
  // No status (not provisioned yet): none.
  assert.equal(convertInventoryText(withService({ type: 'LoadBalancer' }), T).snapshot.services.find((s) => s.name === 'api')!.loadBalancerIPs, undefined);
});

test('a Service\'s status.loadBalancer.ingress ip that is no IP address is refused naming the object, the field and the value; an ipMode other than VIP is skipped, as kube-proxy skips it', () => {
  assert.throws(() => convertInventoryText(withService({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '203.0.113.50' }, { ip: 'lb.example.com' }] } }), T), /Service shop\/api.*status\.loadBalancer\.ingress\[1\]\.ip: expected an IPv4 or IPv6 address, got the string "lb\.example\.com"/);
  // pkg/proxy/util IsVIPMode: only an absent ipMode or "VIP" is translated by the node; a mode a later release adds is not.
  const svc = convertInventoryText(withService({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '203.0.113.50', ipMode: 'Direct' }, { ip: '203.0.113.51' }] } }), T).snapshot.services.find((s) => s.name === 'api')!;
  assert.deepEqual(svc.loadBalancerIPs, ['203.0.113.51']);
});

test('an Ingress backend by port number is the Service\'s TCP port of that number, not a UDP port sharing it', () => {
  // Ingress routes HTTP and HTTPS (networking/v1 Ingress), over TCP; a Service's ports are unique by
  // (protocol, port) (kubernetes ValidateService), so 443/UDP (HTTP/3 beside it) may come first.
  const w: Workload = {
    namespace: 'shop', kind: 'Deployment', name: 'edge', labels: { app: 'edge' }, selector: { matchLabels: { app: 'edge' } }, hostNetwork: false,
    ports: [{ name: 'quic', port: 8444, protocol: 'UDP' }, { name: 'https', port: 8443, protocol: 'TCP' }], services: ['shop/edge'], exposure: [],
  };
  const svc: Service = { namespace: 'shop', name: 'edge', type: 'ClusterIP', clusterIPs: ['10.96.7.7'], selector: { app: 'edge' }, ports: [{ name: 'h3', port: 443, targetPort: 'quic', protocol: 'UDP' }, { name: 'tls', port: 443, targetPort: 'https', protocol: 'TCP' }] };
  const warnings: string[] = [];
  const exposure = exposureOf([w], [svc], [{ namespace: 'shop', name: 'site', backends: [{ service: 'edge', port: 443 }] }], (m) => warnings.push(m));
  assert.deepEqual(exposure, [[{ via: 'Ingress', object: 'shop/site', port: 8443, protocol: 'TCP' }]]);
  assert.deepEqual(warnings, []);
});

test('cluster DNS, host network and declared ports', () => {
  assert.deepEqual(cluster.snapshot.workloads.filter((w) => w.clusterDns).map(workloadKey), ['kube-system/Deployment/coredns']);
  assert.deepEqual(workload('kube-system/Deployment/coredns').ports.map((p) => `${p.name}:${p.port}/${p.protocol}`), ['dns-tcp:53/TCP', 'dns:53/UDP', 'metrics:9153/TCP']);
  const ne = workload('monitoring/DaemonSet/node-exporter');
  assert.equal(ne.hostNetwork, true);
  assert.equal(workload('shop/Deployment/web').hostNetwork, false);
  assert.deepEqual(
    cluster.snapshot.podAddresses.filter((a) => a.hostNetwork).map((a) => [a.ip, a.pod, a.node]),
    [
      ['10.0.1.10', 'node-exporter-7xk4d', 'node-a'],
      ['10.0.1.11', 'node-exporter-r2m9q', 'node-b'],
    ],
  );
});

test('pod addresses: running pods only, since = status.startTime', () => {
  const ips = cluster.snapshot.podAddresses.map((a) => a.ip);
  assert.deepEqual(ips, ['10.0.1.10', '10.0.1.11', '10.244.0.10', '10.244.0.31', '10.244.0.5', '10.244.1.10', '10.244.1.15', '10.244.1.20']);
  assert.ok(!ips.includes('10.244.0.30'), 'the Succeeded CronJob pod gave its IP back');
  const debug = cluster.snapshot.podAddresses.find((a) => a.pod === 'debug');
  assert.equal(debug?.since, Date.parse('2025-03-02T10:00:00Z'));
});

test('a finished pod held its IP until its last container finished: it feeds the IP history, and is no pod address of its workload', () => {
  const job = (name: string, phase: string, status: Record<string, unknown>) => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'batch', uid: `uid-${name}`, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'report-29013300', uid: 'uid-job', controller: true }] },
    spec: { nodeName: 'node-a', containers: [{ name: 'c' }] },
    status: { phase, startTime: '2025-03-02T03:00:00Z', podIP: '10.244.0.70', podIPs: [{ ip: '10.244.0.70' }], ...status },
  });
  const terminated = (finishedAt: string) => ({ name: 'c', state: { terminated: { exitCode: 0, finishedAt } } });
  const items = [
    // Its last container is a restartable init container (a sidecar) that outlived the others.
    job('report-29013300-abcde', 'Succeeded', { containerStatuses: [terminated('2025-03-02T03:04:00Z')], initContainerStatuses: [terminated('2025-03-02T03:00:30Z'), terminated('2025-03-02T03:05:00Z')] }),
    // Failed before any container said when it finished: when it let its IP go is not known.
    job('report-29013300-fghij', 'Failed', { podIP: '10.244.0.71', podIPs: [{ ip: '10.244.0.71' }] }),
    // A running pod's statuses are not read (a malformed one never rejects it).
    job('report-29013300-klmno', 'Running', { podIP: '10.244.0.72', podIPs: [{ ip: '10.244.0.72' }], containerStatuses: [{ name: 'c', state: { terminated: { finishedAt: 'soon' } } }] }),
  ];
  const { snapshot } = convertInventoryText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }), T);
  assert.deepEqual(snapshot.finishedPods, [
    {
      ip: '10.244.0.70', namespace: 'batch', pod: 'report-29013300-abcde', uid: 'uid-report-29013300-abcde', workload: { namespace: 'batch', kind: 'Job', name: 'report-29013300' }, node: 'node-a', hostNetwork: false,
      since: Date.parse('2025-03-02T03:00:00Z'), until: Date.parse('2025-03-02T03:05:00Z'),
    },
  ]);
  assert.deepEqual(snapshot.podAddresses.map((a) => a.pod), ['report-29013300-klmno']);
});

test('nodes, namespaces, policies and ignored kinds', () => {
  assert.deepEqual(cluster.snapshot.nodes.map((n) => [n.name, n.podCIDRs, n.addresses.find((a) => a.type === 'InternalIP')?.address]), [
    ['node-a', ['10.244.0.0/24'], '10.0.1.10'],
    ['node-b', ['10.244.1.0/24'], '10.0.1.11'],
  ]);
  assert.equal(cluster.snapshot.namespaces.length, 5);
  assert.deepEqual(cluster.snapshot.policies.map((p) => `${p.apiVersion} ${p.kind} ${p.namespace}/${p.name}`), [
    'cilium.io/v2 CiliumNetworkPolicy shop/web-from-world',
    'networking.k8s.io/v1 NetworkPolicy shop/default-deny',
    'projectcalico.org/v3 NetworkPolicy shop/default-deny',
  ]);
  assert.deepEqual(cluster.ignored, { ConfigMap: 1 });
  assert.ok(cluster.snapshot.scope?.includes('Pod') && cluster.snapshot.scope.includes('Deployment.apps'));
});

test('apiserver endpoints come from the real default/kubernetes EndpointSlice sample', () => {
  const text = readFileSync(join(REFERENCE, 'kubernetes', 'endpointslice-samples.yaml'), 'utf8');
  const r = convertInventoryText(text, T);
  assert.deepEqual(r.snapshot.apiserver, [{ ip: '192.168.22.31', port: 6443, protocol: 'TCP' }]);
  const pythonSlice = r.snapshot.endpointSlices.find((s) => s.name === 'python-server-headless-5xvm5');
  assert.deepEqual(pythonSlice, {
    namespace: 'net-test',
    name: 'python-server-headless-5xvm5',
    service: 'python-server-headless',
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.100.58.221'], ready: true, nodeName: 'k8s-node02', targetRef: { kind: 'Pod', namespace: 'net-test', name: 'python-server-65b886d59c-nnktx' } }],
    ports: [{ port: 80, protocol: 'TCP' }],
  });
  assert.deepEqual(cluster.snapshot.apiserver, [{ ip: '192.168.22.31', port: 6443, protocol: 'TCP' }]);
});

test('without a slice, the Endpoints default/kubernetes gives the apiserver', () => {
  const endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: '10.0.0.2' }, { ip: '10.0.0.3' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }],
  };
  const r = convertInventoryText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [endpoints] }), T);
  assert.deepEqual(r.snapshot.apiserver, [
    { ip: '10.0.0.2', port: 6443, protocol: 'TCP' },
    { ip: '10.0.0.3', port: 6443, protocol: 'TCP' },
  ]);
});

test('YAML List and JSON List give the same snapshot', () => {
  const yaml = readFileSync(join(FIXTURES, 'later-pods.yaml'), 'utf8');
  const fromYaml = convertInventoryText(yaml, T);
  const fromJson = convertInventoryText(JSON.stringify(parse(yaml)), T);
  assert.deepEqual(fromYaml, fromJson);
  // The api pod's ReplicaSet is not in the export: the pod-template-hash suffix names the Deployment.
  assert.ok(fromYaml.snapshot.workloads.some((w) => workloadKey(w) === 'shop/Deployment/api'));
  assert.deepEqual(fromYaml.snapshot.scope, ['Pod']);
});

test('a typed list from the API (PodList) fills in the kind of its items', () => {
  const r = convertInventoryText(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'PodList',
      items: [{ metadata: { name: 'p', namespace: 'n', labels: { app: 'p' } }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }] }, status: { podIP: '10.1.1.1', phase: 'Running' } }],
    }),
    T,
  );
  assert.deepEqual(r.snapshot.workloads.map(workloadKey), ['n/Pod/p']);
  assert.deepEqual(r.snapshot.workloads[0]?.ports, [{ port: 80, protocol: 'TCP', container: 'c' }]);
});

test('a multi-document YAML stream of manifests (np-guard ACS demo) is read object by object', () => {
  const dir = join(REFERENCE, 'np-guard', 'acs-security-demos');
  const files = ['frontend/webapp/deployment.yaml', 'frontend/webapp/route.yaml', 'backend/checkout/deployment.yaml', 'payments/gateway/deployment.yaml', 'acs_netpols.yaml'];
  const text = files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n---\n');
  const r = convertInventoryText(text, T);
  assert.deepEqual(r.snapshot.workloads.map(workloadKey), ['backend/Deployment/checkout', 'frontend/Deployment/webapp', 'payments/Deployment/gateway']);
  assert.deepEqual(r.snapshot.workloads.find((w) => w.name === 'webapp')?.services, ['frontend/webapp-service']);
  assert.equal(r.objects['NetworkPolicy.networking.k8s.io'], r.snapshot.policies.length);
  assert.ok(r.snapshot.policies.length >= 9);
  assert.deepEqual(Object.keys(r.ignored), ['Route.route.openshift.io']);
});

test('a Job the import does not hold (TTL-deleted after it finished) named <cronjob>-<minutes> is a run of that CronJob when the namespace has it, else the Job (kubernetes pkg/controller/cronjob getJobName)', () => {
  const jobPod = (namespace: string, job: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `${job}-x7k2p`, namespace, labels: { app: 'backup', 'job-name': job }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job, controller: true, uid: `u-${job}` }] },
    spec: { containers: [{ name: 'c' }] },
  });
  const cronJob = (namespace: string, name: string) => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace },
    spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { metadata: { labels: { app: 'backup' } }, spec: { containers: [{ name: 'c' }] } } } } },
  });
  const items = [
    cronJob('ops', 'backup'),
    // Two runs of ops/CronJob/backup, their Jobs gone: the controller names each <cronjob>-<scheduled time in minutes>.
    jobPod('ops', 'backup-29012345'),
    jobPod('ops', 'backup-29012405'),
    // No CronJob of that name in the namespace (another namespace's does not count): the Job itself.
    jobPod('other', 'backup-29012345'),
    // Not the controller's naming: the Job itself.
    jobPod('ops', 'backup-7'),
  ];
  const r = convertInventoryText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }), T);
  assert.deepEqual(r.snapshot.workloads.map(workloadKey), ['ops/CronJob/backup', 'ops/Job/backup-7', 'other/Job/backup-29012345']);
  const alias = (ns: string, kind: string, name: string) => r.snapshot.ownerAliases?.find((a) => a.namespace === ns && a.kind === kind && a.name === name)?.workload;
  assert.deepEqual(alias('ops', 'Job', 'backup-29012405'), { namespace: 'ops', kind: 'CronJob', name: 'backup' }, 'flow records naming the Job resolve to the CronJob');
  assert.deepEqual(alias('ops', 'Pod', 'backup-29012345-x7k2p'), { namespace: 'ops', kind: 'CronJob', name: 'backup' });
  assert.deepEqual(r.warnings, []);
});

test('owners outside the tracked kinds make bare pods, with a warning', () => {
  const pod = (name: string, owner: { kind: string; name: string }) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'n', labels: { app: 'x' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, controller: true, uid: 'u' }] },
    spec: { containers: [{ name: 'c' }] },
  });
  const orphanRs = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'x-abc', namespace: 'n' },
    spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c' }] } } },
  };
  const r = convertInventoryText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [orphanRs, pod('x-abc-1', { kind: 'ReplicaSet', name: 'x-abc' }), pod('r-1', { kind: 'ReplicationController', name: 'r' })] }), T);
  assert.deepEqual(r.snapshot.workloads.map(workloadKey), ['n/Pod/r-1', 'n/Pod/x-abc-1']);
  assert.equal(r.warnings.length, 2);
  assert.match(r.warnings[0] ?? '', /^n\/ReplicaSet\/x-abc .*1 pod\(s\) are treated as bare pods/);
  assert.match(r.warnings[1] ?? '', /^n\/ReplicationController\/r /);
});

test('conversion is deterministic: object order does not change the snapshot', () => {
  const list = JSON.parse(readFileSync(join(FIXTURES, 'cluster.json'), 'utf8')) as { items: unknown[] };
  const reversed = convertInventoryText(JSON.stringify({ ...list, items: [...list.items].reverse() }), T);
  assert.deepEqual(JSON.stringify(reversed.snapshot), JSON.stringify(cluster.snapshot));
});

test('Calico Tiers are kept with the applied policies: a policy of a tier Calico does not know is not enforced, and an earlier tier decides first (Calico "Tier" reference)', () => {
  const tier = { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'platform', resourceVersion: '7', managedFields: [{ manager: 'kubectl' }] }, spec: { order: 100 } };
  const gnp = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'platform.deny-db' }, spec: { tier: 'platform', order: 10, selector: "app == 'db'", ingress: [{ action: 'Deny' }] } };
  const r = convertInventoryText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [tier, gnp] }), T);
  assert.deepEqual(r.snapshot.policies.map((p) => `${p.kind} ${p.name}`), ['GlobalNetworkPolicy platform.deny-db', 'Tier platform']);
  assert.deepEqual(r.snapshot.policies.find((p) => p.kind === 'Tier')?.manifest, { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'platform', resourceVersion: '7' }, spec: { order: 100 } });
  assert.deepEqual(r.ignored, {});
});

test('podIP over a different podIPs[0], podCIDR over a different podCIDRs[0]: the singular field is authoritative, as the API server converts them (pkg/apis/core/v1/conversion.go)', () => {
  const list = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.9.0/24', 'fd00::/64'] }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } },
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' }, spec: { podCIDR: '10.244.2.0/24', podCIDRs: ['10.244.2.0/24', 'fd00:2::/64'] }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.2' }] } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'n' }, spec: { nodeName: 'n1', containers: [{ name: 'c' }] }, status: { phase: 'Running', podIP: '10.244.1.9', podIPs: [{ ip: '10.244.1.10' }, { ip: 'fd00::9' }] } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'n' }, spec: { nodeName: 'n2', containers: [{ name: 'c' }] }, status: { phase: 'Running', podIP: '10.244.2.9', podIPs: [{ ip: '10.244.2.9' }, { ip: 'fd00:2::9' }] } },
    ],
  };
  const { snapshot } = convertInventoryText(JSON.stringify(list), T);
  assert.deepEqual(snapshot.nodes.map((n) => [n.name, n.podCIDRs]), [['n1', ['10.244.1.0/24']], ['n2', ['10.244.2.0/24', 'fd00:2::/64']]]);
  assert.deepEqual(snapshot.podAddresses.map((a) => [a.pod, a.ip]).sort(), [['a', '10.244.1.9'], ['b', '10.244.2.9'], ['b', 'fd00:2::9']]);
});

test('applied policies are kept as the API server holds them: a field written as null is absent (a hand-written inventory with a bare `ingress:`)', () => {
  // apiextensions-apiserver pkg/apiserver/schema/defaulting/prunenulls.go
  // PruneNonNullableNullsWithoutDefaults (custom resources); a built-in NetworkPolicy decodes a JSON
  // null to a nil slice, which it never writes back. Array items stay as they are.
  const cnp = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'deny-egress', labels: null }, spec: { tier: 'Admin', priority: 1, subject: { namespaces: {} }, ingress: null, egress: [{ action: 'Deny', to: [{ namespaces: {} }], protocols: null }] } };
  const r = convertInventoryText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [cnp] }), T);
  assert.deepEqual(r.snapshot.policies[0]?.manifest, { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name: 'deny-egress' }, spec: { tier: 'Admin', priority: 1, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ namespaces: {} }] }] } });
});

test('Calico objects read from their CRDs (crd.projectcalico.org/v1, what calico-node stores and enforces in Kubernetes-datastore mode) are not imported, with a warning naming them: the policies they hold are not evaluated', () => {
  // libcalico-go lib/apis/crd.projectcalico.org/v1/globalnetworkpolicy_types.go: the CRD's spec is
  // the projectcalico.org/v3 spec, stored by the Kubernetes backend; the v3 API (the Calico API
  // server) is what the import reads (docs/inventory.md).
  const items = [
    { apiVersion: 'crd.projectcalico.org/v1', kind: 'Tier', metadata: { name: 'platform' }, spec: { order: 100 } },
    { apiVersion: 'crd.projectcalico.org/v1', kind: 'GlobalNetworkPolicy', metadata: { name: 'platform.default-deny' }, spec: { tier: 'platform', selector: 'all()', types: ['Ingress', 'Egress'] } },
    { apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', metadata: { name: 'platform.allow', namespace: 'shop' }, spec: { tier: 'platform', selector: 'all()' } },
    // Calico's own bookkeeping in the same group is no policy: counted in `ignored` as before, not warned of.
    { apiVersion: 'crd.projectcalico.org/v1', kind: 'IPAMBlock', metadata: { name: '10-244-1-0-26' }, spec: {} },
  ];
  const r = convertInventoryText(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }), T);
  assert.deepEqual(r.snapshot.policies, []);
  assert.deepEqual(r.ignored, { 'GlobalNetworkPolicy.crd.projectcalico.org': 1, 'IPAMBlock.crd.projectcalico.org': 1, 'NetworkPolicy.crd.projectcalico.org': 1, 'Tier.crd.projectcalico.org': 1 });
  const warning = r.warnings.find((w) => w.includes('crd.projectcalico.org'));
  assert.match(
    warning ?? '',
    /^Calico objects of apiVersion crd\.projectcalico\.org\/v1 \(GlobalNetworkPolicy ×1, NetworkPolicy ×1, Tier ×1\) were not imported: that is Calico's own storage of them; the verification beside applied policies does not evaluate them, and what they deny is missing from it — export them through the projectcalico\.org\/v3 API \(the Calico API server: kubectl get globalnetworkpolicies\.projectcalico\.org, …\) instead/,
  );
  assert.doesNotMatch(warning ?? '', /IPAMBlock/);
});
