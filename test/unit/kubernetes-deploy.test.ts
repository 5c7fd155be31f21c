/**
 * deploy/kubernetes: the ClusterRole grants get/list/watch on exactly the resources the collector
 * reads cluster-wide (collectors/kubernetes/resources.ts), and a Role in its namespace on each one
 * object it reads alone (the cilium-config), by `resourceNames` — nothing missing (the collector
 * would get 403), nothing more (read-only, least privilege) — and the Deployment runs it as designed.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { RESOURCES } from '../../collectors/kubernetes/resources.ts';
import { loadServiceConfig } from '../../server/config/load.ts';
import { tmpDir } from '../helpers/tmp.ts';

type Json = Record<string, any>;
const docs = (file: string): Json[] => parseAllDocuments(readFileSync(new URL(`../../deploy/kubernetes/${file}`, import.meta.url), 'utf8')).map((d) => d.toJS() as Json);
const find = (list: Json[], kind: string) => list.find((d) => d.kind === kind) as Json;
const readOnly = (rule: Json) => assert.deepEqual([...rule.verbs].sort(), ['get', 'list', 'watch'], `rule ${JSON.stringify(rule)} must be read-only`);
const CLUSTER_WIDE = RESOURCES.filter((r) => r.only === undefined);
const ONE_OBJECT = RESOURCES.filter((r) => r.only !== undefined);

test('the ClusterRole grants get, list and watch on exactly the resources the collector reads, and nothing else', () => {
  const rbac = docs('rbac.yaml');
  const role = find(rbac, 'ClusterRole');
  const granted = new Set<string>();
  for (const rule of role.rules as Json[]) {
    readOnly(rule);
    assert.equal(rule.resourceNames, undefined);
    assert.equal(rule.nonResourceURLs, undefined);
    for (const g of rule.apiGroups as string[]) for (const r of rule.resources as string[]) {
      assert.notEqual(g, '*');
      assert.notEqual(r, '*');
      granted.add(`${g}/${r}`);
    }
  }
  const read = new Set(CLUSTER_WIDE.map((r) => `${r.group}/${r.plural}`));
  assert.deepEqual([...granted].sort(), [...read].sort());
});

test('each object the collector reads alone (kube-system/cilium-config) is granted by a Role in its namespace, by resourceNames, bound to the ServiceAccount: never all ConfigMaps', () => {
  const rbac = docs('rbac.yaml');
  const sa = find(rbac, 'ServiceAccount');
  assert.deepEqual(
    ONE_OBJECT.map((r) => `${r.only?.namespace}/${r.plural}/${r.only?.name}`),
    ['kube-system/configmaps/cilium-config'],
  );
  const roles = rbac.filter((d) => d.kind === 'Role');
  const bindings = rbac.filter((d) => d.kind === 'RoleBinding');
  assert.equal(roles.length, ONE_OBJECT.length);
  assert.equal(bindings.length, ONE_OBJECT.length);
  for (const res of ONE_OBJECT) {
    const role = roles.find((r) => r.metadata.namespace === res.only?.namespace) as Json;
    // "If you restrict list or watch by resourceName, clients must include a metadata.name field
    // selector in their list or watch request" (kubernetes.io/docs/reference/access-authn-authz/rbac/,
    // "Referring to resources"): the collector does (resources.ts fieldSelectorOf).
    assert.deepEqual(role.rules.length, 1);
    readOnly(role.rules[0]);
    assert.deepEqual({ ...role.rules[0], verbs: undefined }, { apiGroups: [res.group], resources: [res.plural], resourceNames: [res.only?.name], verbs: undefined });
    const binding = bindings.find((b) => b.metadata.namespace === res.only?.namespace) as Json;
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
  }
});

test('the binding gives that role to the ServiceAccount the Deployment runs as', () => {
  const rbac = docs('rbac.yaml');
  const sa = find(rbac, 'ServiceAccount');
  const binding = find(rbac, 'ClusterRoleBinding');
  assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: find(rbac, 'ClusterRole').metadata.name });
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
  const deployment = find(docs('flowmatrix.yaml'), 'Deployment');
  assert.equal(deployment.spec.template.spec.serviceAccountName, sa.metadata.name);
  assert.equal(deployment.metadata.namespace, sa.metadata.namespace);
});

test('the Deployment: one replica (one SQLite writer), non-root, read-only root filesystem, data on the PVC, probes on /healthz and /readyz, a config that enables the collector', () => {
  const all = docs('flowmatrix.yaml');
  const d = find(all, 'Deployment');
  const pod = d.spec.template.spec;
  const c = pod.containers[0];
  assert.equal(d.spec.replicas, 1);
  assert.equal(d.spec.strategy.type, 'Recreate');
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  assert.equal(c.securityContext.allowPrivilegeEscalation, false);
  assert.deepEqual(c.securityContext.capabilities.drop, ['ALL']);
  const pvc = find(all, 'PersistentVolumeClaim');
  const dataVolume = pod.volumes.find((v: Json) => v.persistentVolumeClaim?.claimName === pvc.metadata.name);
  assert.ok(dataVolume);
  assert.equal(c.volumeMounts.find((m: Json) => m.name === dataVolume.name).mountPath, '/data');
  assert.equal(c.livenessProbe.httpGet.path, '/healthz');
  assert.equal(c.readinessProbe.httpGet.path, '/readyz');
  const service = find(all, 'Service');
  assert.deepEqual(service.spec.selector, d.spec.selector.matchLabels);

  // The mounted config is a valid service config whose collectors.kubernetes section turns the collector on.
  const cm = find(all, 'ConfigMap');
  const file = join(tmpDir(), 'config.yaml');
  writeFileSync(file, cm.data['config.yaml']);
  const cfg = loadServiceConfig({ file, env: { FLOWMATRIX_TOKEN_WRITE: 'w'.repeat(24) } });
  assert.deepEqual(cfg.collectors, { kubernetes: {} });
  assert.equal(cfg.dbPath, '/data/flowmatrix.db');
  assert.equal(c.env.find((e: Json) => e.name === 'FLOWMATRIX_CONFIG').value, `${c.volumeMounts.find((m: Json) => m.name === 'config').mountPath}/config.yaml`);
});
