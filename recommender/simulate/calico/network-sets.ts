/**
 * Calico's network sets (GlobalNetworkSet, NetworkSet) as the calico simulator reads them: from the
 * inventory (SimCluster.calicoNetworkSets) and from the manifests given, a given object replacing
 * the inventory's of its kind, namespace and name wholly, as applying it would.
 *
 * A rule selector matches the addresses of the sets it selects: "When Calico is calculating the set
 * of IPs that should match a source/destination selector within a global network policy rule, or
 * within a network policy rule whose namespaceSelector includes global(), it includes the CIDRs from
 * any network sets that match the selector" (docs.tigera.io reference/resources/globalnetworkset;
 * networkset: likewise for a namespace's sets). Felix sees a set with the labels libcalico-go's
 * syncer gives it (updateprocessors globalnetworksetprocessor.go: its own; networksetprocessor.go:
 * its own, `projectcalico.org/namespace` and, through the profile `kns.<namespace>`, "namespace
 * label inheritance" — the `pcns.*` labels a pod of that namespace inherits, its own winning), and
 * puts its nets in the IP set of every selector matching those labels (felix labelindex
 * SelectorAndNamedPortIndex, extractCIDRsFromNetworkSet): membership, no longest-prefix choice, so
 * an address in several sets is matched by a selector selecting any of them.
 */
import { CALICO_LABEL_NAMESPACE, CALICO_NAMESPACE_LABEL_PREFIX } from '../../engines/wire/calico.ts';
import { networkSetKind } from '../../../domain/calico-network-sets.ts';
import { cidrContains, parseCidrOrIp, type Cidr } from '../../../domain/ip.ts';
import { isPlainObject } from '../../../domain/plain-object.ts';
import type { LabelMap } from './selector.ts';

export interface NetworkSetInfo {
  /** `GlobalNetworkSet/<name>` or `NetworkSet/<namespace>/<name>`. */
  id: string;
  /** As felix matches selectors over them. */
  labels: LabelMap;
  nets: readonly Cidr[];
}

/** A net of a set that Calico would not read (the simulator's `ignored`). */
export interface NetworkSetNote {
  policy: string;
  reason: string;
}

/** The labels of the sets at a block of addresses: those holding every address of it, and those holding some. */
export interface SetsAt {
  holding: readonly LabelMap[];
  touching: readonly LabelMap[];
}

export class NetworkSets {
  readonly all: readonly NetworkSetInfo[];
  /** Nets Calico would not read, left out. */
  readonly notes: NetworkSetNote[] = [];

  /** `objects`: the inventory's first, then the manifests given; `namespaceLabels` a namespace profile's labels. */
  constructor(objects: readonly unknown[], namespaceLabels: (namespace: string) => LabelMap) {
    const byId = new Map<string, NetworkSetInfo>();
    for (const m of objects) {
      const set = isPlainObject(m) ? this.read(m, namespaceLabels) : undefined;
      if (set !== undefined) byId.set(set.id, set);
    }
    this.all = [...byId.values()];
  }

  get empty(): boolean {
    return this.all.length === 0;
  }

  /** The sets at `ip` (an address or a folded edge's block); undefined where no net touches it. */
  at(ip: Cidr): SetsAt | undefined {
    const holding: LabelMap[] = [];
    const touching: LabelMap[] = [];
    for (const set of this.all) {
      let touches = false;
      let holds = false;
      for (const net of set.nets) {
        if (cidrContains(net, ip)) holds = true;
        else if (cidrContains(ip, net)) touches = true;
      }
      if (holds) holding.push(set.labels);
      if (holds || touches) touching.push(set.labels);
    }
    return touching.length === 0 ? undefined : { holding, touching };
  }

  private read(m: Record<string, unknown>, namespaceLabels: (namespace: string) => LabelMap): NetworkSetInfo | undefined {
    const kind = networkSetKind(m.apiVersion, m.kind);
    if (kind === undefined || !isPlainObject(m.metadata) || typeof m.metadata.name !== 'string') return undefined;
    const md = m.metadata;
    const own = isPlainObject(md.labels) ? Object.entries(md.labels).filter((e): e is [string, string] => typeof e[1] === 'string') : [];
    let id: string;
    let labels: Map<string, string>;
    if (kind === 'GlobalNetworkSet') {
      id = `GlobalNetworkSet/${md.name}`;
      labels = new Map(own);
    } else {
      const namespace = typeof md.namespace === 'string' && md.namespace !== '' ? md.namespace : 'default';
      id = `NetworkSet/${namespace}/${md.name}`;
      const inherited = [...namespaceLabels(namespace)].map(([k, v]): [string, string] => [CALICO_NAMESPACE_LABEL_PREFIX + k, v]);
      labels = new Map([...inherited, ...own, [CALICO_LABEL_NAMESPACE, namespace]]);
    }
    const spec = isPlainObject(m.spec) ? m.spec : {};
    const nets: Cidr[] = [];
    if (spec.nets !== undefined && spec.nets !== null && !Array.isArray(spec.nets)) this.notes.push({ policy: id, reason: 'spec.nets is no list: no address is in the set (Calico refuses it)' });
    (Array.isArray(spec.nets) ? spec.nets : []).forEach((n, i) => {
      const net = typeof n === 'string' ? parseCidrOrIp(n) : undefined;
      if (net !== undefined) nets.push(net);
      else this.notes.push({ policy: id, reason: `spec.nets[${i}] ${JSON.stringify(n)} is no CIDR or address: left out (Calico's validator refuses it; felix skips it, libcalico-go globalnetworksetprocessor.go)` });
    });
    return { id, labels, nets };
  }
}
