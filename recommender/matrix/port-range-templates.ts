/**
 * The port ranges of a matrix's rules whose start or end is a `${parameter}`. A literal range is
 * checked as it is written (validate.ts); a templated one only once rendered — with the
 * parameters' defaults (matrix validation) and with the cluster config's values (config
 * validation), as name-templates.ts does for names. Unchecked, `port: ${p}` (8080) with
 * `endPort: 10` passed validation and the rule quietly became the single port 8080.
 */
import type { PathSegment } from './paths.ts';
import { wholeRef } from './syntax.ts';
import { isPlainObject } from '../../domain/plain-object.ts';

export interface PortRangeTemplate {
  /** The port entry (`…ports[0]`). */
  path: PathSegment[];
  port: unknown;
  endPort: unknown;
  /** The parameters it names (one or two). */
  refs: string[];
}

export interface RenderedRange {
  start: number;
  end: number;
}

const refOf = (v: unknown): string | undefined => (typeof v === 'string' ? wholeRef(v) : undefined);

/** Every port range with a parameter in it, in the rules of the components and shared groups, in document order. */
export function portRangeTemplates(doc: unknown): PortRangeTemplate[] {
  const out: PortRangeTemplate[] = [];
  const visit = (node: unknown, path: PathSegment[]): void => {
    if (Array.isArray(node)) {
      const ports = path[path.length - 1] === 'ports';
      node.forEach((n, i) => {
        const refs = ports && isPlainObject(n) && n.endPort !== undefined ? [refOf(n.port), refOf(n.endPort)].filter((r) => r !== undefined) : [];
        if (refs.length > 0 && isPlainObject(n)) out.push({ path: [...path, i], port: n.port, endPort: n.endPort, refs });
        else visit(n, [...path, i]);
      });
      return;
    }
    if (!isPlainObject(node)) return;
    for (const [key, value] of Object.entries(node)) visit(value, [...path, key]);
  };
  if (isPlainObject(doc)) {
    visit(doc.components, ['components']);
    visit(doc.shared, ['shared']);
  }
  return out;
}

/** The range with its parameters' values; undefined when one has none, or no number (reported elsewhere). */
export function renderRange(t: PortRangeTemplate, value: (parameter: string) => unknown): RenderedRange | undefined {
  const numberOf = (v: unknown): number | undefined => {
    const ref = refOf(v);
    const n = ref === undefined ? v : value(ref);
    return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
  };
  const start = numberOf(t.port);
  const end = numberOf(t.endPort);
  return start === undefined || end === undefined ? undefined : { start, end };
}

/** What the engines would refuse of a rendered range, or undefined (k8s.io/api networking/v1 NetworkPolicyPort: "The endPort must be equal or greater than port"). */
export function renderedRangeProblem(r: RenderedRange): string | undefined {
  return r.end < r.start ? 'port range end must be >= its start' : undefined;
}
