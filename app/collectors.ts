/**
 * The collectors `serve` runs: each definition reads its own section of `collectors:` in the
 * config and is started when enabled. A collector that fails to start is reported `failed` in
 * /readyz; it never keeps the others (or the API) from running.
 */
import type { Collector, CollectorDefinition, CollectorDeps, CollectorStatus } from '../collectors/collector.ts';
import { filesDefinition } from '../collectors/files/definition.ts';
import { hubbleRelayDefinition } from '../collectors/hubble-relay/definition.ts';
import { kubernetesCollectorDefinition } from '../collectors/kubernetes/definition.ts';
import { prometheusCollector } from '../collectors/prometheus/index.ts';
import { importInventoryObjects } from './inventory.ts';

/** Every collector flowmatrix knows, in start order (the inventory first: flows resolve through it). */
export const COLLECTORS: readonly CollectorDefinition<never>[] = [
  kubernetesCollectorDefinition((db, req) => importInventoryObjects(db, { ...req, coalesce: true })) as CollectorDefinition<never>,
  prometheusCollector as CollectorDefinition<never>,
  hubbleRelayDefinition as CollectorDefinition<never>,
  filesDefinition as CollectorDefinition<never>,
];

export interface RunningCollectors {
  statuses(): CollectorStatus[];
  /** Stops every collector (in reverse start order); idempotent. */
  stop(): Promise<void>;
}

export async function startCollectors(
  config: Record<string, unknown> | undefined,
  deps: CollectorDeps,
  env: NodeJS.ProcessEnv = process.env,
  definitions: readonly CollectorDefinition<never>[] = COLLECTORS,
): Promise<RunningCollectors> {
  const running: Collector[] = [];
  const failed: CollectorStatus[] = [];
  for (const def of definitions) {
    let collector: Collector | undefined;
    try {
      collector = (def as CollectorDefinition<unknown>).create(config?.[def.name], deps, env);
      if (!collector) continue;
      await collector.start();
      running.push(collector);
    } catch (e) {
      const message = (e as Error).message;
      deps.logger.error({ collector: def.name, err: message }, 'collector failed to start');
      failed.push({ name: def.name, state: 'failed', lastError: message, counters: {} });
      if (collector) await collector.stop().catch(() => undefined);
    }
  }
  let stopping: Promise<void> | undefined;
  return {
    statuses: () => [...running.map((c) => c.status()), ...failed],
    stop: () =>
      (stopping ??= (async () => {
        for (const c of [...running].reverse()) await c.stop().catch((e: Error) => deps.logger.warn({ collector: c.name, err: e.message }, 'collector did not stop cleanly'));
      })()),
  };
}
