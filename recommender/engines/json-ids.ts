/**
 * Every distinct JSON text rendered in one emit gets a small integer id, so that comparing,
 * sorting and de-duplicating rendered values never rebuilds their text: equal ids ⇔ equal text.
 */
import { compareStrings } from '../policy/order.ts';

export class JsonIds {
  private readonly byJson = new Map<string, number>();
  private readonly texts: string[] = [];

  /** The first value given each text (see `canonical`). */
  private readonly values: unknown[] = [];

  id(value: unknown): number {
    const text = JSON.stringify(value);
    let id = this.byJson.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.byJson.set(text, id);
      this.texts.push(text);
      this.values.push(value);
    }
    return id;
  }

  /**
   * `value`'s id, and the first value of the same text in place of `value`: renderings that are
   * equal share one object. The manifests then hold each once, and what remembers its work per
   * object (the Cilium and ClusterNetworkPolicy simulators' compilers, Cilium's admission checks)
   * does it once. Renderings are never modified once built, so sharing them is safe.
   */
  canonical<T>(value: T): { value: T; id: number } {
    const id = this.id(value);
    return { value: this.values[id] as T, id };
  }

  /**
   * Rendered items sorted and de-duplicated by the JSON text of their ids, first occurrence
   * winning, as order.uniqueSortedBy(values, JSON.stringify) does; always a new array.
   */
  sortedUnique<T extends { id: number }>(items: readonly T[]): T[] {
    return this.sortedPositions(items.map((item) => item.id)).map((i) => items[i]!);
  }

  /** The positions of `ids` sorted by their JSON texts and de-duplicated (first occurrence winning). */
  sortedPositions(ids: readonly number[]): number[] {
    const order = ids.map((_, i) => i).sort((a, b) => compareStrings(this.texts[ids[a]!]!, this.texts[ids[b]!]!) || a - b);
    const out: number[] = [];
    for (let k = 0; k < order.length; k++) if (k === 0 || ids[order[k]!] !== ids[order[k - 1]!]) out.push(order[k]!);
    return out;
  }
}
