/** Parameter values (config over defaults), `${parameter}` substitution and conditions. */
import type { ConditionT, MatrixT, ParameterValue } from './schema.ts';
import type { ConditionResult, ResolvedParameter } from './resolved.ts';
import { parameterValueProblem } from './validate.ts';
import { substitute } from './syntax.ts';
import { nameTemplates, renderedNameProblem } from './name-templates.ts';
import { portRangeTemplates, renderRange, renderedRangeProblem } from './port-range-templates.ts';
import type { PathSegment } from './paths.ts';
import { formatPath } from './paths.ts';
import { own } from '../../domain/own.ts';

export type ParameterValues = ReadonlyMap<string, ParameterValue>;

export interface ParameterProblem {
  parameter: string;
  message: string;
  value: unknown;
}

/** Values for every parameter: config wins over the default; unknown or invalid config values are problems. */
export function resolveParameters(
  matrix: MatrixT,
  config: Record<string, unknown> = {},
): { values: Map<string, ParameterValue>; list: ResolvedParameter[]; problems: ParameterProblem[] } {
  const declared = matrix.parameters ?? {};
  const values = new Map<string, ParameterValue>();
  const problems: ParameterProblem[] = [];
  for (const [name, value] of Object.entries(config)) {
    const p = own(declared, name);
    if (!p) {
      problems.push({ parameter: name, message: `unknown parameter (known: ${Object.keys(declared).sort().join(', ') || 'none'})`, value });
      continue;
    }
    const problem = parameterValueProblem(p, value);
    if (problem) problems.push({ parameter: name, message: problem, value });
  }
  const list: ResolvedParameter[] = [];
  for (const name of Object.keys(declared).sort()) {
    const p = declared[name]!;
    const fromConfig = Object.hasOwn(config, name) && !problems.some((x) => x.parameter === name) ? (config[name] as ParameterValue) : undefined;
    const value = fromConfig ?? p.default;
    const entry: ResolvedParameter = {
      name,
      type: p.type,
      description: p.description,
      origin: fromConfig !== undefined ? 'config' : p.default !== undefined ? 'default' : 'unset',
    };
    if (value !== undefined) {
      entry.value = value;
      values.set(name, value);
    }
    if (p.enum) entry.allowed = [...p.enum];
    if (p.switchesView) entry.switchesView = true;
    list.push(entry);
  }
  problems.push(...renderedProblems(matrix, config, values, problems));
  return { values, list, problems };
}

/** A templated place of the matrix, and what its rendering with the values has that the cluster would refuse (`"rendered": problem`). */
interface RenderedCheck {
  path: PathSegment[];
  refs: string[];
  problem(): string | undefined;
}

function renderedChecks(matrix: MatrixT, values: ParameterValues): RenderedCheck[] {
  const names = nameTemplates(matrix).map((t) => ({
    path: t.path,
    refs: t.refs,
    problem: () => {
      const rendered = render(t.text, values);
      const problem = rendered === undefined ? undefined : renderedNameProblem(t, rendered);
      return problem === undefined ? undefined : `${JSON.stringify(rendered)}: ${problem}`;
    },
  }));
  const ranges = portRangeTemplates(matrix).map((t) => ({
    path: t.path,
    refs: t.refs,
    problem: () => {
      const range = renderRange(t, (ref) => values.get(ref));
      const problem = range && renderedRangeProblem(range);
      return range && problem !== undefined ? `${range.start}-${range.end}: ${problem}` : undefined;
    },
  }));
  return [...names, ...ranges];
}

/**
 * Config values that render a namespace or a label value of the matrix into a name the cluster
 * would refuse, or a port range into one whose end is below its start (one problem per
 * parameter, at its first such place).
 */
function renderedProblems(matrix: MatrixT, config: Record<string, unknown>, values: ParameterValues, known: readonly ParameterProblem[]): ParameterProblem[] {
  const out: ParameterProblem[] = [];
  const said = new Set(known.map((p) => p.parameter));
  for (const check of renderedChecks(matrix, values)) {
    const fromConfig = check.refs.filter((r) => Object.hasOwn(config, r) && !said.has(r));
    if (fromConfig.length === 0) continue;
    const problem = check.problem();
    if (problem === undefined) continue;
    for (const parameter of fromConfig) {
      said.add(parameter);
      out.push({ parameter, message: `makes ${formatPath(check.path)} ${problem}`, value: config[parameter] });
    }
  }
  return out;
}

export function render(text: string, values: ParameterValues): string | undefined {
  return substitute(text, (name) => {
    const v = values.get(name);
    return v === undefined ? undefined : String(v);
  });
}

export function conditionText(when: ConditionT): string {
  return Object.keys(when)
    .sort()
    .map((k) => {
      const v = when[k];
      return Array.isArray(v) ? `${k} in (${v.map(String).join('|')})` : `${k}=${String(v)}`;
    })
    .join(', ');
}

/**
 * A component's condition and one of its rules' (or its stance's) as one: "the component exists
 * only when it holds" (docs/matrices.md), so a rule of it is in force only when both hold. A
 * parameter both name keeps the values both allow; where they allow none in common the rule can
 * never be in force, and the parameter is named in `contradicts`.
 */
export function conjoin(component: ConditionT | undefined, own: ConditionT | undefined): { when?: ConditionT; contradicts: string[] } {
  if (!component) return own ? { when: own, contradicts: [] } : { contradicts: [] };
  if (!own) return { when: component, contradicts: [] };
  const when: ConditionT = { ...component };
  const contradicts: string[] = [];
  for (const [name, value] of Object.entries(own)) {
    const outer = Object.hasOwn(when, name) ? when[name] : undefined;
    if (outer === undefined) {
      when[name] = value;
      continue;
    }
    const list = (v: ConditionT[string]) => (Array.isArray(v) ? v : [v]);
    const both = list(outer).filter((v) => list(value).includes(v));
    if (both.length === 0) contradicts.push(name);
    else when[name] = both.length === 1 ? both[0]! : both;
  }
  return { when, contradicts: contradicts.sort() };
}

/** Evaluates a condition; a parameter without a value makes it false and is named in `unset`. */
export function evaluate(when: ConditionT | undefined, values: ParameterValues): { result?: ConditionResult; holds: boolean; unset: string[] } {
  if (!when) return { holds: true, unset: [] };
  const unset: string[] = [];
  let holds = true;
  for (const name of Object.keys(when).sort()) {
    const expected = when[name]!;
    const actual = values.get(name);
    if (actual === undefined) {
      unset.push(name);
      holds = false;
      continue;
    }
    const allowed = Array.isArray(expected) ? expected : [expected];
    if (!allowed.some((a) => a === actual)) holds = false;
  }
  return { result: { when, text: conditionText(when), holds }, holds, unset };
}
