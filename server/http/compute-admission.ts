/**
 * How many simulations and matrix validations the service takes at once: one running per
 * recommendation worker plus `recommendations.maxQueued` waiting. Each holds a body of up to
 * server.maxBodyBytes and the worker's work on it; without a bound, a burst of read-scope requests
 * fills the heap and a queue no one waits for. A place is taken before the body is read and freed
 * when both the response is over (sent, or the client gone) and the computation it started has
 * settled: a client that hangs up does not free a worker that is still busy for it.
 */
import type { NextFunction, Request, Response } from 'express';
import { HttpProblem } from './problem.ts';

/** Seconds a refused client is told to wait: about one computation of the size the API takes. */
const RETRY_AFTER_SECONDS = 5;

/** 503 with Retry-After: `what` is full (it names the config that bounds it). Also the whole-cluster queue's refusal (services/recommendation-pool.ts). */
export function busyProblem(what: string): HttpProblem {
  return new HttpProblem('unavailable', `${what}: retry in ${RETRY_AFTER_SECONDS} s`, { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } });
}

interface Place {
  hold(work: Promise<unknown>): void;
}

export class ComputeAdmission {
  private taken = 0;
  constructor(private readonly capacity: number) {}

  get inProgress(): number {
    return this.taken;
  }

  readonly admit = (_req: Request, res: Response, next: NextFunction): void => {
    if (this.taken >= this.capacity) {
      next(busyProblem(`${this.capacity} simulations and matrix validations are already running or waiting (recommendations.workers + recommendations.maxQueued)`));
      return;
    }
    this.taken++;
    let holders = 1; // the response; each computation held adds one
    const release = (): void => {
      if (--holders === 0) this.taken--;
    };
    res.once('close', release);
    const place: Place = {
      hold: (work) => {
        holders++;
        work.then(release, release);
      },
    };
    res.locals.computePlace = place;
    next();
  };
}

/** Keeps the request's place (if it has one) until `work` settles; returns `work`. */
export function holdPlace<T>(res: Response, work: Promise<T>): Promise<T> {
  (res.locals.computePlace as Place | undefined)?.hold(work);
  return work;
}
