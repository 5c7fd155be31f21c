/** Which engines render ICMP echo rules (policy/ir.ts EchoRule), on which clusters. */
import { ciliumIcmpRulesOff, type CiliumPolicySettings } from '../../domain/inventory.ts';
import type { EngineName } from './types.ts';

/**
 * Whether the engine renders ICMP echo rules (policy/ir.ts EchoRule): Cilium `icmps`, Calico
 * `protocol: ICMP`. A NetworkPolicy or ClusterNetworkPolicy port is TCP, UDP or SCTP. Cilium not
 * where its agent refuses ICMP rules (`enable-icmp-rules` off: rendersEcho).
 */
const RENDERS_ECHO: Readonly<Record<EngineName, boolean>> = { kubernetes: false, cilium: true, calico: true, clusternetworkpolicy: false };

/** Whether `engine` renders echo rules on a cluster with these Cilium settings: as RENDERS_ECHO, but Cilium not where they say `enable-icmp-rules` is off (emitOptionsBeside). */
export function rendersEcho(engine: EngineName, cilium: CiliumPolicySettings | undefined): boolean {
  return RENDERS_ECHO[engine] && !(engine === 'cilium' && ciliumIcmpRulesOff(cilium));
}
