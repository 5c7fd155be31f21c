/**
 * Recommendations for the API: the same use case as `flowmatrix recommend`/`export`
 * (app/recommendation.ts, then toMultiDocYaml), so the bytes are the CLI's. Inputs and results
 * are cached per data version: nothing is recomputed until the store changes.
 */
import { createHash } from 'node:crypto';
import { readRecommendationInput, runRecommendation, type RecommendationResult } from '../../app/recommendation.ts';
import { toMultiDocYaml, type EngineName } from '../../recommender/engines/index.ts';
import type { MatricesConfigT } from '../../recommender/matrix/schema.ts';
import type { RecommendInput, RecommendOptions } from '../../recommender/recommend.ts';
import type { Db } from '../../store/db.ts';
import { dataVersion } from '../../store/data-version.ts';
import type { ServiceMetrics } from '../metrics.ts';

export interface RecommendResult extends RecommendationResult {
  /** Lazily rendered multi-document YAML (what `flowmatrix export` prints) and its ETag. */
  yaml(): { text: string; etag: string };
}

/** A small LRU: Map keeps insertion order, re-inserting on hit moves an entry to the end. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(k: string): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }
  set(k: string, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
  clear(): void {
    this.map.clear();
  }
}

export class RecommendationService {
  private version = '';
  private inputs: RecommendInput | undefined;
  private readonly results = new Lru<RecommendResult>(256);

  constructor(
    private readonly db: Db,
    private readonly config: () => MatricesConfigT,
    private readonly metrics: ServiceMetrics,
    /** recommendations.maxEdges: more stored edges answer 413 instead of risking the heap. */
    private readonly maxEdges?: number,
  ) {}

  /** The current data version; drops the caches when it moved. */
  private sync(): void {
    const v = dataVersion(this.db);
    if (v !== this.version) {
      this.version = v;
      this.inputs = undefined;
      this.results.clear();
    }
  }

  private input(): RecommendInput {
    this.inputs ??= readRecommendationInput(this.db, this.config(), this.maxEdges === undefined ? {} : { maxEdges: this.maxEdges });
    return this.inputs;
  }

  /** The version the results below were computed on (for ETags of derived documents). */
  currentVersion(): string {
    this.sync();
    return this.version;
  }

  run(engine: EngineName, options: Partial<RecommendOptions>, kind: string): RecommendResult {
    this.sync();
    const key = `${engine}\0${JSON.stringify(options, Object.keys(options).sort())}`;
    const hit = this.results.get(key);
    if (hit) return hit;
    const result = this.metrics.time(engine, kind, () => {
      const { rec, emitted, verification } = runRecommendation(this.input(), engine, options);
      let rendered: { text: string; etag: string } | undefined;
      return {
        rec,
        emitted,
        verification,
        yaml: () => {
          if (!rendered) {
            const text = toMultiDocYaml(emitted.manifests);
            rendered = { text, etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 32)}"` };
          }
          return rendered;
        },
      } satisfies RecommendResult;
    });
    this.results.set(key, result);
    return result;
  }
}
