/**
 * A policy's rules narrowed to those that can match one destination (protocol, port), in their
 * written order, worked out once per distinct (protocol, port) and kept.
 *
 * Why: simulators decide a side by the first matching rule, and the policies flowmatrix writes
 * have a rule per port (set) or per (peer, port), so a scan of every rule for every flow costs
 * O(rules) per edge side. A flow has one port: scanning only the rules whose ports can match
 * costs O(rules on that port). `canMatch` must be a necessary condition of the rule matching
 * (a named port, which depends on the destination pod, always can): the narrowed list then
 * keeps every rule that can match, in order, and its first match is the whole list's.
 */
import type { SimProtocol } from './types.ts';

const PROTOCOL_INDEX: Readonly<Record<SimProtocol, number>> = { TCP: 0, UDP: 1, SCTP: 2 };

export class RulesByPort<R> {
  private readonly narrowed = new Map<number, readonly R[]>();

  constructor(
    private readonly rules: readonly R[],
    private readonly canMatch: (rule: R, protocol: SimProtocol, port: number) => boolean,
  ) {}

  on(protocol: SimProtocol, port: number): readonly R[] {
    const key = port * 4 + PROTOCOL_INDEX[protocol];
    let list = this.narrowed.get(key);
    if (list === undefined) {
      list = this.rules.filter((r) => this.canMatch(r, protocol, port));
      this.narrowed.set(key, list);
    }
    return list;
  }
}
