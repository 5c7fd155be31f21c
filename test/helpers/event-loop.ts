import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/**
 * How long the event loop was held while some work ran: the longest gap between 5 ms ticks. The
 * heap is collected first, so that the garbage of building a large request is not measured as the
 * service's.
 */
export async function blocking<T>(work: () => Promise<T>): Promise<{ blockedMs: number; tookMs: number; result: T }> {
  collect();
  let last = performance.now();
  let blockedMs = 0;
  const tick = setInterval(() => {
    const t = performance.now();
    blockedMs = Math.max(blockedMs, t - last);
    last = t;
  }, 5);
  const started = performance.now();
  await new Promise((r) => setTimeout(r, 10));
  const result = await work();
  const tookMs = performance.now() - started;
  await new Promise((r) => setTimeout(r, 20)); // the tick after a blocking run measures it
  clearInterval(tick);
  return { blockedMs, tookMs, result };
}
