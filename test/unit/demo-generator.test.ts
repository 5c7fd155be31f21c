import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE } from '../helpers/reference.ts';
import { tmpDir } from '../helpers/tmp.ts';
import { DEMO_DEFAULTS, generateCluster, hubbleRecords, inventoryList, netobservRecords, writeDemoFiles } from '../../demo/generator/index.ts';

const DATA = new URL('../../demo/data/', import.meta.url).pathname;
const FILES = ['inventory.json', 'inventory-later.json', 'netobserv.ndjson', 'hubble.jsonl'];

type Obj = Record<string, any>;
const lines = (path: string): Obj[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Obj);

function typeOf(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? 'array' : `${typeOf(v[0])}[]`;
  return v === null ? 'null' : typeof v;
}

test('two runs with the same seed give byte-identical files; another seed differs', async () => {
  const opts = { seed: 7, scale: 2, netobservFlows: 500, hubbleFlows: 300 };
  const a = await writeDemoFiles(tmpDir(), opts);
  const b = await writeDemoFiles(tmpDir(), opts);
  const c = await writeDemoFiles(tmpDir(), { ...opts, seed: 8 });
  for (const key of ['inventory', 'inventoryLater', 'netobserv', 'hubble'] as const) {
    assert.ok(readFileSync(a[key] as string).equals(readFileSync(b[key] as string)), `${key} differs between runs`);
  }
  assert.ok(!readFileSync(a.netobserv).equals(readFileSync(c.netobserv)), 'a different seed must give different flows');
  assert.equal(lines(a.netobserv).length, 500);
  assert.equal(lines(a.hubble).length, 300);
});

test('the committed demo/data equals a fresh generation with the defaults', async () => {
  const fresh = tmpDir();
  await writeDemoFiles(fresh);
  for (const f of FILES) {
    assert.ok(readFileSync(join(DATA, f)).equals(readFileSync(join(fresh, f))), `demo/data/${f} is stale: run node --import tsx demo/generate.ts --out demo/data`);
  }
  assert.equal(lines(join(DATA, 'netobserv.ndjson')).length, DEMO_DEFAULTS.netobservFlows);
});

/** Field → allowed JSON types: what the real sample records carry, plus what flows-format.adoc documents. */
function netobservFieldTypes(): Map<string, Set<string>> {
  const allowed = new Map<string, Set<string>>();
  const add = (k: string, t: string): void => {
    if (!allowed.has(k)) allowed.set(k, new Set());
    allowed.get(k)?.add(t);
  };
  for (const r of lines(join(REFERENCE, 'flows/netobserv/netobserv-flow-samples.ndjson'))) for (const [k, v] of Object.entries(r)) add(k, typeOf(v));
  const adoc = readFileSync(join(REFERENCE, 'flows/netobserv/flows-format.adoc'), 'utf8').split('\n');
  for (let i = 0; i < adoc.length - 1; i++) {
    const name = /^\| `([A-Za-z_0-9]+)`$/.exec(adoc[i] as string);
    const type = /^\| (number|string|number\[\]|string\[\]|object\[\])$/.exec(adoc[i + 1] as string);
    if (name && type) add(name[1] as string, type[1] as string);
  }
  return allowed;
}

test('every NetObserv record has only fields of the real format, with their real types', () => {
  const allowed = netobservFieldTypes();
  assert.deepEqual([...(allowed.get('Flags') ?? [])].sort(), ['number', 'string[]']);
  const records = lines(join(DATA, 'netobserv.ndjson'));
  for (const [i, r] of records.entries()) {
    for (const [k, v] of Object.entries(r)) {
      const types = allowed.get(k);
      assert.ok(types, `record ${i}: field ${k} is not a NetObserv field`);
      assert.ok(types.has(typeOf(v)), `record ${i}: ${k} is ${typeOf(v)}, real records have ${[...types].join('|')}`);
    }
    for (const k of ['AgentIP', 'Bytes', 'Packets', 'Proto', 'SrcAddr', 'DstAddr', 'SrcPort', 'DstPort', 'TimeFlowStartMs', 'TimeFlowEndMs', 'TimeReceived', 'FlowDirection', 'Etype']) {
      assert.ok(k in r, `record ${i}: missing ${k}`);
    }
    assert.ok(r.TimeFlowStartMs <= r.TimeFlowEndMs);
    if (r.Proto === 6) assert.ok('Flags' in r, `record ${i}: TCP without Flags`);
    if (r.Proto === 17) assert.ok(!('Flags' in r));
    assert.ok(('Interfaces' in r && 'IfDirections' in r) !== ('Interface' in r && 'IfDirection' in r), `record ${i}: one interface form`);
    if (r.SrcK8S_Type === 'Node' || r.SrcK8S_Type === 'Service') assert.equal(r.SrcK8S_OwnerType, r.SrcK8S_Type);
  }
  // Both encodings of Flags, all three node directions, DNS answers, Service and Node peers, bare-IP records.
  assert.ok(records.some((r) => typeof r.Flags === 'number' && r.Flags === 0x2));
  assert.ok(records.some((r) => Array.isArray(r.Flags) && r.Flags.includes('SYN_ACK')));
  assert.ok(records.some((r) => Array.isArray(r.Flags) && r.Flags.length === 1 && r.Flags[0] === 'ACK'));
  assert.deepEqual([...new Set(records.map((r) => r.FlowDirection))].sort(), [0, 1, 2]);
  assert.ok(records.some((r) => r.SrcPort === 53 && r.SrcK8S_Name === 'kube-dns' && r.SrcK8S_Type === 'Service' && typeof r.DnsId === 'number'));
  assert.ok(records.some((r) => r.DstK8S_Name === 'kubernetes' && r.DstK8S_Namespace === 'default' && r.DstPort === 443));
  assert.ok(records.some((r) => r.DstPort === 6443 && r.DstK8S_Type === 'Node'));
  assert.ok(records.some((r) => r.SrcK8S_Type === 'Node' && r.DstK8S_Type === 'Pod' && r.SrcK8S_HostName === r.DstK8S_HostName), 'kubelet probes from the own node');
  assert.ok(records.some((r) => !('SrcK8S_Type' in r) && !('DstK8S_Type' in r) && r.SrcAddr.startsWith('10.244.')), 'records with no Kubernetes metadata');
  assert.ok(records.some((r) => r.DstAddr === '192.0.2.44' && r.DstPort === 4444));
});

test('Hubble lines carry the jsonpb envelope and protojson shapes of the real samples', () => {
  const sampleKeys = new Set<string>();
  const endpointKeys = new Set<string>();
  for (const f of ['hubble-v1.19.1-tke-guide-samples.jsonl', 'hubble-v1.18.3-policy-deny-sample.jsonl', 'hubble-otel-basic-sample-5-dns-flows.json', 'hubble-otel-basic-sample-10-flows.json']) {
    for (const l of lines(join(REFERENCE, 'flows/hubble', f))) {
      for (const k of Object.keys(l.flow)) sampleKeys.add(k);
      for (const k of [...Object.keys(l.flow.source ?? {}), ...Object.keys(l.flow.destination ?? {})]) endpointKeys.add(k);
    }
  }
  // Fields the samples do not happen to show but the Flow message declares (cilium-flow-proto-README.md).
  const readme = readFileSync(join(REFERENCE, 'flows/hubble/cilium-flow-proto-README.md'), 'utf8');
  const flowTable = readme.slice(readme.indexOf('<a name="flow-Flow"></a>'), readme.indexOf('<a name="flow-FlowFilter"></a>'));
  for (const m of flowTable.matchAll(/^\| ([A-Za-z_]+) \| \[/gm)) sampleKeys.add(m[1] as string);
  assert.ok(sampleKeys.has('destination_names') && sampleKeys.has('is_reply'));
  const records = lines(join(DATA, 'hubble.jsonl'));
  for (const [i, r] of records.entries()) {
    assert.deepEqual(Object.keys(r), ['flow', 'node_name', 'time'], `line ${i}`);
    const f = r.flow;
    assert.equal(f.time, r.time);
    assert.equal(f.node_name, r.node_name);
    assert.match(f.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    for (const k of Object.keys(f)) assert.ok(sampleKeys.has(k), `line ${i}: flow.${k} not in the real samples`);
    for (const k of [...Object.keys(f.source), ...Object.keys(f.destination)]) assert.ok(endpointKeys.has(k), `line ${i}: endpoint.${k}`);
    assert.ok(['FORWARDED', 'DROPPED'].includes(f.verdict));
    assert.ok(['L3_L4', 'L7'].includes(f.Type));
    assert.equal(typeof f.event_type.type, 'number');
    assert.equal(Object.keys(f.l4).length, 1);
    const l4 = f.l4.TCP ?? f.l4.UDP;
    assert.equal(typeof l4.source_port, 'number');
    assert.equal(typeof l4.destination_port, 'number');
    assert.equal(typeof f.source.identity, 'number');
    if ('is_reply' in f) assert.equal(typeof f.is_reply, 'boolean');
    if (f.l7?.latency_ns !== undefined) assert.equal(typeof f.l7.latency_ns, 'string', '64-bit ints are strings');
    // is_reply is a BoolValue wrapper: false is a value, absent means unknown.
    for (const [k, v] of Object.entries(f)) if (k !== 'is_reply') assert.ok(v !== false && v !== 0 && v !== '', `line ${i}: zero ${k} must be omitted`);
  }
  assert.ok(records.some((r) => r.flow.verdict === 'DROPPED' && r.flow.drop_reason_desc === 'POLICY_DENIED' && r.flow.event_type.type === 1));
  assert.ok(records.some((r) => r.flow.destination.labels?.includes('reserved:kube-apiserver')));
  assert.ok(records.some((r) => r.flow.destination_names?.includes('api.payments.example.com')));
  assert.ok(records.some((r) => r.flow.is_reply === true && r.flow.l4.TCP?.flags?.SYN && r.flow.l4.TCP?.flags?.ACK));
  assert.ok(records.some((r) => r.flow.l7?.dns?.query === 'kube-dns.kube-system.svc.cluster.local.' || r.flow.l7?.dns?.query?.endsWith('.svc.cluster.local.')));
  assert.ok(records.some((r) => r.flow.source.workloads?.[0]?.kind === 'CronJob'));
});

function objects(file: string): Obj[] {
  const list = JSON.parse(readFileSync(join(DATA, file), 'utf8')) as Obj;
  assert.equal(list.apiVersion, 'v1');
  assert.equal(list.kind, 'List');
  return list.items as Obj[];
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/') as [string, string];
  const n = (a: string): number => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const mask = 2 ** 32 - 2 ** (32 - Number(bits));
  return (n(ip) & mask) >>> 0 === (n(base) & mask) >>> 0;
}

for (const file of ['inventory.json', 'inventory-later.json']) {
  test(`${file}: pods, slices and owners agree with each other`, () => {
    const items = objects(file);
    const byKind = (k: string): Obj[] => items.filter((i) => i.kind === k);
    const nodes = new Map(byKind('Node').map((n) => [n.metadata.name, n]));
    assert.equal(byKind('Node').filter((n) => 'node-role.kubernetes.io/control-plane' in n.metadata.labels).length, 1);
    assert.equal(nodes.size, 4);
    const uids = new Map(items.map((i) => [i.metadata.uid, i]));
    assert.equal(uids.size, items.length, 'uids are unique');
    for (const ns of byKind('Namespace')) assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], ns.metadata.name);

    const pods = byKind('Pod');
    const podIps = new Map<string, Obj>();
    for (const p of pods) {
      const node = nodes.get(p.spec.nodeName);
      assert.ok(node, `pod ${p.metadata.name}: unknown node`);
      const internal = node.status.addresses.find((a: Obj) => a.type === 'InternalIP').address;
      assert.equal(p.status.hostIP, internal);
      assert.deepEqual(p.status.podIPs, [{ ip: p.status.podIP }]);
      if (p.spec.hostNetwork) assert.equal(p.status.podIP, internal);
      else {
        assert.ok(inCidr(p.status.podIP, node.spec.podCIDR), `${p.metadata.name} ${p.status.podIP} outside ${node.spec.podCIDR}`);
        assert.ok(!podIps.has(p.status.podIP), `IP ${p.status.podIP} held by two pods in one snapshot`);
        podIps.set(p.status.podIP, p);
      }
      for (const ref of p.metadata.ownerReferences ?? []) {
        assert.equal(ref.controller, true);
        const owner = uids.get(ref.uid);
        assert.ok(owner && owner.kind === ref.kind && owner.metadata.name === ref.name, `${p.metadata.name}: owner ${ref.kind}/${ref.name} not in the list`);
      }
    }
    for (const kind of ['ReplicaSet', 'Job', 'EndpointSlice']) {
      for (const o of byKind(kind)) {
        for (const ref of o.metadata.ownerReferences ?? []) {
          const owner = uids.get(ref.uid);
          assert.ok(owner && owner.kind === ref.kind && owner.metadata.name === ref.name, `${kind} ${o.metadata.name}: owner missing`);
        }
      }
    }
    const services = new Map(byKind('Service').map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]));
    for (const slice of byKind('EndpointSlice')) {
      const svc = services.get(`${slice.metadata.namespace}/${slice.metadata.labels['kubernetes.io/service-name']}`);
      assert.ok(svc, `slice ${slice.metadata.name} names no Service`);
      if (!svc.spec.selector) {
        assert.equal(slice.metadata.name, 'kubernetes');
        assert.deepEqual(slice.ports, [{ name: 'https', port: 6443, protocol: 'TCP' }]);
        const cp = byKind('Node').find((n) => 'node-role.kubernetes.io/control-plane' in n.metadata.labels) as Obj;
        assert.deepEqual(slice.endpoints, [{ addresses: [cp.status.addresses[0].address], conditions: { ready: true } }]);
        continue;
      }
      for (const ep of slice.endpoints) {
        const pod = podIps.get(ep.addresses[0]);
        assert.ok(pod, `slice ${slice.metadata.name}: ${ep.addresses[0]} is no pod IP`);
        assert.equal(ep.targetRef.name, pod.metadata.name);
        assert.equal(ep.nodeName, pod.spec.nodeName);
        for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(pod.metadata.labels[k], v, `slice ${slice.metadata.name}: pod not selected`);
      }
      assert.equal(slice.ports.length, svc.spec.ports.length);
    }
    const dns = services.get('kube-system/kube-dns') as Obj;
    assert.equal(dns.spec.clusterIP, '10.96.0.10');
    assert.deepEqual(dns.spec.ports.map((p: Obj) => `${p.port}/${p.protocol}`), ['53/UDP', '53/TCP', '9153/TCP']);
    assert.equal(byKind('Ingress').length, 2);
    assert.equal(byKind('NetworkPolicy').filter((p) => p.metadata.namespace === 'kyma-system').length, 8);
  });
}

test('one pod IP changes owner between the snapshots, and flows hit it in both periods', () => {
  const owners = (file: string): Map<string, string> =>
    new Map(objects(file).filter((i) => i.kind === 'Pod' && !i.spec.hostNetwork).map((p) => [p.status.podIP, `${p.metadata.namespace}/${p.metadata.name}`]));
  const early = owners('inventory.json');
  const later = owners('inventory-later.json');
  const changed = [...later].filter(([ip, pod]) => early.has(ip) && early.get(ip) !== pod);
  assert.equal(changed.length, 1);
  const [ip, after] = changed[0] as [string, string];
  assert.match(early.get(ip) as string, /^shop\/catalog-/);
  assert.equal(after, 'tools/netshoot');

  const cluster = generateCluster({ seed: DEMO_DEFAULTS.seed, scale: 1 });
  assert.equal(cluster.ipReuse.ip, ip);
  const flows = lines(join(DATA, 'netobserv.ndjson')).filter((r) => r.SrcAddr === ip || r.DstAddr === ip);
  assert.ok(flows.some((r) => r.TimeFlowEndMs < cluster.ipReuse.releasedAt && r.DstPort === 8080), 'catalog traffic before');
  assert.ok(flows.some((r) => r.TimeFlowStartMs >= cluster.ipReuse.reusedAt && r.DstPort === 4444), 'debug traffic after');
  for (const r of flows) assert.ok(r.SrcAddr === ip ? !('SrcK8S_Type' in r) : !('DstK8S_Type' in r), 'the reused IP must be resolved through the IP history');
});

test('flow metadata agrees with the inventory: pod names, IPs and nodes', () => {
  const pods = new Map<string, Obj>();
  for (const f of ['inventory.json', 'inventory-later.json']) for (const p of objects(f).filter((i) => i.kind === 'Pod')) pods.set(`${p.metadata.namespace}/${p.metadata.name}`, p);
  let checked = 0;
  for (const r of lines(join(DATA, 'netobserv.ndjson'))) {
    for (const side of ['Src', 'Dst']) {
      if (r[`${side}K8S_Type`] !== 'Pod') continue;
      const pod = pods.get(`${r[`${side}K8S_Namespace`]}/${r[`${side}K8S_Name`]}`);
      assert.ok(pod, `unknown pod ${r[`${side}K8S_Name`]}`);
      assert.equal(r[`${side}Addr`], pod.status.podIP);
      assert.equal(r[`${side}K8S_HostName`], pod.spec.nodeName);
      checked++;
    }
  }
  for (const r of lines(join(DATA, 'hubble.jsonl'))) {
    for (const side of ['source', 'destination'] as const) {
      const ep = r.flow[side];
      if (!ep.pod_name) continue;
      const pod = pods.get(`${ep.namespace}/${ep.pod_name}`);
      assert.ok(pod, `unknown pod ${ep.pod_name}`);
      assert.equal(r.flow.IP[side], pod.status.podIP);
      if ('ID' in ep) assert.equal(r.node_name, pod.spec.nodeName, 'endpoint ids are local to the reporting node');
      checked++;
    }
  }
  assert.ok(checked > 1000);
});

test('scale 100 is the benchmark cluster (~2,000 workloads)', () => {
  const c = generateCluster({ seed: 1, scale: 100 });
  assert.ok(c.workloads.length >= 1900 && c.workloads.length <= 2200, `${c.workloads.length} workloads`);
  const ips = new Set(c.pods.filter((p) => !p.hostNetwork && p.deletedAt === undefined && p.workload.kind !== 'Pod').map((p) => p.ip));
  assert.equal(ips.size, c.pods.filter((p) => !p.hostNetwork && p.deletedAt === undefined && p.workload.kind !== 'Pod').length);
  assert.throws(() => generateCluster({ seed: 1, scale: 0 }), /scale/);
});

test('the record streams run in bounded memory', () => {
  const cluster = generateCluster({ seed: 3, scale: 1 });
  const gc = (globalThis as { gc?: () => void }).gc;
  const heap = (): number => {
    gc?.();
    return process.memoryUsage().heapUsed;
  };
  let n = 0;
  let at20k = 0;
  let bytes = 0;
  for (const r of netobservRecords(cluster, { flows: 200_000, seed: 3 })) {
    n++;
    if (n === 20_000) at20k = heap();
    if (n % 1000 === 0) bytes += JSON.stringify(r).length;
  }
  const growth = heap() - at20k;
  assert.equal(n, 200_000);
  assert.ok(bytes > 0);
  assert.ok(growth < 32 * 1024 * 1024, `heap grew ${(growth / 1e6).toFixed(1)} MB over 180k records`);
  let h = 0;
  for (const _ of hubbleRecords(cluster, { flows: 20_000, seed: 3 })) h++;
  assert.equal(h, 20_000);
  assert.ok(inventoryList(cluster).items.length > 100);
});
