/**
 * Where the stream resumes after a disconnect: the time of the newest flow handed to the
 * pipeline (GetFlowsRequest.since), and which flows carried exactly that time, because `since`
 * includes it and the relay sends them again. Flows older than the cursor are not asked for
 * again; one the relay had not delivered before the break is lost (Hubble's ring buffer
 * cannot be replayed by identity).
 *
 * The resume point never passes the collector's own clock. A node whose clock runs ahead dates
 * its flows in the future; resuming from such a time would make the relay, which filters by flow
 * time, drop every other node's flows until the clocks caught up. A flow dated after the clock
 * is remembered by identity instead ("ahead"), until the resume point passes its time. At most
 * `maxRemembered` are: past that (a node far ahead and busy), a resume may count such a flow
 * twice, and `unremembered` says how many could be.
 */
import { createHash } from 'node:crypto';

/** The cursor as stored (collector_state): nanoseconds as decimal strings, and the flows handed on at or after `since`. */
export interface CursorState {
  since: string;
  atLast: string[];
  /** Flows dated after the collector's clock when they came: [hashed identity, time]. */
  ahead?: [string, string][];
}

const NANOS = /^\d{1,25}$/;

export class ResumeCursor {
  private last: bigint | undefined;
  private readonly atLast = new Set<string>();
  /** Flows handed on that were dated after the clock: hashed identity → time, in the order they came (pruned from the front). */
  private readonly ahead = new Map<string, bigint>();
  /** Flows dated after the clock that could not be remembered (the map was full): a resume may count them twice. */
  unremembered = 0;

  constructor(private readonly maxRemembered = 10_000) {}

  /** A cursor from its stored form; undefined when the value is not one. */
  static restore(state: unknown, maxRemembered?: number): ResumeCursor | undefined {
    const s = state as Partial<CursorState> | undefined;
    if (typeof s?.since !== 'string' || !NANOS.test(s.since) || !Array.isArray(s.atLast)) return undefined;
    if (s.ahead !== undefined && !Array.isArray(s.ahead)) return undefined;
    const c = new ResumeCursor(maxRemembered);
    c.last = BigInt(s.since);
    for (const k of s.atLast) if (typeof k === 'string') c.atLast.add(k);
    for (const e of s.ahead ?? []) if (Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string' && NANOS.test(e[1])) c.rememberAhead(e[0], BigInt(e[1]));
    return c;
  }

  toJSON(): CursorState | undefined {
    if (this.last === undefined) return undefined;
    const state: CursorState = { since: this.last.toString(), atLast: [...this.atLast] };
    if (this.ahead.size > 0) state.ahead = [...this.ahead].map(([k, t]) => [k, t.toString()]);
    return state;
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
   * Records a flow about to be handed on; false when it was handed on already (sent again after
   * a resume). `nowNs`: the collector's clock when the flow came (default: the flow's own time).
   */
  accept(timeNs: bigint, identity: string, nowNs: bigint = timeNs): boolean {
    if (this.last !== undefined && timeNs < this.last) return true;
    const key = createHash('sha1').update(identity).digest('base64');
    if (this.ahead.get(key) === timeNs) return false;
    if (timeNs > nowNs) {
      this.rememberAhead(key, timeNs);
      return true;
    }
    if (timeNs === this.last) {
      if (this.atLast.has(key)) return false;
      if (this.atLast.size < this.maxRemembered) this.atLast.add(key);
      return true;
    }
    this.last = timeNs;
    this.atLast.clear();
    this.atLast.add(key);
    // Flows remembered as ahead that the resume point passed are not asked for again.
    for (const [k, t] of this.ahead) {
      if (t >= timeNs) break;
      this.ahead.delete(k);
    }
    return true;
  }

  private rememberAhead(key: string, timeNs: bigint): void {
    if (this.ahead.size >= this.maxRemembered) {
      // Insertion order is not time order across nodes: the cheap pruning in accept() may have
      // stopped early. Once full, drop every entry the resume point passed.
      if (this.last !== undefined) for (const [k, t] of this.ahead) if (t < this.last) this.ahead.delete(k);
      if (this.ahead.size >= this.maxRemembered) {
        this.unremembered++;
        return;
      }
    }
    this.ahead.set(key, timeNs);
  }
}
