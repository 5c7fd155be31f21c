/**
 * The labels a StatefulSet pod gets from its name (kubernetes pkg/controller/statefulset
 * stateful_set_utils.go: updateIdentity sets pod-name to the pod's name and pod-index to
 * strconv.Itoa of the ordinal getParentNameAndOrdinal reads from `(.*)-([0-9]+)$`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podIdentityLabels } from '../../domain/pod-identity-labels.ts';

const sts = { namespace: 'db', kind: 'StatefulSet' as const, name: 'pg' };

test('a StatefulSet pod: its name and its ordinal', () => {
  assert.deepEqual(podIdentityLabels(sts, 'pg-0'), { 'statefulset.kubernetes.io/pod-name': 'pg-0', 'apps.kubernetes.io/pod-index': '0' });
  assert.deepEqual(podIdentityLabels({ ...sts, name: 'pg-main' }, 'pg-main-12'), { 'statefulset.kubernetes.io/pod-name': 'pg-main-12', 'apps.kubernetes.io/pod-index': '12' });
});

test('none for other kinds, or a name the controller would not give its pod', () => {
  assert.deepEqual(podIdentityLabels({ ...sts, kind: 'Deployment' }, 'pg-0'), {});
  assert.deepEqual(podIdentityLabels(sts, 'other-0'), {});
  assert.deepEqual(podIdentityLabels(sts, 'pg-x'), {});
  assert.deepEqual(podIdentityLabels(sts, 'pg-99999999999'), {}, 'over int32: ParseInt fails upstream');
});
