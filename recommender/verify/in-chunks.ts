/**
 * A recommendation emitted and verified one group of namespaces at a time, so that neither its
 * manifests nor a simulator compiled from all of them is ever in memory at once (a 2M-edge
 * export must stay under 1.5 GB RSS). The result is that of `verifyRecommendation` over one whole
 * emit, because an edge side is decided only by the policies that select the side's pod:
 * - a namespaced intent's manifests select pods of that namespace only: NetworkPolicy,
 *   CiliumNetworkPolicy and Calico NetworkPolicy are namespaced objects, and the
 *   ClusterNetworkPolicy emitter names the namespace in the subject (engines/clusternetworkpolicy.ts
 *   `subject`); the sides of a namespace are simulated with its intents' manifests;
 * - the cluster-wide intents' manifests are simulated with every chunk;
 * - so are the applied policies that stay beside the recommendation. Which ones stay is decided
 *   by all the recommendation's manifests: a namespaced applied policy can only be replaced by a
 *   manifest of its own namespace (the chunk's), a cluster-scoped one by any, so when one is
 *   applied every chunk is emitted once more first, for the identities alone;
 * - in a scoped run with applied policies, every chunk is emitted once more first too: the sides of
 *   the workloads outside the run that a replaced applied policy selects (replaced-subjects.ts)
 *   are dealt to the chunks of their namespaces, whose manifests and applied policies decide them.
 * Admission errors and engine warnings are per manifest (those about the applied policies said once): each manifest is checked once, and the
 * lists come out in the order of one whole emit. test/unit/verify-in-chunks.test.ts holds the
 * two equal on every engine, one namespace per chunk.
 */
import type { AppliedPolicy } from '../../domain/inventory.ts';
import { namespaceOfWorkloadKey } from '../../domain/peer.ts';
import { compareStrings } from '../policy/order.ts';
import type { PolicyIntent, PolicySet } from '../policy/ir.ts';
import { getEngine } from '../engines/index.ts';
import { manifestSlot, type ManifestSlot } from '../engines/emit-in-order.ts';
import { sortedWarnings, sortManifests } from '../engines/metadata.ts';
import type { EmitOptions, EmitResult, EmitWarning, EngineName, Manifest } from '../engines/types.ts';
import type { ClusterModel } from '../simulate/cluster.ts';
import type { SimulatorFactory } from '../simulate/types.ts';
import type { OutsideMustFlows, VerifiedSides } from '../verified-sides.ts';
import { duplicateNameErrors } from './duplicate-names.ts';
import { appliedPolicyWarnings, enforcementWarnings, manifestWarnings } from './engine-warnings.ts';
import { manifestErrors, manifestId, type ManifestError } from './index.ts';
import { PluginWarnings } from './plugin-warnings.ts';
import { farSides } from './far-workload-sides.ts';
import { appliedBeside, appliedReplaced, completeVerification, manifestIdentity, replacedSides, requiredSides, simulateSides, unverifiedMustFlows, type SidesFound, type Verification } from './recommendation.ts';
import type { EdgeTraffic } from '../../domain/edge.ts';

/**
 * Observed edge sides per chunk, by engine (a namespace with more is a chunk alone): what one
 * chunk's manifests and simulator may hold at once. Calico renders a rule per peer and protocol
 * group, so its chunks are smaller: on the 2M-edge bench, chunks of 500k sides peaked at about
 * 1.0 GB RSS for the other three engines and 1.4 GB for calico (1.06 GB with 200k). A store of
 * about 200k edges is then one chunk on those three, which renders nothing twice.
 */
export const CHUNK_EDGE_SIDES: Readonly<Record<EngineName, number>> = { kubernetes: 500_000, cilium: 500_000, calico: 200_000, clusternetworkpolicy: 500_000 };

export interface ChunkedVerifyInput {
  engine: EngineName;
  set: PolicySet;
  /** The recommendation's sides (`Recommendation.sides`). */
  sides: readonly VerifiedSides[];
  model: ClusterModel;
  applied: readonly AppliedPolicy[];
  /** As engineWarnings' `calicoCrdObjects`. */
  calicoCrdObjects?: Readonly<Record<string, number>>;
  simulator: SimulatorFactory;
  /** As VerifyInput.besideSimulator. */
  besideSimulator?: SimulatorFactory;
  /** As VerifyInput.tightness. */
  tightness: boolean;
  /** As VerifyInput.scopedEdges. */
  scopedEdges?: readonly EdgeTraffic[];
  /** As VerifyInput.outsideMustFlows. */
  outsideMustFlows?: OutsideMustFlows;
  options?: EmitOptions;
  /** Default CHUNK_EDGE_SIDES of the engine. */
  maxEdgeSides?: number;
  /** Sees every manifest once, as its chunk is emitted (chunk by chunk, not in the order of one whole emit). */
  each?: (m: Manifest) => void;
}

export interface ChunkedVerification {
  verification: Verification;
  /** The emitter's warnings, as one whole emit gives them. */
  warnings: EmitWarning[];
  /** Every manifest's place, in the order of one whole emit (engines/emit-in-order.ts renders them again from these). */
  slots: ManifestSlot[];
  /** The manifests in that order when the run was one chunk: they were all in memory anyway, and need no rendering again. */
  manifests?: Manifest[];
}

export interface NamespaceChunk {
  namespaces: string[];
  intents: PolicyIntent[];
  sides: VerifiedSides[];
}

const edgeSides = (s: VerifiedSides): number => s.edges.ingress.length + s.edges.egress.length;

/** The cluster-wide intents, and the namespaces in name order grouped into chunks of at most `maxEdgeSides` edge sides. */
export function namespaceChunks(set: PolicySet, sides: readonly VerifiedSides[], maxEdgeSides: number): { clusterWide: PolicyIntent[]; chunks: NamespaceChunk[] } {
  const clusterWide: PolicyIntent[] = [];
  const byNamespace = new Map<string, { intents: PolicyIntent[]; sides: VerifiedSides[]; weight: number }>();
  const entry = (ns: string) => {
    let e = byNamespace.get(ns);
    if (e === undefined) byNamespace.set(ns, (e = { intents: [], sides: [], weight: 0 }));
    return e;
  };
  for (const intent of set.intents) {
    if (intent.namespace === undefined) clusterWide.push(intent);
    else entry(intent.namespace).intents.push(intent);
  }
  for (const s of sides) {
    const e = entry(namespaceOfWorkloadKey(s.workload));
    e.sides.push(s);
    e.weight += edgeSides(s);
  }
  const chunks: NamespaceChunk[] = [];
  let current: NamespaceChunk | undefined;
  let weight = 0;
  for (const ns of [...byNamespace.keys()].sort(compareStrings)) {
    const e = byNamespace.get(ns)!;
    if (current === undefined || (weight + e.weight > maxEdgeSides && weight > 0)) {
      chunks.push((current = { namespaces: [], intents: [], sides: [] }));
      weight = 0;
    }
    current.namespaces.push(ns);
    current.intents.push(...e.intents);
    current.sides.push(...e.sides);
    weight += e.weight;
  }
  return { clusterWide, chunks };
}

const identities = (e: EmitResult): string[] => e.manifests.map(manifestIdentity);
const clusterScoped = (m: unknown): boolean => typeof m === 'object' && m !== null && typeof (m as { metadata?: { namespace?: unknown } }).metadata?.namespace !== 'string';

export function verifyInChunks(input: ChunkedVerifyInput): ChunkedVerification {
  const emitter = getEngine(input.engine);
  const emit = (intents: PolicyIntent[]): EmitResult => emitter.emit({ intents }, input.options);
  const maxEdgeSides = input.maxEdgeSides ?? CHUNK_EDGE_SIDES[input.engine];
  const { clusterWide, chunks: runChunks } = namespaceChunks(input.set, input.sides, maxEdgeSides);

  const shared = emit(clusterWide);
  let everyIdentity: Set<string> | undefined;
  const scopedWithApplied = input.scopedEdges !== undefined && input.applied.length > 0;
  if (scopedWithApplied || input.applied.some((p) => clusterScoped(p.manifest))) {
    everyIdentity = new Set(identities(shared));
    for (const c of runChunks) for (const id of identities(emit(c.intents))) everyIdentity.add(id);
  }
  const outside = everyIdentity === undefined ? [] : replacedSides(input, input.sides, appliedReplaced(input.applied, everyIdentity));
  const runSides = outside.length === 0 ? input.sides : [...input.sides, ...outside];
  const chunks = outside.length === 0 ? runChunks : namespaceChunks(input.set, runSides, maxEdgeSides).chunks;
  // In a scoped run with applied policies every identity is known here, and with it the applied policies that stay beside every chunk.
  const far = input.scopedEdges !== undefined ? farSides(runSides, { beside: everyIdentity === undefined ? [] : appliedBeside(input.applied, everyIdentity), model: input.model, simulator: input.besideSimulator ?? input.simulator }) : undefined;

  const admission: { key: string; error: ManifestError }[] = [];
  const found: SidesFound[] = [];
  // What is said of the applied policies is said once; what is said of manifests, per chunk.
  const plugin = new PluginWarnings(input.engine, input.model, input.applied);
  const warnings = [...enforcementWarnings(input.engine, plugin.plugin, input.model.cluster), ...appliedPolicyWarnings(input.engine, input.applied, plugin.plugin, input.model, input.calicoCrdObjects)];
  const emitWarnings: EmitWarning[] = [];
  const slots: ManifestSlot[] = [];
  const check = (e: EmitResult): void => {
    const keyOf = new Map<string, string>();
    for (const m of e.manifests) {
      const slot = manifestSlot(m);
      slots.push(slot);
      keyOf.set(manifestId(m), slot.key);
      input.each?.(m);
    }
    for (const error of manifestErrors(e.manifests)) admission.push({ key: keyOf.get(error.manifest)!, error });
    warnings.push(...manifestWarnings(e, input.model, input.applied, plugin));
    emitWarnings.push(...e.warnings);
  };

  check(shared);
  const appliedManifests = input.applied.map((p) => p.manifest);
  let kept: Manifest[] | undefined;
  for (const c of chunks) {
    const emitted = emit(c.intents);
    check(emitted);
    if (chunks.length === 1) kept = sortManifests([...shared.manifests, ...emitted.manifests]);
    const replaced = everyIdentity ?? new Set([...identities(shared), ...identities(emitted)]);
    found.push(
      simulateSides({
        engine: input.engine,
        manifests: shared.manifests.length === 0 ? emitted.manifests : [...shared.manifests, ...emitted.manifests],
        beside: appliedBeside(input.applied, replaced),
        applied: appliedManifests,
        replaced: appliedReplaced(input.applied, replaced),
        model: input.model,
        sides: c.sides,
        simulator: input.simulator,
        ...(input.besideSimulator ? { besideSimulator: input.besideSimulator } : {}),
        tightness: input.tightness,
        ...(far !== undefined ? { farSides: far } : {}),
      }),
    );
  }

  // Summed up over every chunk: what no single manifest is warned of.
  warnings.push(...plugin.summaries());
  // Names are compared over every chunk: a cluster-scoped name may repeat across namespaces.
  admission.push(...duplicateNameErrors(slots));
  // Stable: the errors of one manifest keep their order.
  admission.sort((a, b) => compareStrings(a.key, b.key));
  slots.sort((a, b) => compareStrings(a.key, b.key));
  return {
    verification: completeVerification(input.engine, admission.map((a) => a.error), found, warnings, unverifiedMustFlows(input.sides), requiredSides(input.sides)),
    warnings: sortedWarnings(emitWarnings),
    slots,
    ...(kept !== undefined ? { manifests: kept } : {}),
  };
}
