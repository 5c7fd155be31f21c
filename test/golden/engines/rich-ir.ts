/**
 * A representative PolicySet covering every layer, subject, peer and port kind of the IR:
 * the input of the golden files in this folder and of the schema and determinism tests.
 */
import {
  allPorts,
  apiserverPeer,
  cidrPeer,
  dnsPeer,
  dnsPorts,
  explanation,
  fqdnPeer,
  namedPort,
  namespacePeer,
  nodesPeer,
  podsPeer,
  portRange,
  tcp,
  udp,
  worldPeer,
  type IntentInput,
} from '../../../recommender/policy/build.ts';

export const APISERVER = [
  { ip: '10.0.0.11', port: 6443, protocol: 'TCP' as const },
  { ip: '10.0.0.10', port: 6443, protocol: 'TCP' as const },
];
export const NODE_IPS = ['192.168.1.12', '192.168.1.11'];

export function richIntents(): IntentInput[] {
  return [
    {
      key: 'monitoring/grafana',
      namespace: 'monitoring',
      layer: 'allowlist',
      subject: {
        kind: 'workload',
        selector: { matchLabels: { 'app.kubernetes.io/name': 'grafana' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['ui', 'web'] }] },
        workload: { namespace: 'monitoring', kind: 'Deployment', name: 'grafana' },
        hostNetwork: false,
      },
      ingress: { mode: 'allow-all', ports: [tcp(3000)], explanation: explanation('stacklight/grafana#ingress-ui', 'confirmed', 'Grafana UI is exposed through a load balancer') },
      egress: {
        mode: 'rules',
        rules: [
          { peers: [dnsPeer()], ports: dnsPorts(), explanation: explanation('implied:dns', 'implied', 'name resolution when egress is restricted') },
          { peers: [apiserverPeer(APISERVER)], explanation: explanation('stacklight/grafana#egress-apiserver', 'confirmed', 'sidecar watches dashboards ConfigMaps') },
          { peers: [podsPeer({ matchLabels: { app: 'prometheus' } })], ports: [tcp(9090)], explanation: explanation('edge:12', 'confirmed', 'queries Prometheus') },
          { peers: [podsPeer({ matchLabels: { app: 'loki' } }, 'logging')], ports: [tcp(3100)], explanation: explanation('edge:13', 'undocumented', 'queries Loki: review') },
          { peers: [namespacePeer('tracing')], ports: [portRange('TCP', 4317, 4318)], explanation: explanation('stacklight/grafana#egress-otlp', 'documented-unobserved', 'OTLP traces') },
          { peers: [namespacePeer()], ports: [namedPort('TCP', 'metrics')], explanation: explanation('edge:14', 'stale', 'scrapes its namespace') },
          { peers: [fqdnPeer('grafana.com', ['34.120.177.193'])], ports: [tcp(443)], explanation: explanation('stacklight/grafana#egress-plugins', 'confirmed', 'plugin catalogue') },
          { peers: [fqdnPeer('plugins.example.org')], ports: [tcp(443)], explanation: explanation('stacklight/grafana#egress-mirror', 'documented-unobserved', 'plugin mirror') },
          { peers: [cidrPeer('10.20.0.0/16', ['10.20.5.0/24'])], ports: [tcp(443)], explanation: explanation('edge:15', 'confirmed', 'corporate SSO') },
          { peers: [worldPeer()], ports: [tcp(443)], explanation: explanation('stacklight/grafana#egress-world', 'confirmed', 'alert notification webhooks') },
          { peers: [nodesPeer(NODE_IPS)], ports: [tcp(10250)], explanation: explanation('edge:16', 'blocked', 'kubelet API, dropped today') },
        ],
      },
      explanation: 'Grafana: UI open to all, egress restricted to what it is documented or seen to use.',
    },
    {
      key: 'monitoring/prometheus',
      namespace: 'monitoring',
      layer: 'allowlist',
      subject: { kind: 'workload', selector: { matchLabels: { app: 'prometheus' } }, hostNetwork: false },
      ingress: {
        mode: 'rules',
        rules: [
          { peers: [podsPeer({ matchLabels: { 'app.kubernetes.io/name': 'grafana' } })], ports: [tcp(9090), namedPort('TCP', 'web')], explanation: explanation('edge:12', 'confirmed', 'Grafana queries') },
          { peers: [apiserverPeer(APISERVER)], ports: [tcp(8443)], explanation: explanation('stacklight/prometheus#ingress-webhook', 'documented-unobserved', 'admission webhook') },
          { peers: [nodesPeer(NODE_IPS)], ports: [tcp(9090)], explanation: explanation('edge:17', 'confirmed', 'federation from node agents') },
        ],
      },
      egress: { mode: 'allow-all', explanation: explanation('stacklight/prometheus#egress-all', 'confirmed', 'dynamically created scrape configurations') },
      explanation: 'Prometheus Server: egress open for dynamic scrape targets.',
    },
    {
      key: 'monitoring/node-exporter',
      namespace: 'monitoring',
      layer: 'allowlist',
      subject: { kind: 'workload', selector: { matchLabels: { app: 'node-exporter' } }, hostNetwork: true },
      ingress: { mode: 'rules', rules: [{ peers: [podsPeer({ matchLabels: { app: 'prometheus' } })], ports: [tcp(9100)], explanation: explanation('edge:18', 'confirmed', 'scraped') }] },
      explanation: 'Node exporter runs in the host network.',
    },
    {
      key: 'monitoring/curator',
      namespace: 'monitoring',
      layer: 'allowlist',
      subject: { kind: 'workload', selector: { matchLabels: { app: 'curator' } }, hostNetwork: false },
      ingress: { mode: 'deny-all', explanation: explanation('stacklight/curator#ingress-none', 'confirmed', 'expects no incoming traffic') },
      egress: {
        mode: 'rules',
        rules: [
          { peers: [dnsPeer('kube-system', { matchLabels: { 'k8s-app': 'kube-dns' } })], ports: [udp(53)], explanation: explanation('edge:19', 'confirmed', 'name resolution') },
          { peers: [podsPeer({ matchLabels: { app: 'opensearch' } })], ports: [tcp(9200), allPorts('SCTP')], explanation: explanation('edge:20', 'confirmed', 'index housekeeping') },
        ],
      },
      explanation: 'Elasticsearch curator: no ingress, egress to OpenSearch.',
    },
    {
      key: 'monitoring/default-deny',
      namespace: 'monitoring',
      layer: 'default-deny',
      subject: { kind: 'namespace' },
      ingress: { mode: 'deny-all', explanation: explanation('option:default-deny', 'implied', 'zero-trust namespace') },
      egress: { mode: 'deny-all', explanation: explanation('option:default-deny', 'implied', 'zero-trust namespace') },
      explanation: 'Namespace default-deny: the allowlists are the only exceptions.',
    },
    {
      key: 'shared/telemetry-essentials',
      layer: 'shared',
      subject: { kind: 'namespaces', namespaces: ['telemetry', 'kyma-system'], selector: { matchLabels: { 'app.kubernetes.io/part-of': 'telemetry' } } },
      egress: {
        mode: 'rules',
        rules: [
          { peers: [dnsPeer()], ports: dnsPorts(), explanation: explanation('kyma-telemetry#common-dns', 'confirmed', 'DNS for every component') },
          { peers: [apiserverPeer(APISERVER)], explanation: explanation('kyma-telemetry#common-apiserver', 'confirmed', 'Kubernetes API for every component') },
        ],
      },
      explanation: 'Rules every Telemetry component needs, defined in a single place.',
    },
  ];
}
