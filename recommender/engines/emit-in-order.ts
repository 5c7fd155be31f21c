/**
 * A recommendation's manifests in the order one whole emit gives them (by kind, namespace, name),
 * rendered again a window at a time, so that an export of any size streams within bounded
 * memory: a whole cluster's manifests are never in memory at once. The places come from a first
 * pass that emitted every manifest once (the chunked verification, verify/in-chunks.ts). An emitter renders each intent on its own (the same
 * intent gives the same manifests whatever else is emitted with it), so a window is the
 * emit of the intents its manifests come from, found by the intent annotation every manifest
 * carries, less the manifests of those intents that belong to other windows.
 */
import { getEngine } from './index.ts';
import { ANNOTATION_INTENT, intentAnnotation, manifestSortKey } from './metadata.ts';
import type { EmitOptions, EngineName, Manifest } from './types.ts';
import type { PolicyIntent, PolicySet } from '../policy/ir.ts';

/** Manifests per window: a few dozen policies' worth of objects, however many the cluster has. */
export const DEFAULT_EMIT_WINDOW = 64;

/** A manifest's place: its sort key (`manifestSortKey`) and the intent annotation of the intent that renders it. */
export interface ManifestSlot {
  key: string;
  intent: string;
}

/** The slot of an emitted manifest; throws when it carries no intent annotation (every emitter writes one). */
export function manifestSlot(m: Manifest): ManifestSlot {
  const intent = m.metadata.annotations[ANNOTATION_INTENT];
  if (intent === undefined) throw new Error(`${m.kind} ${m.metadata.name}: an emitted manifest without the ${ANNOTATION_INTENT} annotation`);
  return { key: manifestSortKey(m), intent };
}

/**
 * The manifests of `slots` (sorted by key, as EmitResult.manifests is), `window` at a time.
 * Each call of the iterator renders them again.
 */
export function* manifestsInOrder(engine: EngineName, set: PolicySet, slots: readonly ManifestSlot[], options?: EmitOptions, window = DEFAULT_EMIT_WINDOW): Generator<Manifest> {
  const emitter = getEngine(engine);
  // Indexes, not intents: a window's intents are emitted in the set's order.
  const byAnnotation = new Map<string, number[]>();
  set.intents.forEach((intent, i) => {
    const a = intentAnnotation(intent);
    const list = byAnnotation.get(a);
    if (list === undefined) byAnnotation.set(a, [i]);
    else list.push(i); // two keys cut to the same annotation: both are emitted, the window keeps its own
  });
  for (let at = 0; at < slots.length; at += window) {
    const part = slots.slice(at, at + window);
    const keys = new Set(part.map((s) => s.key));
    const indexes = new Set<number>();
    for (const s of part) {
      const found = byAnnotation.get(s.intent);
      if (found === undefined) throw new Error(`no intent of the recommendation renders ${JSON.stringify(s.key)} (intent ${JSON.stringify(s.intent)})`);
      for (const i of found) indexes.add(i);
    }
    const intents: PolicyIntent[] = [...indexes].sort((a, b) => a - b).map((i) => set.intents[i]!);
    const manifests = emitter.emit({ intents }, options).manifests.filter((m) => keys.has(manifestSortKey(m)));
    if (manifests.length !== part.length) throw new Error(`rendering again gave ${manifests.length} of the ${part.length} manifests from ${JSON.stringify(part[0]!.key)}`);
    yield* manifests;
  }
}
