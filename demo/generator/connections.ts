/**
 * Turns the traffic plan into a stream of concrete connections (who, which pods, which ports,
 * when), shared by the NetObserv and Hubble renderers. Streams: holds only the cluster and a
 * few indexes, never the connections it already produced.
 */
import { podActiveAt } from './cluster.ts';
import type { Conversation, DemoCluster, DemoExternal, DemoNode, DemoPod, DemoService, EndRef } from './model.ts';
import { pickWeighted, type Prng } from './prng.ts';

export interface ConnEnd {
  ip: string;
  port: number;
  kind: 'pod' | 'node' | 'apiserver' | 'external';
  pod?: DemoPod;
  node?: DemoNode;
  external?: DemoExternal;
}

export type ConnStyle = 'short' | 'split' | 'mid' | 'denied' | 'udp';

export interface Connection {
  conv: Conversation;
  time: number;
  client: ConnEnd;
  server: ConnEnd;
  /** The ClusterIP Service the client dialled, with the Service port. */
  front?: { service: DemoService; port: number };
  style: ConnStyle;
  /** Duration of the connection window, ms. */
  durationMs: number;
}

interface Pin {
  at: number;
  conv: Conversation;
  serverPod?: DemoPod;
  clientPod?: DemoPod;
}

export class ConnectionPlanner {
  private readonly podsByWorkload = new Map<string, DemoPod[]>();
  private readonly services = new Map<string, DemoService>();
  private readonly externals = new Map<string, DemoExternal>();
  private readonly cumulative: number[] = [];
  private readonly pins: Pin[] = [];
  private pinIndex = 0;

  constructor(
    private readonly cluster: DemoCluster,
    private readonly prng: Prng,
    from: number,
  ) {
    for (const p of cluster.pods) {
      const key = `${p.namespace}/${p.workload.name}`;
      const list = this.podsByWorkload.get(key) ?? [];
      list.push(p);
      this.podsByWorkload.set(key, list);
    }
    for (const s of cluster.services) this.services.set(`${s.namespace}/${s.name}`, s);
    for (const e of cluster.externals) this.externals.set(e.id, e);
    let sum = 0;
    for (const c of cluster.conversations) this.cumulative.push((sum += c.weight));
    this.pins = this.buildPins(from);
  }

  /**
   * Connections that must appear: every conversation of the plan once (spread over the window,
   * so a small sample still shows all documented and undocumented traffic), each Job run, and
   * flows on the reused IP in both periods.
   */
  private buildPins(from: number): Pin[] {
    const pins: Pin[] = [];
    const covered = this.cluster.conversations.filter((c) => c.client.kind !== 'own-node');
    covered.forEach((conv, i) => pins.push({ at: from + Math.floor(((i + 0.5) * this.cluster.windowMs) / covered.length), conv }));
    const { ipReuse } = this.cluster;
    const byId = (pred: (c: Conversation) => boolean): Conversation[] => this.cluster.conversations.filter(pred);
    for (const pod of this.cluster.pods) {
      if (!pod.job) continue;
      for (const conv of byId((c) => c.client.kind === 'workload' && c.client.namespace === pod.namespace && c.client.name === pod.workload.name)) {
        pins.push({ at: pod.createdAt + 20_000, conv, clientPod: pod });
      }
    }
    const before = this.cluster.pods.find((p) => `${p.namespace}/${p.name}` === ipReuse.before);
    const toCatalog = byId((c) => c.id.startsWith('shop/cart->shop/catalog:8080'));
    if (before) {
      for (const conv of toCatalog) {
        for (const at of [ipReuse.releasedAt - 3 * 3_600_000, ipReuse.releasedAt - 600_000]) pins.push({ at, conv, serverPod: before });
      }
    }
    for (const conv of byId((c) => c.client.kind === 'workload' && c.client.namespace === 'tools')) {
      for (const at of [ipReuse.reusedAt + 600_000, ipReuse.reusedAt + 4 * 3_600_000]) pins.push({ at, conv });
    }
    return pins.filter((p) => p.at >= from).sort((a, b) => a.at - b.at || (a.conv.id < b.conv.id ? -1 : a.conv.id > b.conv.id ? 1 : 0));
  }

  /** The next connection at (or just after) time `now`. */
  next(now: number): Connection {
    const pin = this.pins[this.pinIndex];
    if (pin && pin.at <= now) {
      this.pinIndex++;
      const conn = this.build(pin.conv, Math.max(now, pin.at), pin.clientPod, pin.serverPod);
      if (conn) return conn;
    }
    for (let attempt = 0; attempt < 50; attempt++) {
      const conv = this.cluster.conversations[pickWeighted(this.prng, this.cumulative)] as Conversation;
      const conn = this.build(conv, now);
      if (conn) return conn;
    }
    throw new Error(`no conversation is active at ${new Date(now).toISOString()}`);
  }

  private build(conv: Conversation, time: number, clientPod?: DemoPod, serverPod?: DemoPod): Connection | undefined {
    const server = serverPod ? this.podEnd(serverPod, conv.port) : this.resolve(conv.server, time, conv.port);
    if (!server) return undefined;
    let client: ConnEnd | undefined;
    if (clientPod) client = this.podEnd(clientPod, 0);
    else if (conv.client.kind === 'own-node') client = server.node ? { ip: server.node.ip, port: 0, kind: 'node', node: server.node } : undefined;
    else client = this.resolve(conv.client, time, 0, server.pod);
    if (!client) return undefined;
    client.port = this.prng.int(32768, 60999);

    const conn: Connection = { conv, time, client, server, style: 'short', durationMs: 0 };
    if (conv.service) {
      const svc = this.services.get(conv.service);
      if (!svc) throw new Error(`traffic plan names unknown service ${conv.service}`);
      const sp = svc.ports.find((p) => p.protocol === conv.protocol && (p.targetPort === conv.port || (typeof p.targetPort === 'string' && this.namedPort(server.pod, p.targetPort) === conv.port)));
      if (!sp) throw new Error(`service ${conv.service} has no port targeting ${conv.port}/${conv.protocol}`);
      // The apiserver Service and host-network clients are not DNATed where NetObserv sees them; keep the front anyway: the client dials it.
      conn.front = { service: svc, port: sp.port };
    }
    if (conv.deniedBy) conn.style = 'denied';
    else if (conv.protocol === 'UDP') conn.style = 'udp';
    else {
      const r = this.prng.next();
      conn.style = r < 0.5 ? 'short' : r < 0.7 ? 'split' : 'mid';
    }
    conn.durationMs = conn.style === 'udp' ? this.prng.int(0, 3) : conn.style === 'mid' ? this.prng.int(2_000, 15_000) : this.prng.int(3, 900);
    return conn;
  }

  private namedPort(pod: DemoPod | undefined, name: string): number | undefined {
    for (const c of pod?.workload.containers ?? []) for (const p of c.ports) if (p.name === name) return p.port;
    return undefined;
  }

  private podEnd(pod: DemoPod, port: number): ConnEnd {
    return { ip: pod.ip, port, kind: 'pod', pod, node: pod.node };
  }

  private resolve(ref: EndRef, time: number, port: number, avoid?: DemoPod): ConnEnd | undefined {
    switch (ref.kind) {
      case 'workload': {
        const all = this.podsByWorkload.get(`${ref.namespace}/${ref.name}`) ?? [];
        const active = all.filter((p) => podActiveAt(p, time) && p !== avoid);
        if (active.length === 0) return undefined;
        return this.podEnd(this.prng.pick(active), port);
      }
      case 'node': {
        const node = this.prng.pick(this.cluster.nodes);
        return { ip: node.ip, port, kind: 'node', node };
      }
      case 'apiserver': {
        const node = this.cluster.nodes.find((n) => n.name === this.cluster.apiserver.node);
        return { ip: this.cluster.apiserver.ip, port, kind: 'apiserver', ...(node ? { node } : {}) };
      }
      case 'external': {
        const external = this.externals.get(ref.id);
        return external ? { ip: external.ip, port, kind: 'external', external } : undefined;
      }
      case 'own-node':
        return undefined;
    }
  }
}

/** Renders one connection as the records a flow source reports for it. */
export interface ConnectionRenderer {
  render(conn: Connection): Record<string, unknown>[];
}

/**
 * Streams `flows` records over the cluster's window: connections are planned at evenly spaced
 * times and rendered until the count is reached. Holds one connection's records at a time.
 */
export function* streamRecords(cluster: DemoCluster, opts: { flows: number; from?: number }, prng: Prng, renderer: ConnectionRenderer): Generator<Record<string, unknown>> {
  const from = opts.from ?? cluster.baseTime;
  const planner = new ConnectionPlanner(cluster, prng, from);
  let emitted = 0;
  while (emitted < opts.flows) {
    const now = from + Math.floor((emitted * cluster.windowMs) / Math.max(opts.flows, 1));
    for (const record of renderer.render(planner.next(now))) {
      if (emitted >= opts.flows) return;
      emitted++;
      yield record;
    }
  }
}
