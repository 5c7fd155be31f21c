/**
 * Work done only for one client stops when that client goes away: its response closes before it
 * finished (the client hung up, a proxy timed out). The work gets a signal aborted then; the
 * executors withdraw or cancel what nobody else waits for (services/recommendation-pool.ts).
 */
import type { Response } from 'express';

/**
 * Runs `work` with a signal aborted when the client goes away before its answer is sent. A failure
 * after that (the work withdrawn, cancelled) is nobody's to read: it resolves undefined, nothing to send.
 */
export async function whileClientWaits<T>(res: Response, work: (signal: AbortSignal) => Promise<T>): Promise<T | undefined> {
  const gone = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished) gone.abort();
  };
  res.once('close', onClose);
  try {
    return await work(gone.signal);
  } catch (e) {
    if (gone.signal.aborted) return undefined;
    throw e;
  }
}
