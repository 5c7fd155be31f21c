/**
 * The warning of recommender/matrix/cluster-domain.ts when the flows show Service names under
 * another cluster domain than the configured one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { observedClusterDomainWarning } from '../../recommender/matrix/cluster-domain.ts';

const services = [{ namespace: 'shop', name: 'db' }];

/**
 * `<svc>.<ns>.svc.clusterset.local` is a Multi-Cluster Services name (KEP-1645 "Multi-Cluster
 * Services API": "clusterset.local" is the domain of a ServiceImport's name), not a kubelet
 * clusterDomain: setting it made db.shop.svc.cluster.local a toFQDNs rule. Names under the
 * configured domain seen too say the config matches.
 */
test('MCS names under clusterset.local are never advised as the cluster domain; names under the configured domain seen too mean no warning', () => {
  assert.equal(observedClusterDomainWarning(['db.shop.svc.clusterset.local'], services, 'cluster.local'), undefined);
  assert.equal(observedClusterDomainWarning(['db.shop.svc.clusterset.local', 'db.shop.svc.corp.example'], services, 'cluster.local')?.includes('clusterset.local`'), false);
  assert.equal(observedClusterDomainWarning(['db.shop.svc.corp.example', 'db.shop.svc.cluster.local'], services, 'cluster.local'), undefined);
  assert.match(observedClusterDomainWarning(['db.shop.svc.corp.example'], services, 'cluster.local') ?? '', /set `matrices.clusterDomain: corp.example`/);
});
