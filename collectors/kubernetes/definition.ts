/**
 * How `serve` finds the Kubernetes collector: its `collectors.kubernetes` section, or — with no
 * section — in-cluster credentials (KUBERNETES_SERVICE_HOST/PORT and the mounted service-account
 * token), so flowmatrix deployed with deploy/flowmatrix follows its cluster without configuration.
 */
import type { CollectorDefinition } from '../collector.ts';
import { KubernetesCollector } from './collector.ts';
import { resolveKubernetesSettings, type KubernetesConfigT } from './config.ts';
import { hasInClusterCredentials } from './connection.ts';
import type { InventoryWriter } from './writer.ts';

export function kubernetesCollectorDefinition(writer: InventoryWriter, serviceAccountDir?: string): CollectorDefinition<KubernetesConfigT> {
  return {
    name: 'kubernetes',
    create(config, deps, env) {
      if (config === undefined) {
        if (!hasInClusterCredentials(env, serviceAccountDir)) return undefined;
      } else if (config.enabled === false) {
        return undefined;
      }
      return new KubernetesCollector({ settings: resolveKubernetesSettings(config), writer, env }, deps);
    },
  };
}
