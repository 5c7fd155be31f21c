/**
 * The fake API server (kube-api-server.ts) loaded with the inventory fixture's real object shapes
 * (test/fixtures/inventory/cluster.json), and the collector settings that reach it with a token file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { resolveKubernetesSettings, type KubernetesSettings } from '../../collectors/kubernetes/config.ts';
import { RESOURCES, kindKeyOf } from '../../collectors/kubernetes/resources.ts';
import { KubeApiServer, type KubeApiServerOptions } from './kube-api-server.ts';
import { tmpDir } from './tmp.ts';

export const TOKEN = 'fake-service-account-token-0123456789';

/** What the fake cluster serves: every required resource, plus Cilium's and Calico's namespaced policies (CRDs installed). */
export const SERVED_OPTIONAL = new Set(['CiliumNetworkPolicy.cilium.io', 'NetworkPolicy.projectcalico.org']);

export function fakeResources() {
  return RESOURCES.filter((r) => !r.optional || SERVED_OPTIONAL.has(kindKeyOf(r))).map(({ group, version, kind, plural, namespaced }) => ({ group, version, kind, plural, namespaced }));
}

type Json = Record<string, unknown>;

/** The fixture's objects the fake cluster can hold (its ConfigMap is not a watched kind). */
export function fixtureObjects(): Json[] {
  const list = JSON.parse(readFileSync(new URL('../fixtures/inventory/cluster.json', import.meta.url), 'utf8')) as { items: Json[] };
  return list.items.filter((o) => o.kind !== 'ConfigMap');
}

export interface FakeCluster {
  server: KubeApiServer;
  settings: KubernetesSettings;
  tokenFile: string;
}

export async function startFakeCluster(options: Partial<KubeApiServerOptions> = {}, objects: Json[] = fixtureObjects()): Promise<FakeCluster> {
  const server = await KubeApiServer.start({ resources: fakeResources(), token: TOKEN, ...options });
  after(() => server.close());
  for (const o of objects) server.put(o);
  const tokenFile = join(tmpDir('flowmatrix-kube-'), 'token');
  writeFileSync(tokenFile, TOKEN);
  const settings = resolveKubernetesSettings({ url: server.url, tokenFile, insecureSkipTlsVerify: true, pageSize: 3, watchTimeoutSeconds: 300, flushIntervalMs: 20, backoff: { initialMs: 10, maxMs: 40 } });
  return { server, settings, tokenFile };
}

/** Polls `predicate` every 5 ms until it holds (or fails after `timeoutMs`). */
export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
