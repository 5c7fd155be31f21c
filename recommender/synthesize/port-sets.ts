/**
 * The port sets of one recommendation run. An atom's merged ports are united (sorted by port
 * key, de-duplicated) into one shared array per distinct set, named by its key: the PolicySet
 * then checks each set once (policy/build.ts, checkedPortList) and engines render each once,
 * instead of every rule bringing a sorted copy of its own. A set is one object for the run, so
 * synthesis groups peers into rules by the set object, without building a key per peer to look
 * up. A port's key is built once per port object (edges share one object per protocol and port:
 * RunPeers.portList).
 */
import type { PortSpec } from '../policy/ir.ts';
import { compareStrings, portKey } from '../policy/order.ts';

export interface PortSet {
  /** Sorted by port key, each port once; empty: every port. */
  ports: readonly PortSpec[];
  /** The ports' keys joined by ';': equal keys, equal sets. */
  key: string;
}

const EVERY_PORT: PortSet = { ports: [], key: '' };

export class PortSets {
  private readonly keys = new Map<PortSpec, string>();
  private readonly sets = new Map<string, PortSet>();

  /** `portKey(port)`, built once per port object. */
  keyOf(port: PortSpec): string {
    let key = this.keys.get(port);
    if (key === undefined) this.keys.set(port, (key = portKey(port)));
    return key;
  }

  /** The set of `ports` (empty: every port), the first of equal ports kept, shared with every equal set of the run. */
  union(ports: readonly PortSpec[]): PortSet {
    if (ports.length === 0) return EVERY_PORT;
    if (ports.length === 1) return this.setOf(this.keyOf(ports[0]!), ports);
    const keyed = ports.map((port) => ({ port, key: this.keyOf(port) })).sort((a, b) => compareStrings(a.key, b.key));
    const unique: PortSpec[] = [];
    let key = '';
    for (let i = 0; i < keyed.length; i++) {
      if (i > 0 && keyed[i]!.key === keyed[i - 1]!.key) continue;
      unique.push(keyed[i]!.port);
      key = unique.length === 1 ? keyed[i]!.key : `${key};${keyed[i]!.key}`;
    }
    return this.setOf(key, unique);
  }

  /** The run's set of `key`, made of `ports` (sorted, unique) when it is the first. */
  private setOf(key: string, ports: readonly PortSpec[]): PortSet {
    let set = this.sets.get(key);
    if (set === undefined) this.sets.set(key, (set = { ports: ports.length === 1 ? [ports[0]!] : ports, key }));
    return set;
  }
}
