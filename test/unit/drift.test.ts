/**
 * Drift: applied policies against recommended manifests, matched by apiVersion, kind, namespace
 * and name; compared one manifest at a time (DriftComparison, as the report does) it is the
 * comparison of the whole list (computeDrift), in any order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppliedPolicy } from '../../domain/inventory.ts';
import { computeDrift, DriftComparison } from '../../recommender/drift.ts';
import type { Manifest } from '../../recommender/engines/index.ts';

const NP = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' };
const spec = (port: number) => ({ podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port, protocol: 'TCP' }] }] });
const manifest = (namespace: string, name: string, port: number): Manifest =>
  ({ ...NP, metadata: { namespace, name, labels: {}, annotations: {} }, spec: spec(port) }) as unknown as Manifest;
const applied = (namespace: string, name: string, port: number, kind = NP): AppliedPolicy => ({ ...kind, namespace, name, manifest: { ...kind, metadata: { namespace, name }, spec: spec(port) } });

const appliedPolicies = [
  applied('shop', 'web', 8080), // in sync
  applied('shop', 'db', 5432), // differing: 5433 recommended
  applied('shop', 'old', 80), // extra
  applied('shop', 'cilium', 80, { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy' }), // another engine's kind: not compared
  applied('tools', 'other', 80), // extra, or out of scope with namespace=shop
];
const recommended = [manifest('shop', 'web', 8080), manifest('shop', 'db', 5433), manifest('shop', 'cache', 6379), manifest('tools', 'new', 22)];

test('each recommended manifest is in sync, differing (with the paths) or missing; applied ones of the engine\'s kinds not recommended are extra', () => {
  const d = computeDrift('kubernetes', appliedPolicies, recommended);
  assert.deepEqual(d.summary, { recommended: 4, applied: 4, inSync: 1, missing: 2, extra: 2, differing: 1 });
  assert.deepEqual(d.inSync.map((r) => r.name), ['web']);
  assert.deepEqual(d.missing.map((r) => `${r.namespace}/${r.name}`), ['shop/cache', 'tools/new']);
  assert.deepEqual(d.extra.map((r) => `${r.namespace}/${r.name}`), ['shop/old', 'tools/other']);
  assert.deepEqual(d.differing, [{ ...NP, namespace: 'shop', name: 'db', changes: [{ path: 'spec.ingress[0].ports[0].port', applied: 5432, recommended: 5433 }] }]);
  const inShop = computeDrift('kubernetes', appliedPolicies, recommended, 'shop');
  assert.deepEqual(inShop.extra.map((r) => r.name), ['old'], 'namespace=shop: the tools policy is out of scope');
});

test('compared one manifest at a time, in any order, the drift is that of the whole list', () => {
  for (const namespace of [undefined, 'shop']) {
    const whole = computeDrift('kubernetes', appliedPolicies, recommended, namespace);
    for (const order of [[...recommended].reverse(), [recommended[2]!, recommended[0]!, recommended[3]!, recommended[1]!]]) {
      const one = new DriftComparison('kubernetes', appliedPolicies, namespace);
      for (const m of order) one.add(m);
      assert.deepEqual(one.report(), whole, `namespace ${namespace ?? '(all)'}`);
    }
  }
});

test('a recommended kind the engine table does not list still brings the applied policies of that kind into scope', () => {
  const gnp = { apiVersion: 'projectcalico.org/v3', kind: 'StagedNetworkPolicy' };
  const d = computeDrift('kubernetes', [applied('shop', 'staged', 80, gnp), applied('shop', 'other-staged', 80, gnp)], [
    { ...gnp, metadata: { namespace: 'shop', name: 'staged', labels: {}, annotations: {} }, spec: spec(80) } as unknown as Manifest,
  ]);
  assert.deepEqual(d.summary, { recommended: 1, applied: 2, inSync: 1, missing: 0, extra: 1, differing: 0 });
});

test('what the API server defaults is no drift: a Calico policy read back with spec.tier "default" (the CRD schema default) is in sync with one that leaves the tier out', () => {
  const CALICO = { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy' };
  const calicoSpec = { selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [8080] } }] };
  const recommendedCalico = { ...CALICO, metadata: { namespace: 'shop', name: 'web', labels: {}, annotations: {} }, spec: calicoSpec } as unknown as Manifest;
  const readBack = (tier: string): AppliedPolicy => ({ ...CALICO, namespace: 'shop', name: 'web', manifest: { ...CALICO, metadata: { namespace: 'shop', name: 'web' }, spec: { ...calicoSpec, tier } } });
  assert.deepEqual(computeDrift('calico', [readBack('default')], [recommendedCalico]).summary, { recommended: 1, applied: 1, inSync: 1, missing: 0, extra: 0, differing: 0 });
  // Another tier is a difference.
  assert.deepEqual(computeDrift('calico', [readBack('platform')], [recommendedCalico]).differing[0]?.changes, [{ path: 'spec.tier', applied: 'platform', recommended: 'default' }]);
});

test('in a namespace\'s drift a cluster-scoped policy is in scope only when it is about that namespace: by its intent annotation, or a shared layer naming it', () => {
  const CNP = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy' };
  const subject = (...namespaces: string[]) => ({ subject: { namespaces: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: namespaces }] } } });
  const cnp = (name: string, annotations: Record<string, string>, spec: unknown = {}): AppliedPolicy => ({ ...CNP, name, manifest: { ...CNP, metadata: { name, annotations }, spec } });
  const policies = [
    cnp('shop-deployment-web', { 'flowmatrix.io/intent': 'shop/deployment/web' }, subject('shop')),
    cnp('tools-deployment-x', { 'flowmatrix.io/intent': 'tools/deployment/x' }, subject('tools')),
    cnp('cluster-shared-shop-tools', { 'flowmatrix.io/intent': 'cluster/shared/shop+tools' }, subject('shop', 'tools')),
    cnp('cluster-shared-a-b', { 'flowmatrix.io/intent': 'cluster/shared/a+b' }, subject('a', 'b')),
    cnp('hand-written', {}),
  ];
  const inShop = computeDrift('clusternetworkpolicy', policies, [], 'shop');
  // The layer shop shares with tools is in scope, but not shop's to delete (the next test).
  assert.deepEqual([inShop.extra.map((r) => r.name), inShop.sharedWithOtherNamespaces?.map((r) => r.name)], [['shop-deployment-web'], ['cluster-shared-shop-tools']]);
  // The whole cluster's drift keeps every one.
  assert.equal(computeDrift('clusternetworkpolicy', policies, []).extra.length, 5);
  // One flowmatrix did not write but named as the namespace's recommendation names its own is that
  // policy's to compare: applying the namespace's export replaces it (it is not "missing").
  // (Its subject is shop alone: one covering other namespaces too is the last test's.)
  const handWritten = cnp('shop-deployment-cart', {}, subject('shop'));
  const recommendedCart = { ...CNP, metadata: { name: 'shop-deployment-cart', labels: {}, annotations: {} }, spec: { ...subject('shop'), tier: 'Baseline' } } as unknown as Manifest;
  const drift = computeDrift('clusternetworkpolicy', [...policies, handWritten], [recommendedCart], 'shop');
  assert.deepEqual([drift.missing, drift.differing.map((d) => d.name), drift.summary.applied], [[], ['shop-deployment-cart'], 2]);
});

test('a Calico rule\'s metadata (flowmatrix\'s explanation with its flow counts, changing with every ingest) is no drift; its action or ports are', () => {
  // Calico v3 Rule reference: `metadata` is "per-rule metadata" (annotations); it decides no traffic.
  const CALICO = { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy' };
  const rule = (flows: number, port = 8080) => ({ action: 'Allow', protocol: 'TCP', destination: { ports: [port] }, metadata: { annotations: { 'flowmatrix.io/explanation': `ingress: ${flows} flow(s)` } } });
  const calico = (flows: number, port?: number) => ({ ...CALICO, metadata: { namespace: 'shop', name: 'web', labels: {}, annotations: {} }, spec: { tier: 'default', selector: "app == 'web'", types: ['Ingress'], ingress: [rule(flows, port)] } });
  const appliedCalico: AppliedPolicy = { ...CALICO, namespace: 'shop', name: 'web', manifest: calico(5) };
  assert.equal(computeDrift('calico', [appliedCalico], [calico(6) as unknown as Manifest]).summary.inSync, 1);
  assert.deepEqual(computeDrift('calico', [appliedCalico], [calico(6, 8443) as unknown as Manifest]).differing[0]?.changes, [{ path: 'spec.ingress[0].destination.ports[0]', applied: 8080, recommended: 8443 }]);
});

test('what the API server fills in is no drift: a NetworkPolicy without a port protocol or policyTypes, a Calico policy without types', () => {
  // k8s.io/kubernetes pkg/apis/networking/v1/defaults.go: SetDefaults_NetworkPolicyPort (protocol TCP),
  // SetDefaults_NetworkPolicy (policyTypes Ingress, plus Egress with egress rules).
  const npSpec = { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Egress'], ingress: [{ ports: [{ port: 8080, protocol: 'TCP' }] }], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] };
  const recommendedNp = { ...NP, metadata: { namespace: 'shop', name: 'web', labels: {}, annotations: {} }, spec: npSpec } as unknown as Manifest;
  const written = { podSelector: npSpec.podSelector, ingress: [{ ports: [{ port: 8080 }] }], egress: npSpec.egress };
  const appliedNp: AppliedPolicy = { ...NP, namespace: 'shop', name: 'web', manifest: { ...NP, metadata: { namespace: 'shop', name: 'web' }, spec: written } };
  assert.equal(computeDrift('kubernetes', [appliedNp], [recommendedNp]).summary.inSync, 1);
  // Without egress rules the default is Ingress only: a policy meant to isolate egress differs.
  const ingressOnly: AppliedPolicy = { ...appliedNp, manifest: { ...NP, metadata: { namespace: 'shop', name: 'web' }, spec: { ...written, egress: [] } } };
  assert.deepEqual(computeDrift('kubernetes', [ingressOnly], [recommendedNp]).differing[0]?.changes.map((c) => c.path), ['spec.egress', 'spec.policyTypes']);
  // libcalico-go clientv3 defaultPolicyTypesField: egress rules only → [Egress].
  const CALICO = { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy' };
  const egress = [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }];
  const recommendedCalico = { ...CALICO, metadata: { namespace: 'shop', name: 'web', labels: {}, annotations: {} }, spec: { tier: 'default', selector: "app == 'web'", types: ['Egress'], egress } } as unknown as Manifest;
  const appliedCalico: AppliedPolicy = { ...CALICO, namespace: 'shop', name: 'web', manifest: { ...CALICO, metadata: { namespace: 'shop', name: 'web' }, spec: { selector: "app == 'web'", egress } } };
  assert.equal(computeDrift('calico', [appliedCalico], [recommendedCalico]).summary.inSync, 1);
});

test('a NetworkPolicy whose rules, peers, ports or selector requirements come in another order is in sync (every list of its spec is a set: allows add up, requirements AND); a Calico policy\'s rule order is drift (first match decides)', () => {
  const rules = [
    { from: [{ podSelector: { matchLabels: { app: 'a' } } }, { namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['x', 'y'] }, { key: 'env', operator: 'Exists' }] } }], ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] },
    { from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.0.0/16'] } }] },
  ];
  const reversed = [
    { from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.2.0.0/16', '10.1.0.0/16'] } }] },
    { ports: [{ port: 53, protocol: 'UDP' }, { port: 80, protocol: 'TCP' }], from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'Exists' }, { key: 'team', operator: 'In', values: ['y', 'x'] }] } }, { podSelector: { matchLabels: { app: 'a' } } }] },
  ];
  const np = (ingress: unknown[]) => ({ podSelector: {}, policyTypes: ['Ingress'], ingress });
  const recommendedNp = { ...NP, metadata: { namespace: 'shop', name: 'web', labels: {}, annotations: {} }, spec: np(rules) } as unknown as Manifest;
  const appliedNp: AppliedPolicy = { ...NP, namespace: 'shop', name: 'web', manifest: { ...NP, metadata: { namespace: 'shop', name: 'web' }, spec: np(reversed) } };
  assert.equal(computeDrift('kubernetes', [appliedNp], [recommendedNp]).summary.inSync, 1);
  // A real difference still shows, at the applied policy's own positions.
  const changed: AppliedPolicy = { ...appliedNp, manifest: { ...NP, metadata: { namespace: 'shop', name: 'web' }, spec: np([reversed[0], { ...reversed[1], ports: [{ port: 54, protocol: 'UDP' }, { port: 80, protocol: 'TCP' }] }]) } };
  assert.equal(computeDrift('kubernetes', [changed], [recommendedNp]).summary.differing, 1);
  // projectcalico.org/v3 rules are evaluated in order: the same rules swapped are another policy.
  const CALICO = { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy' };
  const a = { action: 'Allow', protocol: 'TCP', destination: { ports: [80] } };
  const d = { action: 'Deny', protocol: 'TCP', destination: { ports: [80] } };
  const calico = (ingress: unknown[]) => ({ tier: 'default', selector: "app == 'web'", types: ['Ingress'], ingress });
  const recommendedCalico = { ...CALICO, metadata: { namespace: 'shop', name: 'web', labels: {}, annotations: {} }, spec: calico([a, d]) } as unknown as Manifest;
  const appliedCalico: AppliedPolicy = { ...CALICO, namespace: 'shop', name: 'web', manifest: { ...CALICO, metadata: { namespace: 'shop', name: 'web' }, spec: calico([d, a]) } };
  assert.equal(computeDrift('calico', [appliedCalico], [recommendedCalico]).summary.differing, 1);
});

test('a Calico rule listed back with an empty source or destination ({}) is in sync with one that leaves it out, in a NetworkPolicy and a GlobalNetworkPolicy; a non-empty one is drift', () => {
  // projectcalico/calico api/pkg/apis/projectcalico/v3 policy_common.go: Rule.Source and
  // Rule.Destination are EntityRule structs, not pointers, tagged `json:"source,omitempty"` until
  // the API switched to `omitzero`: Go's encoder never omits a struct under omitempty, so the
  // Calico API server lists every rule without one with `source: {}` / `destination: {}`. An empty
  // EntityRule is its zero value, the same match as none. Every other struct of Rule and
  // EntityRule (icmp, notICMP, http, metadata, services, serviceAccounts) is a pointer: omitted.
  for (const kind of ['NetworkPolicy', 'GlobalNetworkPolicy']) {
    const CALICO = { apiVersion: 'projectcalico.org/v3', kind };
    const namespace = kind === 'NetworkPolicy' ? 'shop' : undefined;
    const meta = { ...(namespace === undefined ? {} : { namespace }), name: 'web' };
    const rules = { ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [8080] } }], egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }, { action: 'Deny' }] };
    const recommendedCalico = { ...CALICO, metadata: { ...meta, labels: {}, annotations: {} }, spec: { selector: "app == 'web'", types: ['Ingress', 'Egress'], ...rules } } as unknown as Manifest;
    const listed = (ingress: unknown[], egress: unknown[]): AppliedPolicy => ({ ...CALICO, ...meta, manifest: { ...CALICO, metadata: meta, spec: { tier: 'default', selector: "app == 'web'", types: ['Ingress', 'Egress'], ingress, egress } } });
    const asServerLists = listed([{ ...rules.ingress[0], source: {} }], [{ ...rules.egress[0], source: {} }, { action: 'Deny', source: {}, destination: {} }]);
    assert.deepEqual(computeDrift('calico', [asServerLists], [recommendedCalico]).summary, { recommended: 1, applied: 1, inSync: 1, missing: 0, extra: 0, differing: 0 }, kind);
    // A source that selects something is another rule (its selector listed as libcalico-go prints it: spec-selectors.ts).
    const narrowed = listed([{ ...rules.ingress[0], source: { selector: "app == 'lb'" } }], [{ ...rules.egress[0], source: {} }, { action: 'Deny', source: {}, destination: {} }]);
    assert.deepEqual(computeDrift('calico', [narrowed], [recommendedCalico]).differing[0]?.changes, [{ path: 'spec.ingress[0].source', applied: { selector: 'app == "lb"' } }], kind);
  }
});

test('Calico 3.29.0-3.29.3 lists a default-tier policy back named default.<name>: it is the recommended <name>, neither missing nor extra, unless <name> is applied beside it', () => {
  // projectcalico/calico#9437 (#9642): from v3.29.0 the Calico API server returned a default-tier
  // policy created as <name> under default.<name>; #10391 / #10417 (v3.29.4, v3.30) return the
  // name it was created with, and a policy created under 3.29.0-3.29.3 keeps default.<name>.
  for (const kind of ['NetworkPolicy', 'GlobalNetworkPolicy']) {
    const CALICO = { apiVersion: 'projectcalico.org/v3', kind };
    const namespace = kind === 'NetworkPolicy' ? 'shop' : undefined;
    const ns = namespace === undefined ? {} : { namespace };
    const spec = (port: number, tier?: string) => ({ ...(tier === undefined ? {} : { tier }), selector: "app == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [port] } }] });
    const recommendedWeb = { ...CALICO, metadata: { ...ns, name: 'web', labels: {}, annotations: {} }, spec: spec(8080) } as unknown as Manifest;
    const listed = (name: string, port = 8080, tier = 'default'): AppliedPolicy => ({ ...CALICO, ...ns, name, manifest: { ...CALICO, metadata: { ...ns, name }, spec: spec(port, tier) } });
    const web = { ...CALICO, ...ns, name: 'web' };

    const prefixed = computeDrift('calico', [listed('default.web')], [recommendedWeb]);
    assert.deepEqual([prefixed.summary, prefixed.inSync], [{ recommended: 1, applied: 1, inSync: 1, missing: 0, extra: 0, differing: 0 }, [web]], kind);
    // Its spec is compared as any other's.
    assert.deepEqual(computeDrift('calico', [listed('default.web', 9090)], [recommendedWeb]).differing, [{ ...web, changes: [{ path: 'spec.ingress[0].destination.ports[0]', applied: 9090, recommended: 8080 }] }], kind);
    // <name> applied beside it: that one is the recommended policy, default.<name> another.
    const both = computeDrift('calico', [listed('web'), listed('default.web')], [recommendedWeb]);
    assert.deepEqual([both.inSync.map((r) => r.name), both.extra.map((r) => r.name)], [['web'], ['default.web']], kind);
    // Another tier's policy is no default-tier name (Calico names it <tier>.<name>); of a tier flowmatrix does not write, it is no extra either.
    const platform = computeDrift('calico', [listed('default.web', 8080, 'platform')], [recommendedWeb]);
    assert.deepEqual([platform.missing.map((r) => r.name), platform.extra, platform.inOtherTiers?.map((r) => `${r.tier}: ${r.name}`)], [['web'], [], ['platform: default.web']], kind);
    // A recommended manifest named default.web itself is that policy's, whatever the order they are compared in.
    const recommendedPrefixed = { ...recommendedWeb, metadata: { ...recommendedWeb.metadata, name: 'default.web' } } as unknown as Manifest;
    for (const order of [[recommendedWeb, recommendedPrefixed], [recommendedPrefixed, recommendedWeb]]) {
      const d = computeDrift('calico', [listed('default.web')], order);
      assert.deepEqual([d.inSync.map((r) => r.name), d.missing.map((r) => r.name), d.extra], [['default.web'], ['web'], []], kind);
    }
    if (namespace === undefined) {
      // In a namespace's drift, a cluster-scoped policy flowmatrix did not annotate is in scope once it is the one recommended (applying the export replaces it), under either name; in another tier it stays out.
      assert.deepEqual(computeDrift('calico', [listed('default.web')], [recommendedWeb], 'shop').summary, { recommended: 1, applied: 1, inSync: 1, missing: 0, extra: 0, differing: 0 });
      assert.deepEqual(computeDrift('calico', [listed('default.web', 8080, 'platform')], [recommendedWeb], 'shop').summary, { recommended: 1, applied: 0, inSync: 0, missing: 1, extra: 0, differing: 0 });
    }
  }
});

test('in a namespace\'s drift an applied cluster-scoped policy whose subject also covers another namespace is never extra: it is listed as shared with other namespaces, judged by the whole cluster\'s drift', () => {
  // Deleting it from one namespace's view would cut the other namespaces' traffic it allows. Its
  // subject says which namespaces it covers: a CiliumClusterwideNetworkPolicy's endpointSelector on
  // the pod's namespace label (cilium/cilium pkg/policy/api rule.go: EndpointSelector), a
  // GlobalNetworkPolicy's namespaceSelector on projectcalico.org/name or selector on
  // projectcalico.org/namespace (libcalico-go GlobalNetworkPolicySpec), a ClusterNetworkPolicy's
  // subject namespaces or pods.namespaceSelector (network-policy-api ClusterNetworkPolicySubject).
  const shared = { 'flowmatrix.io/intent': 'cluster/shared/flux-system+kyma-system/59c7a3b5' };
  const cases: { engine: string; apiVersion: string; kind: string; spanning: unknown; own: unknown }[] = [
    {
      engine: 'cilium',
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      spanning: { endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['flux-system', 'kyma-system'] }] } },
      own: { endpointSelector: { matchLabels: { 'io.kubernetes.pod.namespace': 'kyma-system' } } },
    },
    {
      engine: 'calico',
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      spanning: { namespaceSelector: "projectcalico.org/name in {'flux-system', 'kyma-system'}", selector: 'all()' },
      own: { namespaceSelector: "projectcalico.org/name in {'flux-system', 'kyma-system'}", selector: "projectcalico.org/namespace == 'kyma-system'" },
    },
    {
      engine: 'clusternetworkpolicy',
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      spanning: { subject: { namespaces: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['flux-system', 'kyma-system'] }] } } },
      own: { subject: { pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kyma-system' } }, podSelector: {} } } },
    },
  ];
  for (const c of cases) {
    const policy = (name: string, spec: unknown, annotations: Record<string, string> = shared): AppliedPolicy => ({ apiVersion: c.apiVersion, kind: c.kind, name, manifest: { apiVersion: c.apiVersion, kind: c.kind, metadata: { name, annotations }, spec } });
    const policies = [
      policy('layer-of-two', c.spanning),
      policy('layer-of-kyma', c.own),
      // Written for kyma-system (its intent says so) but selecting every namespace: not the namespace's alone either.
      policy('layer-of-all', {}, { 'flowmatrix.io/intent': 'kyma-system/deployment/x' }),
    ];
    const kyma = computeDrift(c.engine, policies, [], 'kyma-system');
    assert.deepEqual(kyma.extra.map((r) => r.name), ['layer-of-kyma'], c.kind);
    assert.deepEqual(
      kyma.sharedWithOtherNamespaces,
      [
        { apiVersion: c.apiVersion, kind: c.kind, name: 'layer-of-all' },
        { apiVersion: c.apiVersion, kind: c.kind, name: 'layer-of-two', namespaces: ['flux-system', 'kyma-system'] },
      ],
      c.kind,
    );
    assert.deepEqual(kyma.summary, { recommended: 0, applied: 1, inSync: 0, missing: 0, extra: 1, differing: 0 }, c.kind);
    // The whole cluster's drift judges them: unchanged.
    const whole = computeDrift(c.engine, policies, []);
    assert.deepEqual([whole.extra.map((r) => r.name), whole.sharedWithOtherNamespaces], [['layer-of-all', 'layer-of-kyma', 'layer-of-two'], undefined], c.kind);
  }
});

test('in a namespace\'s drift a recommended policy named as an applied cluster-scoped one other namespaces share is no plain differing: applying it would replace that policy, so it is listed under sharedWithOtherNamespaces with the changes beside', () => {
  // A cluster-scoped policy's name is unique cluster-wide (network-policy-api apis/v1alpha2
  // clusternetworkpolicy_types.go `+kubebuilder:resource:scope=Cluster`): applying kyma-system's
  // `user-policy` updates the user's own policy of that name, which also selects flux-system.
  const CNP = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy' };
  const subject = (...namespaces: string[]) => ({ subject: { namespaces: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: namespaces }] } }, priority: 10 });
  const usersSpec = subject('flux-system', 'kyma-system');
  const users: AppliedPolicy = { ...CNP, name: 'user-policy', manifest: { ...CNP, metadata: { name: 'user-policy' }, spec: usersSpec } };
  const recommended = (spec: unknown) => ({ ...CNP, metadata: { name: 'user-policy', labels: {}, annotations: {} }, spec }) as unknown as Manifest;
  const kyma = computeDrift('clusternetworkpolicy', [users], [recommended(subject('kyma-system'))], 'kyma-system');
  assert.deepEqual([kyma.differing, kyma.missing, kyma.inSync], [[], [], []]);
  assert.deepEqual(kyma.sharedWithOtherNamespaces, [
    {
      ...CNP,
      name: 'user-policy',
      namespaces: ['flux-system', 'kyma-system'],
      replacedByRecommended: { changes: [{ path: 'spec.subject.namespaces.matchExpressions[0].values', applied: ['flux-system', 'kyma-system'], recommended: ['kyma-system'] }] },
    },
  ]);
  assert.deepEqual(kyma.summary, { recommended: 1, applied: 0, inSync: 0, missing: 0, extra: 0, differing: 0 });
  // The same spec replaces nothing: in sync.
  assert.deepEqual(computeDrift('clusternetworkpolicy', [users], [recommended(usersSpec)], 'kyma-system').inSync.map((r) => r.name), ['user-policy']);
  // The whole cluster's drift compares it as before.
  assert.deepEqual(computeDrift('clusternetworkpolicy', [users], [recommended(subject('kyma-system'))]).differing.map((r) => r.name), ['user-policy']);
});

test('a recommended GlobalNetworkPolicy that would replace a shared one listed back as default.<name> says its own name beside the changes, so its failures can be found by it', () => {
  // Calico 3.29.0-3.29.3 list a default-tier policy created as <name> as default.<name>
  // (projectcalico/calico#9437); the recommended <name> is that policy (listedName above). The
  // verification names the recommended manifest, <name>: the report marks the entry by it.
  const GNP = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy' };
  const spec = (namespaces: string) => ({ namespaceSelector: `projectcalico.org/name in {${namespaces}}`, selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Allow' }] });
  const users: AppliedPolicy = { ...GNP, name: 'default.web', manifest: { ...GNP, metadata: { name: 'default.web' }, spec: { tier: 'default', ...spec("'shop', 'tools'") } } };
  const recommendedWeb = { ...GNP, metadata: { name: 'web', labels: {}, annotations: {} }, spec: spec("'shop'") } as unknown as Manifest;
  const shop = computeDrift('calico', [users], [recommendedWeb], 'shop');
  assert.deepEqual(shop.sharedWithOtherNamespaces, [
    {
      ...GNP,
      name: 'default.web',
      namespaces: ['shop', 'tools'],
      replacedByRecommended: { name: 'web', changes: [{ path: 'spec.namespaceSelector', applied: 'projectcalico.org/name in {"shop", "tools"}', recommended: 'projectcalico.org/name in {"shop"}' }] },
    },
  ]);
});

test('a cluster-wide ClusterNetworkPolicy flowmatrix applied under the name its export gave before names carried the key\'s hash is renamed to the recommended one, not extra', () => {
  // bca0aaf changed test/golden/engines/clusternetworkpolicy.yaml's cluster-wide intent
  // `shared/telemetry-essentials` from `shared-telemetry-essentials` (and `…-isolation`) to
  // `shared-telemetry-essentials-5ae67b5d` (`…-isolation-4544c24a`). Ours: the managed-by label and
  // the intent annotation the export writes (engines/metadata.ts), the name the former scheme gives that intent.
  const CNP = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy' };
  const ours = { labels: { 'app.kubernetes.io/managed-by': 'flowmatrix', 'flowmatrix.io/layer': 'shared' }, annotations: { 'flowmatrix.io/intent': 'shared/telemetry-essentials' } };
  // The Baseline tier, the one flowmatrix writes (engines/clusternetworkpolicy.ts): an Admin-tier one not recommended is inOtherTiers.
  const spec = { tier: 'Baseline', priority: 40, subject: { namespaces: { matchLabels: { team: 'telemetry' } } } };
  const applied = (name: string, metadata: object = ours): AppliedPolicy => ({ ...CNP, name, manifest: { ...CNP, metadata: { ...metadata, name }, spec } });
  const recommended = (name: string) => ({ ...CNP, metadata: { ...ours, name }, spec }) as unknown as Manifest;
  const now = [recommended('shared-telemetry-essentials-5ae67b5d'), recommended('shared-telemetry-essentials-isolation-4544c24a')];
  const d = computeDrift('clusternetworkpolicy', [applied('shared-telemetry-essentials'), applied('shared-telemetry-essentials-isolation')], now);
  assert.deepEqual(d.extra, []);
  assert.deepEqual(d.renamed, [
    { ...CNP, name: 'shared-telemetry-essentials', renamedTo: 'shared-telemetry-essentials-5ae67b5d' },
    { ...CNP, name: 'shared-telemetry-essentials-isolation', renamedTo: 'shared-telemetry-essentials-isolation-4544c24a' },
  ]);
  assert.deepEqual(d.missing.map((r) => r.name), ['shared-telemetry-essentials-5ae67b5d', 'shared-telemetry-essentials-isolation-4544c24a'], 'the new names are still to apply');
  assert.deepEqual(d.summary, { recommended: 2, applied: 2, inSync: 0, missing: 2, extra: 0, differing: 0, renamed: 2 }, 'counted in summary.renamed, as ownedByOperator is');
  // A policy of that name flowmatrix did not write (no managed-by label), or written for another intent, is no former name of ours: extra as before.
  const users = computeDrift('clusternetworkpolicy', [applied('shared-telemetry-essentials', {})], now);
  assert.deepEqual([users.extra.map((r) => r.name), users.renamed], [['shared-telemetry-essentials'], undefined]);
  const other = computeDrift('clusternetworkpolicy', [applied('shared-telemetry-essentials', { ...ours, annotations: { 'flowmatrix.io/intent': 'shared/other' } })], now);
  assert.deepEqual([other.extra.map((r) => r.name), other.renamed], [['shared-telemetry-essentials'], undefined]);
  assert.equal('renamed' in other.summary, false, 'absent when there are none');
});

test('an applied policy an operator owns (a controller owner reference, or app.kubernetes.io/managed-by other than flowmatrix) is never extra: it is listed as owned by that operator and counted apart', () => {
  // The demo's policies: NetObserv's built-in one, which seed 002 line 1 says to turn off with
  // FlowCollector spec.networkPolicy.enable, and Kyma Telemetry's own (seed 001 line 50). The
  // operator recreates a deleted one (ownerReferences "controller": apimachinery OwnerReference;
  // app.kubernetes.io/managed-by: the Kubernetes recommended labels, "the tool being used to manage
  // the operation of an application").
  const withMetadata = (p: AppliedPolicy, metadata: Record<string, unknown>): AppliedPolicy => ({ ...p, manifest: { ...(p.manifest as object), metadata: { namespace: p.namespace, name: p.name, ...metadata } } });
  const owned = [
    withMetadata(applied('netobserv', 'netobserv', 80), { labels: { 'app.kubernetes.io/managed-by': 'netobserv-operator' } }),
    withMetadata(applied('netobserv', 'by-controller', 80), { ownerReferences: [{ apiVersion: 'flows.netobserv.io/v1beta2', kind: 'FlowCollector', name: 'cluster', uid: 'u1', controller: true }] }),
  ];
  const notOwned = [
    withMetadata(applied('netobserv', 'ours-once', 80), { labels: { 'app.kubernetes.io/managed-by': 'flowmatrix' } }),
    withMetadata(applied('netobserv', 'owner-no-controller', 80), { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: 'u2' }] }),
    applied('netobserv', 'hand-written', 80),
    // Helm stamps managed-by: Helm on every object of a chart, the user's own policies too, and
    // recreates nothing that is deleted (no controller runs between upgrades): the user's to act on.
    withMetadata(applied('netobserv', 'from-a-chart', 80), { labels: { 'app.kubernetes.io/managed-by': 'Helm' } }),
  ];
  const d = computeDrift('kubernetes', [...owned, ...notOwned], [manifest('netobserv', 'web', 8080)], 'netobserv');
  assert.deepEqual(d.extra.map((r) => r.name), ['from-a-chart', 'hand-written', 'ours-once', 'owner-no-controller']);
  assert.deepEqual(d.ownedByOperator, [
    { ...NP, namespace: 'netobserv', name: 'by-controller', owner: { apiVersion: 'flows.netobserv.io/v1beta2', kind: 'FlowCollector', name: 'cluster' } },
    { ...NP, namespace: 'netobserv', name: 'netobserv', managedBy: 'netobserv-operator' },
  ]);
  assert.deepEqual(d.summary, { recommended: 1, applied: 6, inSync: 0, missing: 1, extra: 4, differing: 0, ownedByOperator: 2 });
  assert.equal(computeDrift('kubernetes', notOwned, []).ownedByOperator, undefined, 'absent when there are none');
  assert.equal('ownedByOperator' in computeDrift('kubernetes', notOwned, []).summary, false);
});

test('a recommended policy of the name of an applied one an operator owns is differing marked with that operator, counted apart: applying it is overwritten by the operator', () => {
  // NetObserv's built-in policy (managed-by netobserv-operator, as on the demo) under the name the
  // recommendation also gives: applying the recommended one replaces the operator's object, which
  // the operator reverts on its next reconcile (or its next reconcile wipes ours).
  const withMetadata = (p: AppliedPolicy, metadata: Record<string, unknown>): AppliedPolicy => ({ ...p, manifest: { ...(p.manifest as object), metadata: { namespace: p.namespace, name: p.name, ...metadata } } });
  const byOperator = withMetadata(applied('netobserv', 'netobserv', 80), { labels: { 'app.kubernetes.io/managed-by': 'netobserv-operator' } });
  const byController = withMetadata(applied('netobserv', 'by-controller', 80), { ownerReferences: [{ apiVersion: 'flows.netobserv.io/v1beta2', kind: 'FlowCollector', name: 'cluster', uid: 'u1', controller: true }] });
  const mine = applied('netobserv', 'mine', 80);
  const d = computeDrift('kubernetes', [byOperator, byController, mine], [manifest('netobserv', 'netobserv', 8080), manifest('netobserv', 'by-controller', 8080), manifest('netobserv', 'mine', 8080)]);
  const changes = [{ path: 'spec.ingress[0].ports[0].port', applied: 80, recommended: 8080 }];
  assert.deepEqual(d.differing, [
    { ...NP, namespace: 'netobserv', name: 'by-controller', changes, ownedByOperator: { owner: { apiVersion: 'flows.netobserv.io/v1beta2', kind: 'FlowCollector', name: 'cluster' } } },
    { ...NP, namespace: 'netobserv', name: 'mine', changes },
    { ...NP, namespace: 'netobserv', name: 'netobserv', changes, ownedByOperator: { managedBy: 'netobserv-operator' } },
  ]);
  assert.deepEqual(d.summary, { recommended: 3, applied: 3, inSync: 0, missing: 0, extra: 0, differing: 3, differingOwnedByOperator: 2 });
  assert.equal(d.ownedByOperator, undefined, 'recommended: not listed among the applied policies not recommended');
  assert.equal('differingOwnedByOperator' in computeDrift('kubernetes', [mine], [manifest('netobserv', 'mine', 8080)]).summary, false, 'absent when there are none');
});

test('an applied Calico policy of a tier flowmatrix does not write (it writes the default tier only: docs/engines.md) is never extra: it is listed as in another tier with its tier, counted apart', () => {
  // Calico "Tier" (docs.tigera.io reference/resources/tier): tiers let separate owners (a platform
  // team's, a security team's) order their policies before the default tier; deleting a platform
  // tier's default-deny because flowmatrix did not recommend it removes another owner's policy.
  const GNP = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy' };
  const CALICO_NP = { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy' };
  const calico = (kind: typeof GNP, name: string, tier: string | undefined, namespace?: string): AppliedPolicy => ({
    ...kind,
    ...(namespace ? { namespace } : {}),
    name,
    manifest: { ...kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec: { ...(tier === undefined ? {} : { tier }), selector: 'all()', types: ['Ingress'] } },
  });
  const policies = [
    calico(GNP, 'platform.default-deny', 'platform'),
    calico(CALICO_NP, 'security.quarantine', 'security', 'shop'),
    calico(CALICO_NP, 'hand-written', 'default', 'shop'),
    calico(CALICO_NP, 'no-tier', undefined, 'shop'),
  ];
  const d = computeDrift('calico', policies, []);
  assert.deepEqual(d.extra.map((r) => r.name), ['hand-written', 'no-tier']);
  assert.deepEqual(d.inOtherTiers, [
    { ...GNP, name: 'platform.default-deny', tier: 'platform' },
    { ...CALICO_NP, namespace: 'shop', name: 'security.quarantine', tier: 'security' },
  ]);
  assert.deepEqual(d.summary, { recommended: 0, applied: 4, inSync: 0, missing: 0, extra: 2, differing: 0, inOtherTiers: 2 });
  // In a namespace's drift: the namespace's own one.
  assert.deepEqual(computeDrift('calico', policies, [], 'shop').inOtherTiers?.map((r) => r.name), ['security.quarantine']);
  assert.equal(computeDrift('calico', policies.slice(2), []).inOtherTiers, undefined, 'absent when there are none');
  assert.equal('inOtherTiers' in computeDrift('calico', policies.slice(2), []).summary, false);
});

/** A recommended manifest and an applied policy of one kind and name, with their specs. */
function pair(kind: { apiVersion: string; kind: string }, recommendedSpec: unknown, appliedSpec: unknown, namespace?: string): [AppliedPolicy, Manifest] {
  const metadata = { ...(namespace !== undefined ? { namespace } : {}), name: 'web' };
  const m = { ...kind, metadata: { ...metadata, labels: {}, annotations: {} }, spec: recommendedSpec } as unknown as Manifest;
  return [{ ...kind, ...metadata, manifest: { ...kind, metadata, spec: appliedSpec } }, m];
}

test('a Cilium policy whose rules, peers or ports come in another order is in sync (Cilium allow rules add up wherever they are written and a deny rule wins whatever its position: pkg/policy/api rule.go, Cilium docs "Deny Policies"); a changed port still differs', () => {
  const CNP = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy' };
  const dns = { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }] }] };
  const db = { toEndpoints: [{ matchLabels: { app: 'postgres' } }, { matchLabels: { app: 'redis' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] };
  const deny = { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.0.0/16'] }] };
  const written = { endpointSelector: { matchLabels: { app: 'web' } }, egress: [db, dns], egressDeny: [deny] };
  const reordered = { egressDeny: [{ toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.2.0.0/16', '10.1.0.0/16'] }] }], egress: [{ ...dns, toPorts: [{ ports: [...dns.toPorts[0]!.ports].reverse() }] }, { ...db, toEndpoints: [...db.toEndpoints].reverse() }], endpointSelector: written.endpointSelector };
  const [applied, recommended] = pair(CNP, written, reordered, 'shop');
  assert.deepEqual(computeDrift('cilium', [applied], [recommended]).summary, { recommended: 1, applied: 1, inSync: 1, missing: 0, extra: 0, differing: 0 });
  const CCNP = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy' };
  const [appliedCcnp, recommendedCcnp] = pair(CCNP, written, reordered);
  assert.equal(computeDrift('cilium', [appliedCcnp], [recommendedCcnp]).summary.inSync, 1);
  const [changed] = pair(CNP, written, { ...reordered, egress: [dns, { ...db, toPorts: [{ ports: [{ port: '5433', protocol: 'TCP' }] }] }] }, 'shop');
  assert.equal(computeDrift('cilium', [changed], [recommended]).summary.differing, 1);
});

test('a Calico policy whose types or a rule\'s ports or nets come in another order is in sync (they match "one of" their items: Calico NetworkPolicy reference); its rules swapped still differ (an "ordered list" of rules)', () => {
  const GNP = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy' };
  const allow = { action: 'Allow', protocol: 'TCP', destination: { ports: [80, 443], nets: ['10.0.0.0/8', '192.168.0.0/16'] } };
  const deny = { action: 'Deny', protocol: 'UDP', source: { notNets: ['10.1.0.0/16', '10.2.0.0/16'] } };
  const spec = (types: string[], ingress: unknown[]) => ({ tier: 'default', order: 1000, selector: "app == 'web'", types, ingress, egress: [{ action: 'Allow' }] });
  const reorderedAllow = { ...allow, destination: { nets: ['192.168.0.0/16', '10.0.0.0/8'], ports: [443, 80] } };
  const reorderedDeny = { ...deny, source: { notNets: ['10.2.0.0/16', '10.1.0.0/16'] } };
  const [applied, recommended] = pair(GNP, spec(['Ingress', 'Egress'], [allow, deny]), spec(['Egress', 'Ingress'], [reorderedAllow, reorderedDeny]));
  assert.equal(computeDrift('calico', [applied], [recommended]).summary.inSync, 1);
  const [swapped] = pair(GNP, spec(['Ingress', 'Egress'], [allow, deny]), spec(['Ingress', 'Egress'], [deny, allow]));
  assert.deepEqual(computeDrift('calico', [swapped], [recommended]).differing[0]?.changes.map((c) => c.path), ['spec.ingress[0].action', 'spec.ingress[0].destination', 'spec.ingress[0].protocol', 'spec.ingress[0].source', 'spec.ingress[1].action', 'spec.ingress[1].destination', 'spec.ingress[1].protocol', 'spec.ingress[1].source']);
});

test('a ClusterNetworkPolicy whose rule\'s peers, protocols or networks come in another order is in sync ("If any element matches … the specified action is applied", networks +listType=set: network-policy-api v1alpha2); its rules swapped still differ ("determined by the order in which the rule is written")', () => {
  const CNP = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy' };
  const pods = (app: string) => ({ pods: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app } } } });
  const accept = { action: 'Accept', name: 'a', to: [pods('postgres'), pods('redis')], protocols: [{ tcp: { destinationPort: { number: 5432 } } }, { tcp: { destinationPort: { number: 6379 } } }] };
  const deny = { action: 'Deny', name: 'd', to: [{ networks: ['0.0.0.0/0', '::/0'] }, { namespaces: {} }] };
  const spec = (egress: unknown[]) => ({ tier: 'Baseline', priority: 200, subject: { pods: pods('web').pods }, egress });
  const reordered = [
    { ...accept, protocols: [...accept.protocols].reverse(), to: [...accept.to].reverse() },
    { ...deny, to: [{ namespaces: {} }, { networks: ['::/0', '0.0.0.0/0'] }] },
  ];
  const [applied, recommended] = pair(CNP, spec([accept, deny]), spec(reordered));
  assert.equal(computeDrift('clusternetworkpolicy', [applied], [recommended]).summary.inSync, 1);
  const [swapped] = pair(CNP, spec([accept, deny]), spec([deny, accept]));
  assert.equal(computeDrift('clusternetworkpolicy', [swapped], [recommended]).summary.differing, 1);
});

test('an applied Admin-tier ClusterNetworkPolicy (flowmatrix writes the Baseline tier only) is never extra: it is listed as in another tier, counted apart; one of the Baseline tier not recommended stays extra, one recommended by name is compared', () => {
  // network-policy-api apis/v1alpha2 clusternetworkpolicy_types.go, Tier: "The Admin tier takes
  // precedence over all other policies. Policies defined in this tier are used to set cluster-wide
  // security rules that cannot be overridden in the other tiers": the cluster admin's, not a drift's to delete.
  const CNP = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy' };
  const cnp = (name: string, tier: string): AppliedPolicy => ({
    ...CNP,
    name,
    manifest: { ...CNP, metadata: { name }, spec: { tier, priority: 5, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'tools' } } }] }] } },
  });
  const policies = [cnp('admin-quarantine', 'Admin'), cnp('baseline-deny', 'Baseline'), cnp('admin-recommended-name', 'Admin')];
  const recommended = { ...CNP, metadata: { name: 'admin-recommended-name', labels: {}, annotations: {} }, spec: { tier: 'Baseline', priority: 200, subject: { namespaces: {} } } } as unknown as Manifest;
  const d = computeDrift('clusternetworkpolicy', policies, [recommended]);
  assert.deepEqual(d.extra.map((r) => r.name), ['baseline-deny']);
  assert.deepEqual(d.inOtherTiers, [{ ...CNP, name: 'admin-quarantine', tier: 'Admin' }]);
  assert.deepEqual(d.differing.map((r) => r.name), ['admin-recommended-name']);
  assert.deepEqual(d.summary, { recommended: 1, applied: 3, inSync: 0, missing: 0, extra: 1, differing: 1, inOtherTiers: 1 });
});

test('a CIDR spelt otherwise (upper-case or uncompressed IPv6, host bits where the engine takes them, a bare address in a Cilium toCIDR) is the same block, no drift, on every engine; another block still differs', () => {
  // NetworkPolicy: the API server stores the text as written (with a warning, KEP-4858) and reads
  // it with ParseCIDRSloppy: 10.0.0.5/8 is 10.0.0.0/8, leading zeros are decimal (domain/legacy-cidr.ts).
  const NP = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' };
  const np = (cidr: string, except: string[], v6: string) => ({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr, except } }, { ipBlock: { cidr: v6 } }] }] });
  const [npApplied, npRecommended] = pair(NP, np('10.0.0.0/8', ['10.1.0.0/16'], 'fd00:1::10/128'), np('10.0.0.5/8', ['010.001.0.0/16'], 'FD00:1:0::10/128'), 'shop');
  assert.equal(computeDrift('kubernetes', [npApplied], [npRecommended]).summary.inSync, 1);
  const [npOther] = pair(NP, np('10.0.0.0/8', ['10.1.0.0/16'], 'fd00:1::10/128'), np('10.0.0.5/16', ['10.0.1.0/24'], 'fd00:1::10/128'), 'shop');
  assert.deepEqual(computeDrift('kubernetes', [npOther], [npRecommended]).differing[0]?.changes.map((c) => [c.path, c.applied, c.recommended]), [
    ['spec.egress[0].to[0].ipBlock.cidr', '10.0.0.0/16', '10.0.0.0/8'],
    ['spec.egress[0].to[0].ipBlock.except[0]', '10.0.1.0/24', '10.1.0.0/16'],
  ]);
  // Cilium: toCIDR takes an address as its host block (CIDR.Validate, rule_validation.go), toCIDRSet a prefix.
  const CNP = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy' };
  const cnp = (host: string, set: string, except: string) => ({ endpointSelector: {}, egress: [{ toCIDR: [host], toCIDRSet: [{ cidr: set, except: [except] }] }], ingressDeny: [{ fromCIDR: [host] }] });
  const [ciliumApplied, ciliumRecommended] = pair(CNP, cnp('192.0.2.7/32', '2001:db8::/32', '2001:db8:1::/48'), cnp('192.0.2.7', '2001:DB8:0::/32', '2001:0db8:0001::/48'), 'shop');
  assert.equal(computeDrift('cilium', [ciliumApplied], [ciliumRecommended]).summary.inSync, 1);
  const [ciliumOther] = pair(CNP, cnp('192.0.2.7/32', '2001:db8::/32', '2001:db8:1::/48'), cnp('192.0.2.8', '2001:db8::/32', '2001:db8:1::/48'), 'shop');
  assert.equal(computeDrift('cilium', [ciliumOther], [ciliumRecommended]).summary.differing, 1);
  // Calico: nets are strictly masked (validateIPNetwork), Go's ParseCIDR reads any IPv6 spelling.
  const GNP = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy' };
  const gnp = (net: string) => ({ tier: 'default', order: 1000, selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', destination: { nets: [net], notNets: ['fd00:1::10/128'] } }] });
  const [calicoApplied, calicoRecommended] = pair(GNP, gnp('fd00:1::/64'), gnp('FD00:0001:0000::/64'));
  assert.equal(computeDrift('calico', [calicoApplied], [calicoRecommended]).summary.inSync, 1);
  // ClusterNetworkPolicy: networks pass `isCIDR` (netip.ParsePrefix: any case, host bits too).
  const CLNP = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy' };
  const clnp = (networks: string[]) => ({ tier: 'Baseline', priority: 200, subject: { namespaces: {} }, egress: [{ action: 'Accept', name: 'a', to: [{ networks }] }] });
  const [clnpApplied, clnpRecommended] = pair(CLNP, clnp(['fd00:1::10/128', '203.0.113.0/24']), clnp(['FD00:1::10/128', '203.0.113.9/24']));
  assert.equal(computeDrift('clusternetworkpolicy', [clnpApplied], [clnpRecommended]).summary.inSync, 1);
});

test('a Cilium policy applied with its rules in a `specs` list is compared by its rules, spec and specs together (CRD: "Specs is a list of desired Cilium specific rule specification"; cnp_types.go Parse appends Spec, then each of Specs): specs [A] is spec A, in sync; specs [A, B] is another policy, differing at specs', () => {
  const web = { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'api' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] };
  const more = { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'db' } }] }] };
  for (const kind of [{ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy' }, { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy' }]) {
    const namespace = kind.kind === 'CiliumNetworkPolicy' ? 'shop' : undefined;
    const metadata = { ...(namespace !== undefined ? { namespace } : {}), name: 'web' };
    const recommended = { ...kind, metadata: { ...metadata, labels: {}, annotations: {} }, spec: web } as unknown as Manifest;
    const appliedAs = (manifest: Record<string, unknown>): AppliedPolicy => ({ ...kind, ...metadata, manifest: { ...kind, metadata, ...manifest } });
    for (const same of [{ specs: [web] }, { spec: web, specs: [] }]) {
      assert.deepEqual(computeDrift('cilium', [appliedAs(same)], [recommended]).summary, { recommended: 1, applied: 1, inSync: 1, missing: 0, extra: 0, differing: 0 }, `${kind.kind} ${JSON.stringify(Object.keys(same))}`);
    }
    for (const other of [{ specs: [web, more] }, { spec: web, specs: [more] }, { specs: [more, web] }]) {
      const drift = computeDrift('cilium', [appliedAs(other)], [recommended]);
      assert.equal(drift.summary.differing, 1, kind.kind);
      // The applied rules as written, spec first: the change names the list, not one of its rules.
      const rules = [...('spec' in other ? [other.spec] : []), ...other.specs];
      assert.deepEqual(drift.differing[0]!.changes, [{ path: 'specs', applied: rules, recommended: [web] }], kind.kind);
    }
    // Several rules on both sides: compared rule by rule, in any order (rules add up: spec-list-order.ts).
    const both = { ...kind, metadata: { ...metadata, labels: {}, annotations: {} }, specs: [web, more] } as unknown as Manifest;
    assert.equal(computeDrift('cilium', [appliedAs({ spec: more, specs: [web] })], [both]).summary.inSync, 1, kind.kind);
    const changed = computeDrift('cilium', [appliedAs({ specs: [web, { ...more, egress: [{ toEndpoints: [{ matchLabels: { app: 'cache' } }] }] }] })], [both]);
    assert.deepEqual(changed.differing[0]?.changes, [{ path: 'specs[1].egress[0].toEndpoints[0].matchLabels.app', applied: 'cache', recommended: 'db' }], kind.kind);
  }
});

test('a Calico selector written otherwise (quotes, spaces, an `in` set\'s order: libcalico-go parses both to one Selector.String()) is no drift, in the policy and its rules; a NetworkPolicy without spec.selector is all() (networkpolicyprocessor.go: the namespace test alone); another label value, a GlobalNetworkPolicy\'s all() beside a namespaceSelector, or all( ) still differ', () => {
  const CAL = { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy' };
  const GNP = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy' };
  const rule = (selector: string, namespaceSelector?: string) => ({ action: 'Allow', protocol: 'TCP', source: { selector, ...(namespaceSelector !== undefined ? { namespaceSelector } : {}) }, destination: { ports: [8080] } });
  const written = { selector: "app == 'web'", types: ['Ingress'], ingress: [rule("app == 'api' && tier in {'b', 'a'}", "kubernetes.io/metadata.name == 'shop'")] };
  const respelt = { selector: 'app=="web"', types: ['Ingress'], ingress: [rule('(app == "api")  &&  tier in { "a","b" }', 'kubernetes.io/metadata.name=="shop"')] };
  const drift = (kind: typeof CAL, recommended: unknown, applied: unknown) => computeDrift('calico', [pair(kind, recommended, applied, kind === CAL ? 'shop' : undefined)[0]], [pair(kind, recommended, applied, kind === CAL ? 'shop' : undefined)[1]]);
  assert.equal(drift(CAL, written, respelt).summary.inSync, 1);
  assert.equal(drift(GNP, written, respelt).summary.inSync, 1);
  const { selector: _all, ...withoutSelector } = written;
  assert.equal(drift(CAL, { ...written, selector: 'all()' }, withoutSelector).summary.inSync, 1);
  assert.equal(drift(GNP, { ...written, selector: 'all()' }, withoutSelector).summary.inSync, 1);
  assert.deepEqual(drift(CAL, written, { ...respelt, selector: 'app == "webs"' }).differing[0]?.changes, [{ path: 'spec.selector', applied: 'app == "webs"', recommended: 'app == "web"' }]);
  // Beside a namespaceSelector the syncer makes a global policy's all() has(projectcalico.org/namespace): host endpoints no longer pass.
  const scoped = { ...withoutSelector, namespaceSelector: "team == 'a'" };
  assert.equal(drift(GNP, { ...scoped, selector: 'all()' }, scoped).summary.differing, 1);
  assert.equal(drift(GNP, { ...scoped, selector: 'all()' }, { ...scoped, selector: 'all( )' }).summary.differing, 1);
});

test('a label selector with an empty matchLabels or matchExpressions is the selector without it (no requirement: a LabelSelector\'s requirements AND, none selects everything; the API server re-encodes a NetworkPolicy and omits both, omitempty in meta/v1 types.go), on NetworkPolicy, Cilium and ClusterNetworkPolicy; a label in it still differs', () => {
  const NPK = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' };
  const CNP = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy' };
  const CN = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy' };
  const empty = { matchLabels: {}, matchExpressions: [] };
  const cases: [string, { apiVersion: string; kind: string }, unknown, unknown, string | undefined][] = [
    ['kubernetes', NPK, { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }] }] }, { podSelector: empty, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: {} } }] }] }, 'shop'],
    ['cilium', CNP, { endpointSelector: {}, ingress: [{ fromEndpoints: [{}] }] }, { endpointSelector: { matchLabels: {} }, ingress: [{ fromEndpoints: [empty] }] }, 'shop'],
    ['clusternetworkpolicy', CN, { tier: 'Baseline', priority: 10, subject: { namespaces: {} }, ingress: [{ action: 'Accept', from: [{ namespaces: {} }] }] }, { tier: 'Baseline', priority: 10, subject: { namespaces: { matchLabels: {} } }, ingress: [{ action: 'Accept', from: [{ namespaces: empty }] }] }, undefined],
  ];
  for (const [engine, kind, recommended, applied, namespace] of cases) {
    const [a, r] = pair(kind, recommended, applied, namespace);
    assert.equal(computeDrift(engine, [a], [r]).summary.inSync, 1, engine);
    const [labelled] = pair(kind, recommended, JSON.parse(JSON.stringify(applied).replace('"matchLabels":{}', '"matchLabels":{"app":"web"}')), namespace);
    assert.equal(computeDrift(engine, [labelled], [r]).summary.differing, 1, engine);
  }
});

test('only the spec is compared: an applied policy whose labels and annotations (flowmatrix\'s explanation, written anew on each export) differ from the recommended one is in sync', () => {
  const [a, r] = pair(NP, spec(8080), spec(8080), 'shop');
  const older = { ...a, manifest: { ...(a.manifest as object), metadata: { namespace: 'shop', name: 'web', labels: { team: 'x' }, annotations: { 'flowmatrix.io/explanation': 'an older one' } } } };
  assert.equal(computeDrift('kubernetes', [older], [r]).summary.inSync, 1);
});
