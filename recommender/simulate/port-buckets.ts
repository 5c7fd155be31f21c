/**
 * A policy's rules (one direction) narrowed to those that can match one destination (protocol,
 * port), in written order: filed once by port when the policy is compiled, and merged with the
 * rules that can match any port on first use of a port.
 *
 * Why filed at compile time rather than filtered on first use of a port: with a policy per
 * workload and a dozen ports each, that first use comes once per (policy, port), and filtering
 * every rule of the policy each time was a third of the cost of a verification's edge sides.
 * Filing a rule under each of its ports costs one step per port written. Every engine's
 * simulator narrows its rules this way.
 *
 * A rule is filed under its ports when all of them are numbers or ranges of at most
 * MAX_FILED_RANGE ports of TCP, UDP or SCTP; otherwise (no ports, a named port, a port of no known
 * kind or of another protocol — Cilium's ICMP types —, a wide range, bounds that are not integers)
 * it is kept with the rules that can match any port, which are all an ICMP flow is matched against. Either way the caller still checks
 * the ports: a rule here is one that can match, never one that does.
 */
import type { SimFlow } from './types.ts';

/** A port range as written; `protocol` as the simulator names it. */
export interface PortSpan {
  protocol: string;
  start: number;
  end: number;
}

const MAX_FILED_RANGE = 64;

const PROTOCOL_INDEX: Readonly<Record<string, number>> = { TCP: 0, UDP: 1, SCTP: 2 };

const key = (protocol: number, port: number): number => port * 4 + protocol;

export class PortBuckets<R> {
  /** Per (protocol, port) key: the indexes of the rules filed there, ascending; then, once asked, the merged rules. */
  private readonly filed = new Map<number, number[]>();
  private readonly narrowed = new Map<number, readonly R[]>();
  /** Indexes of the rules that can match any port. */
  private readonly anyPort: number[] = [];
  /** Those rules, once asked for a flow without a port (ICMP). */
  private portless?: readonly R[];

  /** `spans(rule)`: the rule's ports, or undefined when it may match any port (see above). */
  constructor(
    private readonly rules: readonly R[],
    spans: (rule: R) => readonly PortSpan[] | undefined,
  ) {
    rules.forEach((rule, i) => {
      const ports = spans(rule);
      if (ports === undefined || ports.some((p) => !Number.isInteger(p.start) || !Number.isInteger(p.end) || p.end - p.start >= MAX_FILED_RANGE || PROTOCOL_INDEX[p.protocol] === undefined)) {
        this.anyPort.push(i);
        return;
      }
      for (const p of ports) {
        const protocol = PROTOCOL_INDEX[p.protocol]!;
        for (let port = p.start; port <= p.end; port++) {
          const k = key(protocol, port);
          const list = this.filed.get(k);
          if (list === undefined) this.filed.set(k, [i]);
          else if (list[list.length - 1] !== i) list.push(i);
        }
      }
    });
  }

  /** The rules that can match a destination; for ICMP, which has no port, those filed under no port. */
  on(protocol: SimFlow['protocol'], port: number): readonly R[] {
    if (this.rules.length === 0) return this.rules; // most pods have no deny rules
    const index = PROTOCOL_INDEX[protocol];
    if (index === undefined) return (this.portless ??= this.anyPort.map((i) => this.rules[i]!));
    const k = key(index, port);
    let list = this.narrowed.get(k);
    if (list === undefined) {
      list = merge(this.filed.get(k) ?? [], this.anyPort).map((i) => this.rules[i]!);
      this.narrowed.set(k, list);
    }
    return list;
  }
}

/** Two ascending lists of indexes as one. */
function merge(a: readonly number[], b: readonly number[]): number[] {
  if (b.length === 0) return a as number[];
  if (a.length === 0) return b as number[];
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i]! < b[j]!) ? a[i++]! : b[j++]!);
  return out;
}
