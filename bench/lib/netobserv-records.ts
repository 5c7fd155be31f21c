/**
 * A deterministic stream of NetObserv records shaped like the real samples (same fields, same
 * sizes), for benchmarks. Used until the demo generator (`demo/generator`) offers `netobservRecords`.
 */

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

import type { ResolutionData } from '../../domain/resolution.ts';

interface Pod {
  ns: string;
  name: string;
  owner: string;
  ownerType: string;
  ip: string;
  node: string;
  port: number;
}

export interface GeneratorOptions {
  seed?: number;
  workloads?: number;
  start?: number;
}

function podsFor(n: number): Pod[] {
  const pods: Pod[] = [];
  for (let i = 0; i < n; i++) {
    const ns = `team-${i % 12}`;
    const owner = `svc-${i}`;
    pods.push({
      ns,
      name: `${owner}-7d9f8c6b5-${(i * 7919).toString(36).padStart(5, 'x').slice(0, 5)}`,
      owner,
      ownerType: i % 5 === 0 ? 'StatefulSet' : 'Deployment',
      ip: `10.128.${i >> 8}.${i & 255}`,
      node: `ip-10-0-1-${i % 16}.ec2.internal`,
      port: [8080, 8443, 9090, 5432, 6379, 443][i % 6] as number,
    });
  }
  return pods;
}

/** The inventory matching the generated records: each workload declares its server port. */
export function benchResolution(opts: GeneratorOptions = {}): ResolutionData {
  const pods = podsFor(opts.workloads ?? 200);
  return {
    intervals: [],
    workloads: pods.map((p) => ({
      namespace: p.ns,
      kind: p.ownerType as 'Deployment' | 'StatefulSet',
      name: p.owner,
      labels: { app: p.owner },
      selector: { matchLabels: { app: p.owner } },
      hostNetwork: false,
      ports: [{ name: 'main', port: p.port, protocol: 'TCP' as const }],
      services: [],
      exposure: [],
    })),
    services: [],
    endpointSlices: [],
    nodes: [],
    apiserver: [],
    dnsWorkloads: [],
    ownerAliases: [],
  };
}

/** Yields NDJSON lines (with '\n'); `count` records, request and reply directions mixed. */
export function* netobservLines(count: number, opts: GeneratorOptions = {}): Generator<string> {
  const rnd = prng(opts.seed ?? 42);
  const n = opts.workloads ?? 200;
  const pods = podsFor(n);
  let t = opts.start ?? 1_708_011_866_000;
  for (let k = 0; k < count; k++) {
    const ai = Math.floor(rnd() * n);
    const a = pods[ai] as Pod;
    // Each client talks to a handful of servers: a realistic edge count (~n × 5).
    const b = pods[(ai * 31 + Math.floor(rnd() * 5) * 17 + 1) % n] as Pod;
    const ephemeral = 32768 + Math.floor(rnd() * 28000);
    const reply = rnd() < 0.45;
    const [s, d] = reply ? [b, a] : [a, b];
    const [sp, dp] = reply ? [b.port, ephemeral] : [ephemeral, b.port];
    const flags = rnd() < 0.1 ? (reply ? 0x112 : 0x2) : 0x10;
    t += Math.floor(rnd() * 5);
    yield `{"AgentIP":"10.0.1.${k % 16}","Bytes":${100 + Math.floor(rnd() * 5000)},"DnsErrno":0,"Dscp":0,"DstAddr":"${d.ip}","DstK8S_HostIP":"10.0.1.${d.ip.length % 16}","DstK8S_HostName":"${d.node}","DstK8S_Name":"${d.name}","DstK8S_Namespace":"${d.ns}","DstK8S_OwnerName":"${d.owner}","DstK8S_OwnerType":"${d.ownerType}","DstK8S_Type":"Pod","DstMac":"0A:58:64:58:00:03","DstPort":${dp},"Etype":2048,"Flags":${flags},"FlowDirection":"${k % 3}","IfDirection":1,"Interface":"genev_sys_6081","K8S_FlowLayer":"app","Packets":${1 + Math.floor(rnd() * 20)},"Proto":6,"SrcAddr":"${s.ip}","SrcK8S_HostIP":"10.0.1.${s.ip.length % 16}","SrcK8S_HostName":"${s.node}","SrcK8S_Name":"${s.name}","SrcK8S_Namespace":"${s.ns}","SrcK8S_OwnerName":"${s.owner}","SrcK8S_OwnerType":"${s.ownerType}","SrcK8S_Type":"Pod","SrcMac":"0A:58:64:58:00:02","SrcPort":${sp},"TimeFlowEndMs":${t},"TimeFlowRttNs":10000,"TimeFlowStartMs":${t - 3},"TimeReceived":${Math.floor(t / 1000)},"app":"netobserv-flowcollector"}\n`;
  }
}
