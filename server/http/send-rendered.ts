/**
 * Writes an answer computed as chunks (services/recommendation-responses.ts RenderedResponse): 200,
 * its type and length, the chunks with backpressure (never one string, whatever its size). A client
 * that goes away while the body waits for room ends the write: its 'drain' never comes.
 */
import type { Response } from 'express';
import type { RenderedResponse } from '../services/recommendation-responses.ts';

export async function sendRendered(res: Response, r: Pick<RenderedResponse, 'contentType' | 'bytes' | 'body'>): Promise<undefined> {
  res.status(200).type(r.contentType);
  res.setHeader('Content-Length', String(r.bytes));
  for (const chunk of r.body) {
    if (!res.write(chunk) && !(await roomForMore(res))) return undefined;
  }
  res.end();
  return undefined;
}

/** Settles when the response can take more (true), or when it closed first: the client gone (false). */
function roomForMore(res: Response): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const drained = (): void => {
      res.off('close', closed);
      resolve(true);
    };
    const closed = (): void => {
      res.off('drain', drained);
      resolve(false);
    };
    res.once('drain', drained);
    res.once('close', closed);
  });
}
