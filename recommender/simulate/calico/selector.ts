/**
 * libcalico-go's selector language: tokenizer, parser and evaluator, following
 * projectcalico/calico libcalico-go/lib/selector/tokenizer/tokenizer.go (AppendTokens,
 * findIdentifier), parser/parser.go (parseRoot, parseOrExpression, parseAndExpression,
 * parseOperation) and parser/ast.go (the nodes' Evaluate and collectFragments).
 *
 * Grammar (as upstream, `||` binds loosest):
 *   root       := "" | or
 *   or         := and ("||" and)*
 *   and        := operation ("&&" operation)*
 *   operation  := "!"* ( has(label) | all() | global() | "(" or ")"
 *                      | label ("==" | "!=" | contains | starts with | ends with) string
 *                      | label ("in" | "not in") "{" [string ("," string)* [","]] "}" )
 * Strings are '…' or "…" with no escapes; whitespace is space or tab only; a label is
 * [a-zA-Z0-9_./-]+. Errors carry the offset (0-based) where they were found, which upstream
 * does not report.
 */

import { memoByText } from '../../text-memo.ts';

export type LabelMap = ReadonlyMap<string, string>;

type Node =
  | { op: 'all' }
  | { op: 'global' }
  | { op: 'has'; label: string }
  | { op: '==' | '!=' | 'contains' | 'starts with' | 'ends with'; label: string; value: string }
  | { op: 'in' | 'not in'; label: string; values: string[] }
  | { op: '!'; operand: Node }
  | { op: '&&' | '||'; operands: Node[] };

export class SelectorSyntaxError extends Error {
  constructor(
    readonly selector: string,
    /** 0-based offset of the offending character or token. */
    readonly position: number,
    readonly reason: string,
  ) {
    super(`invalid selector ${JSON.stringify(selector)}: ${reason} at offset ${position}`);
    this.name = 'SelectorSyntaxError';
  }
}

type TokKind = 'label' | 'string' | '{' | '}' | ',' | '==' | '!=' | 'in' | '!' | 'not in' | 'contains' | 'starts with' | 'ends with' | 'all' | 'has' | '(' | ')' | '&&' | '||' | 'global' | 'EOF';

interface Token {
  kind: TokKind;
  value: string;
  pos: number;
}

/** tokenizer.go: whitespace is space and tab only. */
function skipWhitespace(s: string, i: number): number {
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  return i;
}

function isLabelChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 47 || c === 45;
}

/** upstream findIdentifier: the run of label characters at `from` (to the end of input if need be, as current releases do). */
function findIdentifier(s: string, from: number): string {
  for (let i = from; i < s.length; i++) if (!isLabelChar(s.charCodeAt(i))) return s.slice(from, i);
  return s.slice(from);
}

const SINGLE: Record<string, TokKind> = { '(': '(', ')': ')', '{': '{', '}': '}', ',': ',' };
/** Word operators allowed right after a label, with their second word (tokenizer.go). */
const WORD_OPERATORS: [string, string | undefined, TokKind][] = [
  ['contains', undefined, 'contains'],
  ['starts', 'with', 'starts with'],
  ['ends', 'with', 'ends with'],
  ['not', 'in', 'not in'],
  ['in', undefined, 'in'],
];

function tokenize(selector: string): Token[] {
  const tokens: Token[] = [];
  const fail = (reason: string, at: number): never => {
    throw new SelectorSyntaxError(selector, at, reason);
  };
  let i = 0;
  for (;;) {
    i = skipWhitespace(selector, i);
    const start = i;
    if (i >= selector.length) {
      tokens.push({ kind: 'EOF', value: '', pos: i });
      return tokens;
    }
    const c = selector[i]!;
    const next = selector[i + 1];
    const single = SINGLE[c];
    if (single) {
      tokens.push({ kind: single, value: '', pos: start });
      i++;
    } else if (c === '"' || c === "'") {
      const end = selector.indexOf(c, i + 1);
      if (end < 0) fail('unterminated string', start);
      tokens.push({ kind: 'string', value: selector.slice(i + 1, end), pos: start });
      i = end + 1;
    } else if (c === '=') {
      if (next !== '=') fail('expected ==', start);
      tokens.push({ kind: '==', value: '', pos: start });
      i += 2;
    } else if (c === '!') {
      const ne = next === '=';
      tokens.push({ kind: ne ? '!=' : '!', value: '', pos: start });
      i += ne ? 2 : 1;
    } else if (c === '&' || c === '|') {
      if (next !== c) fail(`expected ${c}${c}`, start);
      tokens.push({ kind: c === '&' ? '&&' : '||', value: '', pos: start });
      i += 2;
    } else if (tokens.length > 0 && tokens[tokens.length - 1]!.kind === 'label') {
      // After a label only a word operator may follow ("was expecting an operator").
      const expecting = `unexpected characters after label '${tokens[tokens.length - 1]!.value}', was expecting an operator`;
      const op = WORD_OPERATORS.find(([first]) => selector.startsWith(first, i));
      if (!op) return fail(expecting, start);
      i += op[0].length;
      if (op[1] !== undefined) {
        i = skipWhitespace(selector, i);
        if (!selector.startsWith(op[1], i)) fail(expecting, start);
        i += op[1].length;
      }
      tokens.push({ kind: op[2], value: '', pos: start });
    } else if (selector.startsWith('has(', i)) {
      i = skipWhitespace(selector, i + 4);
      const ident = findIdentifier(selector, i);
      if (ident === '') fail('no label name in has( expression', i);
      i = skipWhitespace(selector, i + ident.length);
      if (selector[i] !== ')') fail("no closing ')' after has(", i);
      tokens.push({ kind: 'has', value: ident, pos: start });
      i++;
    } else if (selector.startsWith('all(', i) || selector.startsWith('global(', i)) {
      const fn = selector.startsWith('all(', i) ? 'all' : 'global';
      i = skipWhitespace(selector, i + fn.length + 1);
      if (selector[i] !== ')') fail(`no closing ')' after ${fn}(`, i);
      tokens.push({ kind: fn, value: '', pos: start });
      i++;
    } else {
      const ident = findIdentifier(selector, i);
      if (ident === '') fail('unexpected characters', start);
      tokens.push({ kind: 'label', value: ident, pos: start });
      i += ident.length;
    }
  }
}

class Parser {
  private at = 0;
  constructor(
    private readonly selector: string,
    private readonly tokens: Token[],
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.at + offset, this.tokens.length - 1)]!;
  }

  private fail(reason: string, token: Token = this.peek()): never {
    throw new SelectorSyntaxError(this.selector, token.pos, reason);
  }

  root(): Node {
    if (this.peek().kind === 'EOF') return { op: 'all' };
    const node = this.or();
    if (this.peek().kind !== 'EOF') this.fail('unexpected content at end of selector');
    return node;
  }

  private or(): Node {
    const operands = [this.and()];
    while (this.peek().kind === '||') {
      this.at++;
      operands.push(this.and());
    }
    return operands.length === 1 ? operands[0]! : { op: '||', operands };
  }

  private and(): Node {
    const operands = [this.operation()];
    while (this.peek().kind === '&&') {
      this.at++;
      operands.push(this.operation());
    }
    return operands.length === 1 ? operands[0]! : { op: '&&', operands };
  }

  private operation(): Node {
    let negated = false;
    while (this.peek().kind === '!') {
      negated = !negated;
      this.at++;
    }
    const node = this.positive();
    return negated ? { op: '!', operand: node } : node;
  }

  private positive(): Node {
    const t = this.peek();
    switch (t.kind) {
      case 'has':
        this.at++;
        return { op: 'has', label: t.value };
      case 'all':
      case 'global':
        this.at++;
        return { op: t.kind };
      case '(': {
        this.at++;
        const inner = this.or();
        if (this.peek().kind !== ')') this.fail('expected )');
        this.at++;
        return inner;
      }
      case 'label':
        return this.comparison(t);
      default:
        return this.fail(t.kind === 'EOF' ? 'unexpected end of selector' : `unexpected token ${t.kind === 'string' ? JSON.stringify(t.value) : t.kind}`);
    }
  }

  private comparison(label: Token): Node {
    const op = this.peek(1);
    const operand = this.peek(2);
    // parser.go: fewer than three tokens left (EOF included) → ErrUnexpectedEOF.
    if (this.tokens.length - this.at < 3) this.fail('unexpected end of string looking for op', op);
    switch (op.kind) {
      case '==':
      case '!=':
      case 'contains':
      case 'starts with':
      case 'ends with':
        if (operand.kind !== 'string') this.fail('expected string', operand);
        this.at += 3;
        return { op: op.kind, label: label.value, value: operand.value };
      case 'in':
      case 'not in': {
        if (operand.kind !== '{') this.fail('expected set literal', operand);
        this.at += 3;
        const values: string[] = [];
        while (this.peek().kind === 'string') {
          values.push(this.peek().value);
          this.at++;
          if (this.peek().kind !== ',') break;
          this.at++;
        }
        if (this.peek().kind !== '}') this.fail('expected }');
        this.at++;
        // ConvertToStringSetInPlace: sorted, de-duplicated.
        const set = [...new Set(values)].sort(compareBytes);
        return { op: op.kind, label: label.value, values: set };
      }
      default:
        return this.fail(`expected == or != not ${op.kind}`, op);
    }
  }
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** ast.go's nodes' Evaluate: all() and global() (GlobalNode.Evaluate) match every label set. */
function compile(n: Node): (labels: LabelMap) => boolean {
  switch (n.op) {
    case 'all':
    case 'global':
      return () => true;
    case 'has': {
      const k = n.label;
      return (l) => l.has(k);
    }
    case '==': {
      const { label, value } = n;
      return (l) => l.get(label) === value;
    }
    case '!=': {
      const { label, value } = n;
      return (l) => l.get(label) !== value;
    }
    case 'contains': {
      const { label, value } = n;
      return (l) => l.get(label)?.includes(value) ?? false;
    }
    case 'starts with': {
      const { label, value } = n;
      return (l) => l.get(label)?.startsWith(value) ?? false;
    }
    case 'ends with': {
      const { label, value } = n;
      return (l) => l.get(label)?.endsWith(value) ?? false;
    }
    case 'in': {
      const { label } = n;
      const set = new Set(n.values);
      return (l) => {
        const v = l.get(label);
        return v !== undefined && set.has(v);
      };
    }
    case 'not in': {
      const { label } = n;
      const set = new Set(n.values);
      return (l) => {
        const v = l.get(label);
        return v === undefined || !set.has(v);
      };
    }
    case '!': {
      const f = compile(n.operand);
      return (l) => !f(l);
    }
    case '&&': {
      const fs = n.operands.map((o) => compile(o));
      return (l) => fs.every((f) => f(l));
    }
    case '||': {
      const fs = n.operands.map((o) => compile(o));
      return (l) => fs.some((f) => f(l));
    }
  }
}

/** ast.go appendLabelOpAndQuotedString: double quotes unless the value contains one. */
function quoted(s: string): string {
  const q = s.includes('"') ? "'" : '"';
  return `${q}${s}${q}`;
}

/** ast.go collectFragments: the canonical text (`(a && b)`, sorted sets, normalised quotes). */
function canonical(n: Node): string {
  switch (n.op) {
    case 'all':
    case 'global':
      return `${n.op}()`;
    case 'has':
      return `has(${n.label})`;
    case 'in':
    case 'not in':
      return `${n.label} ${n.op} {${n.values.map(quoted).join(', ')}}`;
    case '!':
      return `!${canonical(n.operand)}`;
    case '&&':
    case '||':
      return `(${n.operands.map(canonical).join(` ${n.op} `)})`;
    default:
      return `${n.label} ${n.op} ${quoted(n.value)}`;
  }
}

export interface Selector {
  /** The canonical text, as libcalico-go's Selector.String() prints it. */
  readonly text: string;
  /** Whether labels match (all()/global() match everything). */
  matches(labels: LabelMap): boolean;
}

/**
 * Parses a selector; throws SelectorSyntaxError (with the offset) when it is not valid. By text,
 * for the whole process: policies repeat the same few (`all()`, namespace selectors).
 */
export const parseSelector: (selector: string) => Selector = memoByText((selector) => parse(selector), 50_000);

function parse(selector: string): Selector {
  const root = new Parser(selector, tokenize(selector)).root();
  return { text: canonical(root), matches: compile(root) };
}

/** The node with every label it names prefixed (ast.go PrefixVisitor: the label nodes, `has` included; all() and global() name none). */
function prefixed(n: Node, prefix: string): Node {
  switch (n.op) {
    case 'all':
    case 'global':
      return n;
    case '!':
      return { op: '!', operand: prefixed(n.operand, prefix) };
    case '&&':
    case '||':
      return { op: n.op, operands: n.operands.map((o) => prefixed(o, prefix)) };
    default:
      return { ...n, label: prefix + n.label };
  }
}

/**
 * The canonical text of the selector with every label prefixed, as libcalico-go's
 * updateprocessors parseSelectorAttachPrefix writes it (`k == 'v'` → `pcns.k == "v"`). Throws
 * SelectorSyntaxError, where upstream answers "" (the simulator refuses such a policy first).
 */
export function withLabelPrefix(selector: string, prefix: string): string {
  return canonical(prefixed(new Parser(selector, tokenize(selector)).root(), prefix));
}

/** The syntax error of a selector, or undefined when it parses. */
export function selectorSyntaxError(selector: string): SelectorSyntaxError | undefined {
  try {
    parseSelector(selector);
    return undefined;
  } catch (e) {
    if (e instanceof SelectorSyntaxError) return e;
    throw e;
  }
}

/** The tokens of a selector as `kind` or `kind(value)` (EOF last), for tests against upstream's tokenizer_test.go; throws SelectorSyntaxError. */
export function selectorTokens(selector: string): string[] {
  return tokenize(selector).map((t) => (t.kind === 'label' || t.kind === 'string' || t.kind === 'has' ? `${t.kind}(${t.value})` : t.kind));
}

/**
 * The values of `label` the selector is limited to (`label == 'v'`, `label in {…}`, in an `&&`
 * the values every such operand allows, in an `||` those of any operand when each is limited),
 * sorted; undefined when the selector matches other values or none of the label (all(), `!=`,
 * `has`, a negation), and for a selector that does not parse.
 */
export function selectorLimitsOf(selector: string, label: string): string[] | undefined {
  let root: Node;
  try {
    root = new Parser(selector, tokenize(selector)).root();
  } catch (e) {
    if (e instanceof SelectorSyntaxError) return undefined;
    throw e;
  }
  const values = limitedValues(root, label);
  return values === undefined ? undefined : [...values].sort();
}

function limitedValues(n: Node, label: string): Set<string> | undefined {
  switch (n.op) {
    case '==':
      return n.label === label ? new Set([n.value]) : undefined;
    case 'in':
      return n.label === label ? new Set(n.values) : undefined;
    case '&&':
      return intersection(n.operands.map((o) => limitedValues(o, label)));
    case '||': {
      const each = n.operands.map((o) => limitedValues(o, label));
      return each.every((v) => v !== undefined) ? new Set(each.flatMap((v) => [...v!])) : undefined;
    }
    default:
      return undefined;
  }
}

/** The values every limited set allows; undefined when none is limited. */
function intersection(sets: readonly (ReadonlySet<string> | undefined)[]): Set<string> | undefined {
  const limited = sets.filter((s): s is ReadonlySet<string> => s !== undefined);
  if (limited.length === 0) return undefined;
  return new Set([...limited[0]!].filter((v) => limited.every((s) => s.has(v))));
}

/** The label keys a selector reads (`has(k)` included), sorted; throws SelectorSyntaxError. */
export function selectorLabelKeys(selector: string): string[] {
  return [...new Set(tokenize(selector).flatMap((t) => (t.kind === 'label' || t.kind === 'has' ? [t.value] : [])))].sort();
}

/** Whether the selector's top level is exactly `global()` (validator.go validateEntityRule's token check). */
export function isOnlyGlobal(selector: string): boolean {
  try {
    const tokens = tokenize(selector);
    return tokens.length === 2 && tokens[0]!.kind === 'global';
  } catch {
    return false;
  }
}
