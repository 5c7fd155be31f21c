/**
 * The Cilium version an agent image names, and the ClusterNetworkPolicy readings it implies
 * (domain/cilium-release.ts): tiered from the 1.20 release on (Cilium docs, network/kubernetes/policy:
 * "Support for the Kubernetes ClusterNetworkPolicy (KCNP) is available starting with Cilium 1.20");
 * anything else may be a build with the untiered ParseClusterNetworkPolicy ("TODO: Implement support
 * for rule priorities"), so both readings.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentImageShown, clusterNetworkPolicyReadings, imageTag } from '../../domain/cilium-release.ts';
import { agentImage } from '../../collectors/inventory/cilium-agent.ts';

const DIGEST = 'sha256:0000000000000000000000000000000000000000000000000000000000000000';

test('imageTag: the tag before a digest, none for a digest only; a registry port is no tag', () => {
  assert.equal(imageTag(`quay.io/cilium/cilium:v1.19.1@${DIGEST}`), 'v1.19.1');
  assert.equal(imageTag('cilium/cilium:v1.20.0'), 'v1.20.0');
  assert.equal(imageTag(`quay.io/cilium/cilium@${DIGEST}`), undefined);
  assert.equal(imageTag('registry.local:5000/cilium/cilium'), undefined);
  assert.equal(imageTag('registry.local:5000/cilium/cilium:1.21.3'), '1.21.3');
});

test('clusterNetworkPolicyReadings: a release from 1.20 on is tiered; before it, a pre-release, a dev build, a digest only or no image: both', () => {
  for (const image of [`quay.io/cilium/cilium:v1.20.0@${DIGEST}`, 'quay.io/cilium/cilium:v1.21.2', 'cilium:2.0.0', 'registry.local:5000/cilium/cilium:1.20.1']) assert.deepEqual(clusterNetworkPolicyReadings(image), ['tiered'], image);
  for (const image of [undefined, 'quay.io/cilium/cilium:v1.19.1', 'quay.io/cilium/cilium:v1.20.0-pre.2', 'quay.io/cilium/cilium-ci:4f1e0c2b3a', `quay.io/cilium/cilium@${DIGEST}`, 'quay.io/cilium/cilium:latest']) {
    assert.deepEqual(clusterNetworkPolicyReadings(image), ['tiered', 'untiered'], String(image));
  }
});

test('agentImageShown: says what the inventory shows and how to make it exact', () => {
  assert.match(agentImageShown(undefined), /import the kube-system cilium DaemonSet/);
  assert.match(agentImageShown(`quay.io/cilium/cilium@${DIGEST}`), /names no version, only a digest/);
  assert.match(agentImageShown('quay.io/cilium/cilium:v1.20.0-pre.2'), /tag v1\.20\.0-pre\.2 is no release/);
  assert.match(agentImageShown('quay.io/cilium/cilium:v1.19.1'), /v1\.19\.1 is a release before 1\.20/);
});

test('the agent image of an import is the one image its DaemonSet and pods all name; mid-rollout (they differ) it is not known, so both readings judge', () => {
  // The images of the agent's DaemonSet and of its pods, as the import finds them (ciliumAgentImageOf).
  const ds = (image: string) => image;
  const pod = (image: string) => image;
  assert.equal(agentImage([ds('quay.io/cilium/cilium:v1.20.1'), pod('quay.io/cilium/cilium:v1.20.1')]), 'quay.io/cilium/cilium:v1.20.1');
  assert.equal(agentImage([pod('quay.io/cilium/cilium:v1.20.1')]), 'quay.io/cilium/cilium:v1.20.1');
  // The DaemonSet updated to 1.20, a pod still on the untiered dev build: which build enforces is not known.
  assert.equal(agentImage([ds('quay.io/cilium/cilium:v1.20.1'), pod('quay.io/cilium/cilium:latest')]), undefined);
  assert.equal(agentImage([]), undefined);
});
