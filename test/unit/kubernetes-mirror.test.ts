/**
 * The Kubernetes collector's mirror: what one list or watch delivers for a resource is that
 * resource's objects only. An object of another kind or apiVersion (a proxy or an aggregated API
 * answering with the wrong collection) is rejected like any object the converter refuses
 * (docs/operations.md, Kubernetes: counted, logged and left out), never filed as a real object of
 * its own kind — it would be imported (a pod whose IP opens an interval) or duplicate the real one
 * and have every later snapshot refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClusterMirror } from '../../collectors/kubernetes/mirror.ts';
import { apiVersionOf, RESOURCES, resourceName, type WatchedResource } from '../../collectors/kubernetes/resources.ts';

type Json = Record<string, unknown>;

const byName = (name: string): WatchedResource => {
  const res = RESOURCES.find((r) => resourceName(r) === name);
  assert.ok(res, name);
  return res;
};

function pod(name: string, ip: string): Json {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: {}, creationTimestamp: '2025-03-02T12:00:00Z' },
    spec: { nodeName: 'node-a', containers: [{ name: 'main', image: 'example/app:1' }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '10.0.1.10', startTime: '2025-03-02T12:00:00Z' },
  };
}

/** A Namespace is the one valid object every watched kind can be told apart from (and a Pod for the namespaces watch). */
const stranger = (res: WatchedResource): Json =>
  res.kind === 'Pod' ? { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'stray', labels: {} } } : pod('stray', '10.244.0.90');

test('every watched resource: an object of another kind on its watch or in its list is rejected naming the resource, kind and name, and kept out of the mirror', () => {
  for (const res of RESOURCES) {
    const obj = stranger(res);
    const name = resourceName(res);
    for (const path of ['watch', 'list'] as const) {
      const mirror = new ClusterMirror();
      const effect = path === 'watch' ? mirror.change(res, 'ADDED', obj) : mirror.replace(res, [obj]);
      assert.equal(mirror.rejected, 1, `${path} ${name}`);
      assert.equal(mirror.count(res), 0, `${path} ${name}: nothing kept`);
      assert.deepEqual(mirror.objects(RESOURCES), [], `${path} ${name}`);
      if (path === 'watch') assert.equal(effect.accepted, false);
      const rejection = mirror.recentRejections[0];
      assert.equal(rejection?.resource, name);
      const md = obj.metadata as { namespace?: string; name: string };
      assert.equal(rejection?.object, `${md.namespace ?? ''}/${md.name}`);
      assert.match(rejection.message, new RegExp(`${path} ${name.replace(/\./g, '\\.')}: .*${obj.kind as string}.*not a ${apiVersionOf(res).replace(/\./g, '\\.')} ${res.kind}`), `${path} ${name}: ${rejection.message}`);
    }
  }
});

test('same kind, another apiVersion: a networking.k8s.io NetworkPolicy on the projectcalico.org networkpolicies watch is rejected', () => {
  const calico = byName('networkpolicies.projectcalico.org');
  const k8s = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
  const mirror = new ClusterMirror();
  mirror.change(calico, 'ADDED', k8s);
  assert.equal(mirror.rejected, 1);
  assert.equal(mirror.count(calico), 0);
  assert.match(mirror.recentRejections[0]!.message, /networking\.k8s\.io\/v1 NetworkPolicy shop\/deny.*not a projectcalico\.org\/v3 NetworkPolicy/);
});

test('a kind that is not a string is no kind: rejected, never read as the resource\'s own', () => {
  const pods = byName('pods');
  const mirror = new ClusterMirror();
  mirror.change(pods, 'ADDED', { ...pod('odd', '10.244.0.91'), kind: 7 });
  assert.equal(mirror.rejected, 1);
  assert.equal(mirror.count(pods), 0);
});

test('a wrong-kind event (even DELETED) leaves the resource\'s own object of the same namespace/name as it was; the resource\'s own objects in the same list are kept', () => {
  const pods = byName('pods');
  const nodes = byName('nodes');
  const mirror = new ClusterMirror();
  mirror.replace(pods, [pod('web-1', '10.244.0.10'), { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-x' } }]);
  assert.equal(mirror.count(pods), 1);
  assert.equal(mirror.rejected, 1);
  const impostor = { ...pod('web-1', '10.244.0.10'), apiVersion: 'apps/v1', kind: 'Deployment' };
  for (const type of ['ADDED', 'MODIFIED', 'DELETED'] as const) {
    const effect = mirror.change(pods, type, impostor);
    assert.equal(effect.accepted, false, type);
    assert.equal(effect.releasedIps, false, type);
    assert.equal(mirror.count(pods), 1, `${type}: the real pod stays`);
  }
  assert.equal(mirror.rejected, 4);
  assert.equal(mirror.count(nodes), 0);
});

test('the live collector reads owner references as an import does: a pod with two controller references is rejected naming them, one with a non-controller reference kept', () => {
  const pods = byName('pods');
  const mirror = new ClusterMirror();
  const ref = (kind: string, name: string, controller: boolean) => ({ apiVersion: 'apps/v1', kind, name, uid: `u-${name}`, controller });
  const withOwners = (name: string, ip: string, owners: Json[]) => {
    const p = pod(name, ip);
    return { ...p, metadata: { ...(p.metadata as Json), ownerReferences: owners } };
  };
  mirror.change(pods, 'ADDED', withOwners('two', '10.244.0.92', [ref('StatefulSet', 's1', true), ref('DaemonSet', 'd1', true)]));
  mirror.change(pods, 'ADDED', withOwners('helper', '10.244.0.93', [ref('StatefulSet', 'db', false)]));
  assert.equal(mirror.rejected, 1);
  assert.equal(mirror.count(pods), 1);
  assert.match(mirror.recentRejections[0]!.message, /Pod shop\/two: metadata\.ownerReferences\[1\]\.controller: expected false \(only one owner reference can be the controller/);
});

test('a GlobalNetworkSet Calico refuses (a name that is no DNS subdomain) is counted and left out; one with a net that is no CIDR is kept, as felix keeps its other nets (collectors/inventory/network-sets.ts)', () => {
  const res = byName('globalnetworksets.projectcalico.org');
  const mirror = new ClusterMirror();
  const set = (name: string, nets: string[]) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name, labels: { blocklist: 'true' } }, spec: { nets } });
  mirror.replace(res, [set('good', ['203.0.113.0/24']), set('bad-net', ['203.0.113.300/24', '198.51.100.0/24']), set('Bad_Name', ['203.0.113.0/24'])]);
  assert.equal(mirror.rejected, 1);
  assert.equal(mirror.count(res), 2);
  assert.match(mirror.recentRejections[0]!.message, /metadata\.name: expected a value that must be a DNS-1123 subdomain/);
});
