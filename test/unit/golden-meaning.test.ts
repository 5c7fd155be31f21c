/**
 * What the large goldens mean. A golden test only says "the output did not change"; these say
 * why the accepted output is right, as the few facts of the seed document each golden must carry
 * (the seed line is cited beside each fact). Regenerating a golden that loses one of them fails
 * here even though the golden test itself would pass.
 *
 * Seeds: 000 StackLight rules, 001 Kyma Telemetry ADR 28, 002 NetObserv, 003 Flux controller chart
 * (the users' documents flowmatrix was built from; the catalog in matrices/ cites them by line).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';

const golden = (path: string): string => readFileSync(new URL(`../golden/${path}`, import.meta.url), 'utf8');

interface GoldenRule {
  id: string;
  direction: 'ingress' | 'egress';
  level: 'must' | 'may';
  source: { file: string; line: number; also?: number[]; row?: string };
  peerRef: string;
  peers: { kind: string; cidrs?: string[] }[];
  ports: { protocol: string; port: number }[];
  active: boolean;
}

interface GoldenComponent {
  name: string;
  selector: { matchLabels: Record<string, string> };
  present: boolean;
  rules: GoldenRule[];
}

function matrix(name: string): { parameters: { name: string; value: unknown }[]; components: GoldenComponent[] } {
  return parse(golden(`matrices/${name}.yaml`));
}

function component(m: { components: GoldenComponent[] }, name: string): GoldenComponent {
  const c = m.components.find((x) => x.name === name);
  assert.ok(c, `component ${name} is missing`);
  return c;
}

const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: 'TCP', port }));
const active = (c: GoldenComponent) => c.rules.filter((r) => r.active);
const KYMA = 'seeds/001_b496f54346007a3f.txt';
const STACKLIGHT = 'seeds/000_5b7b87e0ab789292.txt';

// --- matrices/kyma-telemetry-current.yaml: the ADR's table of today's policies ----------------

/** seeds/001 lines 37-44, "Current Network Policies": one row per workload. */
const CURRENT_POLICIES = [
  { line: 37, row: 'Telemetry Manager', component: 'telemetry-manager', ports: [8080, 8081, 9443], istio: false, selector: { 'app.kubernetes.io/instance': 'telemetry', 'app.kubernetes.io/name': 'manager', 'control-plane': 'telemetry-manager', 'kyma-project.io/component': 'controller' } },
  { line: 38, row: 'FluentBit Agent', component: 'fluent-bit', ports: [2020, 2021], istio: true, selector: { 'app.kubernetes.io/instance': 'telemetry', 'app.kubernetes.io/name': 'fluent-bit' } },
  { line: 39, row: 'OTel Log Agent', component: 'log-agent', ports: [8888, 13133], istio: true, selector: { 'app.kubernetes.io/name': 'telemetry-log-agent' } },
  { line: 40, row: 'OTel Log Gateway', component: 'log-gateway', ports: [4317, 4318, 8888, 13133], istio: true, selector: { 'app.kubernetes.io/name': 'telemetry-log-gateway' } },
  { line: 41, row: 'OTel Metric Agent', component: 'metric-agent', ports: [8888, 13133], istio: true, selector: { 'app.kubernetes.io/name': 'telemetry-metric-agent' } },
  { line: 42, row: 'OTel Metric Gateway', component: 'metric-gateway', ports: [4317, 4318, 8888, 13133], istio: true, selector: { 'app.kubernetes.io/name': 'telemetry-metric-gateway' } },
  { line: 43, row: 'OTel Trace Gateway', component: 'trace-gateway', ports: [4317, 4318, 8888, 13133], istio: true, selector: { 'app.kubernetes.io/name': 'telemetry-trace-gateway' } },
  { line: 44, row: 'Self-Monitor', component: 'self-monitor', ports: [9090], istio: false, selector: { 'app.kubernetes.io/name': 'telemetry-self-monitor' } },
];

test('matrices/kyma-telemetry-current.yaml: each workload of seed 001 lines 37-44 gets exactly its row: any IP in on the listed ports (15090 optional), any IP out', () => {
  const m = matrix('kyma-telemetry-current');
  assert.equal(m.parameters.find((p) => p.name === 'model')?.value, 'current');
  // "Any IP (0.0.0.0/0, ::/0)" with "only ingress ports limited" (line 51): every source, in the cluster or out.
  const ANY_IP = [{ kind: 'world' }];
  for (const row of CURRENT_POLICIES) {
    const c = component(m, row.component);
    // The gateways' rows also select the current telemetry-manager's one OTLP gateway DaemonSet, which
    // replaced the three Deployments (matrices/kyma-telemetry.yaml header; legacy_gateway_cleanup.go).
    const gateway = row.component.endsWith('-gateway');
    const name = row.selector['app.kubernetes.io/name']!;
    assert.deepEqual(
      c.selector,
      gateway ? { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: [name, 'telemetry-otlp-gateway'].sort() }] } : { matchLabels: row.selector },
      `${row.row}: the Pod Selector column`,
    );
    const expected = [
      { direction: 'ingress', level: 'must', ports: tcp(...row.ports) },
      ...(row.istio ? [{ direction: 'ingress', level: 'may', ports: tcp(15090) }] : []), // "15090 (optional)"
      { direction: 'egress', level: 'must', ports: [] }, // "To: Any IP, Ports: All"
    ];
    const rules = active(c);
    assert.deepEqual(
      rules.map((r) => ({ direction: r.direction, level: r.level, ports: r.ports })),
      expected,
      `${row.row} (line ${row.line}): only today's policy is in force`,
    );
    for (const r of rules) {
      assert.deepEqual(r.peers, ANY_IP, r.id);
      assert.deepEqual([r.source.file, r.source.line, r.source.row], [KYMA, row.line, row.row], `${r.id} cites its row`);
    }
  }
  assert.equal(m.components.length, CURRENT_POLICIES.length, 'one component per row, no other');
});

// --- matrices/kyma-telemetry.yaml: the ADR's communication flow analysis ----------------------

test('matrices/kyma-telemetry.yaml: the flow analysis of seed 001 lines 13-31, with the API server and DNS written once (line 52)', () => {
  const m = matrix('kyma-telemetry');
  assert.equal(m.parameters.find((p) => p.name === 'model')?.value, 'intended');
  const ids = (name: string) => active(component(m, name)).map((r) => r.id.replace(`kyma-telemetry/${name}/`, ''));
  for (const { component: name } of CURRENT_POLICIES) {
    const c = component(m, name);
    // No rule of today's loose policies is in force: nothing from or to any IP.
    assert.ok(active(c).every((r) => !r.peers.some((p) => p.kind === 'world')), `${name}: no any-IP rule`);
    // Line 52: "every Telemetry module component should be able to communicate with the API server, DNS ... defined in a single place".
    const shared = active(c).filter((r) => r.id.startsWith('kyma-telemetry/essentials/'));
    assert.deepEqual(shared.map((r) => [r.direction, r.peerRef, r.source.line]), [['egress', 'apiserver', 52], ['egress', 'dns', 52]], `${name}: apiserver and DNS once`);
    assert.deepEqual(shared[1]!.ports, [{ protocol: 'TCP', port: 53 }, { protocol: 'UDP', port: 53 }]);
  }
  // Line 18: the gateways take "OTLP data ingested by customer workloads".
  for (const gw of ['log-gateway', 'metric-gateway', 'trace-gateway']) {
    const otlp = active(component(m, gw)).find((r) => r.peerRef === 'role otlp-clients');
    assert.deepEqual([otlp?.direction, otlp?.ports, otlp?.source.line], ['ingress', tcp(4317, 4318), 18], gw);
  }
  // Line 23: the metric agent reaches the kubelet and scrapes customer workloads.
  assert.ok(ids('metric-agent').includes('egress/kubelet'));
  const kubelet = active(component(m, 'metric-agent')).find((r) => r.id.endsWith('egress/kubelet'))!;
  assert.deepEqual([kubelet.peerRef, kubelet.ports, kubelet.source.line], ['nodes', tcp(10250), 23]);
  assert.ok(ids('metric-agent').includes('egress/scrape-targets'));
  // Line 27: the self-monitor scrapes the module components - but line 30 lists the manager's
  // scraping as "Metric scraping (RMA)" only: the manager is not among them, and its ingress
  // has no scraping rule from the self-monitor.
  const scraped = active(component(m, 'self-monitor')).filter((r) => r.direction === 'egress' && r.source.line === 27).map((r) => r.peerRef).sort();
  assert.deepEqual(scraped, CURRENT_POLICIES.filter((r) => r.component !== 'self-monitor' && r.component !== 'telemetry-manager').map((r) => `component ${r.component}`).sort());
  const managerIn = active(component(m, 'telemetry-manager')).filter((r) => r.direction === 'ingress');
  assert.deepEqual(managerIn.filter((r) => r.peerRef === 'component self-monitor').map((r) => [r.id, r.ports]), [['kyma-telemetry/telemetry-manager/ingress/alertmanager-webhook', tcp(9443)]]);
  assert.ok(managerIn.some((r) => r.peerRef === 'role rma' && r.source.line === 30) || component(m, 'telemetry-manager').rules.some((r) => r.peerRef === 'role rma' && r.source.line === 30));
  // Line 30, "alertmanager webhook": the flow has two ends, so the self-monitor's egress has the rule the manager's ingress has.
  const hook = active(component(m, 'self-monitor')).find((r) => r.id.endsWith('egress/alertmanager-webhook'));
  assert.deepEqual([hook?.peerRef, hook?.ports, hook?.source.line], ['component telemetry-manager', tcp(9443), 30]);
  assert.ok(ids('self-monitor').includes('ingress/alert-queries'));
  assert.ok(ids('telemetry-manager').includes('egress/alert-queries'));
  // Line 30: the manager's admission and conversion webhooks are called by the API server.
  const webhook = active(component(m, 'telemetry-manager')).find((r) => r.peerRef === 'apiserver' && r.direction === 'ingress');
  assert.deepEqual([webhook?.ports, webhook?.source.line], [tcp(9443), 30]);
  // Lines 14, 18, 22, 26, 30: health checks come from the nodes (kubelet probes), optional.
  for (const { component: name } of CURRENT_POLICIES) {
    const health = active(component(m, name)).find((r) => r.id.endsWith('ingress/health-checks'));
    assert.deepEqual([health?.peerRef, health?.level], ['nodes', 'may'], `${name}: health checks`);
  }
});

// --- matrices/stacklight.yaml: the archetypes of seed 000 ------------------------------------

test('matrices/stacklight.yaml: the deny-all, allow-all and DNS archetypes of seed 000 and its two exceptions', () => {
  const m = matrix('stacklight');
  const cited = (r: GoldenRule, line: number) => r.source.file === STACKLIGHT && (r.source.line === line || (r.source.also ?? []).includes(line));
  // Lines 16-26: deny all ingress (including Prometheus scrape).
  for (const name of ['elasticsearch-curator', 'fluentd-notifications', 'metric-collector', 'metricbeat', 'sf-reporter']) {
    assert.deepEqual(component(m, name).rules.filter((r) => r.direction === 'ingress'), [], `${name}: no ingress rule at all`);
  }
  // Lines 28-34: deny all egress.
  for (const name of ['cadvisor', 'prometheus-libvirt-exporter', 'telegraf-ds-smart']) {
    assert.deepEqual(component(m, name).rules.filter((r) => r.direction === 'egress'), [], `${name}: no egress rule at all`);
  }
  // Lines 36-46: allow all ingress for the pods behind load balancers.
  for (const [name, line] of [['alerta', 38], ['grafana', 40], ['opensearch-dashboards', 42], ['prometheus-alertmanager', 44], ['prometheus-server', 46]] as const) {
    const r = component(m, name).rules.filter((x) => x.direction === 'ingress');
    assert.deepEqual(r.map((x) => [x.level, x.peerRef, x.ports]), [['must', 'role load-balancer-clients', []]], name);
    assert.ok(cited(r[0]!, line), `${name} cites line ${line}`);
  }
  // Lines 48-86: allow all egress to the outside world.
  const allowAllEgress: [string, number][] = [
    ['alertmanager-webhook-servicenow', 50], ['fluentd-logs', 52], ['fluentd-notifications', 54], ['grafana', 56], ['helm-controller', 58], ['iam-proxy', 60],
    ['metric-collector', 62], ['opensearch', 64], ['patroni', 66], ['prometheus-alertmanager', 68], ['prometheus-kube-state-metrics', 70], ['prometheus-msteams', 72],
    ['prometheus-server', 74], ['sf-notifier', 76], ['sf-reporter', 78], ['telegraf-docker-swarm', 80], ['telegraf-openstack', 82], ['telemeter-client', 84], ['telemeter-server', 86],
  ];
  for (const [name, line] of allowAllEgress) {
    const r = component(m, name).rules.find((x) => x.id === `stacklight/${name}/egress/allow-all`);
    assert.deepEqual([r?.level, r?.peerRef, r?.ports], ['must', 'world', []], name);
    assert.ok(cited(r!, line) && cited(r!, 48), `${name} cites lines ${line} and 48`);
  }
  // Lines 88-100: DNS for the pods that name other StackLight workloads.
  for (const [name, line] of [['alerta', 90], ['elasticsearch-curator', 92], ['elasticsearch-exporter', 94], ['opensearch-dashboards', 96], ['prometheus-es-exporter', 98], ['prometheus-relay', 100]] as const) {
    const r = component(m, name).rules.find((x) => x.id === `stacklight/${name}/egress/dns-53`);
    assert.deepEqual([r?.peerRef, r?.ports], ['dns', [{ protocol: 'TCP', port: 53 }, { protocol: 'UDP', port: 53 }]], name);
    assert.ok(cited(r!, line) && cited(r!, 88), `${name} cites lines ${line} and 88`);
  }
  // Line 104: node exporter is host-network, allow-all both ways is a no-op placeholder (may).
  const nodeExporter = component(m, 'prometheus-node-exporter').rules;
  assert.deepEqual(nodeExporter.map((r) => [r.direction, r.level, r.peerRef, r.source.line]), [['ingress', 'may', 'world', 104], ['egress', 'may', 'world', 104]]);
  // Line 106: Prometheus Server's egress is allow-all because of dynamic scrape configurations.
  assert.ok(cited(component(m, 'prometheus-server').rules.find((r) => r.id === 'stacklight/prometheus-server/egress/allow-all')!, 106));
});

// --- recommend/*: how every engine renders the kube-apiserver ---------------------------------

type Manifest = { kind: string; metadata: { name: string }; spec: Record<string, any> };
const manifests = (system: string, engine: string): Manifest[] =>
  parseAllDocuments(golden(`recommend/${system}/${engine}.yaml`)).map((d) => d.toJS() as Manifest).filter(Boolean);

/** The demo cluster's apiserver endpoint (demo/generator: `default/kubernetes` on 10.0.0.10:6443). */
const APISERVER = { ip: '10.0.0.10', port: 6443 };

test('recommend goldens: the apiserver is its endpoint IP on 6443, toEntities on Cilium, the Service on Calico, never a namespace on 443 (seed 003 "apiserver only as ipBlock")', () => {
  const systems = readdirSync(new URL('../golden/recommend/', import.meta.url)).sort();
  assert.deepEqual(systems, ['kyma-telemetry', 'netobserv', 'progressive-delivery', 'stacklight']);
  for (const system of systems) {
    const text = (engine: string) => golden(`recommend/${system}/${engine}.yaml`);
    const egress = manifests(system, 'kubernetes').flatMap((m) => (m.spec.egress ?? []) as any[]);
    // Never "443 to the default namespace" as a stand-in for the apiserver.
    for (const r of egress) {
      const toDefault = (r.to ?? []).some((t: any) => t.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'default');
      assert.ok(!(toDefault && (r.ports ?? []).some((p: any) => p.port === 443)), `${system}/kubernetes: 443 to namespace default`);
    }
    // kubernetes: an egress rule of its own, the endpoint /32 on the endpoint port (the same IP on
    // 10250 is the control-plane node's kubelet, a nodes rule, not the apiserver).
    const onApiPort = egress.filter((r) => (r.ports ?? []).some((p: any) => p.port === APISERVER.port));
    assert.ok(onApiPort.length > 0, `${system}/kubernetes: some workload reaches the apiserver`);
    for (const r of onApiPort) assert.deepEqual(r, { ports: [{ protocol: 'TCP', port: APISERVER.port }], to: [{ ipBlock: { cidr: `${APISERVER.ip}/32` } }] }, `${system}/kubernetes`);
    // cilium: toEntities kube-apiserver (Cilium's own identity for it), never a CIDR for it.
    const cilium = text('cilium');
    assert.match(cilium, /toEntities:\n\s+- kube-apiserver/, `${system}/cilium`);
    assert.doesNotMatch(cilium, new RegExp(`${APISERVER.ip.replace(/\./g, '\\.')}/32`), `${system}/cilium: no apiserver CIDR`);
    // calico: destination.services default/kubernetes.
    assert.match(text('calico'), /services:\n\s+name: kubernetes\n\s+namespace: default/, `${system}/calico`);
    // clusternetworkpolicy: networks with the endpoint /32 on 6443.
    assert.match(text('clusternetworkpolicy'), new RegExp(`${APISERVER.ip.replace(/\./g, '\\.')}/32`), `${system}/clusternetworkpolicy`);
  }
});

// --- matrices/netobserv*.yaml: seed 002's matrix per deployment model --------------------------

/** A component's active rules as `direction level peer ports @line`, sorted. */
function activeRules(m: { components: GoldenComponent[] }, name: string): string[] {
  return active(component(m, name))
    .map((r) => `${r.direction} ${r.level} ${r.peerRef} ${r.ports.map((p) => `${p.protocol}/${p.port}`).join(',') || 'all'} @${r.source.line}`)
    .sort();
}

test('matrices/netobserv.yaml: seed 002 with deploymentModel Service and Loki: agents → flowlogs-pipeline on 2055, Loki from the pipeline and the plugin', () => {
  const m = matrix('netobserv');
  const params = Object.fromEntries(m.parameters.map((p) => [p.name, p.value]));
  assert.deepEqual([params.deploymentModel, params['loki.enabled'], params['processor.advanced.port']], ['Service', true, 2055]);
  // Lines 22-27: the operator.
  assert.deepEqual(activeRules(m, 'operator'), ['egress must apiserver TCP/6443 @27', 'ingress may role prometheus TCP/8443 @25', 'ingress must apiserver TCP/9443 @24']);
  // Lines 28-34: the eBPF agent, host-network pods in the privileged namespace (line 13).
  const agent = component(m, 'ebpf-agent') as GoldenComponent & { namespace: string; hostNetwork: boolean };
  assert.deepEqual([agent.namespace, agent.hostNetwork, agent.selector.matchLabels], ['netobserv-privileged', true, { app: 'netobserv-ebpf-agent' }]);
  assert.deepEqual(activeRules(m, 'ebpf-agent'), ['egress must component flowlogs-pipeline TCP/2055 @33', 'ingress may role prometheus TCP/9400 @30']);
  // Lines 40-55: flowlogs-pipeline. Line 53, "TCP, port depends on your Loki setup (usually 3100)":
  // the bound Loki Service's target port, never every port.
  assert.deepEqual(activeRules(m, 'flowlogs-pipeline'), ['egress must role loki TCP/3100 @53', 'ingress must component ebpf-agent TCP/2055 @44', 'ingress must role prometheus TCP/9401 @42']);
  // Lines 56-66: the console plugin. Line 63, "Prometheus and AlertManager, TCP": AlertManager is
  // discovered by the labels real installs use (StackLight's app=prometheus, component=alertmanager),
  // and both resolve to their Services' target ports, as Loki (line 66) does.
  assert.deepEqual(activeRules(m, 'console-plugin'), ['egress must role alertmanager TCP/9093 @63', 'egress must role loki TCP/3100 @66', 'egress must role prometheus TCP/9090 @63', 'ingress may role prometheus TCP/9002 @61']);
});

test('matrices/netobserv-kafka-no-loki.yaml: with deploymentModel Kafka (lines 35-36, 50-51) the agents talk to Kafka, not to flowlogs-pipeline; without Loki nobody reaches it', () => {
  const m = matrix('netobserv-kafka-no-loki');
  assert.deepEqual(activeRules(m, 'ebpf-agent'), ['egress must role kafka TCP/9092 @36', 'ingress may role prometheus TCP/9400 @30']);
  assert.deepEqual(activeRules(m, 'flowlogs-pipeline'), ['egress must role kafka TCP/9092 @51', 'ingress must role prometheus TCP/9401 @42']);
  assert.deepEqual(activeRules(m, 'console-plugin'), ['egress must role alertmanager TCP/9093 @63', 'egress must role prometheus TCP/9090 @63', 'ingress may role prometheus TCP/9002 @61']);
});

// --- reports/demo.*: the demo cluster's story (docs/demo.md), told the same way in every format ---

test('reports/demo.*: the blocked Prometheus queries, the reused pod IP, the host-network workloads, and one set of numbers in JSON, Markdown and HTML', () => {
  const report = JSON.parse(golden('reports/demo.json')) as {
    headline: Record<string, number>;
    attention: { blocked: { edges: { key: string; forwarded: number; dropped: number }[] }; undocumented: { key: string; firstSeen: string }[]; hostNetwork: { workload: string }[] };
  };
  // Seed 002 line 63: the console plugin "Must allow traffic to Prometheus"; the demo's applied
  // netobserv policy forgets StackLight, so the queries are dropped: blocked.
  const scrape = report.attention.blocked.edges.find((e) => e.key === 'workload:netobserv/Deployment/netobserv-plugin|workload:stacklight/StatefulSet/prometheus-server|9090|TCP');
  assert.ok(scrape && scrape.dropped > 0 && scrape.forwarded === 0, 'console plugin → Prometheus 9090 is blocked');
  // docs/demo.md "IP reuse": from 06:00 tools/netshoot holds the catalog pod's old IP; its call to
  // 192.0.2.44:4444 resolves to netshoot through the IP history, never to catalog.
  const netshoot = report.attention.undocumented.find((e) => e.key === 'workload:tools/Pod/netshoot|external:192.0.2.44|4444|TCP');
  assert.ok(netshoot && netshoot.firstSeen >= '2026-11-20T06:00', 'netshoot → 192.0.2.44:4444, after 06:00');
  assert.ok(!report.attention.undocumented.some((e) => e.key.startsWith('workload:shop/Deployment/catalog|external:192.0.2.44')), 'catalog never calls 192.0.2.44');
  // Seed 000 line 104 and seed 002 line 28: the node exporter and the eBPF agents (of both installs) use the host network.
  assert.deepEqual(report.attention.hostNetwork.map((h) => h.workload), ['netobserv-kafka-privileged/DaemonSet/netobserv-ebpf-agent', 'netobserv-privileged/DaemonSet/netobserv-ebpf-agent', 'stacklight/DaemonSet/prometheus-node-exporter']);
  // The Markdown and HTML renderings carry the JSON's headline numbers.
  const md = golden('reports/demo.md');
  const html = golden('reports/demo.html');
  const labels: Record<string, string> = {
    blocked: 'Blocked (documented must, dropped)',
    violations: 'Violations (undocumented traffic of authoritative components)',
    dropped: 'Dropped by the applied policies',
    undocumented: 'Undocumented traffic to review',
    documentedWhenSet: 'Documented when set (set the parameter)',
    documentedUnobserved: 'Documented must rules not observed',
    stale: 'Stale',
    hostNetwork: 'Host-network workloads (no policy possible)',
    findings: 'Unresolved matrix findings',
    drift: 'Drift against applied policies',
  };
  assert.deepEqual(Object.keys(labels).sort(), Object.keys(report.headline).sort());
  for (const [key, label] of Object.entries(labels)) {
    const n = report.headline[key];
    assert.ok(md.includes(`| ${label} | ${n} |`), `markdown: ${label} ${n}`);
    assert.ok(html.includes(`${label}</td><td class="num">${n}<`), `html: ${label} ${n}`);
  }
});

// --- matrices/progressive-delivery*.yaml: the chart's ingress and egress tables (seed 003) -----

test('matrices/progressive-delivery*.yaml: seed 003 lines 64-66 (webhook from the apiserver, metrics always, gate when enabled) and 77-83 (egress rows, each by its condition)', () => {
  const defaults = matrix('progressive-delivery');
  // Line 64: the webhook's caller is the kube-apiserver ("the apiserver is not a pod"); 65: metrics
  // always ("never an empty-ingress deny-all by accident"); 66: the gate, for Flagger, when gate.enabled.
  assert.deepEqual(activeRules(defaults, 'controller'), [
    'egress must apiserver all @78',
    'egress must dns TCP/53,UDP/53 @77',
    'egress must role source-controller TCP/9090 @80',
    'ingress must apiserver TCP/9443 @64',
    'ingress must role flagger TCP/8082 @66',
    'ingress must role prometheus TCP/8080 @65',
  ]);
  // Gate off, egress on, an S3 rollback store configured (line 81).
  const gateOff = matrix('progressive-delivery-gate-off-egress-on');
  assert.deepEqual(activeRules(gateOff, 'controller'), [
    'egress must apiserver all @78',
    'egress must dns TCP/53,UDP/53 @77',
    'egress must role s3 TCP/443 @81',
    'egress must role source-controller TCP/9090 @80',
    'ingress must apiserver TCP/9443 @64',
    'ingress must role prometheus TCP/8080 @65',
  ]);
  // The S3 role is bound to the bucket's CIDR: an ipBlock, as line 81 says for an external bucket.
  const s3 = active(component(gateOff, 'controller')).find((r) => r.peerRef === 'role s3')!;
  assert.deepEqual(s3.peers.map((p) => [p.kind, p.cidrs]), [['cidr', ['198.51.100.0/24']]]);
});

// --- every ClusterNetworkPolicy golden: the rules annotation of a manifest is its own spec's ---

/**
 * docs/engines.md: `flowmatrix.io/rules` has one line per rule of the manifest. An Accept rule is
 * named `<status> <id>` (cut with a hash suffix past 100 characters, ` (i/n)` when split): some
 * line of its direction names it. The Deny or Pass rules of an isolation or default-deny manifest
 * each have one line of their direction that names no Accept rule; and no line names a rule the
 * manifest does not hold (an isolation manifest listed its allowlist's rules). A rule whose id
 * starts with its status (`implied:…`) is named by the id alone.
 */
test('every ClusterNetworkPolicy golden: each manifest\'s flowmatrix.io/rules lists exactly the rules of its own spec', () => {
  const files = ['engines/clusternetworkpolicy.yaml', ...readdirSync(new URL('../golden/recommend/', import.meta.url)).map((s) => `recommend/${s}/clusternetworkpolicy.yaml`)];
  let isolations = 0;
  for (const file of files) {
    for (const doc of parseAllDocuments(golden(file))) {
      const m = doc.toJS() as { metadata: { name: string; annotations?: Record<string, string> }; spec: Record<'ingress' | 'egress', { name: string; action: string }[] | undefined> };
      if (!m?.metadata) continue;
      const lines = (m.metadata.annotations?.['flowmatrix.io/rules'] ?? '').split('\n').filter((l) => l !== '' && !l.startsWith('… '));
      if (m.metadata.name.endsWith('-isolation')) isolations++;
      for (const direction of ['ingress', 'egress'] as const) {
        const rules = m.spec[direction] ?? [];
        // A rule of an implied id is named by the id alone (`implied:egress:dns:…`), its line `implied implied:egress:dns:…: …`.
        const mine = lines.filter((l) => l.startsWith(`${direction} `)).map((l) => l.slice(direction.length + 1).replace(/^(\w+) (?=\1:)/, ''));
        const accepts = rules.filter((r) => r.action === 'Accept').map((r) => r.name.replace(/ \(\d+\/\d+\)$/, '').replace(/… [0-9a-f]+$/, ''));
        const where = `${file} ${m.metadata.name} ${direction}`;
        for (const a of accepts) assert.ok(mine.some((l) => l.startsWith(a)), `${where}: rule ${a} has a line`);
        const others = mine.filter((l) => !accepts.some((a) => l.startsWith(a)));
        assert.equal(others.length, rules.length - rules.filter((r) => r.action === 'Accept').length, `${where}: lines that name no rule of the spec: ${JSON.stringify(others)}`);
      }
    }
  }
  assert.ok(isolations > 0);
});
