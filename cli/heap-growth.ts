/**
 * How far V8 lets the heap grow past what its last full collection kept before it collects
 * again. By default the factor is dynamic, up to 4×: an export frees a chunk's manifests and
 * compiled simulator after each chunk (app/export.ts), and with that factor the garbage of a
 * 2M-edge calico export's twenty chunks waited for the next collection, so the peak memory was
 * set by the factor, not by what the export holds. `--heap-growing-percent` is V8's own setting of the factor (1 + percent/100);
 * V8 reads it each time it sets the next limit. It has to be set before the heap grows: set
 * once the recommendation was made, the limit V8 had already set let the chunks' garbage pile up
 * all the same. (Node does not accept the flag in NODE_OPTIONS.) `report` sets it too: it frees
 * each workload's evidence and each chunk's manifests as it goes (app/report-input.ts).
 *
 * Only for a large store: a tighter heap collects more often, which cost about a fifth more CPU
 * time for a whole 200k-edge export, whose peak stays near 0.6 GB without it.
 */
import { setFlagsFromString } from 'node:v8';

/** Half again what the last collection kept: a 2M-edge calico export peaked at 2.4 GB RSS with the default growth, at about 1 GB with this. */
export const LARGE_EXPORT_HEAP_GROWING_PERCENT = 50;
/** Stores with more edges than this are exported with the growth limited. */
export const LARGE_EXPORT_EDGES = 500_000;

/** Limits the heap's growth for an export of a store holding `edges` edges, when they are many. */
export function heapGrowthForEdges(edges: number): void {
  if (edges > LARGE_EXPORT_EDGES) setFlagsFromString(`--heap-growing-percent=${LARGE_EXPORT_HEAP_GROWING_PERCENT}`);
}
