/**
 * A rule's `notICMP` on traffic that is not ICMP. Calico's validator requires protocol ICMP or
 * ICMPv6 with `icmp` but not with `notICMP` (libcalico-go validator.go validateRule), and felix's
 * dataplanes read such a rule apart: iptables gets `-m icmp ! --icmp-type T`
 * (felix/iptables/match_builder.go), a match the kernel takes only with protocol ICMP (ip_tables.c:
 * the icmp match's .proto is IPPROTO_ICMP), and nftables `icmp type != T`, which matches ICMP
 * packets alone. The calico simulator judges such traffic as if notICMP were absent
 * (calico/rules.ts); each such rule is named in a warning rather than judged silently.
 */
import { manifestId } from '../../engines/manifest-id.ts';
import type { CalicoProtocol } from '../../engines/wire/calico.ts';
import { calicoPolicies, rulesOf } from './manifest-rules.ts';
import { protocolNumber } from './rules.ts';

const CALICO_KINDS = new Set(['NetworkPolicy', 'GlobalNetworkPolicy']);
const ICMP_NUMBERS: ReadonlySet<number | undefined> = new Set([1, 58]);

/** One warning per rule with `notICMP` and no protocol ICMP or ICMPv6, naming the manifest and the field. */
export function notIcmpWarnings(policies: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const p of calicoPolicies(policies, CALICO_KINDS)) {
    for (const { rule, path } of rulesOf(p)) {
      if (rule.notICMP === undefined || rule.notICMP === null) continue;
      const protocol = typeof rule.protocol === 'string' || typeof rule.protocol === 'number' ? protocolNumber(rule.protocol as CalicoProtocol) : undefined;
      if (ICMP_NUMBERS.has(protocol)) continue;
      out.push(
        `${manifestId(p)}${path}/notICMP: without protocol ICMP or ICMPv6 on the rule, what it does to traffic that is not ICMP is not judged (it is judged as if notICMP were absent): felix writes notICMP as an iptables icmp match, which the kernel takes with protocol ICMP only, or as an nftables "icmp type !=", which matches ICMP packets alone`,
      );
    }
  }
  return out;
}
