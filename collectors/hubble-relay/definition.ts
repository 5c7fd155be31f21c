/** How `serve` finds the Hubble Relay collector: the `collectors.hubble` section. */
import type { CollectorDefinition } from '../collector.ts';
import { HubbleRelayCollector } from './collector.ts';
import { resolveHubbleRelaySettings, type HubbleRelayConfigT } from './config.ts';

export const hubbleRelayDefinition: CollectorDefinition<HubbleRelayConfigT> = {
  name: 'hubble',
  create(config, deps) {
    if (!config || config.enabled === false) return undefined;
    return new HubbleRelayCollector(resolveHubbleRelaySettings(config), deps);
  },
};
