/**
 * Writes an answer computed as chunks (services/recommendation-responses.ts RenderedResponse): 200,
 * its type and length, the chunks with backpressure (never one string, whatever its size).
 */
import { once } from 'node:events';
import type { Response } from 'express';
import type { RenderedResponse } from '../services/recommendation-responses.ts';

export async function sendRendered(res: Response, r: Pick<RenderedResponse, 'contentType' | 'bytes' | 'body'>): Promise<undefined> {
  res.status(200).type(r.contentType);
  res.setHeader('Content-Length', String(r.bytes));
  for (const chunk of r.body) if (!res.write(chunk)) await once(res, 'drain');
  res.end();
  return undefined;
}
