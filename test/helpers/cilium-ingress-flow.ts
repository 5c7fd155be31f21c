/** A Hubble record of Cilium's Ingress / Gateway API proxy (identity 8, `reserved:ingress`; 10.244.2.250, in node-2's pod CIDR) opening a connection to shop/api on 8080. */
export const PROXY_TO_API = {
  flow: {
    time: '2026-12-05T11:30:00Z',
    verdict: 'FORWARDED',
    IP: { source: '10.244.2.250', destination: '10.244.2.20', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40005, destination_port: 8080, flags: { SYN: true } } },
    source: { identity: 8, labels: ['reserved:ingress'] },
    destination: { ID: 22, identity: 30002, namespace: 'shop', labels: ['k8s:app=api', 'k8s:io.kubernetes.pod.namespace=shop'], pod_name: 'api-abc123-bbbbb', workloads: [{ name: 'api', kind: 'Deployment' }] },
    Type: 'L3_L4',
    node_name: 'node-2',
    traffic_direction: 'INGRESS',
    trace_observation_point: 'TO_ENDPOINT',
    is_reply: false,
  },
  node_name: 'node-2',
  time: '2026-12-05T11:30:00Z',
};
