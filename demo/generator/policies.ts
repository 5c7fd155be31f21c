/**
 * The NetworkPolicies already applied in the demo cluster: Kyma Telemetry's loose ones
 * (seed 001, ingress from any IP on their ports, egress anywhere), a NetObserv built-in style
 * policy whose allowed namespaces miss StackLight, and a shop policy guarding its database.
 */
import type { DemoCluster, DemoNetworkPolicy, DemoPod } from './model.ts';
import type { Prng } from './prng.ts';

const ANY_IP = [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];

const KYMA: { name: string; selector: Record<string, string>; ports: number[] }[] = [
  { name: 'telemetry-manager-manager', selector: { 'app.kubernetes.io/instance': 'telemetry', 'app.kubernetes.io/name': 'manager', 'control-plane': 'telemetry-manager', 'kyma-project.io/component': 'controller' }, ports: [8080, 8081, 9443] },
  { name: 'telemetry-fluent-bit', selector: { 'app.kubernetes.io/instance': 'telemetry', 'app.kubernetes.io/name': 'fluent-bit' }, ports: [2020, 2021] },
  { name: 'telemetry-log-agent', selector: { 'app.kubernetes.io/name': 'telemetry-log-agent' }, ports: [8888, 13133] },
  { name: 'telemetry-log-gateway', selector: { 'app.kubernetes.io/name': 'telemetry-log-gateway' }, ports: [8888, 13133, 4318, 4317] },
  { name: 'telemetry-metric-agent', selector: { 'app.kubernetes.io/name': 'telemetry-metric-agent' }, ports: [8888, 13133] },
  { name: 'telemetry-metric-gateway', selector: { 'app.kubernetes.io/name': 'telemetry-metric-gateway' }, ports: [8888, 13133, 4318, 4317] },
  { name: 'telemetry-trace-gateway', selector: { 'app.kubernetes.io/name': 'telemetry-trace-gateway' }, ports: [8888, 13133, 4318, 4317] },
  { name: 'telemetry-self-monitor', selector: { 'app.kubernetes.io/name': 'telemetry-self-monitor' }, ports: [9090] },
];

export function existingPolicies(cluster: Pick<DemoCluster, 'baseTime'>, prng: Prng): DemoNetworkPolicy[] {
  const at = (days: number): number => cluster.baseTime - days * 86_400_000;
  const policies: DemoNetworkPolicy[] = KYMA.map((k) => ({
    namespace: 'kyma-system',
    name: k.name,
    uid: prng.uuid(),
    labels: { 'app.kubernetes.io/managed-by': 'telemetry-manager', 'kyma-project.io/module': 'telemetry' },
    createdAt: at(30),
    spec: {
      podSelector: { matchLabels: k.selector },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: ANY_IP, ports: k.ports.map((port) => ({ protocol: 'TCP', port })) }],
      egress: [{ to: ANY_IP }],
    },
  }));
  policies.push({
    namespace: 'netobserv',
    name: 'netobserv',
    uid: prng.uuid(),
    labels: { 'app.kubernetes.io/managed-by': 'netobserv-operator' },
    createdAt: at(20),
    spec: {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{
        from: [
          { podSelector: {} },
          { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['ingress-nginx', 'kube-system', 'netobserv-privileged'] }] } },
          { ipBlock: { cidr: '10.0.0.0/16' } },
        ],
      }],
      egress: [{
        to: [
          { podSelector: {} },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } },
          { ipBlock: { cidr: '10.0.0.0/16' } },
        ],
      }],
    },
  });
  policies.push({
    namespace: 'shop',
    name: 'postgres',
    uid: prng.uuid(),
    labels: { 'app.kubernetes.io/part-of': 'shop' },
    createdAt: at(10),
    spec: {
      podSelector: { matchLabels: { app: 'postgres' } },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 5432 }] },
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'stacklight' } } }], ports: [{ protocol: 'TCP', port: 9187 }] },
      ],
    },
  });
  return policies;
}

/** Whether a policy's podSelector (matchLabels only, which is all the demo uses) selects the pod. */
export function policySelects(policy: DemoNetworkPolicy, pod: DemoPod): boolean {
  if (policy.namespace !== pod.namespace || pod.hostNetwork) return false;
  const sel = (policy.spec.podSelector as { matchLabels?: Record<string, string> }).matchLabels ?? {};
  return Object.entries(sel).every(([k, v]) => pod.labels[k] === v);
}

export function policyTypes(policy: DemoNetworkPolicy): string[] {
  return (policy.spec.policyTypes as string[] | undefined) ?? ['Ingress'];
}
