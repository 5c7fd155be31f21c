/**
 * The first `k` items of a stream in a given order, holding at most 2k at a time: items are
 * appended, and whenever 2k are held they are sorted and cut to k; once cut, an item that does
 * not come before the k-th is refused at once. (A report lists the first 500 of up to millions
 * of edges; test/unit/top-k.test.ts holds it to the first k of a whole sort.)
 */
export class TopK<T> {
  private items: T[] = [];
  /** The k-th item of the last cut. */
  private last: T | undefined;

  constructor(
    private readonly k: number,
    private readonly order: (a: T, b: T) => number,
  ) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`TopK: k must be a positive integer, got ${k}`);
  }

  offer(item: T): void {
    if (this.last !== undefined && this.order(item, this.last) >= 0) return;
    this.items.push(item);
    if (this.items.length >= 2 * this.k) this.cut();
  }

  /** The first k offered, in order. */
  sorted(): T[] {
    this.cut();
    return [...this.items];
  }

  private cut(): void {
    this.items.sort(this.order);
    if (this.items.length > this.k) this.items.length = this.k;
    if (this.items.length === this.k) this.last = this.items[this.k - 1];
  }
}
