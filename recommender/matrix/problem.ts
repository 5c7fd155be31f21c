/**
 * One problem of a matrix document and how it is printed. Its own module, apart from the
 * validator: the CLI formats errors with it at start-up without loading the matrix schemas.
 */
export interface MatrixProblem {
  /** `components.ebpf-agent.egress[1].ports[0]` */
  path: string;
  message: string;
  value?: unknown;
  line?: number;
}

export function formatProblem(p: MatrixProblem): string {
  const where = p.line !== undefined ? `${p.path} (line ${p.line})` : p.path;
  return p.value === undefined ? `  ${where}: ${p.message}` : `  ${where}: ${p.message}; got ${shownValue(p.value)}`;
}

/** The longest value a problem shows: enough to recognise it; a whole document in the wrong place is not repeated. */
const SHOWN_MAX = 120;

/** A bad value as the user wrote it: JSON, except the numbers JSON cannot hold (YAML's `1e400`, `.inf`), which it would print as null. */
export function shownValue(value: unknown): string {
  const text = typeof value === 'number' && !Number.isFinite(value) ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > SHOWN_MAX ? `${text.slice(0, SHOWN_MAX)}… (${text.length} characters)` : text;
}
