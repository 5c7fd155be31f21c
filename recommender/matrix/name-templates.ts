/**
 * The `${parameter}` templates a matrix writes where the cluster wants a name: a namespace
 * (a DNS-1123 label) or a label value. A literal there is checked as it is written; a template
 * only once rendered — with the parameters' defaults (matrix validation) and with the cluster
 * config's values (config validation). Unchecked, `namespace: Flux_System` matched no workload
 * and the matrix silently stopped applying.
 */
import type { PathSegment } from './paths.ts';
import { isDnsLabel, labelValueProblem, templateRefs } from './syntax.ts';
import { isPlainObject } from '../../domain/plain-object.ts';

export interface NameTemplate {
  path: PathSegment[];
  text: string;
  kind: 'namespace' | 'label value';
  /** The parameters the text names. */
  refs: string[];
}

/**
 * Every namespace and label-value template of a matrix: its components' (their namespaces,
 * selectors and rule peers), then its shared rules' peers, in document order. A role's default
 * binding takes no parameters (validate.ts refuses a template there).
 */
export function nameTemplates(doc: unknown): NameTemplate[] {
  const out: NameTemplate[] = [];
  const visit = (node: unknown, path: PathSegment[]): void => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => visit(n, [...path, i]));
      return;
    }
    if (!isPlainObject(node)) return;
    const labels = path[path.length - 1] === 'matchLabels';
    for (const [key, value] of Object.entries(node)) {
      const at = [...path, key];
      const kind = labels ? 'label value' : key === 'namespace' ? 'namespace' : undefined;
      if (kind !== undefined && typeof value === 'string' && value.includes('${')) out.push({ path: at, text: value, kind, refs: templateRefs(value).refs });
      else visit(value, at);
    }
  };
  if (isPlainObject(doc)) {
    visit(doc.components, ['components']);
    visit(doc.shared, ['shared']);
  }
  return out;
}

/** What the cluster would refuse of a rendered name, or undefined. */
export function renderedNameProblem(t: NameTemplate, rendered: string): string | undefined {
  if (t.kind === 'namespace') return isDnsLabel(rendered) ? undefined : 'namespace must be a DNS-1123 label';
  return labelValueProblem(rendered);
}
