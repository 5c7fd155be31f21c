/**
 * A `partial` exception (docs/matrices.md, "Exceptions"): the listed rules of a direction are not
 * its complete list, the document names its other peers only in kind (StackLight, seed 000 line
 * 88: "Allow DNS traffic from all Pods specifying communication endpoints of other StackLight
 * workloads" — the DNS row is an addition to their egress, not all of it). Mode documented keeps
 * such a direction's observed traffic as mode union does, never opening it wider.
 */
import type { WorkloadComponent } from '../compare/compare.ts';
import type { ResolvedException } from '../matrix/resolved.ts';
import type { Direction } from '../policy/ir.ts';
import { compareStrings } from '../policy/order.ts';
import type { RecommendOptions } from './options.ts';

/** The partial exception of a direction, with the component that declares it. */
export interface PartialDirection {
  /** `matrix/component`. */
  owner: string;
  matrix: string;
  component: string;
  exception: ResolvedException;
}

/**
 * The first component of the workload in force whose `partial` exception covers `d` (one without a
 * direction covers both), or undefined. A component whose `when` fails has no exception in force.
 */
export function partialDirection(components: readonly WorkloadComponent[], d: Direction): PartialDirection | undefined {
  for (const c of components) {
    if (!c.component.enabled) continue;
    const exception = c.component.exceptions.find((x) => x.type === 'partial' && (x.direction === undefined || x.direction === d));
    if (exception !== undefined) return { owner: `${c.matrix}/${c.component.name}`, matrix: c.matrix, component: c.component.name, exception };
  }
  return undefined;
}

/** A workload's partial directions: where mode documented keeps its observed traffic. */
export type PartialDirections = Record<Direction, PartialDirection | undefined>;

/**
 * Mode documented: the partial directions of each workload, by workload key, for the far end of
 * their edges (mirrored-rules.ts MirroredRules.partial). Empty in the other modes, which do not
 * read the exception.
 */
export function partialEnds(componentsOf: ReadonlyMap<string, readonly WorkloadComponent[]>, opts: RecommendOptions): Map<string, PartialDirections> {
  const out = new Map<string, PartialDirections>();
  if (opts.mode !== 'documented') return out;
  for (const [key, components] of componentsOf) {
    const ends = { ingress: partialDirection(components, 'ingress'), egress: partialDirection(components, 'egress') };
    if (ends.ingress !== undefined || ends.egress !== undefined) out.set(key, ends);
  }
  return out;
}

/** `title, line N`: where the document says what an exception states. */
export function exceptionCitation(x: ResolvedException): string {
  return `${x.source.title}${x.source.line !== undefined ? `, line ${x.source.line}` : ''}`;
}

/** The note of an observed edge kept in mode documented because its direction is partial: part of the rule's explanation. */
export function partialNote(partial: PartialDirection, d: Direction): string {
  return `the document lists only some of ${d} (${exceptionCitation(partial.exception)}): observed traffic kept`;
}

/**
 * The note of an observed edge kept at its far end because the workload at its other end lists its
 * direction `d` only in part: the edge is documented traffic there, so it is kept here too.
 */
export function farPartialNote(partial: PartialDirection, d: Direction): string {
  return `kept: the document lists only some of ${partial.owner}'s ${d} (${exceptionCitation(partial.exception)}): observed traffic kept at both ends`;
}

/**
 * The far end's warning: how many of its observed `here` edges the partial directions of their
 * other ends keep, and why — the exception, the matrix components that declare it with the
 * document line and reason, and what it means, in docs/matrices.md's words ("Exceptions"). A far
 * end no matrix documents has nothing else that says why it gets a policy.
 */
export function farPartialWarning(owners: readonly PartialDirection[], here: Direction, kept: number): string {
  const there = here === 'ingress' ? 'egress' : 'ingress';
  const components = new Set(owners.map((o) => o.owner));
  const [who, its] = components.size === 1 ? ['the workload at their other end declares', 'its'] : ['the workloads at their other end declare', 'their'];
  return `mode documented: ${kept} observed ${here} edge(s) that no included documented rule covers are kept, as mode union keeps them: ${who} ${its} ${there} \`partial\` ${declarations(owners).join(' and ')} — ${its} listed rules are not ${its} complete list, the document names ${its} other peers only in kind —, so they are documented traffic there, kept at both ends`;
}

/** `(matrix M, components A, B: title, line N: reason)`, one per matrix and exception text (StackLight's six components cite one row), sorted. */
function declarations(owners: readonly PartialDirection[]): string[] {
  const groups = new Map<string, { matrix: string; says: string; components: Set<string> }>();
  for (const o of owners) {
    const says = `${exceptionCitation(o.exception)}: ${o.exception.reason}`;
    const key = `${o.matrix}\n${says}`;
    const group = groups.get(key) ?? { matrix: o.matrix, says, components: new Set<string>() };
    groups.set(key, group);
    group.components.add(o.component);
  }
  return [...groups.values()]
    .map(({ matrix, says, components }) => {
      const names = [...components].sort(compareStrings);
      return `(matrix ${matrix}, component${names.length === 1 ? '' : 's'} ${names.join(', ')}: ${says})`;
    })
    .sort(compareStrings);
}

/** The workload's warning: how many observed edges no rule documents mode documented keeps in a partial direction. */
export function partialWarning(partial: PartialDirection, d: Direction, kept: number): string {
  const { owner, exception } = partial;
  return `mode documented: the document lists only some of ${owner}'s ${d} (${exceptionCitation(exception)}: ${exception.reason}): ${kept} observed ${d} edge(s) that no included documented rule covers are kept, as mode union keeps them`;
}
