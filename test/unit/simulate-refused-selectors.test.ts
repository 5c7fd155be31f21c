/**
 * refusedSelectors (recommender/simulate/refused-selectors.ts): the network-policy-api selectors
 * apimachinery cannot build, each named by policy, JSON pointer and apimachinery's reason, with the
 * engine's reading. Expectations from k8s.io/apimachinery pkg/apis/meta/v1/helpers.go
 * LabelSelectorAsSelector (an unknown operator is refused before NewRequirement is called; each
 * matchLabels pair is NewRequirement(k, Equals, [v])) and pkg/labels/selector.go NewRequirement
 * (validateLabelKey, the operator's values count, validateLabelValue for each value), and for
 * Calico libcalico-go lib/backend/k8s/conversion/conversion.go k8sSelectorToCalico (keys and
 * values written as they are).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refusedSelectors } from '../../recommender/simulate/refused-selectors.ts';

const cnp = (name: string, spec: Record<string, unknown>): unknown => ({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec });

test('keys and values NewRequirement refuses, in matchExpressions and matchLabels, are named at their field; an unknown operator only for itself', () => {
  const policy = cnp('odd', {
    tier: 'Admin',
    priority: 1,
    subject: { namespaces: { matchLabels: { 'a/b/c': 'x', team: 'not a value' } } },
    egress: [
      {
        action: 'Accept',
        to: [
          { pods: { namespaceSelector: {}, podSelector: { matchExpressions: [{ key: '-bad', operator: 'NotIn', values: ['ok', 'bad value'] }, { key: '-also-bad', operator: 'Foo', values: ['bad value'] }] } } },
        ],
      },
    ],
  });
  const found = refusedSelectors('clusternetworkpolicy', [policy]).map((s) => [s.path, s.reading, s.problem.slice(0, 24)]);
  assert.deepEqual(found, [
    ['/spec/subject/namespaces/matchLabels/a~1b~1c', 'the selector selects nothing', 'key "a/b/c": must be a l'],
    ['/spec/subject/namespaces/matchLabels/team', 'the selector selects nothing', 'value "not a value": mus'],
    ['/spec/egress/0/to/0/pods/podSelector/matchExpressions/0/key', 'the selector selects nothing', 'key "-bad": must be a la'],
    ['/spec/egress/0/to/0/pods/podSelector/matchExpressions/0/values/1', 'the selector selects nothing', 'value "bad value": must '],
    ['/spec/egress/0/to/0/pods/podSelector/matchExpressions/1/operator', 'the selector selects nothing', '"Foo" is not a valid lab'],
  ]);
  const calico = refusedSelectors('calico', [policy]);
  assert.equal(calico.length, 5);
  assert.match(calico[0]!.reading, /^Calico converts it unchecked \(k8sSelectorToCalico writes keys and values as they are\)/);
  assert.deepEqual(refusedSelectors('clusternetworkpolicy', [cnp('fine', { tier: 'Admin', priority: 1, subject: { namespaces: { matchLabels: { 'app.kubernetes.io/name': 'x', empty: '' } } }, egress: [] })]), []);
});
