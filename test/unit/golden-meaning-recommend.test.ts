/**
 * What the large recommend goldens mean (test/golden/recommend/{stacklight,kyma-telemetry}/*.yaml):
 * the facts of seed 000 (StackLight rules for Kubernetes network policies) and seed 001 (Kyma
 * Telemetry ADR 28) a platform engineer would check in each engine's manifests, with the seed
 * line beside each. golden-meaning.test.ts pins the matrices and the apiserver rendering; this
 * file pins who may talk to whom once the matrices have become policies.
 *
 * Each engine's manifests are read into one view (per workload: which directions are isolated,
 * and each allow rule as its peers and ports) so a fact is stated once for the four engines;
 * the few facts that are one engine's own (Cilium's `all` vs `world`, Calico's address
 * families, ClusterNetworkPolicy's priorities) are asserted on the wire shape itself.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';

type Direction = 'ingress' | 'egress';
type Engine = 'kubernetes' | 'cilium' | 'calico' | 'clusternetworkpolicy';
type Manifest = { kind: string; metadata: { name: string; namespace?: string; annotations: Record<string, string> }; spec: Record<string, any> };

/**
 * A peer as the seeds speak of it: `any` (every source or destination the engine can name),
 * `dns` (kube-dns in kube-system), `apiserver`, `nets:<cidr>`, `pods:<k=v,…>`, `all-pods`.
 */
interface AllowRule {
  peers: string[];
  /** `TCP/53`, …; empty: every port. */
  ports: string[];
}

interface WorkloadPolicy {
  /** `namespace/kind/name`, from the flowmatrix.io/intent annotation. */
  workload: string;
  namespace: string;
  selector: Record<string, string>;
  isolated: Set<Direction>;
  ingress: AllowRule[];
  egress: AllowRule[];
}

const manifests = (system: string, engine: Engine): Manifest[] =>
  parseAllDocuments(readFileSync(new URL(`../golden/recommend/${system}/${engine}.yaml`, import.meta.url), 'utf8'))
    .map((d) => d.toJS() as Manifest)
    .filter(Boolean);

const labels = (m: Record<string, string> | undefined) =>
  Object.entries(m ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join(',');
const isKubeDns = (namespace: string | undefined, pods: Record<string, string> | undefined) => namespace === 'kube-system' && labels(pods) === 'k8s-app=kube-dns';

// --- one reader per engine: manifest → subject, isolated directions, allow rules ---------------

/** A label selector as `k=v,…` then `k in (a,b)` for each In expression (the Kyma gateways select either generation's name). */
const selectorText = (s: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | undefined) =>
  [labels(s?.matchLabels), ...(s?.matchExpressions ?? []).map((e) => `${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(',')})`)].filter(Boolean).join(',');

function kubernetesView(m: Manifest): Omit<WorkloadPolicy, 'workload'> {
  const peer = (p: any): string =>
    p.ipBlock ? `nets:${p.ipBlock.cidr}` : isKubeDns(p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'], p.podSelector?.matchLabels) ? 'dns' : p.namespaceSelector ? `ns:${labels(p.namespaceSelector.matchLabels)}` : `pods:${selectorText(p.podSelector)}`;
  const rules = (d: Direction): AllowRule[] =>
    ((m.spec[d] ?? []) as any[]).map((r) => {
      const to = (d === 'ingress' ? r.from : r.to) ?? [];
      return { peers: to.length === 0 ? ['any'] : to.map(peer), ports: (r.ports ?? []).map((p: any) => `${p.protocol}/${p.port}`) };
    });
  return { namespace: m.metadata.namespace!, selector: m.spec.podSelector.matchLabels, isolated: new Set((m.spec.policyTypes as string[]).map((t) => t.toLowerCase() as Direction)), ingress: rules('ingress'), egress: rules('egress') };
}

/** `k8s:io.kubernetes.pod.namespace Exists` is every pod of the cluster. */
function ciliumEndpoint(e: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] }): string {
  const { 'k8s:io.kubernetes.pod.namespace': namespace, ...pods } = e.matchLabels ?? {};
  if (e.matchExpressions) return e.matchExpressions.length === 1 && e.matchExpressions[0]!.key === 'k8s:io.kubernetes.pod.namespace' && e.matchExpressions[0]!.operator === 'Exists' && !e.matchLabels ? 'all-pods' : `pods:${selectorText(e)}`;
  return isKubeDns(namespace, pods) ? 'dns' : `pods:${labels(e.matchLabels)}`;
}

function ciliumView(m: Manifest): Omit<WorkloadPolicy, 'workload'> {
  const rules = (d: Direction): AllowRule[] =>
    ((m.spec[d] ?? []) as any[]).map((r) => {
      const f = d === 'ingress' ? 'from' : 'to';
      const peers = [
        ...(r[`${f}Entities`] ?? []).map((e: string) => (e === 'all' ? 'any' : e === 'kube-apiserver' ? 'apiserver' : `entity:${e}`)),
        ...(r[`${f}Endpoints`] ?? []).map(ciliumEndpoint),
        ...(r[`${f}CIDRSet`] ?? []).map((c: any) => `nets:${c.cidr}`),
        ...(r.toFQDNs ?? []).map((q: any) => `fqdn:${q.matchName ?? q.matchPattern}`),
      ];
      // An empty rule (`- {}`) selects no peer: it only switches the direction to default deny.
      return { peers, ports: (r.toPorts ?? []).flatMap((tp: any) => tp.ports.map((p: any) => `${p.protocol}/${p.port}`)) };
    }).filter((r) => r.peers.length > 0);
  return { namespace: m.metadata.namespace!, selector: m.spec.endpointSelector.matchLabels, isolated: new Set((['ingress', 'egress'] as const).filter((d) => m.spec[d] !== undefined)), ingress: rules('ingress'), egress: rules('egress') };
}

/** `a == 'b' && c == 'd'` → {a: b, c: d}; any other selector expression is kept whole. */
function calicoLabels(selector: string): Record<string, string> {
  return Object.fromEntries(
    selector.split(' && ').map((term) => {
      const match = /^([\w./-]+) == '([^']*)'$/.exec(term);
      assert.ok(match, `calico selector term ${term}`);
      return [match[1]!, match[2]!];
    }),
  );
}

/** A peer's selector as selectorText writes it: `a == 'b'` terms, then `k in {'x', 'y'}` terms. */
function calicoSelectorText(selector: string): string {
  const terms = selector.split(' && ');
  const sets = terms.map((t) => /^([\w./-]+) in \{(.*)\}$/.exec(t)).filter((m): m is RegExpExecArray => m !== null);
  const equal = terms.filter((t) => !/ in \{/.test(t));
  const values = (list: string) => list.split(', ').map((v) => v.replace(/^'|'$/g, '')).join(',');
  return [equal.length > 0 ? labels(calicoLabels(equal.join(' && '))) : '', ...sets.map((m) => `${m[1]} in (${values(m[2]!)})`)].filter(Boolean).join(',');
}

function calicoView(m: Manifest): Omit<WorkloadPolicy, 'workload'> {
  const peer = (side: any): string[] => {
    if (side?.services) return [side.services.name === 'kubernetes' && side.services.namespace === 'default' ? 'apiserver' : `service:${side.services.namespace}/${side.services.name}`];
    if (side?.nets) return side.nets.map((n: string) => `nets:${n}`);
    if (side?.selector === 'all()' && side?.namespaceSelector === 'all()') return ['all-pods'];
    if (side?.selector) {
      const ns = /^projectcalico.org\/name == '([^']*)'$/.exec(side.namespaceSelector ?? '')?.[1];
      return [ns === 'kube-system' && side.selector === "k8s-app == 'kube-dns'" ? 'dns' : `pods:${calicoSelectorText(side.selector)}`];
    }
    return ['any'];
  };
  const rules = (d: Direction): AllowRule[] =>
    ((m.spec[d] ?? []) as any[]).filter((r) => r.action === 'Allow').map((r) => ({
      peers: peer(d === 'ingress' ? r.source : r.destination),
      ports: r.protocol ? (r.destination?.ports ?? ['all']).map((p: number | string) => `${r.protocol}/${p}`) : [],
    }));
  return { namespace: m.metadata.namespace!, selector: calicoLabels(m.spec.selector), isolated: new Set((m.spec.types as string[]).map((t) => t.toLowerCase() as Direction)), ingress: rules('ingress'), egress: rules('egress') };
}

/** A ClusterNetworkPolicy `<name>-isolation` isolates with Deny rules; the others hold the Accept rules. */
function clusterNetworkPolicyView(m: Manifest): Omit<WorkloadPolicy, 'workload'> {
  const peer = (p: any): string[] => {
    if (p.networks) return p.networks.includes('0.0.0.0/0') && p.networks.includes('::/0') ? ['any'] : p.networks.map((n: string) => `nets:${n}`);
    if (p.pods) return [isKubeDns(p.pods.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'], p.pods.podSelector?.matchLabels) ? 'dns' : `pods:${selectorText(p.pods.podSelector)}`];
    // `namespaces: {}` is every pod; on ingress it is every source the API can name (ingress has no networks peer).
    if (p.namespaces && Object.keys(p.namespaces).length === 0) return [m.spec.ingress?.some((r: any) => r.from?.includes(p)) ? 'any' : 'all-pods'];
    return [`peer:${JSON.stringify(p)}`];
  };
  const protocolPorts = (r: any): string[] => (r.protocols ?? []).flatMap((p: any) => Object.entries(p).map(([proto, v]: [string, any]) => `${proto.toUpperCase()}/${v.destinationPort.number}`));
  const rules = (d: Direction): AllowRule[] =>
    ((m.spec[d] ?? []) as any[]).filter((r) => r.action === 'Accept').map((r) => ({ peers: (d === 'ingress' ? r.from : r.to).flatMap(peer), ports: protocolPorts(r) }));
  const denies = (d: Direction) => ((m.spec[d] ?? []) as any[]).some((r) => r.action === 'Deny');
  return {
    namespace: m.spec.subject.pods.namespaceSelector.matchLabels['kubernetes.io/metadata.name'],
    selector: m.spec.subject.pods.podSelector.matchLabels,
    isolated: new Set((['ingress', 'egress'] as const).filter(denies)),
    ingress: rules('ingress'),
    egress: rules('egress'),
  };
}

const VIEWS: Record<Engine, (m: Manifest) => Omit<WorkloadPolicy, 'workload'>> = { kubernetes: kubernetesView, cilium: ciliumView, calico: calicoView, clusternetworkpolicy: clusterNetworkPolicyView };
const ENGINES = Object.keys(VIEWS) as Engine[];

/** The manifests of a golden, merged per workload (its allowlist, its `exposed` policy, its CNP isolation). */
function policies(system: string, engine: Engine): Map<string, WorkloadPolicy> {
  const out = new Map<string, WorkloadPolicy>();
  for (const m of manifests(system, engine)) {
    const workload = m.metadata.annotations['flowmatrix.io/intent']!.replace(/\/exposed$/, '');
    const v = VIEWS[engine](m);
    const w = out.get(workload);
    if (!w) {
      out.set(workload, { workload, ...v });
      continue;
    }
    assert.deepEqual([v.namespace, v.selector], [w.namespace, w.selector], `${engine} ${m.metadata.name}: one subject per workload`);
    for (const d of v.isolated) w.isolated.add(d);
    w.ingress.push(...v.ingress);
    w.egress.push(...v.egress);
  }
  return out;
}

function policy(all: Map<string, WorkloadPolicy>, workload: string): WorkloadPolicy {
  const p = all.get(workload);
  assert.ok(p, `${workload} has no policy`);
  return p;
}

const DNS_PORTS = ['TCP/53', 'UDP/53'];
const allowsDns = (p: WorkloadPolicy) => DNS_PORTS.every((port) => p.egress.some((r) => r.peers.includes('dns') && r.ports.includes(port)));
/** A rule that lets every peer through on every port. */
const allowsAll = (r: AllowRule) => r.peers.includes('any') && r.ports.length === 0;

// --- the demo cluster's workloads (demo/data/inventory.json), for "the policy selects its workload" ---

interface DemoWorkload {
  key: string;
  podLabels: Record<string, string>;
  hostNetwork: boolean;
}

const DEMO_WORKLOADS: DemoWorkload[] = (JSON.parse(readFileSync(new URL('../../demo/data/inventory.json', import.meta.url), 'utf8')).items as any[])
  .filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'].includes(o.kind))
  .map((o) => {
    const template = o.spec.template ?? o.spec.jobTemplate.spec.template;
    return { key: `${o.metadata.namespace}/${o.kind.toLowerCase()}/${o.metadata.name}`, podLabels: template.metadata.labels, hostNetwork: template.spec.hostNetwork === true };
  });

const selects = (selector: Record<string, string>, podLabels: Record<string, string>) => Object.entries(selector).every(([k, v]) => podLabels[k] === v);

/** Every policy selects the pods of the workload it is named for, and no other workload's; every pod-network workload of the namespace has one. */
function assertEachPolicySelectsItsWorkload(system: string, engine: Engine, namespace: string): void {
  const all = policies(system, engine);
  const inNamespace = DEMO_WORKLOADS.filter((w) => w.key.startsWith(`${namespace}/`));
  for (const p of all.values()) {
    assert.equal(p.namespace, namespace, `${engine} ${p.workload}`);
    const selected = inNamespace.filter((w) => selects(p.selector, w.podLabels)).map((w) => w.key);
    assert.deepEqual(selected, [p.workload], `${engine} ${p.workload}: selects exactly its own pods`);
  }
  // Host-network pods share the node's address: a pod policy would do nothing, so they get an explanation instead (docs/design.md §4).
  assert.deepEqual([...all.keys()].sort(), inNamespace.filter((w) => !w.hostNetwork).map((w) => w.key).sort(), `${engine}: one policy set per pod-network workload of ${namespace}`);
}

// --- StackLight (seed 000) -------------------------------------------------------------------

const STACKLIGHT = 'stacklight';
const sl = (kind: string, name: string) => `stacklight/${kind}/${name}`;

test('recommend/stacklight/*: each policy selects the workload it is named for; the host-network node exporter gets none (seed 000 line 104)', () => {
  for (const engine of ENGINES) assertEachPolicySelectsItsWorkload(STACKLIGHT, engine, 'stacklight');
});

test('recommend/stacklight/*: seed 000 lines 16-26, deny all ingress: isolated with no allow rule (curator, Fluentd notifications, metric collector, sf-reporter)', () => {
  for (const engine of ENGINES) {
    const all = policies(STACKLIGHT, engine);
    for (const w of [sl('cronjob', 'elasticsearch-curator'), sl('deployment', 'fluentd-notifications'), sl('deployment', 'metric-collector'), sl('cronjob', 'sf-reporter')]) {
      const p = policy(all, w);
      assert.ok(p.isolated.has('ingress'), `${engine} ${w}: ingress isolated`);
      assert.deepEqual(p.ingress, [], `${engine} ${w}: nothing may come in, not even a Prometheus scrape`);
    }
  }
});

test('recommend/stacklight/*: seed 000 lines 28-34, deny all egress: cAdvisor and telegraf-ds-smart may not send anything, DNS included', () => {
  for (const engine of ENGINES) {
    const all = policies(STACKLIGHT, engine);
    for (const w of [sl('daemonset', 'cadvisor'), sl('daemonset', 'telegraf-ds-smart')]) {
      const p = policy(all, w);
      assert.ok(p.isolated.has('egress'), `${engine} ${w}: egress isolated`);
      assert.deepEqual(p.egress, [], `${engine} ${w}: no egress rule`);
    }
  }
});

test('recommend/stacklight/*: seed 000 lines 36-46, the UIs behind load balancers (Alerta, Grafana, OpenSearch dashboards, Alertmanager, Prometheus) are isolated and open to every client', () => {
  for (const engine of ENGINES) {
    const all = policies(STACKLIGHT, engine);
    for (const w of [sl('deployment', 'alerta'), sl('deployment', 'grafana'), sl('deployment', 'opensearch-dashboards'), sl('statefulset', 'prometheus-alertmanager'), sl('statefulset', 'prometheus-server')]) {
      const p = policy(all, w);
      assert.ok(p.isolated.has('ingress'), `${engine} ${w}: ingress isolated`);
      assert.ok(p.ingress.some(allowsAll), `${engine} ${w}: an allow-all ingress rule pairs the isolation`);
    }
  }
});

test('recommend/stacklight/*: seed 000 lines 48-86 and 106, allow all egress reaches in-cluster scrape targets too (kubelet 10250, node exporter 9100 on the node IPs), not the outside world alone', () => {
  const allowAllEgress = [sl('deployment', 'alertmanager-webhook-servicenow'), sl('daemonset', 'fluentd-logs'), sl('deployment', 'fluentd-notifications'), sl('deployment', 'grafana'), sl('deployment', 'metric-collector'), sl('statefulset', 'opensearch-master'), sl('statefulset', 'patroni'), sl('statefulset', 'prometheus-alertmanager'), sl('deployment', 'prometheus-kube-state-metrics'), sl('statefulset', 'prometheus-server'), sl('deployment', 'sf-notifier'), sl('cronjob', 'sf-reporter')];
  for (const engine of ENGINES) {
    const all = policies(STACKLIGHT, engine);
    for (const w of allowAllEgress) assert.ok(policy(all, w).egress.some(allowsAll), `${engine} ${w}: an allow-all egress rule`);
  }
  // Cilium's `world` entity is "traffic external to the endpoint's cluster": Prometheus would lose
  // the kubelet and the node exporter. Its allow-all is the `all` entity, and nothing uses `world`.
  const prometheus = manifests(STACKLIGHT, 'cilium').find((m) => m.metadata.name === 'stacklight-statefulset-prometheus-server')!;
  assert.ok((prometheus.spec.egress as any[]).some((r) => r.toEntities?.includes('all') && r.toPorts === undefined), 'cilium prometheus-server: toEntities all, every port');
  for (const m of manifests(STACKLIGHT, 'cilium')) {
    for (const r of [...(m.spec.ingress ?? []), ...(m.spec.egress ?? [])]) assert.ok(![...(r.toEntities ?? []), ...(r.fromEntities ?? [])].includes('world'), `cilium ${m.metadata.name}: the world entity`);
  }
  // ClusterNetworkPolicy: every pod, and networks covering the node and outside addresses in both
  // families — the pods by a namespaces peer, as Cilium makes networks CIDR selectors, which select
  // no pod (cilium/cilium pkg/k8s/cluster_network_policy.go kcnpParseCIDRSelectors).
  const cnp = manifests(STACKLIGHT, 'clusternetworkpolicy').find((m) => m.metadata.name === 'stacklight-statefulset-prometheus-server')!;
  assert.ok(
    (cnp.spec.egress as any[]).some((r) => r.action === 'Accept' && r.protocols === undefined && JSON.stringify(r.to[0]) === '{"namespaces":{}}' && labels(Object.fromEntries(r.to[1].networks.map((n: string) => [n, '']))) === '0.0.0.0/0=,::/0='),
    'clusternetworkpolicy prometheus-server: Accept to every pod and 0.0.0.0/0, ::/0, every port',
  );
});

test('recommend/stacklight/*: seed 000 lines 88-100, DNS is allowed to every workload whose egress is restricted, except those of lines 28-34', () => {
  const denyAllEgress = new Set([sl('daemonset', 'cadvisor'), sl('daemonset', 'telegraf-ds-smart')]);
  for (const engine of ENGINES) {
    let restricted = 0;
    for (const p of policies(STACKLIGHT, engine).values()) {
      if (!p.isolated.has('egress') || denyAllEgress.has(p.workload)) continue;
      restricted++;
      assert.ok(allowsDns(p), `${engine} ${p.workload}: DNS to kube-dns on TCP and UDP 53`);
    }
    assert.ok(restricted >= 6, `${engine}: lines 90-100 name six workloads that resolve names`);
  }
});

test('recommend/stacklight/clusternetworkpolicy.yaml: every isolation (Deny) is evaluated after the allow rules of its workload (lower priority number wins)', () => {
  const all = manifests(STACKLIGHT, 'clusternetworkpolicy');
  const isolations = all.filter((m) => m.metadata.name.endsWith('-isolation'));
  assert.ok(isolations.length > 0);
  for (const iso of isolations) {
    const intent = iso.metadata.annotations['flowmatrix.io/intent'];
    const allows = all.filter((m) => m !== iso && m.metadata.annotations['flowmatrix.io/intent']!.replace(/\/exposed$/, '') === intent);
    assert.ok(allows.length > 0, `${iso.metadata.name}: paired with its workload's allowlist`);
    for (const a of allows) {
      assert.ok(a.spec.priority < iso.spec.priority, `${a.metadata.name} (${a.spec.priority}) before ${iso.metadata.name} (${iso.spec.priority})`);
      assert.equal(a.spec.tier, iso.spec.tier, `${a.metadata.name}: same tier as its isolation`);
    }
  }
  // Alertmanager (line 44): the isolation denies all other ingress, the allowlist accepts every source first.
  const am = policy(policies(STACKLIGHT, 'clusternetworkpolicy'), sl('statefulset', 'prometheus-alertmanager'));
  assert.deepEqual([am.isolated.has('ingress'), am.ingress.some(allowsAll)], [true, true]);
});

// --- Kyma Telemetry (seed 001) ----------------------------------------------------------------

const KYMA = 'kyma-telemetry';
const ky = (kind: string, name: string) => `kyma-system/${kind}/telemetry-${name}`;
const GATEWAYS = [ky('deployment', 'log-gateway'), ky('deployment', 'metric-gateway'), ky('deployment', 'trace-gateway')];
const NODE_IPS = ['10.0.0.10/32', '10.0.0.11/32', '10.0.0.12/32', '10.0.0.13/32'];

test('recommend/kyma-telemetry/*: each policy selects the workload it is named for (seed 001 lines 37-44, the Pod Selector column)', () => {
  for (const engine of ENGINES) assertEachPolicySelectsItsWorkload(KYMA, engine, 'kyma-system');
});

test('recommend/kyma-telemetry/*: seed 001 lines 51-52, every component is isolated both ways, reaches DNS and the API server, and no egress is left open to any IP', () => {
  for (const engine of ENGINES) {
    const all = policies(KYMA, engine);
    assert.equal(all.size, 8, `${engine}: the eight workloads of lines 37-44`);
    for (const p of all.values()) {
      assert.deepEqual([...p.isolated].sort(), ['egress', 'ingress'], `${engine} ${p.workload}`);
      assert.ok(allowsDns(p), `${engine} ${p.workload}: DNS`);
      // kubernetes and clusternetworkpolicy name the apiserver by its endpoint (golden-meaning.test.ts pins that form).
      assert.ok(p.egress.some((r) => (r.peers.includes('apiserver') || r.peers.includes('nets:10.0.0.10/32')) && (r.ports.length === 0 || r.ports.includes('TCP/6443'))), `${engine} ${p.workload}: the API server`);
      // Line 51, "No egress rules, too loose": today's "To: Any IP, Ports: All" is gone.
      assert.ok(!p.egress.some((r) => r.peers.includes('any')), `${engine} ${p.workload}: no egress to any IP`);
    }
  }
});

test('recommend/kyma-telemetry/*: seed 001 line 23, the metric agent reaches the kubelet on 10250 at the node addresses; line 18, the gateways take OTLP on 4317 and 4318', () => {
  for (const engine of ENGINES) {
    const all = policies(KYMA, engine);
    const kubelet = policy(all, ky('daemonset', 'metric-agent')).egress.filter((r) => r.ports.includes('TCP/10250'));
    // Cilium names node addresses by its own identities for them; the others by the nodes' InternalIPs (docs/demo.md).
    const nodes = engine === 'cilium' ? ['entity:host', 'entity:remote-node'] : NODE_IPS.map((n) => `nets:${n}`);
    assert.deepEqual(kubelet.flatMap((r) => r.peers).sort(), nodes, `${engine}: kubelet rule to the four nodes`);
    for (const gw of GATEWAYS) {
      const ports = new Set(policy(all, gw).ingress.flatMap((r) => r.ports));
      assert.ok(ports.has('TCP/4317') && ports.has('TCP/4318'), `${engine} ${gw}: OTLP gRPC and HTTP`);
    }
  }
});

test('recommend/kyma-telemetry/*: seed 001 lines 26, 31 and 44, the self-monitor takes alert queries and scrapes on 9090 only, and the manager reaches it there', () => {
  for (const engine of ENGINES) {
    const all = policies(KYMA, engine);
    const selfMonitor = policy(all, ky('deployment', 'self-monitor'));
    assert.deepEqual([...new Set(selfMonitor.ingress.flatMap((r) => r.ports))], ['TCP/9090'], `${engine}: self-monitor ingress on 9090 alone`);
    // The RMA role is unbound in the demo config: any source on 9090 until it is bound (docs/matrices.md).
    assert.ok(selfMonitor.ingress.some((r) => r.peers.includes('any')), `${engine}: 9090 open while the RMA role is unbound`);
    const manager = policy(all, ky('deployment', 'manager'));
    assert.ok(manager.egress.some((r) => r.ports.includes('TCP/9090') && r.peers.includes('pods:app.kubernetes.io/name=telemetry-self-monitor')), `${engine}: manager → self-monitor 9090`);
  }
  // Cilium refuses a rule that combines Endpoints, Entities and CIDRSet ("Combining %s and %s is
  // not supported yet"), which would leave the pod unprotected: each peer kind is a rule of its own.
  for (const m of manifests(KYMA, 'cilium')) {
    for (const [d, f] of [['ingress', 'from'], ['egress', 'to']] as const) {
      for (const r of m.spec[d] ?? []) {
        const kinds = ['Endpoints', 'Entities', 'CIDRSet', 'FQDNs', 'Services'].filter((k) => r[`${f}${k}`] !== undefined);
        assert.ok(kinds.length <= 1, `cilium ${m.metadata.name} ${d}: one rule combines ${kinds.join(' and ')}`);
      }
    }
  }
});

test('recommend/kyma-telemetry/*: seed 001 line 27, the self-monitor scrapes the gateways on 8888 by a selector that holds either generation (the per-signal Deployments of lines 40-43, or the current OTLP gateway DaemonSet), and Fluent Bit on 2020 only', () => {
  // kyma-project/telemetry-manager: legacy_gateway_cleanup.go (one telemetry-otlp-gateway DaemonSet for
  // the three gateways); the self-monitor keeps Services labelled telemetry.kyma-project.io/self-monitor,
  // which telemetry-fluent-bit-metrics (2020) carries and the exporter's 2021 Service does not.
  const gateways = ['log', 'metric', 'trace'].map((s) => `pods:app.kubernetes.io/name in (${[`telemetry-${s}-gateway`, 'telemetry-otlp-gateway'].sort().join(',')})`);
  for (const engine of ENGINES) {
    const all = policies(KYMA, engine);
    const selfMonitor = policy(all, ky('deployment', 'self-monitor'));
    const scrape = selfMonitor.egress.filter((r) => r.ports.includes('TCP/8888')).flatMap((r) => r.peers);
    for (const g of gateways) assert.ok(scrape.includes(g), `${engine}: self-monitor → ${g} on 8888 (${scrape.join('; ')})`);
    const fluentBit = 'pods:app.kubernetes.io/instance=telemetry,app.kubernetes.io/name=fluent-bit';
    assert.deepEqual([...new Set(selfMonitor.egress.filter((r) => r.peers.includes(fluentBit)).flatMap((r) => r.ports))], ['TCP/2020'], `${engine}: self-monitor → Fluent Bit on 2020 alone`);
    const fromSelfMonitor = policy(all, ky('daemonset', 'fluent-bit')).ingress.filter((r) => r.peers.includes('pods:app.kubernetes.io/name=telemetry-self-monitor'));
    assert.deepEqual([...new Set(fromSelfMonitor.flatMap((r) => r.ports))], ['TCP/2020'], `${engine}: Fluent Bit takes the self-monitor on 2020 alone`);
  }
});

// The demo's two external backends (demo/generator/cluster.ts): a peer names one by its address
// (kubernetes, calico, clusternetworkpolicy) or by its DNS name (Cilium's toFQDNs).
const CLS = ['nets:198.51.100.20/32', 'fqdn:ingest.cls.example.com'];
const DYNATRACE = ['nets:198.51.100.30/32', 'fqdn:tenant.live.dynatrace.example.com'];
const reaches = (p: WorkloadPolicy, backend: string[]) => p.egress.some((r) => r.peers.some((peer) => backend.includes(peer)));

test('recommend/kyma-telemetry/*: seed 001 line 15, the log pipeline ships to the external logging service (CLS) only; the metric and trace pipelines to their own backend (Dynatrace in the demo)', () => {
  // Line 15 gives FluentBit and the log agent "external logging services (e.g., CLS)"; "CLS,
  // Dynatrace" (lines 19, 23) are examples. Each Log/Metric/TracePipeline has its own configured
  // output (kyma-project/telemetry-manager README: the collector "forwards the received traces to
  // a configurable OTLP backend"), so no log component may require the metric pipelines' backend,
  // nor a trace or metric component the log pipelines'.
  const LOG = [ky('daemonset', 'fluent-bit'), ky('daemonset', 'log-agent'), ky('deployment', 'log-gateway')];
  // Line 23: the metric agent ships to the metric pipelines' backend, which the demo's metric gateway is seen reaching.
  const METRIC_AND_TRACE = [ky('daemonset', 'metric-agent'), ky('deployment', 'metric-gateway'), ky('deployment', 'trace-gateway')];
  for (const engine of ENGINES) {
    const all = policies(KYMA, engine);
    for (const w of LOG) assert.deepEqual([reaches(policy(all, w), CLS), reaches(policy(all, w), DYNATRACE)], [true, false], `${engine} ${w}: CLS, not Dynatrace`);
    for (const w of METRIC_AND_TRACE) assert.deepEqual([reaches(policy(all, w), CLS), reaches(policy(all, w), DYNATRACE)], [false, true], `${engine} ${w}: Dynatrace, not CLS`);
  }
});

test('every Calico golden: no rule mixes IPv4 and IPv6 nets (libcalico-go refuses the whole policy)', () => {
  const family = (cidr: string) => (cidr.includes(':') ? 6 : 4);
  let withNets = 0;
  for (const system of [STACKLIGHT, KYMA, 'netobserv', 'progressive-delivery']) {
    for (const m of manifests(system, 'calico')) {
      for (const r of [...(m.spec.ingress ?? []), ...(m.spec.egress ?? [])]) {
        const nets = [r.source?.nets, r.source?.notNets, r.destination?.nets, r.destination?.notNets].flat().filter((n): n is string => typeof n === 'string');
        if (nets.length > 0) withNets++;
        assert.ok(new Set(nets.map(family)).size <= 1, `calico ${system}/${m.metadata.name}: ${nets.join(', ')}`);
      }
    }
  }
  assert.ok(withNets > 0, 'some Calico rule carries nets');
});
