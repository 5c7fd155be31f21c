/**
 * A workload's pods judged apart where the policies tell them apart by address. One pod stands
 * for each workload (cluster.ts), carrying the addresses of all its pods; a rule that matches by
 * address (a NetworkPolicy ipBlock, a Calico `nets`/`notNets`, a Cilium CIDR on a node or a
 * host-network pod, a ClusterNetworkPolicy `networks`) matches it when it holds ANY of them. But
 * a connection to or from the workload (an edge; a flow record to a Service's ClusterIP) may be
 * any one of its pods' connections, each at that pod's own address: Calico, like every datapath,
 * matches the pod's address after kube-proxy's NAT (projectcalico/calico#2088). So a connection is
 * allowed only when it is allowed at every pod (docs/api.md#simulate: a record that resolves to
 * several connections "is denied when any of them is"), and a connection left out is still open
 * when it is open at any pod.
 *
 * Cheap where it does not matter: the pods are told apart only by the address blocks the policies
 * name (and, for host-network pods, by their node where a policy selects nodes by label: a
 * ClusterNetworkPolicy `nodes` peer, Cilium `toNodes`/`fromNodes`), one pod judged per group of
 * pods that every block (and node) holds alike. A workload whose pods no block tells apart — the
 * common case — is judged as one pod, as before: one flow, the same words.
 */
import type { ClusterModel, WorkloadPod } from './cluster.ts';
import { AddressCache, type AddressRange } from './kubernetes/cidr-match.ts';
import { rangeTouches } from '../../domain/ip.ts';
import { isPlainObject } from '../../domain/plain-object.ts';
import type { SimEndpoint, SimFlow, SimPod } from './types.ts';

/** A flow at one pod of each workload end it reaches, and which pods those are (for a verdict's words). */
export interface FlowAtPods<F extends SimFlow> {
  flow: F;
  /** ` (at pod web-1 (10.244.1.101) of ns0/web: …)`, or '' when the flow is the workload's as a whole. */
  at: string;
}

/** Keys whose values are label selectors of nodes: a host-network workload's pods are then told apart by node. */
/** `pod web-1 (10.244.1.101) of ns0/web`: `pod.name` of a workload's pod is the workload's. */
const atPod = (p: WorkloadPod): string => `pod ${p.name} (${p.pod.ips.join(', ')}) of ${p.pod.namespace}/${p.pod.name ?? '?'}`;

const NODE_SELECTOR_KEYS = new Set(['nodes', 'toNodes', 'fromNodes']);

/** Text that may be an address or a block: digits, hex, dots, colons, one optional `/n`. */
const ADDRESS_LIKE = /^[0-9a-fA-F.:]+(\/\d{1,3})?$/;

export class PodsApart {
  private blocks: AddressRange[] | undefined;
  private selectsNodes = false;
  private readonly addresses = new AddressCache();
  /** Per workload stand-in: one pod per group the policies tell apart; empty when they tell none apart. */
  private readonly groups = new Map<SimPod, readonly WorkloadPod[]>();

  constructor(
    private readonly model: ClusterModel,
    private readonly manifests: readonly unknown[],
  ) {}

  /**
   * The flow once per pod of each workload end that the policies tell apart (both ends: every
   * pair), or the flow itself alone. Callers allow the connection when every one is allowed.
   */
  flows<F extends SimFlow>(flow: F): FlowAtPods<F>[] {
    const clients = this.apart(flow.client);
    const servers = this.apart(flow.server);
    if (clients.length === 0 && servers.length === 0) return [{ flow, at: '' }];
    const out: FlowAtPods<F>[] = [];
    for (const c of clients.length > 0 ? clients : [undefined]) {
      for (const s of servers.length > 0 ? servers : [undefined]) {
        const at = [c, s].filter((p): p is WorkloadPod => p !== undefined).map(atPod);
        out.push({
          flow: { ...flow, ...(c ? { client: { kind: 'pod', pod: c.pod } } : {}), ...(s ? { server: { kind: 'pod', pod: s.pod } } : {}) },
          at: ` (at ${at.join(' and ')}: the policies' address blocks hold some of its workload's pods and not others, and the connection may be any pod's)`,
        });
      }
    }
    return out;
  }

  private apart(e: SimEndpoint): readonly WorkloadPod[] {
    if (e.kind !== 'pod') return [];
    let g = this.groups.get(e.pod);
    if (g === undefined) this.groups.set(e.pod, (g = this.grouped(this.model.podsOf(e.pod))));
    return g;
  }

  /** One pod per group of `pods` that hold alike in every block (and node); none when that is one group. */
  private grouped(pods: readonly WorkloadPod[]): readonly WorkloadPod[] {
    if (pods.length < 2) return [];
    const { blocks, selectsNodes } = this.policyAddressing();
    const first = new Map<string, WorkloadPod>();
    for (const p of pods) {
      const key = this.signature(p.pod, blocks, selectsNodes);
      if (!first.has(key)) first.set(key, p);
    }
    return first.size < 2 ? [] : [...first.values()];
  }

  /** Which blocks hold an address of the pod (and its node, where that matters). */
  private signature(pod: SimPod, blocks: readonly AddressRange[], selectsNodes: boolean): string {
    const ranges = pod.ips.map((ip) => this.addresses.range(ip)).filter((r): r is AddressRange => r !== undefined);
    let key = selectsNodes && pod.hostNetwork ? `${pod.node ?? ''}|` : '';
    blocks.forEach((b, i) => {
      if (ranges.some((r) => rangeTouches(b, r))) key += `${i},`;
    });
    return key;
  }

  /** The blocks the policies name (every value that reads as an address or a block: over-counting only costs a split), read once. */
  private policyAddressing(): { blocks: readonly AddressRange[]; selectsNodes: boolean } {
    if (this.blocks === undefined) {
      const texts = new Set<string>();
      const walk = (v: unknown, key: string): void => {
        if (typeof v === 'string') {
          if (ADDRESS_LIKE.test(v) && (v.includes('.') || v.includes(':'))) texts.add(v);
        } else if (Array.isArray(v)) for (const x of v) walk(x, key);
        else if (isPlainObject(v)) {
          if (NODE_SELECTOR_KEYS.has(key)) this.selectsNodes = true;
          for (const [k, x] of Object.entries(v)) if (k !== 'metadata') walk(x, k);
        }
      };
      for (const m of this.manifests) walk(m, '');
      this.blocks = [...texts].sort().map((t) => this.addresses.range(t)).filter((r): r is AddressRange => r !== undefined);
    }
    return { blocks: this.blocks, selectsNodes: this.selectsNodes };
  }
}
