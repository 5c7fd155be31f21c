/**
 * domain/cluster-dns.ts: which workload is the cluster DNS, and on which ports its pods answer.
 * The DNS Services are kube-system/kube-dns (kubeadm's CoreDNS addon keeps the name) and
 * OpenShift's openshift-dns/dns-default (the DNS operator: pods on 5353 behind Service port 53,
 * target ports named dns/dns-tcp). A Service's targetPort, named or numeric, is where the
 * traffic lands after DNAT (Kubernetes "Service": "targetPort … a named port in the backend Pods").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DNS_CONVENTIONS, dnsConventionOf, dnsPortProblems, dnsSelector, dnsTargetPorts, markClusterDns, namedClusterDns, selectingServices } from '../../domain/cluster-dns.ts';
import type { Service } from '../../domain/inventory.ts';

const kubeDns = (selector: Record<string, string>, ports: Service['ports']): Service => ({ namespace: 'kube-system', name: 'kube-dns', type: 'ClusterIP', clusterIPs: ['10.96.0.10'], ports, selector });

test('the cluster DNS: selected by a DNS Service, or carrying its conventional labels while that Service is not imported — once it is, a pod merely labelled k8s-app=kube-dns is no DNS', () => {
  const conventional = { 'k8s-app': 'kube-dns' };
  assert.equal(dnsConventionOf('kube-system', [conventional])?.service, 'kube-dns', 'labels, no Service imported');
  assert.equal(dnsConventionOf('kube-system', [{ app: 'coredns' }], ['kube-system/kube-dns'])?.service, 'kube-dns', 'selected by the Service');
  const imported = selectingServices([kubeDns({ 'app.kubernetes.io/name': 'coredns' }, [])]);
  assert.equal(dnsConventionOf('kube-system', [conventional], [], imported), undefined, 'the imported Service does not select it');
  assert.equal(dnsConventionOf('default', [conventional]), undefined, 'another namespace');
  assert.equal(dnsConventionOf('openshift-dns', [{ 'dns.operator.openshift.io/daemonset-dns': 'default' }])?.service, 'dns-default');
  assert.equal(dnsConventionOf('openshift-dns', [{ app: 'other' }], ['openshift-dns/dns-default'])?.service, 'dns-default');
});

test('the DNS pods\' ports: the Service port 53\'s target per protocol — a number as is, a name through the pods\' container ports — else 53', () => {
  const named = kubeDns({}, [
    { name: 'dns', port: 53, targetPort: 'dns', protocol: 'UDP' },
    { name: 'dns-tcp', port: 53, targetPort: 'dns-tcp', protocol: 'TCP' },
  ]);
  const pods = [{ name: 'dns', port: 5353, protocol: 'UDP' as const }, { name: 'dns-tcp', port: 5353, protocol: 'TCP' as const }];
  assert.deepEqual(dnsTargetPorts(named, pods), [{ port: 5353, protocol: 'UDP' }, { port: 5353, protocol: 'TCP' }]);
  const numeric = kubeDns({}, [{ port: 53, targetPort: 1053, protocol: 'UDP' }, { port: 53, targetPort: 1053, protocol: 'TCP' }]);
  assert.deepEqual(dnsTargetPorts(numeric, []), [{ port: 1053, protocol: 'UDP' }, { port: 1053, protocol: 'TCP' }]);
  assert.deepEqual(dnsTargetPorts(named, []), [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }], 'a name no pod declares');
  assert.deepEqual(dnsTargetPorts(undefined, pods), [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }], 'no Service');
});

test('a DNS port name that the DNS pods give two numbers (a rollout of a new CoreDNS port): every number, as kube-proxy resolves the name on each pod', () => {
  // Kubernetes resolves a named targetPort per backend pod (pkg/api/v1/pod/util.go FindPort), so that
  // Pods "change the port numbers [they] expose in the next version ... without breaking clients"
  // (Kubernetes "Service", "Port definitions"): mid-rollout the Service sends to 53 on the old pods
  // and to 5353 on the new ones, as domain/service-links.ts serviceTargetPorts reads it.
  const named = kubeDns({}, [
    { name: 'dns', port: 53, targetPort: 'dns', protocol: 'UDP' },
    { name: 'dns-tcp', port: 53, targetPort: 'dns-tcp', protocol: 'TCP' },
  ]);
  const rollout = [
    { name: 'dns', port: 5353, protocol: 'UDP' as const },
    { name: 'dns', port: 53, protocol: 'UDP' as const },
    { name: 'dns-tcp', port: 53, protocol: 'TCP' as const },
    { name: 'dns-tcp', port: 5353, protocol: 'TCP' as const },
  ];
  assert.deepEqual(dnsTargetPorts(named, rollout), [{ port: 53, protocol: 'UDP' }, { port: 5353, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }, { port: 5353, protocol: 'TCP' }]);
  assert.deepEqual(dnsPortProblems(named, rollout), []);
});

test('the DNS pods\' selector: the conventional labels where only the DNS pods carry them, else the imported Service\'s selector', () => {
  const svc = kubeDns({ 'app.kubernetes.io/name': 'coredns' }, []);
  const coredns = { 'k8s-app': 'kube-dns', 'app.kubernetes.io/name': 'coredns' };
  assert.deepEqual(dnsSelector(DNS_CONVENTIONS[0]!, [svc], [coredns], [{ app: 'metrics-server' }]), { matchLabels: { 'k8s-app': 'kube-dns' } });
  // A pod that is no DNS carries the conventional label too: the conventional selector would pick it.
  assert.deepEqual(dnsSelector(DNS_CONVENTIONS[0]!, [svc], [coredns], [{ 'k8s-app': 'kube-dns', role: 'legacy' }]), { matchLabels: { 'app.kubernetes.io/name': 'coredns' } });
  assert.deepEqual(dnsSelector(DNS_CONVENTIONS[0]!, [svc], [{ 'app.kubernetes.io/name': 'coredns' }], []), { matchLabels: { 'app.kubernetes.io/name': 'coredns' } });
});

test('one cluster DNS: where both conventions have pods, the first (kube-system/kube-dns) is the cluster DNS and OpenShift\'s dns-default an ordinary workload', () => {
  const w = (namespace: string, name: string, labels: Record<string, string>, services: string[]) => ({ namespace, kind: 'DaemonSet' as const, name, labels, selector: { matchLabels: labels }, hostNetwork: false, ports: [], services, exposure: [] });
  const marked = markClusterDns(
    [w('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, ['kube-system/kube-dns']), w('openshift-dns', 'dns-default', { 'dns.operator.openshift.io/daemonset-dns': 'default' }, ['openshift-dns/dns-default'])],
    [],
  );
  assert.deepEqual(marked.map((x) => [x.name, x.clusterDns === true]), [['coredns', true], ['dns-default', false]]);
});

test('what the DNS Service\'s port 53 does not say is named: a protocol it lacks, a named target port no DNS pod declares (the rule then names 53)', () => {
  const tcpOnly = kubeDns({}, [{ name: 'dns-tcp', port: 53, targetPort: 'dns-tcp', protocol: 'TCP' }]);
  const pods = [{ name: 'dns-udp', port: 5353, protocol: 'UDP' as const }, { name: 'dns-tcp', port: 5353, protocol: 'TCP' as const }];
  assert.deepEqual(dnsPortProblems(tcpOnly, pods), ['Service kube-system/kube-dns has no port 53/UDP']);
  const misnamed = kubeDns({}, [{ name: 'dns', port: 53, targetPort: 'dns', protocol: 'UDP' }, { name: 'dns-tcp', port: 53, targetPort: 'dns-tcp', protocol: 'TCP' }]);
  assert.deepEqual(dnsPortProblems(misnamed, pods), ['Service kube-system/kube-dns sends 53/UDP to target port "dns", which no DNS pod declares']);
  assert.deepEqual(dnsTargetPorts(misnamed, pods), [{ port: 53, protocol: 'UDP' }, { port: 5353, protocol: 'TCP' }]);
  assert.deepEqual(dnsPortProblems(undefined, pods), [], 'no Service: the conventional 53, nothing to say');
});

test('the cluster DNS is named by each distribution\'s workload name, as flow records name DNS pods the inventory lacks', () => {
  // kubeadm, EKS, AKS, k3s: Deployment coredns (kubeadm constants CoreDNSDeploymentName; k3s
  // manifests/coredns.yaml); GKE and the kube-dns addon: Deployment kube-dns (kubernetes
  // cluster/addons/dns/kube-dns/kube-dns.yaml.in); RKE2: its chart's rke2-coredns-rke2-coredns;
  // OpenShift: DaemonSet dns-default (cluster-dns-operator DNSDaemonSetName).
  for (const [namespace, name] of [['kube-system', 'coredns'], ['kube-system', 'kube-dns'], ['kube-system', 'rke2-coredns-rke2-coredns'], ['openshift-dns', 'dns-default']] as const) {
    assert.equal(namedClusterDns({ namespace, name }), true, `${namespace}/${name}`);
  }
  assert.equal(namedClusterDns({ namespace: 'default', name: 'coredns' }), false, 'another namespace');
  assert.equal(namedClusterDns({ namespace: 'kube-system', name: 'metrics-server' }), false);
});
