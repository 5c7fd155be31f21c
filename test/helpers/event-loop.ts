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

/**
 * `blocking` of a work that changes nothing, run up to `attempts` times until it held the loop
 * less than `limitMs`: the least held run. On a loaded machine another process may take the CPU
 * from the event loop for a while, which only ever lengthens a gap, while work that really runs on
 * the event loop holds it on every attempt.
 */
export async function leastBlocking<T>(limitMs: number, work: () => Promise<T>, attempts = 3): Promise<{ blockedMs: number; tookMs: number; result: T }> {
  let least = await blocking(work);
  for (let i = 1; i < attempts && least.blockedMs >= limitMs; i++) {
    const run = await blocking(work);
    if (run.blockedMs < least.blockedMs) least = run;
  }
  return least;
}
