/**
 * Cilium labels and endpoint selectors. An identity carries labels with a source
 * (`k8s:app=web`, `reserved:host`); a selector key names a source (`k8s:app`) or none (`app`,
 * read as the `any` source, which matches that key from every source) —
 * cilium/cilium pkg/labels (parseSource, LabelArray.Has/Get) and pkg/policy/api/selector.go
 * (EndpointSelector.UnmarshalJSON: keys go through GetExtendedKeyFrom).
 */
import type { CiliumEndpointSelector, CiliumSelectorOperator } from '../../engines/wire/cilium.ts';
import { isLabelSelectorOperator } from '../../../domain/label-selector.ts';

export const ANY_SOURCE = 'any';

/** Split a selector or label key into source and key (pkg/labels parseSource: `$x` is `reserved:x`). */
export function splitKey(raw: string): { source: string; key: string } {
  if (raw.startsWith('$')) return { source: 'reserved', key: raw.slice(1) };
  const i = raw.indexOf(':');
  if (i < 0) return { source: ANY_SOURCE, key: raw };
  return { source: raw.slice(0, i), key: raw.slice(i + 1) };
}

/**
 * The text a label is looked up by: `source:key`, or the bare key for the `any` source. The two
 * never collide: a key read with the `any` source holds no `:` (splitKey would have split it).
 */
function lookupKey(source: string, key: string): string {
  return source === ANY_SOURCE ? key : `${source}:${key}`;
}

/** The labels of one identity, indexed for selector matching. */
export class LabelSet {
  /** `source:key` → value, and bare key → value of the first label with that key (the `any` source). */
  private readonly byLookup = new Map<string, string>();

  add(source: string, key: string, value: string): this {
    this.byLookup.set(lookupKey(source, key), value);
    if (!this.byLookup.has(key)) this.byLookup.set(key, value);
    return this;
  }

  get(source: string, key: string): string | undefined {
    return this.byLookup.get(lookupKey(source, key));
  }

  has(source: string, key: string): boolean {
    return this.get(source, key) !== undefined;
  }

  /**
   * Whether `sel` matches these labels. Worked out each time, not remembered: a verification
   * asks each (identity, selector) pair about once, and a memo of the answers cost more to fill
   * than the matching (a lookup per requirement, which fails on the first for most selectors).
   */
  selects(sel: Selector): boolean {
    if (!sel.valid) return false;
    const reqs = sel.requirements;
    for (let i = 0; i < reqs.length; i++) {
      const r = reqs[i]!;
      const v = this.byLookup.get(r.lookup);
      switch (r.operator) {
        case 'In':
          if (v === undefined || (r.value !== undefined ? v !== r.value : !r.values.has(v))) return false;
          break;
        case 'NotIn':
          if (v !== undefined && r.values.has(v)) return false;
          break;
        case 'Exists':
          if (v === undefined) return false;
          break;
        case 'DoesNotExist':
          if (v !== undefined) return false;
          break;
      }
    }
    return true;
  }

  /** Sorted `source:key=value` texts (diagnostics and cache keys). */
  list(): string[] {
    const out: string[] = [];
    for (const [lookup, value] of this.byLookup) if (lookup.includes(':')) out.push(`${lookup}=${value}`);
    return out.sort();
  }
}

interface Requirement {
  source: string;
  key: string;
  /** The LabelSet lookup text of (source, key). */
  lookup: string;
  operator: CiliumSelectorOperator;
  values: ReadonlySet<string>;
  /** The one value of an `In` of one value (a matchLabels entry): compared without the set. */
  value?: string;
}

/** A parsed endpoint selector: every requirement must hold (k8s LabelSelector semantics). */
export interface Selector {
  readonly requirements: readonly Requirement[];
  /**
   * False when the selector cannot be turned into requirements (e.g. `In` without values):
   * Cilium's EndpointSelector.Matches then refuses to match anything (labelSelectorToRequirements).
   */
  readonly valid: boolean;
}

/** A selector under construction, keyed the way Cilium keys them (source + key). */
export class SelectorBuilder {
  private readonly labels = new Map<string, { source: string; key: string; value: string }>();
  private readonly expressions: { source: string; key: string; operator: CiliumSelectorOperator; values: string[] }[] = [];

  static from(sel: CiliumEndpointSelector | undefined): SelectorBuilder {
    const b = new SelectorBuilder();
    for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) b.addMatch(k, String(v));
    for (const e of sel?.matchExpressions ?? []) {
      const { source, key } = splitKey(String(e.key));
      b.expressions.push({ source, key, operator: e.operator, values: (e.values ?? []).map(String) });
    }
    return b;
  }

  /** EndpointSelector.AddMatch: sets (and so overrides) the matchLabels entry of that key. */
  addMatch(rawKey: string, value: string): this {
    const { source, key } = splitKey(rawKey);
    this.labels.set(`${source}:${key}`, { source, key, value });
    return this;
  }

  addExpression(rawKey: string, operator: CiliumSelectorOperator, values: string[] = []): this {
    const { source, key } = splitKey(rawKey);
    this.expressions.push({ source, key, operator, values });
    return this;
  }

  /** EndpointSelector.HasKey, on `source:key`. */
  hasKey(source: string, key: string): boolean {
    return this.labels.has(`${source}:${key}`) || this.expressions.some((e) => e.source === source && e.key === key);
  }

  /** EndpointSelector.HasKeyPrefix, on `source:key` texts (`k8s:io.cilium.k8s.namespace.labels.`). */
  hasKeyPrefix(prefix: string): boolean {
    for (const l of this.labels.values()) if (`${l.source}:${l.key}`.startsWith(prefix)) return true;
    return this.expressions.some((e) => `${e.source}:${e.key}`.startsWith(prefix));
  }

  build(): Selector {
    const requirements: Requirement[] = [];
    let valid = true;
    for (const l of this.labels.values()) requirements.push({ source: l.source, key: l.key, lookup: lookupKey(l.source, l.key), operator: 'In', values: new Set([l.value]), value: l.value });
    for (const e of this.expressions) {
      const needsValues = e.operator === 'In' || e.operator === 'NotIn';
      if (needsValues !== e.values.length > 0 || !isLabelSelectorOperator(e.operator)) valid = false;
      requirements.push({ source: e.source, key: e.key, lookup: lookupKey(e.source, e.key), operator: e.operator, values: new Set(e.values) });
    }
    return { requirements, valid };
  }
}

/** A selector of one reserved label (`reserved:host`, …). */
export function reservedSelector(name: string): Selector {
  return new SelectorBuilder().addMatch(`reserved:${name}`, '').build();
}

export const WILDCARD: Selector = { requirements: [], valid: true };
