/** How `serve` finds the Prometheus collector: the `collectors.prometheus` section, on when it has a `url`. */
import type { CollectorDefinition } from '../collector.ts';
import { PrometheusCollector } from './collector.ts';
import { resolvePrometheusConfig, type PrometheusCollectorConfigT } from './config.ts';

export const prometheusCollector: CollectorDefinition<PrometheusCollectorConfigT> = {
  name: 'prometheus',
  create(config, deps) {
    if (!config || config.enabled === false) return undefined;
    return new PrometheusCollector(resolvePrometheusConfig(config), deps);
  },
};
