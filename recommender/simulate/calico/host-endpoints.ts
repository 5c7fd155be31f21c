/**
 * Calico's host endpoints (HostEndpoint) and the failsafe ports felix keeps open on them
 * (FelixConfiguration `node.<node>` over `default` over felix's own defaults), as the calico
 * simulator reads them: from the inventory (SimCluster.calicoHostObjects) and from the manifests
 * given, a given object replacing the inventory's of the same name wholly, as applying it would.
 *
 * Sources (docs.tigera.io/calico/latest/): reference/resources/hostendpoint ("A host endpoint with
 * interfaceName: * represents all of a host's real or virtual interfaces"; "If a host endpoint is
 * created and network policy is not in place, the Calico default is to deny traffic to/from that
 * endpoint (except for traffic allowed by failsafe rules)"; profile projectcalico-default-allow
 * gives "allow-all" semantics); reference/host-endpoints/overview (host endpoint labels are "in the
 * same namespace as those of workload endpoints", so rule selectors match either);
 * reference/host-endpoints/failsafe; reference/resources/felixconfig (`node.<nodename>`: "the
 * node-specific overrides"); felix config/config_params.go (the failsafe defaults below, and the
 * sources' order); felix rules/static.go (failsafe `net`: cnet.ParseCIDROrIP);
 * felix PR projectcalico/felix#2228 ("If a * hostendpoint and a named hostendpoint exist, the named
 * hostendpoint will be used").
 */
import { CALICO_DEFAULT_ALLOW_PROFILE, type CalicoProtoPort } from '../../engines/wire/calico.ts';
import { cidrContainsIp, parseCidrOrIp, parseIp, storedAddress } from '../../../domain/ip.ts';
import { isPlainObject } from '../../../domain/plain-object.ts';
import type { Direction } from '../../../domain/direction.ts';
import type { SimFlow } from '../types.ts';
import type { LabelMap } from './selector.ts';

export interface HostEndpointInfo {
  name: string;
  node: string;
  /** `interfaceName: *`: every interface of the node; otherwise one named interface (or the one holding `expectedIPs`). */
  allInterfaces: boolean;
  labels: LabelMap;
  /** As stored addresses. */
  expectedIPs: readonly string[];
  profiles: readonly string[];
}

/** felix config_params.go: `FailsafeInboundHostPorts  []ProtoPort config:"port-list;tcp:22,udp:68,tcp:179,tcp:2379,tcp:2380,tcp:5473,tcp:6443,tcp:6666,tcp:6667"`. */
const DEFAULT_INBOUND: readonly CalicoProtoPort[] = protoPorts('tcp:22,udp:68,tcp:179,tcp:2379,tcp:2380,tcp:5473,tcp:6443,tcp:6666,tcp:6667');
/** felix config_params.go: `FailsafeOutboundHostPorts []ProtoPort config:"port-list;udp:53,udp:67,tcp:179,tcp:2379,tcp:2380,tcp:5473,tcp:6443,tcp:6666,tcp:6667"`. */
const DEFAULT_OUTBOUND: readonly CalicoProtoPort[] = protoPorts('udp:53,udp:67,tcp:179,tcp:2379,tcp:2380,tcp:5473,tcp:6443,tcp:6666,tcp:6667');

function protoPorts(list: string): CalicoProtoPort[] {
  return list.split(',').map((pp) => {
    const [protocol, port] = pp.split(':');
    return { protocol: protocol!, port: Number(port) };
  });
}

interface FailsafePorts {
  ports: readonly CalicoProtoPort[];
  /** Where the list comes from, for reasons. */
  source: string;
}

const FELIX_DEFAULTS: Readonly<Record<Direction, FailsafePorts>> = {
  ingress: { ports: DEFAULT_INBOUND, source: 'felix default FailsafeInboundHostPorts' },
  egress: { ports: DEFAULT_OUTBOUND, source: 'felix default FailsafeOutboundHostPorts' },
};
/** The FelixConfiguration field holding the failsafe ports of a host endpoint's ingress (inbound) or egress (outbound). */
const FAILSAFE_FIELD: Readonly<Record<Direction, string>> = { ingress: 'failsafeInboundHostPorts', egress: 'failsafeOutboundHostPorts' };

export interface HostEndpointNote {
  policy: string;
  reason: string;
}

const isCalico = (m: Record<string, unknown>, kind: string): boolean => m.apiVersion === 'projectcalico.org/v3' && m.kind === kind && isPlainObject(m.metadata);

/** The host endpoints and failsafe ports of a cluster (and of the manifests given). */
export class HostEndpoints {
  private readonly byNode = new Map<string, HostEndpointInfo[]>();
  /** Labels of the host endpoints expecting each address: what a selector matches a packet from or to it by. */
  private readonly labelsByIp = new Map<string, LabelMap[]>();
  readonly all: readonly HostEndpointInfo[];
  readonly notes: HostEndpointNote[] = [];
  /** Each FelixConfiguration's spec by name: the last object of a name, whole. */
  private readonly felixSpecs = new Map<string, Record<string, unknown>>();

  /** `objects`: the inventory's first, then the manifests given; a later object of a name replaces an earlier one. */
  constructor(objects: readonly unknown[]) {
    const byName = new Map<string, HostEndpointInfo>();
    for (const m of objects) {
      if (!isPlainObject(m)) continue;
      if (isCalico(m, 'HostEndpoint')) {
        const hep = hostEndpointOf(m);
        if (typeof hep === 'string') this.notes.push({ policy: `HostEndpoint/${String((m.metadata as Record<string, unknown>).name)}`, reason: hep });
        else byName.set(hep.name, hep);
      } else if (isCalico(m, 'FelixConfiguration')) {
        this.felixSpecs.set(String((m.metadata as Record<string, unknown>).name), isPlainObject(m.spec) ? m.spec : {});
      }
    }
    this.all = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const hep of this.all) {
      this.byNode.set(hep.node, [...(this.byNode.get(hep.node) ?? []), hep]);
      for (const ip of hep.expectedIPs) this.labelsByIp.set(ip, [...(this.labelsByIp.get(ip) ?? []), hep.labels]);
    }
  }

  get empty(): boolean {
    return this.all.length === 0;
  }

  /**
   * The host endpoint that polices `node`'s traffic at `ips` with a peer off the node: a named one
   * whose expectedIPs hold one of them (or that lists none: taken as the interface the traffic
   * crosses) before the node's `*` one (felix#2228: the named one is used).
   */
  policing(node: string | undefined, ips: readonly string[]): HostEndpointInfo | undefined {
    const heps = node === undefined ? undefined : this.byNode.get(node);
    if (heps === undefined) return undefined;
    const named = heps.filter((h) => !h.allInterfaces && (h.expectedIPs.length === 0 || h.expectedIPs.some((ip) => ips.includes(ip))));
    return named[0] ?? heps.find((h) => h.allInterfaces);
  }

  /** The labels of the host endpoints whose expectedIPs hold one of `ips`. */
  labelsAt(ips: readonly string[]): readonly LabelMap[] {
    if (this.labelsByIp.size === 0) return [];
    return ips.flatMap((ip) => this.labelsByIp.get(ip) ?? []);
  }

  /**
   * The failsafe entry that opens the flow on a host endpoint of `node`, as words, or undefined:
   * inbound ports for the host's ingress, outbound for its egress, the destination port either
   * way, the peer's address inside the entry's `net` when it has one (felix rules/static.go
   * failsafeInChain, failsafeOutChain).
   */
  failsafe(node: string, direction: Direction, flow: SimFlow, peerIp: string | undefined): string | undefined {
    if (flow.icmp !== undefined) return undefined;
    const list = this.failsafePorts(node, direction);
    const protocol = flow.protocol.toLowerCase();
    const hit = list.ports.find((pp) => (pp.protocol ?? 'tcp').toLowerCase() === protocol && pp.port === flow.port && inNet(pp.net, peerIp));
    const peer = hit?.net ? ` ${direction === 'ingress' ? 'from' : 'to'} ${hit.net}` : '';
    return hit === undefined ? undefined : `failsafe ${protocol}:${hit.port}${peer} (${list.source})`;
  }

  /**
   * The failsafe list felix runs on `node` for `direction`, field by field from the highest source
   * that sets it: FelixConfiguration `node.<node>`, then `default`, then felix's defaults
   * (config_params.go: "Values from higher-numbered sources override those from lower-numbered
   * sources", DatastorePerHost above DatastoreGlobal above Default). An empty list is a set value:
   * libcalico-go's felixconfigprocessor.go sends it as "none", which UpdateFrom turns into the empty
   * list; a list left out is no value there, and the lower source holds. FELIX_* environment
   * variables and felix's config file rank higher still, and are not seen here.
   */
  private failsafePorts(node: string, direction: Direction): FailsafePorts {
    const field = FAILSAFE_FIELD[direction];
    for (const name of [`node.${node}`, 'default']) {
      const list = this.felixSpecs.get(name)?.[field];
      if (Array.isArray(list)) return { ports: list.filter(isProtoPort), source: `FelixConfiguration ${name} spec.${field}` };
    }
    return FELIX_DEFAULTS[direction];
  }
}

/** No `net` matches every peer; otherwise the peer's address is inside it, an address being the block of it alone (felix: cnet.ParseCIDROrIP). */
function inNet(net: string | undefined, ip: string | undefined): boolean {
  if (net === undefined || net === '') return true;
  const cidr = parseCidrOrIp(net);
  return cidr !== undefined && ip !== undefined && cidrContainsIp(cidr, ip);
}

function isProtoPort(x: unknown): x is CalicoProtoPort {
  return isPlainObject(x) && typeof x.port === 'number' && (x.protocol === undefined || typeof x.protocol === 'string') && (x.net === undefined || typeof x.net === 'string');
}

/** A HostEndpoint manifest as the simulator uses it, or why Calico would not have it (libcalico-go validateHostEndpointSpec). */
function hostEndpointOf(m: Record<string, unknown>): HostEndpointInfo | string {
  const md = m.metadata as Record<string, unknown>;
  const spec = isPlainObject(m.spec) ? m.spec : {};
  const name = String(md.name);
  const node = typeof spec.node === 'string' ? spec.node : '';
  const iface = typeof spec.interfaceName === 'string' ? spec.interfaceName : '';
  const ips = Array.isArray(spec.expectedIPs) ? spec.expectedIPs.filter((ip): ip is string => typeof ip === 'string' && parseIp(ip) !== undefined).map(storedAddress) : [];
  if (node === '') return 'no spec.node: Calico refuses a host endpoint of no node, left out';
  if (iface === '' && ips.length === 0) return 'neither spec.interfaceName nor spec.expectedIPs: Calico refuses it ("no interface or expected IPs have been specified"), left out';
  const labels = new Map(isPlainObject(md.labels) ? Object.entries(md.labels).filter((e): e is [string, string] => typeof e[1] === 'string') : []);
  const profiles = Array.isArray(spec.profiles) ? spec.profiles.filter((p): p is string => typeof p === 'string') : [];
  return { name, node, allInterfaces: iface === '*', labels, expectedIPs: ips, profiles };
}

/**
 * What a host endpoint's profiles make of traffic no policy decided: felix renders them after the
 * tiers, as for workloads; projectcalico-default-allow (and a namespace's `kns.*`) allows all, a
 * host endpoint with none denies ("the Calico default is to deny"). A profile the inventory does
 * not hold is taken as allowing nothing.
 */
export function hostProfilesAllow(hep: HostEndpointInfo): { allowed: boolean; reason: string } {
  const allowing = hep.profiles.find((p) => p === CALICO_DEFAULT_ALLOW_PROFILE || p.startsWith('kns.'));
  if (allowing !== undefined) return { allowed: true, reason: `profile ${allowing} allows` };
  if (hep.profiles.length === 0) return { allowed: false, reason: `no profile allows (host endpoint ${hep.name} has none: "If a host endpoint is created and network policy is not in place, the Calico default is to deny", Calico HostEndpoint reference)` };
  return { allowed: false, reason: `no profile allows (${hep.profiles.join(', ')}: not in the inventory, taken as allowing nothing)` };
}
