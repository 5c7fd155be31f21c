/**
 * Where the stream resumes after a disconnect: the time of the newest flow handed to the
 * pipeline (GetFlowsRequest.since), and which flows carried exactly that time, because `since`
 * includes it and the relay sends them again. Flows older than the cursor are not asked for
 * again; one the relay had not delivered before the break is lost (Hubble's ring buffer
 * cannot be replayed by identity).
 */
import { createHash } from 'node:crypto';

/** The cursor as stored (collector_state): nanoseconds as a decimal string, and the flows at that time. */
export interface CursorState {
  since: string;
  atLast: string[];
}

export class ResumeCursor {
  private last: bigint | undefined;
  private readonly atLast = new Set<string>();

  constructor(private readonly maxRemembered = 10_000) {}

  /** A cursor from its stored form; undefined when the value is not one. */
  static restore(state: unknown, maxRemembered?: number): ResumeCursor | undefined {
    const s = state as Partial<CursorState> | undefined;
    if (typeof s?.since !== 'string' || !/^\d{1,25}$/.test(s.since) || !Array.isArray(s.atLast)) return undefined;
    const c = new ResumeCursor(maxRemembered);
    c.last = BigInt(s.since);
    for (const k of s.atLast) if (typeof k === 'string') c.atLast.add(k);
    return c;
  }

  toJSON(): CursorState | undefined {
    return this.last === undefined ? undefined : { since: this.last.toString(), atLast: [...this.atLast] };
  }

  /** The nanosecond time to ask from, when a flow was seen. */
  get since(): bigint | undefined {
    return this.last;
  }

  /** Starts from a time (the configured `since`) before any flow was seen. */
  startAt(ns: bigint): void {
    if (this.last === undefined) this.last = ns;
  }

  /**
   * Records a flow about to be handed on; false when it was handed on already (the same flow at
   * the cursor's time, sent again after a resume).
   */
  accept(timeNs: bigint, identity: string): boolean {
    if (this.last !== undefined && timeNs < this.last) return true;
    const key = createHash('sha1').update(identity).digest('base64');
    if (timeNs === this.last) {
      if (this.atLast.has(key)) return false;
      if (this.atLast.size < this.maxRemembered) this.atLast.add(key);
      return true;
    }
    this.last = timeNs;
    this.atLast.clear();
    this.atLast.add(key);
    return true;
  }
}
