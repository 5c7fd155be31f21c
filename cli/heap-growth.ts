/**
 * How far V8 lets the heap grow past what its last full collection kept before it collects
 * again. By default the factor is dynamic, up to 4×: a process that frees a large structure
 * again and again (the export frees a chunk's manifests and compiled simulator after each chunk,
 * app/export.ts) keeps up to that many chunks of garbage, and its peak memory is set by the
 * factor, not by what it holds. `--heap-growing-percent` is V8's own setting of that factor
 * (1 + percent/100); V8 reads it each time it sets the next limit, so setting it when a command
 * starts takes effect from the next collection. Not in NODE_OPTIONS: Node does not accept it
 * there.
 */
import { setFlagsFromString } from 'node:v8';

/** Half again what the last collection kept. A 2M-edge calico export peaked at 2.4 GB RSS with the default and at 1.0 GB with this. */
export const EXPORT_HEAP_GROWING_PERCENT = 50;

export function limitHeapGrowth(percent: number = EXPORT_HEAP_GROWING_PERCENT): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
