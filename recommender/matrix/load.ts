/** Reading matrix YAML: parse, validate, and point each problem at its path, line and value. */
import { isNode, LineCounter, type Document, type YAMLError } from 'yaml';
import { parseYamlDocument, yamlData } from '../../domain/yaml-document.ts';
import type { MatrixT } from './schema.ts';
import { formatPath, type PathSegment } from './paths.ts';
import { validateMatrix, type Issue, type MatrixValidation } from './validate.ts';
import { formatProblem, type MatrixProblem } from './problem.ts';
import { compareStrings } from '../../domain/order.ts';

export { formatProblem, type MatrixProblem } from './problem.ts';

export class MatrixError extends Error {
  constructor(
    readonly origin: string,
    readonly problems: MatrixProblem[],
    /** What the file is: a matrix, or a cluster config's `matrices:` section. */
    what: 'matrix' | 'config' = 'matrix',
  ) {
    super(`${origin}: invalid ${what} (${problems.length} problem${problems.length === 1 ? '' : 's'})\n${problems.map(formatProblem).join('\n')}`);
  }
}

/** The YAML parser's errors as problems at their line (`linePos` is only filled with prettyErrors, which rewrites the message). */
export function yamlSyntaxProblems(errors: readonly YAMLError[], counter: LineCounter): MatrixProblem[] {
  return errors.map((e) => ({ path: '(document)', message: `YAML: ${e.message.split('\n')[0] ?? e.code}`, line: counter.linePos(e.pos[0]).line }));
}

function lineOf(doc: Document, counter: LineCounter, path: PathSegment[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

export interface ParsedMatrix {
  matrix: MatrixT;
  /** The text as given, kept for storage and display. */
  text: string;
}

/**
 * Parses YAML (or JSON) text into a valid matrix, or throws MatrixError listing every problem
 * (YamlTooLarge past `maxYamlTokens`); `validation`: what a config tells of the cluster (its domain).
 */
export function parseMatrix(text: string, origin: string, maxYamlTokens?: number, validation: MatrixValidation = {}): ParsedMatrix {
  const counter = new LineCounter();
  const doc = parseYamlDocument(text, { lineCounter: counter, prettyErrors: false, ...(maxYamlTokens !== undefined ? { maxTokens: maxYamlTokens } : {}) });
  if (doc.errors.length > 0) {
    throw new MatrixError(origin, yamlSyntaxProblems(doc.errors, counter));
  }
  const read = yamlData(doc);
  if (!read.ok) throw new MatrixError(origin, [{ path: '(document)', message: read.message }]);
  const data = read.data;
  const result = validateMatrix(data, validation);
  if (!result.matrix) throw new MatrixError(origin, toProblems(result.issues, (p) => lineOf(doc, counter, p)));
  return { matrix: result.matrix, text };
}

export function toProblems(issues: Issue[], line?: (path: PathSegment[]) => number | undefined): MatrixProblem[] {
  return issues
    .map((i) => {
      const alsoLine = i.also && line?.(i.also);
      const also = i.also ? ` (also at ${formatPath(i.also)}${alsoLine !== undefined ? `, line ${alsoLine}` : ''})` : '';
      const p: MatrixProblem = { path: formatPath(i.path), message: `${i.message}${also}` };
      if (i.value !== undefined) p.value = i.value;
      const l = line?.(i.path);
      if (l !== undefined) p.line = l;
      return p;
    })
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || compareStrings(a.path, b.path) || compareStrings(a.message, b.message));
}
