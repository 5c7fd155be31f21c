/**
 * Recommendations for the API: the same use case as `flowmatrix recommend`/`export`
 * (app/recommendation.ts), so the bytes are the CLI's; and the resolved matrices (GET /matrices),
 * which read every edge's traffic as a recommendation does. Answers are computed off the event loop
 * (recommendation-pool.ts), concurrent identical requests share one computation, and rendered
 * answers are cached as bytes — bounded in bytes, dropped when the store changes. A shared
 * computation is abandoned (withdrawn or cancelled by the executor) only when every request that
 * waited for it has gone.
 */
import type { Db } from '../../store/db.ts';
import { dataVersion } from '../../store/data-version.ts';
import type { ServiceMetrics } from '../metrics.ts';
import type { RecommendationExecutor } from './recommendation-pool.ts';
import type { RecommendationQuery, RenderedResponse } from './recommendation-responses.ts';
import type { MatrixQuery } from './matrix-views.ts';

/** A least-recently-used cache bounded by the bytes of its values. */
class ByteLru {
  private readonly map = new Map<string, RenderedResponse>();
  private total = 0;
  constructor(private readonly maxBytes: number) {}
  get(k: string): RenderedResponse | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: string, v: RenderedResponse): void {
    if (v.bytes > this.maxBytes) return; // larger than the whole budget: answered, not kept
    this.delete(k);
    this.map.set(k, v);
    this.total += v.bytes;
    for (const [oldest, old] of this.map) {
      if (this.total <= this.maxBytes) break;
      this.map.delete(oldest);
      this.total -= old.bytes;
    }
  }
  private delete(k: string): void {
    const v = this.map.get(k);
    if (v) this.total -= v.bytes;
    this.map.delete(k);
  }
  clear(): void {
    this.map.clear();
    this.total = 0;
  }
  get bytes(): number {
    return this.total;
  }
}

/** A computation in flight, and how many requests wait for it (a request without a signal waits to the end). */
interface Shared {
  answer: Promise<RenderedResponse>;
  waiters: number;
  abandon: AbortController;
}

export class RecommendationService {
  private version = '';
  private readonly cache: ByteLru;
  private readonly inFlight = new Map<string, Shared>();

  constructor(
    private readonly db: Db,
    private readonly executor: RecommendationExecutor,
    private readonly metrics: ServiceMetrics,
    cacheBytes: number,
  ) {
    this.cache = new ByteLru(cacheBytes);
  }

  /** The answer to `query` on the store as it is now; `signal` aborted, this request stops waiting (and rejects with its reason). */
  respond(query: RecommendationQuery, signal?: AbortSignal): Promise<RenderedResponse> {
    return this.cached(query, query.engine, (abandon) => this.executor.execute(query, abandon), signal);
  }

  /** The resolved matrices (or one) on the store as it is now. */
  matrices(query: MatrixQuery, signal?: AbortSignal): Promise<RenderedResponse> {
    return this.cached(query, 'none', (abandon) => this.executor.matrices(query, abandon), signal);
  }

  private cached(query: RecommendationQuery | MatrixQuery, engine: string, compute: (abandon: AbortSignal) => Promise<RenderedResponse>, signal: AbortSignal | undefined): Promise<RenderedResponse> {
    const v = dataVersion(this.db);
    if (v !== this.version) {
      this.version = v;
      this.cache.clear();
    }
    const key = `${v}\0${JSON.stringify(query, sortedKeys)}`;
    const hit = this.cache.get(key);
    if (hit) return Promise.resolve(hit);
    let shared = this.inFlight.get(key);
    if (!shared) {
      const abandon = new AbortController();
      const answer = this.metrics.time(engine, query.kind, () => compute(abandon.signal)).then((r) => {
        if (this.version === v) this.cache.set(key, r);
        return r;
      });
      const started: Shared = { answer, waiters: 0, abandon };
      answer.finally(() => this.forget(key, started)).catch(() => undefined);
      this.inFlight.set(key, (shared = started));
    }
    return this.waitFor(key, shared, signal);
  }

  /** One more request waits for `shared`; when the last one with a signal leaves, the computation is abandoned. */
  private waitFor(key: string, shared: Shared, signal: AbortSignal | undefined): Promise<RenderedResponse> {
    shared.waiters++;
    if (!signal) return shared.answer;
    return new Promise((resolve, reject) => {
      const leave = (): void => {
        reject(signal.reason);
        if (--shared.waiters > 0) return;
        this.forget(key, shared); // a request arriving now starts afresh
        shared.abandon.abort(signal.reason);
      };
      if (signal.aborted) return leave();
      signal.addEventListener('abort', leave, { once: true });
      shared.answer.then(resolve, reject).finally(() => signal.removeEventListener('abort', leave));
    });
  }

  private forget(key: string, shared: Shared): void {
    if (this.inFlight.get(key) === shared) this.inFlight.delete(key);
  }

  /** Bytes held by the answer cache. */
  get cachedBytes(): number {
    return this.cache.bytes;
  }
}

/** JSON.stringify replacer that sorts object keys, so equal queries give equal cache keys. */
function sortedKeys(_k: string, v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
