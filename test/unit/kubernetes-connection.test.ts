/** Loading Kubernetes credentials from a kubeconfig: a context that does not exist is named with the ones that do. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadKubeConfig } from '../../collectors/kubernetes/connection.ts';
import { tmpDir } from '../helpers/tmp.ts';

const KUBECONFIG = [
  'apiVersion: v1',
  'kind: Config',
  'clusters:',
  '- name: fake\n  cluster:\n    server: https://127.0.0.1:6443',
  'users:',
  '- name: me\n  user:\n    token: abc',
  'contexts:',
  '- name: dev\n  context:\n    cluster: fake\n    user: me',
  '- name: prod\n  context:\n    cluster: fake\n    user: me',
  'current-context: dev',
].join('\n');

test('--context picks a context; one that does not exist is said as such, with the contexts there are', () => {
  const file = join(tmpDir(), 'kubeconfig');
  writeFileSync(file, KUBECONFIG);
  assert.equal(loadKubeConfig({ kubeconfig: file, context: 'prod' }, {}).kc.getCurrentContext(), 'prod');
  assert.throws(() => loadKubeConfig({ kubeconfig: file, context: 'nope' }, {}), /no context "nope" \(contexts: dev, prod\)/);
});
