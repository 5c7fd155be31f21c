/**
 * Cilium's ConfigMap kube-system/cilium-config: its `cluster-name` is the value of the label
 * `io.cilium.k8s.policy.cluster` every pod of the cluster carries (Cilium's default: `default`),
 * which a Cilium policy may select on and its `cluster` entity selects by; its
 * `policy-cidr-match-mode`, `enable-sctp`, `allow-localhost`, `enable-host-firewall`, `enable-policy`,
 * `policy-audit-mode`, `enable-icmp-rules` and `enable-k8s-cluster-network-policy` change what policies enforce (domain/inventory.ts CiliumPolicySettings). No
 * other key, and no other ConfigMap, is read.
 */
import { ALLOW_LOCALHOST_VALUES, DEFAULT_CILIUM_CLUSTER, ENABLE_POLICY_VALUES, type AllowLocalhost, type CiliumPolicySettings, type EnablePolicy } from '../../domain/inventory.ts';
import { labelValueError } from '../../domain/k8s-names.ts';
import { readObject } from './metadata.ts';
import type { RawObject } from './parse.ts';

export const CILIUM_CONFIG = { namespace: 'kube-system', name: 'cilium-config' } as const;

export function isCiliumConfig(raw: RawObject): boolean {
  const md = (raw.obj as { metadata?: { namespace?: unknown; name?: unknown } }).metadata;
  return raw.key === 'ConfigMap' && md?.namespace === CILIUM_CONFIG.namespace && md.name === CILIUM_CONFIG.name;
}

/** What the cilium-config says (its cluster name, its policy settings); a value the agent refuses is refused, naming the field. */
export function readCiliumConfig(raw: RawObject): { clusterName: string; policy: CiliumPolicySettings } {
  return { clusterName: ciliumClusterNameOf(raw), policy: ciliumPolicySettingsOf(raw) };
}

/** The `cluster-name` the ConfigMap sets, else Cilium's default; a value no label can hold is refused, naming the field. */
export function ciliumClusterNameOf(raw: RawObject): string {
  const { r } = readObject(raw, 'namespaced');
  const name = r.optObj('data')?.optStr('cluster-name');
  if (name === undefined) return DEFAULT_CILIUM_CLUSTER;
  const problem = labelValueError(name);
  if (problem !== undefined) r.obj('data').fail('cluster-name', `a label value (${problem})`, name);
  return name;
}

/** The boolean spellings the agent's configuration accepts (viper reads them with Go's strconv.ParseBool). */
const GO_BOOLS: Readonly<Record<string, boolean>> = { '1': true, t: true, T: true, TRUE: true, true: true, True: true, '0': false, f: false, F: false, FALSE: false, false: false, False: false };

/**
 * `policy-cidr-match-mode`, `enable-sctp`, `allow-localhost` and `enable-host-firewall` as the
 * agent reads them: the mode a list the Helm chart writes joined by spaces (`join " "
 * .Values.policyCIDRMatchMode`, read back as a string slice), each absent key Cilium's default —
 * an absent `enable-host-firewall` too: off, as the Helm chart writes the key only when the host
 * firewall is on (install/kubernetes/cilium/templates/cilium-configmap.yaml: `{{- if and
 * .Values.hostFirewall .Values.hostFirewall.enabled }}`) and the agent's flag defaults to off. An `enable-sctp`, `enable-host-firewall` or `policy-audit-mode` that is no
 * boolean, or an `allow-localhost` other than auto, always or policy (the agent refuses to start
 * on it), is refused, naming the field.
 * `enable-policy` as the agent reads it: lower-cased (pkg/option/config.go `c.EnablePolicy =
 * strings.ToLower(viper.GetString(EnablePolicy))`; the Helm chart writes `lower
 * .Values.policyEnforcementMode`), and any value but default, always or never is refused, as the
 * agent refuses to start on it ("invalid value for enable-policy … Supported values: default,
 * never, always"); absent: `default`, the agent's default. `policy-audit-mode`: a boolean; absent:
 * off (the chart writes both keys only when their value is set: `hasKey`). `enable-icmp-rules`: a
 * boolean; absent: on, the agent's default (pkg/defaults EnableICMPRules = true; a hidden flag the
 * Helm chart never writes, so only `extraConfig` sets it). `enable-k8s-cluster-network-policy`: a
 * boolean; absent: off, the agent's default (Helm `k8sClusterNetworkPolicy.enabled: false`; the
 * network-policy-api conformance run of cilium/cilium pkg/policy/k8s/conformance/conformance_test.go
 * requires `cm.Data["enable-k8s-cluster-network-policy"] == "true"`).
 */
export function ciliumPolicySettingsOf(raw: RawObject): CiliumPolicySettings {
  const { r } = readObject(raw, 'namespaced');
  const data = r.optObj('data');
  const mode = data?.optStr('policy-cidr-match-mode');
  const sctp = data?.optStr('enable-sctp');
  const localhost = data?.optStr('allow-localhost');
  const hostFirewall = data?.optStr('enable-host-firewall');
  const enablePolicy = data?.optStr('enable-policy');
  const auditMode = data?.optStr('policy-audit-mode');
  const icmpRules = data?.optStr('enable-icmp-rules');
  const clusterNetworkPolicy = data?.optStr('enable-k8s-cluster-network-policy');
  for (const [key, value] of [['enable-sctp', sctp], ['enable-host-firewall', hostFirewall], ['policy-audit-mode', auditMode], ['enable-icmp-rules', icmpRules], ['enable-k8s-cluster-network-policy', clusterNetworkPolicy]] as const) {
    if (value !== undefined && !Object.hasOwn(GO_BOOLS, value)) r.obj('data').fail(key, '"true" or "false"', value);
  }
  const enforcement: EnablePolicy = enablePolicy === undefined ? 'default' : enforcementMode(enablePolicy.toLowerCase()) ?? r.obj('data').fail('enable-policy', '"default", "always" or "never"', enablePolicy);
  const allowLocalhost: AllowLocalhost = localhost === undefined ? 'auto' : isAllowLocalhost(localhost) ? localhost : r.obj('data').fail('allow-localhost', '"auto", "always" or "policy"', localhost);
  return {
    policyCidrMatchMode: mode === undefined ? [] : mode.split(/\s+/).filter((m) => m !== ''),
    enableSctp: sctp !== undefined && GO_BOOLS[sctp]!,
    allowLocalhost,
    enableHostFirewall: hostFirewall !== undefined && GO_BOOLS[hostFirewall]!,
    enablePolicy: enforcement,
    policyAuditMode: auditMode !== undefined && GO_BOOLS[auditMode]!,
    enableIcmpRules: icmpRules === undefined || GO_BOOLS[icmpRules]!,
    enableK8sClusterNetworkPolicy: clusterNetworkPolicy !== undefined && GO_BOOLS[clusterNetworkPolicy]!,
  };
}

const enforcementMode = (v: string): EnablePolicy | undefined => ENABLE_POLICY_VALUES.find((m) => m === v);

const isAllowLocalhost = (v: string): v is AllowLocalhost => (ALLOW_LOCALHOST_VALUES as readonly string[]).includes(v);
