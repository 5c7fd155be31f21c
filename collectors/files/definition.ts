/** How `serve` finds the followed-files collector: the `collectors.files` section. */
import type { CollectorDefinition } from '../collector.ts';
import { FilesCollector } from './collector.ts';
import { resolveFilesSettings, type FilesConfigT } from './config.ts';

export const filesDefinition: CollectorDefinition<FilesConfigT> = {
  name: 'files',
  create(config, deps) {
    if (!config || config.enabled === false) return undefined;
    return new FilesCollector(resolveFilesSettings(config), deps);
  },
};
