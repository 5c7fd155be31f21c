/** Writes the demo files to a directory, streaming the flow records line by line. */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { generateCluster } from './cluster.ts';
import { hubbleRecords } from './hubble.ts';
import { inventoryList } from './inventory.ts';
import { netobservRecords } from './netobserv.ts';

export interface DemoFileOptions {
  seed?: number;
  scale?: number;
  netobservFlows?: number;
  hubbleFlows?: number;
}

export interface DemoFiles {
  inventory: string;
  inventoryLater?: string;
  netobserv: string;
  hubble: string;
}

export const DEMO_DEFAULTS = { seed: 20261120, scale: 1, netobservFlows: 2000, hubbleFlows: 1000 } as const;

export async function writeDemoFiles(dir: string, opts: DemoFileOptions = {}): Promise<DemoFiles> {
  const seed = opts.seed ?? DEMO_DEFAULTS.seed;
  const scale = opts.scale ?? DEMO_DEFAULTS.scale;
  mkdirSync(dir, { recursive: true });
  const cluster = generateCluster({ seed, scale });
  const files: DemoFiles = {
    inventory: join(dir, 'inventory.json'),
    inventoryLater: join(dir, 'inventory-later.json'),
    netobserv: join(dir, 'netobserv.ndjson'),
    hubble: join(dir, 'hubble.jsonl'),
  };
  writeFileSync(files.inventory, listJson(inventoryList(cluster)));
  writeFileSync(files.inventoryLater as string, listJson(inventoryList(cluster, { snapshot: 'later' })));
  await writeLines(files.netobserv, netobservRecords(cluster, { flows: opts.netobservFlows ?? DEMO_DEFAULTS.netobservFlows, seed }));
  await writeLines(files.hubble, hubbleRecords(cluster, { flows: opts.hubbleFlows ?? DEMO_DEFAULTS.hubbleFlows, seed }));
  return files;
}

/** One JSON document per line, written in chunks with backpressure: memory stays flat for any count. */
export async function writeLines(path: string, records: Iterable<unknown>): Promise<number> {
  const out = createWriteStream(path);
  let n = 0;
  let chunk = '';
  try {
    for (const r of records) {
      chunk += `${JSON.stringify(r)}\n`;
      n++;
      if (chunk.length >= 1 << 16) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
    if (chunk) out.write(chunk);
  } finally {
    out.end();
    await once(out, 'finish');
  }
  return n;
}

/** A List as JSON with one item per line: valid JSON, compact, and diffable object by object. */
export function listJson(list: { items: unknown[] }): string {
  const { items, ...head } = list;
  const open = JSON.stringify({ ...head, items: [] }).slice(0, -3);
  return `${open}[\n${items.map((i) => JSON.stringify(i)).join(',\n')}\n]}\n`;
}
