/**
 * `edges --output json` and `GET /api/v1/edges` say how flows reached an edge's server: through
 * which Service ports (`edges.through_service`, migration 0051) and the Service target port name
 * (`edges.target_port_name`, 0045) — what the recommendation follows (recommender/follow-services.ts)
 * and what a user needs to see to understand a rule it wrote on a number no flow had.
 *
 * cli dials Service shop/web 10.96.5.5:80 (`targetPort: http`, web's `http` = 8080): the edge
 * cli → web:8080 came through `shop/web:80` by the name `http`. A second connection straight to the
 * pod's 8080 makes it reached by number too. An edge of no Service carries none of the fields.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import request from 'supertest';
import { importInventory } from '../../app/inventory.ts';
import { ingestFlows } from '../../app/ingest.ts';
import { MAX_THROUGH_SERVICES } from '../../domain/edge.ts';
import { edgeJson } from '../../domain/edge-json.ts';
import { runCliJson } from '../helpers/cli.ts';
import { CLUSTER_IP, deployment, FLOW_TIME, list, NIGHT_A, syn, WEB_A, webService } from '../helpers/service-followed.ts';
import { testApp } from '../helpers/service.ts';
import { tmpDb } from '../helpers/tmp.ts';

interface EdgeOut {
  client: string;
  server: string;
  port: number;
  targetPortName?: string;
  reachedByNumberToo?: true;
  throughServices?: string[];
  moreThroughServices?: true;
}

async function store(records: string[]) {
  const { db, path } = tmpDb();
  const inventory = list([...deployment('shop', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }], WEB_A), ...webService('http', [{ pod: WEB_A, port: 8080 }])]);
  importInventory(db, { text: inventory, takenAt: NIGHT_A, source: 'night-a.json', now: NIGHT_A });
  const summary = await ingestFlows(db, [{ name: 'flows', open: () => Readable.from([records.join('\n') + '\n']) }], { format: 'auto', now: () => FLOW_TIME });
  assert.equal(summary.accepted, records.length);
  return { db, path };
}

const toWeb = (edges: EdgeOut[]) => edges.filter((e) => e.server === 'workload:shop/Deployment/web');

test('an edge through a Service by its target port name: the CLI and the API list the Service port and the name (ingest.md "edges output")', async () => {
  const { db, path } = await store([syn(40010, CLUSTER_IP, 80)]);
  const cli = toWeb(await runCliJson<EdgeOut[]>(['edges', '--db', path, '--output', 'json']));
  assert.equal(cli.length, 1);
  assert.equal(cli[0]!.port, 8080);
  assert.equal(cli[0]!.targetPortName, 'http');
  assert.equal(cli[0]!.reachedByNumberToo, undefined);
  assert.deepEqual(cli[0]!.throughServices, ['shop/web:80']);
  assert.equal(cli[0]!.moreThroughServices, undefined);
  const api = await request(testApp(db, path)).get('/api/v1/edges').expect(200);
  assert.deepEqual(toWeb(api.body.items as EdgeOut[]), cli);
});

test('an edge reached through the Service and straight by number: reachedByNumberToo', async () => {
  const { path } = await store([syn(40010, CLUSTER_IP, 80), syn(40011, WEB_A.ip, 8080)]);
  const [edge] = toWeb(await runCliJson<EdgeOut[]>(['edges', '--db', path, '--output', 'json']));
  assert.equal(edge?.targetPortName, 'http');
  assert.equal(edge?.reachedByNumberToo, true);
  assert.deepEqual(edge?.throughServices, ['shop/web:80']);
});

test('an edge of no Service carries none of the fields', async () => {
  const { path } = await store([syn(40011, WEB_A.ip, 8080)]);
  const [edge] = toWeb(await runCliJson<EdgeOut[]>(['edges', '--db', path, '--output', 'json']));
  assert.ok(edge);
  for (const field of ['targetPortName', 'reachedByNumberToo', 'throughServices', 'moreThroughServices']) assert.ok(!(field in edge), field);
});

test(`more Service ports than the store keeps (${MAX_THROUGH_SERVICES}): the kept ones and moreThroughServices`, () => {
  const kept = Array.from({ length: MAX_THROUGH_SERVICES }, (_, i) => `shop/web-${i}:80`);
  const json = edgeJson({
    id: 1,
    client: { kind: 'external', ip: '203.0.113.9' },
    server: { kind: 'workload', workload: { namespace: 'shop', kind: 'Deployment', name: 'web' } },
    port: 8080,
    protocol: 'TCP',
    firstSeen: FLOW_TIME,
    lastSeen: FLOW_TIME,
    flows: 1,
    packets: 1,
    bytes: 1,
    forwarded: 1,
    dropped: 0,
    sources: ['netobserv'],
    throughService: [...kept, '+'].join(','),
  });
  assert.deepEqual(json.throughServices, kept);
  assert.equal(json.moreThroughServices, true);
});
