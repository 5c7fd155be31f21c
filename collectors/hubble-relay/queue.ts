/**
 * The bounded queue between the gRPC stream (producer, push-based) and the pipeline (consumer,
 * an async iterator). When it holds `capacity` items it asks the producer to pause; once the
 * consumer has taken it down to half, to resume. A push past capacity (a message already in
 * flight when the pause was asked) is still kept: at most one read buffer's worth over the bound.
 */
export interface QueueHooks {
  pause(): void;
  resume(): void;
}

export class BoundedQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private head = 0;
  private closed = false;
  private failure: Error | undefined;
  private paused = false;
  private waiter: (() => void) | undefined;

  constructor(
    readonly capacity: number,
    private readonly hooks: QueueHooks,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  push(item: T): void {
    if (this.closed) return;
    this.items.push(item);
    if (!this.paused && this.length >= this.capacity) {
      this.paused = true;
      this.hooks.pause();
    }
    this.wake();
  }

  /** No more items; an error is thrown to the consumer after the items already queued. */
  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.failure = error;
    this.wake();
  }

  /** Resolves once an item is queued or the queue is closed; for a consumer that has not started iterating. */
  async firstItemOrEnd(): Promise<void> {
    while (this.length === 0 && !this.closed) await new Promise<void>((resolve) => (this.waiter = resolve));
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private take(): T {
    const item = this.items[this.head] as T;
    this.items[this.head++] = undefined as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    if (this.paused && this.length <= this.capacity / 2) {
      this.paused = false;
      this.hooks.resume();
    }
    return item;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.length > 0) {
        yield this.take();
        continue;
      }
      if (this.closed) {
        if (this.failure) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }
}
