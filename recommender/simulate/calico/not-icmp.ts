/**
 * A rule's `notICMP` on traffic that is not ICMP. Calico's validator requires protocol ICMP or
 * ICMPv6 with `icmp` but not with `notICMP` (libcalico-go validator.go validateRule), and felix's
 * dataplanes read such a rule apart: iptables gets `-m icmp ! --icmp-type T`
 * (felix/iptables/match_builder.go), a match the kernel takes only with protocol ICMP (ip_tables.c:
 * the icmp match's .proto is IPPROTO_ICMP), and nftables `icmp type != T`, which matches ICMP
 * packets alone. The calico simulator judges such traffic as if notICMP were absent
 * (calico/rules.ts); each such rule is named in a warning rather than judged silently.
 */
import { isPlainObject } from '../../../domain/plain-object.ts';
import { manifestId } from '../../engines/manifest-id.ts';
import type { CalicoProtocol } from '../../engines/wire/calico.ts';
import { protocolNumber } from './rules.ts';

const CALICO_KINDS = new Set(['NetworkPolicy', 'GlobalNetworkPolicy']);
const ICMP_NUMBERS: ReadonlySet<number | undefined> = new Set([1, 58]);

/** One warning per rule with `notICMP` and no protocol ICMP or ICMPv6, naming the manifest and the field. */
export function notIcmpWarnings(policies: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const p of policies) {
    if (!isPlainObject(p) || p.apiVersion !== 'projectcalico.org/v3' || !CALICO_KINDS.has(String(p.kind)) || !isPlainObject(p.spec)) continue;
    for (const direction of ['ingress', 'egress'] as const) {
      const rules = Array.isArray(p.spec[direction]) ? (p.spec[direction] as unknown[]) : [];
      rules.forEach((r, i) => {
        if (!isPlainObject(r) || r.notICMP === undefined || r.notICMP === null) return;
        const protocol = typeof r.protocol === 'string' || typeof r.protocol === 'number' ? protocolNumber(r.protocol as CalicoProtocol) : undefined;
        if (ICMP_NUMBERS.has(protocol)) return;
        out.push(
          `${manifestId(p)}/spec/${direction}/${i}/notICMP: without protocol ICMP or ICMPv6 on the rule, what it does to traffic that is not ICMP is not judged (it is judged as if notICMP were absent): felix writes notICMP as an iptables icmp match, which the kernel takes with protocol ICMP only, or as an nftables "icmp type !=", which matches ICMP packets alone`,
        );
      });
    }
  }
  return out;
}
