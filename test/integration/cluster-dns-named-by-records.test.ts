/**
 * The cluster DNS missing from the inventory, while NetObserv records name the destination of a
 * lookup by its owner fields: openshift-dns/DaemonSet/dns-default, the name the OpenShift DNS
 * operator gives the default DNS's DaemonSet (cluster-dns-operator, DNSDaemonSetName: "dns-" +
 * the DNS's name). That lookup is the cluster DNS, not a peer to bind a matrix role to: no rule
 * documented when set (a role waiting for a parameter) may claim it and say it is allowed, while
 * it gets no rule (its workload is not in the inventory).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { parse } from 'yaml';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { applyMatrix } from '../../app/matrices.ts';
import { readRecommendationInput, recommendOptions, runRecommendation } from '../../app/recommendation.ts';
import { tmpDb } from '../helpers/tmp.ts';

const NOW = Date.now();

/** As NetObserv's Kafka deployment model: a role to bind once a parameter is set, on any TCP port. */
const PIPE = `apiVersion: flowmatrix.io/v1alpha1
kind: CommunicationMatrix
metadata: { name: pipe, title: Pipe }
documents: { doc: { title: pipe doc, file: pipe.txt } }
parameters:
  deploymentModel: { type: string, enum: [Service, Kafka], default: Service, description: the model, source: { document: doc, line: 1 } }
roles:
  kafka: { description: the brokers, scope: any }
components:
  web:
    namespace: shop
    selector: { matchLabels: { app: web } }
    egress:
      - { peer: { role: kafka }, protocols: [TCP], level: must, when: { deploymentModel: Kafka }, purpose: to Kafka, source: { document: doc, line: 2 } }
`;

test('a lookup to openshift-dns/DaemonSet/dns-default, named by NetObserv records but not in the inventory, is not offered to a role documented when set', async () => {
  const list = parse(readFileSync(new URL('../fixtures/openshift-dns/inventory.yaml', import.meta.url), 'utf8')) as { items: { metadata: { name: string; namespace?: string } }[] };
  list.items = list.items.filter((o) => !(o.metadata.namespace === 'openshift-dns' && o.metadata.name.startsWith('dns-default')));
  const { db } = tmpDb();
  importInventory(db, { text: JSON.stringify(list), takenAt: NOW - 3_600_000, source: 'inventory.json', now: NOW });
  applyMatrix(db, { text: PIPE, origin: 'pipe.yaml', appliedAt: NOW });
  const lookup = {
    SrcAddr: '10.128.0.20', DstAddr: '10.128.0.5', SrcPort: 40001, DstPort: 5353, Proto: 6, Flags: 2, Etype: 2048, Packets: 1, Bytes: 80, TimeFlowStartMs: NOW - 60_000, TimeFlowEndMs: NOW - 60_000,
    SrcK8S_Namespace: 'shop', SrcK8S_Name: 'web', SrcK8S_OwnerName: 'web', SrcK8S_OwnerType: 'Pod', SrcK8S_Type: 'Pod',
    DstK8S_Namespace: 'openshift-dns', DstK8S_Name: 'dns-default-a1b2c', DstK8S_OwnerName: 'dns-default', DstK8S_OwnerType: 'DaemonSet', DstK8S_Type: 'Pod',
  };
  await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([`${JSON.stringify(lookup)}\n`]) }], { format: 'netobserv' });
  const { rec } = runRecommendation(readRecommendationInput(db, {}), 'kubernetes', recommendOptions({}), { tightness: false });
  const web = rec.workloads.find((w) => w.workload.name === 'web')!;
  const edge = web.observed.find((e) => e.key.includes('openshift-dns/DaemonSet/dns-default'))!;
  assert.notEqual(edge.status, 'documented-when-set');
  assert.deepEqual(web.warnings.filter((w) => w.includes('documented when set')), []);
  assert.equal(web.documented.find((d) => d.id === 'pipe/web/egress/kafka')?.status, 'inactive');
});
