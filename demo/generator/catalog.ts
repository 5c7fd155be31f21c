/**
 * What runs in the demo cluster: the four documented systems deployed as their documents
 * (the seed documents each matrix in matrices/ cites by file and line) describe them, kube-system, an ingress controller and a few
 * application namespaces. Labels, namespaces and ports follow the documents.
 */
import type { DemoContainer, DemoContainerPort, DemoWorkloadKind, L4Protocol } from './model.ts';

export interface ServiceSpec {
  name: string;
  type?: 'ClusterIP' | 'LoadBalancer' | 'NodePort';
  ports: { name?: string; port: number; targetPort: number | string; protocol?: L4Protocol }[];
  labels?: Record<string, string>;
  externalTrafficPolicy?: 'Cluster' | 'Local';
}

export interface WorkloadSpec {
  system: string;
  namespace: string;
  kind: DemoWorkloadKind;
  name: string;
  labels: Record<string, string>;
  /** matchLabels of the owner's selector; defaults to `labels`. */
  selector?: Record<string, string>;
  replicas?: number;
  hostNetwork?: boolean;
  placement?: 'workers' | 'all';
  containers: DemoContainer[];
  serviceAccount?: string;
  services?: ServiceSpec[];
  schedule?: string;
  /** CronJob: hour (UTC) of the daily run. */
  runHour?: number;
}

export function port(name: string | undefined, n: number, protocol: L4Protocol = 'TCP'): DemoContainerPort {
  return name === undefined ? { port: n, protocol } : { name, port: n, protocol };
}

const NETOBSERV_PART_OF = { 'part-of': 'netobserv-operator' };

/** Seed 002: NetObserv (operator, eBPF agents on host network, flowlogs-pipeline in Service model, console plugin) and its Loki. */
function netobserv(): WorkloadSpec[] {
  return [
    {
      system: 'netobserv', namespace: 'netobserv', kind: 'Deployment', name: 'netobserv-controller-manager',
      labels: { app: 'netobserv-operator', 'control-plane': 'controller-manager', ...NETOBSERV_PART_OF },
      selector: { app: 'netobserv-operator', 'control-plane': 'controller-manager' },
      serviceAccount: 'netobserv-controller-manager',
      containers: [{ name: 'manager', image: 'quay.io/netobserv/network-observability-operator:1.9.3', ports: [port('webhook-server', 9443), port('https', 8443)], probe: 'https' }],
      services: [
        { name: 'netobserv-webhook-service', ports: [{ port: 443, targetPort: 9443 }] },
        { name: 'netobserv-metrics-service', ports: [{ name: 'https', port: 8443, targetPort: 'https' }] },
      ],
    },
    {
      system: 'netobserv', namespace: 'netobserv-privileged', kind: 'DaemonSet', name: 'netobserv-ebpf-agent',
      labels: { app: 'netobserv-ebpf-agent', ...NETOBSERV_PART_OF }, selector: { app: 'netobserv-ebpf-agent' },
      hostNetwork: true, placement: 'all', serviceAccount: 'netobserv-ebpf-agent',
      containers: [{ name: 'netobserv-ebpf-agent', image: 'quay.io/netobserv/netobserv-ebpf-agent:v1.9.3', ports: [port('metrics', 9400)] }],
    },
    {
      system: 'netobserv', namespace: 'netobserv', kind: 'Deployment', name: 'flowlogs-pipeline', replicas: 2,
      labels: { app: 'flowlogs-pipeline', ...NETOBSERV_PART_OF }, selector: { app: 'flowlogs-pipeline' },
      serviceAccount: 'flowlogs-pipeline',
      containers: [{ name: 'flowlogs-pipeline', image: 'quay.io/netobserv/flowlogs-pipeline:v1.9.3', ports: [port('grpc', 2055), port('prometheus', 9401), port('health', 8080)], probe: 'health' }],
      services: [
        { name: 'flowlogs-pipeline', ports: [{ name: 'grpc', port: 2055, targetPort: 2055 }] },
        { name: 'flowlogs-pipeline-prom', ports: [{ name: 'prometheus', port: 9401, targetPort: 9401 }] },
      ],
    },
    {
      system: 'netobserv', namespace: 'netobserv', kind: 'Deployment', name: 'netobserv-plugin',
      labels: { app: 'netobserv-plugin', ...NETOBSERV_PART_OF }, selector: { app: 'netobserv-plugin' },
      serviceAccount: 'netobserv-plugin',
      containers: [{ name: 'netobserv-plugin', image: 'quay.io/netobserv/network-observability-console-plugin:v1.9.3', ports: [port('main', 9001), port('metrics', 9002)], probe: 'main' }],
      services: [{ name: 'netobserv-plugin', ports: [{ name: 'main', port: 9001, targetPort: 9001 }, { name: 'metrics', port: 9002, targetPort: 9002 }] }],
    },
    {
      // Loki is the user's, not NetObserv's: deployed beside it, without part-of (seed 002: "deploying Loki … in the same namespace").
      system: 'netobserv', namespace: 'netobserv', kind: 'StatefulSet', name: 'loki',
      labels: { app: 'loki', 'app.kubernetes.io/name': 'loki' }, selector: { app: 'loki' },
      serviceAccount: 'loki',
      containers: [{ name: 'loki', image: 'docker.io/grafana/loki:3.4.2', ports: [port('http-metrics', 3100), port('grpc', 9095)], probe: 'http-metrics' }],
      services: [{ name: 'loki', ports: [{ name: 'http-metrics', port: 3100, targetPort: 'http-metrics' }] }],
    },
  ];
}

const KYMA_IMAGE = 'europe-docker.pkg.dev/kyma-project/prod';

/** Seed 001: Kyma Telemetry in kyma-system, with the exact pod selector labels of its table. */
function kymaTelemetry(): WorkloadSpec[] {
  const otel = (name: string, kind: DemoWorkloadKind, gateway: boolean): WorkloadSpec => ({
    system: 'kyma-telemetry', namespace: 'kyma-system', kind, name, replicas: gateway ? 2 : 1,
    labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/managed-by': 'telemetry-manager', 'kyma-project.io/module': 'telemetry', 'sidecar.istio.io/inject': 'false' },
    selector: { 'app.kubernetes.io/name': name },
    placement: 'all', serviceAccount: name,
    containers: [{
      name: 'collector', image: `${KYMA_IMAGE}/kyma-otel-collector:0.121.0-1.39.0`,
      ports: gateway
        ? [port('http-metrics', 8888), port('health-check', 13133), port('grpc-collector', 4317), port('http-collector', 4318)]
        : [port('http-metrics', 8888), port('health-check', 13133)],
      probe: 'health-check',
    }],
    services: [
      { name: `${name}-metrics`, ports: [{ name: 'http-metrics', port: 8888, targetPort: 8888 }] },
      ...(gateway ? [{ name: name.replace('telemetry-', 'telemetry-otlp-').replace('-gateway', 's'), ports: [{ name: 'grpc-collector', port: 4317, targetPort: 4317 }, { name: 'http-collector', port: 4318, targetPort: 4318 }] }] : []),
    ],
  });
  return [
    {
      system: 'kyma-telemetry', namespace: 'kyma-system', kind: 'Deployment', name: 'telemetry-manager',
      labels: { 'app.kubernetes.io/instance': 'telemetry', 'app.kubernetes.io/name': 'manager', 'control-plane': 'telemetry-manager', 'kyma-project.io/component': 'controller', 'kyma-project.io/module': 'telemetry' },
      selector: { 'app.kubernetes.io/instance': 'telemetry', 'app.kubernetes.io/name': 'manager', 'control-plane': 'telemetry-manager', 'kyma-project.io/component': 'controller' },
      serviceAccount: 'telemetry-manager',
      containers: [{ name: 'manager', image: `${KYMA_IMAGE}/telemetry-manager:1.39.0`, ports: [port('metrics', 8080), port('health', 8081), port('webhook', 9443)], probe: 'health' }],
      services: [
        { name: 'telemetry-manager-metrics', ports: [{ name: 'http-metrics', port: 8080, targetPort: 8080 }] },
        { name: 'telemetry-manager-webhook', ports: [{ port: 443, targetPort: 9443 }] },
      ],
    },
    {
      system: 'kyma-telemetry', namespace: 'kyma-system', kind: 'DaemonSet', name: 'telemetry-fluent-bit', placement: 'all',
      labels: { 'app.kubernetes.io/instance': 'telemetry', 'app.kubernetes.io/name': 'fluent-bit', 'kyma-project.io/module': 'telemetry', 'sidecar.istio.io/inject': 'false' },
      selector: { 'app.kubernetes.io/instance': 'telemetry', 'app.kubernetes.io/name': 'fluent-bit' },
      serviceAccount: 'telemetry-fluent-bit',
      containers: [{ name: 'fluent-bit', image: `${KYMA_IMAGE}/external/fluent/fluent-bit:3.2.9`, ports: [port('http', 2020), port('http-metrics', 2021)], probe: 'http' }],
      services: [
        { name: 'telemetry-fluent-bit-metrics', ports: [{ name: 'http', port: 2020, targetPort: 'http' }] },
        { name: 'telemetry-fluent-bit-exporter-metrics', ports: [{ name: 'http-metrics', port: 2021, targetPort: 'http-metrics' }] },
      ],
    },
    otel('telemetry-log-agent', 'DaemonSet', false),
    otel('telemetry-log-gateway', 'Deployment', true),
    otel('telemetry-metric-agent', 'DaemonSet', false),
    otel('telemetry-metric-gateway', 'Deployment', true),
    otel('telemetry-trace-gateway', 'Deployment', true),
    {
      system: 'kyma-telemetry', namespace: 'kyma-system', kind: 'Deployment', name: 'telemetry-self-monitor',
      labels: { 'app.kubernetes.io/name': 'telemetry-self-monitor', 'kyma-project.io/module': 'telemetry', 'sidecar.istio.io/inject': 'false' },
      selector: { 'app.kubernetes.io/name': 'telemetry-self-monitor' },
      serviceAccount: 'telemetry-self-monitor',
      containers: [{ name: 'self-monitor', image: `${KYMA_IMAGE}/tpi/telemetry-self-monitor:3.2.1`, ports: [port('http', 9090)], probe: 'http' }],
      services: [{ name: 'telemetry-self-monitor', ports: [{ name: 'http', port: 9090, targetPort: 9090 }] }],
    },
  ].map((w) => ({ ...w, placement: w.kind === 'DaemonSet' ? 'all' : 'workers' }) as WorkloadSpec);
}

const SL_IMAGE = 'mirantis.azurecr.io/stacklight';

/** Seed 000: StackLight in the stacklight namespace. */
function stacklight(): WorkloadSpec[] {
  const sl = (
    kind: DemoWorkloadKind,
    name: string,
    app: string,
    ports: DemoContainerPort[],
    extra: Partial<WorkloadSpec> = {},
  ): WorkloadSpec => {
    const { labels = {}, selector = {}, ...rest } = extra;
    const probe = ports.length > 0 && kind !== 'CronJob' ? ports[0]?.name : undefined;
    return {
      system: 'stacklight', namespace: 'stacklight', kind, name,
      labels: { app, ...labels }, selector: { app, ...selector }, serviceAccount: name,
      containers: [{ name: app, image: `${SL_IMAGE}/${app}:v1-20251030`, ports, ...(probe ? { probe } : {}) }],
      ...rest,
    };
  };
  return [
    sl('StatefulSet', 'prometheus-server', 'prometheus', [port('http', 9090)], {
      labels: { component: 'server' }, selector: { component: 'server' }, replicas: 2,
      services: [{ name: 'prometheus-server', type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, targetPort: 9090 }] }],
    }),
    sl('StatefulSet', 'prometheus-alertmanager', 'prometheus', [port('http', 9093), port('mesh', 9094)], {
      labels: { component: 'alertmanager' }, selector: { component: 'alertmanager' }, replicas: 2,
      services: [{ name: 'prometheus-alertmanager', type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, targetPort: 9093 }] }],
    }),
    sl('Deployment', 'grafana', 'grafana', [port('http', 3000)], {
      services: [{ name: 'grafana', type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, targetPort: 3000 }] }],
    }),
    sl('Deployment', 'alerta', 'alerta', [port('http', 8080)], {
      services: [{ name: 'alerta', type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, targetPort: 8080 }] }],
    }),
    sl('StatefulSet', 'opensearch-master', 'opensearch-master', [port('http', 9200), port('transport', 9300)], {
      replicas: 3, services: [{ name: 'opensearch-master', ports: [{ name: 'http', port: 9200, targetPort: 9200 }, { name: 'transport', port: 9300, targetPort: 9300 }] }],
    }),
    sl('Deployment', 'opensearch-dashboards', 'opensearch-dashboards', [port('http', 5601)], {
      services: [{ name: 'opensearch-dashboards', type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, targetPort: 5601 }] }],
    }),
    sl('StatefulSet', 'patroni', 'patroni', [port('postgresql', 5432), port('api', 8008)], {
      replicas: 3, services: [{ name: 'patroni', ports: [{ name: 'postgresql', port: 5432, targetPort: 5432 }] }],
    }),
    sl('DaemonSet', 'fluentd-logs', 'fluentd-logs', [port('metrics', 24231)], { placement: 'all' }),
    sl('Deployment', 'fluentd-notifications', 'fluentd-notifications', []),
    sl('Deployment', 'prometheus-kube-state-metrics', 'prometheus-kube-state-metrics', [port('http', 8080), port('telemetry', 8081)], {
      services: [{ name: 'prometheus-kube-state-metrics', ports: [{ name: 'http', port: 8080, targetPort: 8080 }] }],
    }),
    sl('CronJob', 'elasticsearch-curator', 'elasticsearch-curator', [], { schedule: '0 1 * * *', runHour: 1 }),
    sl('Deployment', 'metric-collector', 'metric-collector', []),
    sl('DaemonSet', 'prometheus-node-exporter', 'prometheus-node-exporter', [port('metrics', 9100)], { hostNetwork: true, placement: 'all' }),
    sl('DaemonSet', 'cadvisor', 'cadvisor', [port('http', 8080)], { placement: 'all' }),
    sl('DaemonSet', 'telegraf-ds-smart', 'telegraf-ds-smart', [port('metrics', 9126)], { placement: 'all' }),
    sl('Deployment', 'iam-proxy-grafana', 'iam-proxy', [port('http', 4180)], {
      labels: { component: 'grafana' }, selector: { component: 'grafana' },
      services: [{ name: 'iam-proxy-grafana', ports: [{ name: 'http', port: 80, targetPort: 4180 }] }],
    }),
    sl('Deployment', 'sf-notifier', 'sf-notifier', [port('http', 5000)], {
      services: [{ name: 'sf-notifier', ports: [{ name: 'http', port: 5000, targetPort: 5000 }] }],
    }),
    sl('CronJob', 'sf-reporter', 'sf-reporter', [], { schedule: '0 3 * * *', runHour: 3 }),
    sl('Deployment', 'alertmanager-webhook-servicenow', 'alertmanager-webhook-servicenow', [port('http', 8080)], {
      services: [{ name: 'alertmanager-webhook-servicenow', ports: [{ name: 'http', port: 8080, targetPort: 8080 }] }],
    }),
  ];
}

/** Seed 003: the Flux progressive-delivery controller, Flagger, Flux source-controller and a monitoring Prometheus. */
function progressiveDelivery(): WorkloadSpec[] {
  return [
    {
      system: 'progressive-delivery', namespace: 'progressive-delivery', kind: 'Deployment', name: 'stage-controller',
      labels: { 'app.kubernetes.io/name': 'stage-controller', 'app.kubernetes.io/instance': 'stage-controller', 'app.kubernetes.io/component': 'controller' },
      selector: { 'app.kubernetes.io/name': 'stage-controller', 'app.kubernetes.io/instance': 'stage-controller' },
      serviceAccount: 'stage-controller',
      containers: [{ name: 'manager', image: 'ghcr.io/example/stage-controller:v0.9.2', ports: [port('webhook', 9443), port('metrics', 8080), port('gate', 8082), port('healthz', 8081)], probe: 'healthz' }],
      services: [
        { name: 'stage-controller-webhook', ports: [{ name: 'webhook', port: 443, targetPort: 'webhook' }] },
        { name: 'stage-controller', ports: [{ name: 'metrics', port: 8080, targetPort: 'metrics' }, { name: 'gate', port: 8082, targetPort: 'gate' }] },
      ],
    },
    {
      system: 'flagger', namespace: 'flagger-system', kind: 'Deployment', name: 'flagger',
      labels: { 'app.kubernetes.io/name': 'flagger', 'app.kubernetes.io/instance': 'flagger' },
      serviceAccount: 'flagger',
      containers: [{ name: 'flagger', image: 'ghcr.io/fluxcd/flagger:1.41.0', ports: [port('http', 8080)], probe: 'http' }],
    },
    {
      system: 'flux', namespace: 'flux-system', kind: 'Deployment', name: 'source-controller',
      labels: { app: 'source-controller' },
      serviceAccount: 'source-controller',
      containers: [{ name: 'manager', image: 'ghcr.io/fluxcd/source-controller:v1.6.2', ports: [port('http', 9090), port('http-prom', 8080), port('healthz', 9440)], probe: 'healthz' }],
      services: [{ name: 'source-controller', ports: [{ name: 'http', port: 80, targetPort: 'http' }] }],
    },
    {
      system: 'flux', namespace: 'flux-system', kind: 'Deployment', name: 'kustomize-controller',
      labels: { app: 'kustomize-controller' },
      serviceAccount: 'kustomize-controller',
      containers: [{ name: 'manager', image: 'ghcr.io/fluxcd/kustomize-controller:v1.6.1', ports: [port('http-prom', 8080), port('healthz', 9440)], probe: 'healthz' }],
    },
    {
      system: 'monitoring', namespace: 'monitoring', kind: 'StatefulSet', name: 'prometheus',
      labels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'monitoring' },
      serviceAccount: 'prometheus',
      containers: [{ name: 'prometheus', image: 'quay.io/prometheus/prometheus:v3.5.0', ports: [port('web', 9090)], probe: 'web' }],
      services: [{ name: 'prometheus', ports: [{ name: 'web', port: 9090, targetPort: 'web' }] }],
    },
  ];
}

function kubeSystem(): WorkloadSpec[] {
  return [
    {
      system: 'kube-system', namespace: 'kube-system', kind: 'Deployment', name: 'coredns', replicas: 2,
      labels: { 'k8s-app': 'kube-dns' }, serviceAccount: 'coredns',
      containers: [{ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.12.1', ports: [port('dns', 53, 'UDP'), port('dns-tcp', 53), port('metrics', 9153), port('liveness-probe', 8080), port('readiness-probe', 8181)], probe: 'readiness-probe' }],
      services: [{
        name: 'kube-dns', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
        ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, targetPort: 53 }, { name: 'metrics', port: 9153, targetPort: 9153 }],
      }],
    },
    {
      system: 'ingress-nginx', namespace: 'ingress-nginx', kind: 'Deployment', name: 'ingress-nginx-controller', replicas: 2,
      labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
      serviceAccount: 'ingress-nginx',
      containers: [{ name: 'controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.13.0', ports: [port('http', 80), port('https', 443), port('metrics', 10254)], probe: 'metrics' }],
      services: [{ name: 'ingress-nginx-controller', type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'https', port: 443, targetPort: 'https' }] }],
    },
  ];
}

/** Applications nobody wrote a matrix for: a shop, another team's analytics, a debug pod. */
function applications(): WorkloadSpec[] {
  const shop = (name: string, ports: DemoContainerPort[], extra: Partial<WorkloadSpec> = {}): WorkloadSpec => ({
    system: 'shop', namespace: 'shop', kind: 'Deployment', name,
    labels: { app: name, 'app.kubernetes.io/part-of': 'shop' }, selector: { app: name },
    serviceAccount: name,
    containers: [{ name, image: `registry.example.com/shop/${name}:2.14.1`, ports, ...(ports[0]?.name ? { probe: ports[0].name } : {}) }],
    services: ports.length > 0 ? [{ name, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }] : [],
    ...extra,
  });
  return [
    shop('frontend', [port('http', 8080)], { replicas: 2 }),
    shop('cart', [port('http', 8080)], { replicas: 2 }),
    shop('catalog', [port('http', 8080), port('metrics', 9090)], { replicas: 2 }),
    shop('payments', [port('http', 8080)]),
    shop('redis', [port('redis', 6379)], { kind: 'StatefulSet', services: [{ name: 'redis', ports: [{ name: 'redis', port: 6379, targetPort: 'redis' }] }] }),
    {
      system: 'shop', namespace: 'shop', kind: 'StatefulSet', name: 'postgres',
      labels: { app: 'postgres', 'app.kubernetes.io/part-of': 'shop' }, selector: { app: 'postgres' }, serviceAccount: 'postgres',
      containers: [
        { name: 'postgres', image: 'docker.io/library/postgres:17.6', ports: [port('postgresql', 5432)], probe: 'postgresql' },
        { name: 'exporter', image: 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1', ports: [port('metrics', 9187)] },
      ],
      services: [{ name: 'postgres', ports: [{ name: 'postgresql', port: 5432, targetPort: 'postgresql' }] }],
    },
    {
      system: 'shop', namespace: 'shop', kind: 'CronJob', name: 'nightly-report', schedule: '0 2 * * *', runHour: 2,
      labels: { app: 'nightly-report', 'app.kubernetes.io/part-of': 'shop' }, selector: {}, serviceAccount: 'nightly-report',
      containers: [{ name: 'report', image: 'registry.example.com/shop/nightly-report:2.14.1', ports: [] }],
    },
    {
      system: 'analytics', namespace: 'analytics', kind: 'Deployment', name: 'report-builder',
      labels: { app: 'report-builder', team: 'analytics' }, selector: { app: 'report-builder' }, serviceAccount: 'report-builder',
      containers: [{ name: 'report-builder', image: 'registry.example.com/analytics/report-builder:0.8.0', ports: [port('http', 8000)], probe: 'http' }],
    },
  ];
}

/**
 * Seed 002 again, in the Kafka deployment model (lines 35-36, 50-51): a second install in its own
 * namespace pair, its agents and flowlogs-pipeline talking to a Strimzi-style Kafka cluster in
 * `kafka` (brokers labelled app.kubernetes.io/name=kafka, as the role discovery expects), Loki off.
 * A real cluster runs one FlowCollector; the demo carries both models side by side.
 */
function netobservKafka(): WorkloadSpec[] {
  const kafkaLabels = { 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/instance': 'kafka-cluster', 'strimzi.io/cluster': 'kafka-cluster', 'strimzi.io/kind': 'Kafka', 'strimzi.io/name': 'kafka-cluster-kafka' };
  return [
    {
      system: 'kafka', namespace: 'kafka', kind: 'StatefulSet', name: 'kafka-cluster-kafka', replicas: 3,
      labels: kafkaLabels, selector: { 'strimzi.io/cluster': 'kafka-cluster', 'strimzi.io/name': 'kafka-cluster-kafka' },
      serviceAccount: 'kafka-cluster-kafka',
      containers: [{ name: 'kafka', image: 'quay.io/strimzi/kafka:0.45.0-kafka-3.9.0', ports: [port('tcp-clients', 9092), port('tcp-replication', 9091)], probe: 'tcp-clients' }],
      services: [{ name: 'kafka-cluster-kafka-bootstrap', ports: [{ name: 'tcp-clients', port: 9092, targetPort: 9092 }] }],
    },
    {
      system: 'netobserv-kafka', namespace: 'netobserv-kafka-privileged', kind: 'DaemonSet', name: 'netobserv-ebpf-agent',
      labels: { app: 'netobserv-ebpf-agent', ...NETOBSERV_PART_OF }, selector: { app: 'netobserv-ebpf-agent' },
      hostNetwork: true, placement: 'workers', serviceAccount: 'netobserv-ebpf-agent',
      containers: [{ name: 'netobserv-ebpf-agent', image: 'quay.io/netobserv/netobserv-ebpf-agent:v1.9.3', ports: [port('metrics', 9400)] }],
    },
    {
      system: 'netobserv-kafka', namespace: 'netobserv-kafka', kind: 'Deployment', name: 'flowlogs-pipeline', replicas: 2,
      labels: { app: 'flowlogs-pipeline', ...NETOBSERV_PART_OF }, selector: { app: 'flowlogs-pipeline' },
      serviceAccount: 'flowlogs-pipeline',
      containers: [{ name: 'flowlogs-pipeline', image: 'quay.io/netobserv/flowlogs-pipeline:v1.9.3', ports: [port('prometheus', 9401), port('health', 8080)], probe: 'health' }],
      services: [{ name: 'flowlogs-pipeline-prom', ports: [{ name: 'prometheus', port: 9401, targetPort: 9401 }] }],
    },
  ];
}

/** The whole scale-1 cluster. */
export function baseWorkloads(): WorkloadSpec[] {
  return [...kubeSystem(), ...netobserv(), ...kymaTelemetry(), ...stacklight(), ...progressiveDelivery(), ...applications(), ...netobservKafka()];
}

/** Workloads per extra application namespace at scale > 1 (scale 100 ≈ 2,000 workloads). */
export const TEAM_WORKLOADS = 20;

/** One generic team namespace: a chain of services, a worker, a cache, a database and a nightly job. */
export function teamWorkloads(team: string): WorkloadSpec[] {
  const out: WorkloadSpec[] = [];
  const ns = team;
  const svc = (name: string, kind: DemoWorkloadKind, ports: DemoContainerPort[], replicas = 1): WorkloadSpec => ({
    system: team, namespace: ns, kind, name, replicas,
    labels: { app: name, 'app.kubernetes.io/part-of': team }, selector: { app: name }, serviceAccount: 'default',
    containers: [{ name, image: `registry.example.com/${team}/${name}:1.0.0`, ports, ...(ports[0]?.name ? { probe: ports[0].name } : {}) }],
    services: ports.length > 0 ? [{ name, ports: [{ name: ports[0]?.name ?? 'http', port: ports[0]?.port ?? 80, targetPort: ports[0]?.port ?? 80 }] }] : [],
  });
  for (let i = 1; i <= TEAM_WORKLOADS - 4; i++) {
    out.push(svc(`svc-${String(i).padStart(2, '0')}`, 'Deployment', [port('http', 8080), port('metrics', 9090)], 1 + (i % 2)));
  }
  out.push(svc('worker', 'Deployment', [port('metrics', 9090)]));
  out.push(svc('cache', 'StatefulSet', [port('redis', 6379)]));
  out.push(svc('db', 'StatefulSet', [port('postgresql', 5432)]));
  out.push({ ...svc('cleanup', 'CronJob', []), selector: {}, schedule: '30 4 * * *', runHour: 4 });
  return out;
}
