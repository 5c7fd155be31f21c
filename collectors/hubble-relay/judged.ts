/**
 * Flows the resume cursor cannot hold (cursor.ts), which the pipeline rejects: dated past the
 * clock and the allowed skew, or at a time no Timestamp holds. Their time is after any `since`, so
 * the relay sends them again at every resume (`refresh`, a broken stream); each would be handed to
 * the pipeline and rejected, counted and logged again. They are remembered by identity instead,
 * at most `max` (the oldest forgotten first), in memory only: a restarted flowmatrix judges each
 * once more.
 */
import { createHash } from 'node:crypto';

export class JudgedFlows {
  /** Hashed identities, in the order they came (a Set iterates in insertion order). */
  private readonly seen = new Set<string>();

  constructor(private readonly max = 10_000) {}

  /** Remembers a flow; false when it was judged already. */
  add(identity: string): boolean {
    const key = createHash('sha1').update(identity).digest('base64');
    if (this.seen.has(key)) return false;
    if (this.seen.size >= this.max) this.seen.delete(this.seen.values().next().value as string);
    this.seen.add(key);
    return true;
  }
}
