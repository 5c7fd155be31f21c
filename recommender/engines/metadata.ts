/**
 * What every emitted policy carries whatever the engine: the managed-by label, the layer, and
 * annotations explaining the policy and each rule (bounded well below the 256 KiB limit on all
 * annotations of an object), plus the sorting that makes the output order stable.
 */
import type { Direction, DirectionPolicy, PolicyIntent, RuleExplanation } from '../policy/ir.ts';
import { compareStrings } from '../policy/order.ts';
import type { EmitWarning, EngineName, Manifest, ManifestMetadata, WarningCode } from './types.ts';

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'flowmatrix' } as const;
export const ANNOTATION_EXPLANATION = 'flowmatrix.io/explanation';
export const ANNOTATION_RULES = 'flowmatrix.io/rules';
export const ANNOTATION_INTENT = 'flowmatrix.io/intent';
export const LABEL_LAYER = 'flowmatrix.io/layer';

const MAX_EXPLANATION = 1024;
const MAX_RULES = 8192;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function ruleLine(direction: Direction, e: RuleExplanation): string {
  return `${direction} ${e.status} ${e.id}${e.text ? `: ${e.text}` : ''}`;
}

/** Explanations of every rule of a direction policy, as annotation lines. */
export function directionLines(direction: Direction, d: DirectionPolicy): string[] {
  switch (d.mode) {
    case 'none':
      return [];
    case 'deny-all':
    case 'allow-all':
      return [ruleLine(direction, d.explanation)];
    case 'rules':
      return d.rules.map((r) => ruleLine(direction, r.explanation));
  }
}

/** Lines joined up to the size limit; what does not fit is counted, never silently dropped. */
export function rulesAnnotation(lines: readonly string[]): string {
  const unique = [...new Set(lines)];
  let out = '';
  for (let i = 0; i < unique.length; i++) {
    const next = out ? `${out}\n${unique[i]}` : unique[i]!;
    const rest = unique.length - i;
    if (next.length > MAX_RULES - 40) return `${out}\n… ${rest} more rule(s), see the recommendation`;
    out = next;
  }
  return out;
}

export function metadata(intent: PolicyIntent, name: string, namespace: string | undefined, lines: readonly string[]): ManifestMetadata {
  const annotations: Record<string, string> = {
    [ANNOTATION_EXPLANATION]: truncate(intent.explanation, MAX_EXPLANATION),
    [ANNOTATION_INTENT]: truncate(intent.key, MAX_EXPLANATION),
  };
  if (lines.length > 0) annotations[ANNOTATION_RULES] = rulesAnnotation(lines);
  const m: ManifestMetadata = { name, labels: { ...MANAGED_BY, [LABEL_LAYER]: intent.layer }, annotations };
  if (namespace !== undefined) return { name, namespace, labels: m.labels, annotations };
  return m;
}

export function sortManifests(ms: Manifest[]): Manifest[] {
  const key = (m: Manifest): string => `${m.kind}\u0000${m.metadata.namespace ?? ''}\u0000${m.metadata.name}`;
  return ms.sort((a, b) => compareStrings(key(a), key(b)));
}

export class Warnings {
  private readonly list: EmitWarning[] = [];
  constructor(private readonly engine: EngineName) {}

  add(code: WarningCode, intent: PolicyIntent, message: string, where: { direction?: Direction; rule?: string } = {}): void {
    const w: EmitWarning = { code, engine: this.engine, intent: intent.key, message };
    if (where.direction) w.direction = where.direction;
    if (where.rule) w.rule = where.rule;
    this.list.push(w);
  }

  sorted(): EmitWarning[] {
    const key = (w: EmitWarning): string => [w.intent, w.direction ?? '', w.rule ?? '', w.code, w.message].join('\u0000');
    const seen = new Map<string, EmitWarning>();
    for (const w of this.list) seen.set(key(w), w);
    return [...seen.entries()].sort((a, b) => compareStrings(a[0], b[0])).map(([, w]) => w);
  }
}
