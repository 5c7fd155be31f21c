/**
 * Emitted manifests share sub-objects (one selector or port list object serves every rule that
 * names the same peer or ports): a check whose verdict depends on the object alone runs once
 * per object, its errors kept relative to the object and placed at each path it is met. The
 * manifests are treated as frozen, like everywhere in the verification.
 */
import type { VerifyError } from '../types.ts';

export class SharedChecks {
  private readonly done = new WeakMap<object, readonly VerifyError[]>();

  /** `check(x, '')`'s errors with their paths under `path`; run once per object `x`. */
  at<T>(x: T, path: string, check: (x: T, path: string) => VerifyError[]): VerifyError[] {
    if (typeof x !== 'object' || x === null) return check(x, path);
    let relative = this.done.get(x);
    if (relative === undefined) this.done.set(x, (relative = check(x, '')));
    return relative.length === 0 ? [] : relative.map((e) => ({ ...e, path: `${path}${e.path}` }));
  }
}
