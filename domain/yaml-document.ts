/**
 * A parsed YAML document's data, or the reason it has none. A hostile or careless document can
 * hold an alias inside its own anchor (`a: &x [*x]`: `toJS` then returns a cyclic object that
 * every later JSON.stringify or schema walk dies on) or more alias expansions than
 * `maxAliasCount` (the "billion laughs" shape: `toJS` throws). Every reader of user YAML
 * (matrices, configs, inventories) turns both into its own input error, never a 500.
 */
import { CST, isScalar, Lexer, LineCounter, parseAllDocuments, parseDocument, Parser, visit, YAMLParseError, type Document, type DocumentOptions, type ParseOptions, type SchemaOptions } from 'yaml';

export type YamlData = { ok: true; data: unknown } | { ok: false; message: string };

/** Deeper nesting than this is refused rather than walked (no legitimate input comes close). */
const MAX_DEPTH = 512;

export function yamlData(doc: Document.Parsed, maxAliasCount = 100): YamlData {
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount });
  } catch (e) {
    return { ok: false, message: `YAML: ${(e as Error).message.split('\n')[0]}` };
  }
  const problem = treeProblem(data);
  return problem ? { ok: false, message: `YAML: ${problem}` } : { ok: true, data };
}

/** Why `value` is not a finite tree (a cycle, or nesting beyond MAX_DEPTH), or undefined: for parsed JSON too, which readers walk recursively. */
export function treeProblem(value: unknown): string | undefined {
  const ancestors = new Set<object>();
  const walk = (v: unknown, depth: number): string | undefined => {
    if (v === null || typeof v !== 'object') return undefined;
    if (ancestors.has(v)) return 'an alias refers to a node that contains it (a cycle)';
    if (depth > MAX_DEPTH) return `nesting deeper than ${MAX_DEPTH} levels`;
    ancestors.add(v);
    const children = v instanceof Map ? [...v.values()] : v instanceof Set ? [...v] : Object.values(v);
    for (const child of children) {
      const p = walk(child, depth + 1);
      if (p) return p;
    }
    ancestors.delete(v);
    return undefined;
  };
  return walk(value, 0);
}

/**
 * YAML text with more lexical tokens than a reader allows. yaml builds a Document node of about
 * 1 KB of heap, at a few µs, for each value, and walks every token (indentation and line breaks
 * too): `x: [1,1,…]` costs hundreds of times its size. The tokens are counted with yaml's own
 * streaming Lexer, which holds one token at a time, and counting stops at the cap.
 */
export class YamlTooLarge extends Error {
  override name = 'YamlTooLarge';
  constructor(readonly maxTokens: number) {
    super(`YAML of more than ${maxTokens} tokens`);
  }
}

/** Throws YamlTooLarge when `text` holds more than `max` of yaml's lexical tokens. */
export function checkYamlTokens(text: string, max: number): void {
  nestingBound(text, max);
}

/** yaml's Lexer marks (document, scalar, flow error): no character of the source. */
const MARKS = new Set(['\x02', '\x18', '\x1f']);
const BLOCK_INDICATORS = new Set(['seq-item-ind', 'explicit-key-ind', 'map-value-ind']);

/**
 * An upper bound on how deep `text` nests, in one pass of yaml's Lexer (which also enforces
 * `maxTokens`). A block collection inside another starts at a greater column, except a sequence
 * that is a mapping's value, which may share the mapping's (YAML 1.2 §8.2.1, "compact" and
 * "indentless" sequences): so at most two levels per column of a block indicator (`-`, `?`, `:`).
 * Flow collections are counted as they open.
 */
function nestingBound(text: string, maxTokens = Infinity): number {
  let tokens = 0;
  let column = 0;
  let flow = 0;
  let maxFlow = 0;
  let maxIndicatorColumn = -1;
  for (const lexeme of new Lexer().lex(text)) {
    if (++tokens > maxTokens) throw new YamlTooLarge(maxTokens);
    const type = CST.tokenType(lexeme);
    if (type === 'flow-map-start' || type === 'flow-seq-start') maxFlow = Math.max(maxFlow, ++flow);
    else if (type === 'flow-map-end' || type === 'flow-seq-end') flow = Math.max(0, flow - 1);
    else if (type === 'doc-start' || type === 'doc-end') flow = 0;
    else if (flow === 0 && type !== null && BLOCK_INDICATORS.has(type)) maxIndicatorColumn = Math.max(maxIndicatorColumn, column);
    if (MARKS.has(lexeme)) continue;
    const nl = lexeme.lastIndexOf('\n');
    column = nl >= 0 ? lexeme.length - nl - 1 : column + lexeme.length;
  }
  return 2 * (maxIndicatorColumn + 1) + maxFlow + 1;
}

/**
 * The offset where `text` nests deeper than MAX_DEPTH, or undefined. yaml composes collections
 * recursively (compose-node.js): a few hundred levels overflow the stack, which yaml reports as
 * "Maximum call stack size exceeded" — and V8 aborts the whole process when it compiles a regular
 * expression that close to the end of the stack. The Lexer's bound clears every ordinary document;
 * text past it is read by yaml's CST Parser, which keeps its open collections on an explicit stack
 * (`Parser.stack`: the document, each open collection, at most one node being read), for the exact
 * depth. Refused only when that stack proves more than MAX_DEPTH + 1 collections, so what is refused
 * is deeper than `treeProblem` allows anyway.
 */
function tooDeepAt(text: string, maxTokens: number | undefined): TooDeep | undefined {
  if (nestingBound(text, maxTokens) <= MAX_DEPTH) return undefined;
  const parser = new Parser();
  for (const lexeme of new Lexer().lex(text)) {
    const at = parser.offset;
    for (const _ of parser.next(lexeme));
    // The stack's bottom is the document being read (its CST token, from its first directive,
    // `---` or content): where the documents before it end.
    if (parser.stack.length > MAX_DEPTH + 3) return { at, documentStart: parser.stack[0]?.offset ?? 0 };
  }
  return undefined;
}

interface TooDeep {
  /** Where the nesting passes MAX_DEPTH. */
  at: number;
  /** Where the document holding it starts. */
  documentStart: number;
}

/** Adds to `lineCounter` the start of each line up to `offset` it does not hold yet, as yaml's Parser feeds it. */
function countLinesTo(text: string, offset: number, lineCounter: LineCounter): void {
  if (lineCounter.lineStarts.length === 0) lineCounter.addNewLine(0);
  const last = lineCounter.lineStarts[lineCounter.lineStarts.length - 1] ?? 0;
  for (let i = text.indexOf('\n', last); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
}

/** A document holding only the depth error, at `offset` (its line and column when `withLinePos`). */
function tooDeepDocument(text: string, offset: number, lineCounter: LineCounter, withLinePos: boolean): Document.Parsed {
  countLinesTo(text, offset, lineCounter);
  const doc = parseDocument('');
  const error = new YAMLParseError([offset, offset + 1], 'RESOURCE_EXHAUSTION', `nesting deeper than ${MAX_DEPTH} levels`);
  if (withLinePos) error.linePos = [lineCounter.linePos(offset), lineCounter.linePos(offset + 1)];
  doc.errors.push(error);
  return doc;
}

type YamlOptions = ParseOptions & DocumentOptions & SchemaOptions & {
  /** Refuse (YamlTooLarge) text of more tokens before parsing it: a reader of a service's request bodies sets it. */
  maxTokens?: number;
};

function parseOptions({ maxTokens: _, ...options }: YamlOptions, lineCounter: LineCounter): ParseOptions & DocumentOptions & SchemaOptions {
  return { ...options, lineCounter, uniqueKeys: false };
}

/**
 * `parseDocument` of user YAML. The yaml package checks each map key against every earlier key of
 * its map (compose/util-map-includes.js): quadratic, so a 3 MB matrix of 50,000 components held the
 * event loop for 13 s and an ignored 0.6 MB ConfigMap for 8 s. Its check is off here and
 * `checkUniqueKeys` does the same check in one pass, with the same error. With `maxTokens`, text
 * of more tokens is refused (YamlTooLarge) before anything is built.
 */
export function parseYamlDocument(text: string, options: YamlOptions = {}): Document.Parsed {
  const lineCounter = options.lineCounter ?? new LineCounter();
  const deep = tooDeepAt(text, options.maxTokens);
  if (deep !== undefined) return tooDeepDocument(text, deep.at, lineCounter, options.prettyErrors !== false);
  const doc = parseDocument(text, parseOptions(options, lineCounter));
  checkUniqueKeys(doc, lineCounter, options.prettyErrors !== false);
  return doc;
}

/**
 * `parseAllDocuments` of user YAML, with the one-pass duplicate-key check and the token cap
 * (`parseYamlDocument`); an empty stream is []. When a document nests too deep, the documents
 * before it are read as usual (none of them is too deep) and it is the last one, holding only the
 * depth error: a reader that names documents by their index names the right one.
 */
export function parseYamlDocuments(text: string, options: YamlOptions = {}): Document.Parsed[] {
  const lineCounter = options.lineCounter ?? new LineCounter();
  const withLinePos = options.prettyErrors !== false;
  const deep = tooDeepAt(text, options.maxTokens);
  const docs = parseAllDocuments(deep === undefined ? text : text.slice(0, deep.documentStart), parseOptions(options, lineCounter));
  const read = Array.isArray(docs) ? docs : [];
  for (const doc of read) checkUniqueKeys(doc, lineCounter, withLinePos);
  return deep === undefined ? read : [...read, tooDeepDocument(text, deep.at, lineCounter, withLinePos)];
}

/**
 * yaml's DUPLICATE_KEY error for each key equal to an earlier one of its map, as yaml decides
 * equality (two scalar keys with the same value), added to `doc.errors` in document order.
 */
function checkUniqueKeys(doc: Document.Parsed, lineCounter: LineCounter, withLinePos: boolean): void {
  const found: YAMLParseError[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = pair.key;
        if (!isScalar(key) || Number.isNaN(key.value)) continue; // NaN: never equal to itself, as yaml compares
        if (!seen.has(key.value)) {
          seen.add(key.value);
          continue;
        }
        const start = key.range?.[0] ?? 0;
        const error = new YAMLParseError([start, start + 1], 'DUPLICATE_KEY', 'Map keys must be unique');
        if (withLinePos) error.linePos = [lineCounter.linePos(start), lineCounter.linePos(start + 1)];
        found.push(error);
      }
    },
  });
  if (found.length === 0) return;
  doc.errors.push(...found);
  doc.errors.sort((a, b) => a.pos[0] - b.pos[0]);
}
