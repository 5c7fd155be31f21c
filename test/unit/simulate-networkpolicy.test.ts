import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate, type NetworkPolicyManifest, type SimEndpoint } from '../../recommender/simulate/networkpolicy.ts';

const pod = (namespace: string, app: string, ip: string): SimEndpoint => ({ kind: 'pod', pod: { namespace, labels: { app }, ip, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] } });
const web = pod('shop', 'web', '10.1.0.1');
const api = pod('shop', 'api', '10.1.0.2');
const mon = pod('monitoring', 'prometheus', '10.1.0.3');

const np = (name: string, spec: NetworkPolicyManifest['spec']): NetworkPolicyManifest => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec });

test('no policy: everything allowed; a selecting policy isolates its direction only', () => {
  assert.equal(evaluate([], { client: web, server: api, port: 8080, protocol: 'TCP' }).verdict, 'allow');
  const denyIn = np('deny', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'] });
  assert.equal(evaluate([denyIn], { client: web, server: api, port: 8080, protocol: 'TCP' }).verdict, 'deny');
  assert.equal(evaluate([denyIn], { client: api, server: web, port: 8080, protocol: 'TCP' }).verdict, 'allow');
});

test('peers: podSelector is namespace-local, namespaceSelector uses kubernetes.io/metadata.name, ports by number, name and range', () => {
  const p = np('api', {
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Ingress'],
    ingress: [
      { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 'http' }] },
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } }], ports: [{ protocol: 'TCP', port: 9000, endPort: 9100 }] },
    ],
  });
  assert.equal(evaluate([p], { client: web, server: api, port: 8080, protocol: 'TCP' }).ingress.by, 'shop/api#ingress[0]');
  assert.equal(evaluate([p], { client: web, server: api, port: 8081, protocol: 'TCP' }).verdict, 'deny');
  assert.equal(evaluate([p], { client: web, server: api, port: 8080, protocol: 'UDP' }).verdict, 'deny');
  assert.equal(evaluate([p], { client: mon, server: api, port: 9090, protocol: 'TCP' }).ingress.by, 'shop/api#ingress[1]');
  assert.equal(evaluate([p], { client: mon, server: api, port: 8080, protocol: 'TCP' }).verdict, 'deny');
  // A prometheus-labelled pod in shop is not the one of monitoring.
  assert.equal(evaluate([p], { client: pod('shop', 'prometheus', '10.1.0.9'), server: api, port: 9090, protocol: 'TCP' }).verdict, 'deny');
});

test('egress and ingress must both allow; ipBlock with except', () => {
  const out = np('web-out', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }], ports: [{ protocol: 'TCP', port: 443 }] }] });
  assert.equal(evaluate([out], { client: web, server: { kind: 'ip', ip: '203.0.113.5' }, port: 443, protocol: 'TCP' }).verdict, 'allow');
  assert.equal(evaluate([out], { client: web, server: { kind: 'ip', ip: '203.0.113.200' }, port: 443, protocol: 'TCP' }).verdict, 'deny');
  assert.equal(evaluate([out], { client: web, server: api, port: 8080, protocol: 'TCP' }).egress.allowed, false);
});
