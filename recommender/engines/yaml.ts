/**
 * The one YAML serializer for manifests: kubectl-style layout (sequences not indented under
 * their key), no line folding, every map's keys sorted (as `kubectl get -o yaml` prints
 * them), so the bytes depend only on the objects' content, never on how they were built.
 *
 * The reference is `yaml`'s `stringify` with OPTIONS. Building its document model (a node per
 * value, then a context object per node) costs more than the whole recommendation on a large
 * cluster, so manifests take a direct path: the same block layout written straight from the
 * plain objects, and every string scalar rendered by the library's own string stringifier
 * (`stringTag.stringify`), cached where the rendering cannot depend on the position. Anything
 * outside that subset (null, non-plain objects, non-integer numbers, 1024+ char keys, cycles)
 * goes through the library whole. test/unit/engines-yaml.test.ts holds both paths byte-equal.
 */
import { Document, stringify, type ToStringOptions } from 'yaml';
import { stringTag } from 'yaml/util';
import { textPieces } from '../text-pieces.ts';

/**
 * Strings are quoted when a YAML 1.1 parser OR a YAML 1.2 parser would read them as another
 * type. kubectl and most Go tooling parse manifests with go-yaml v2 (sigs.k8s.io/yaml), which
 * is YAML 1.1: a plain `yes`, `on`, `NO`, `1:30`, `0b101` or `2001-12-14` label value becomes a
 * bool, an int or a timestamp there and the apply fails. The 1.1 schema quotes those; the core
 * schema's `0o17` octal int (1.2 only) is added so 1.2 parsers (yq, js-yaml) read strings too.
 */
const OPTIONS = { indent: 2, indentSeq: false, lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false, sortMapEntries: true, version: '1.1' as const, customTags: ['intOct' as const] };

/** The library's rendering, for reference and for documents outside the direct path's subset. */
export function toYamlReference(doc: unknown): string {
  return stringify(doc, OPTIONS);
}

export function toYaml(doc: unknown): string {
  return new DirectWriter().document(doc) ?? toYamlReference(doc);
}

/** Multi-document YAML: each document starts with `---`. Empty list → empty string. */
export function toMultiDocYaml(docs: readonly unknown[]): string {
  const w = new DirectWriter();
  let out = '';
  for (const d of docs) out += `---\n${w.document(d) ?? toYamlReference(d)}`;
  return out;
}

/**
 * The same bytes as toMultiDocYaml, document by document, in pieces (../text-pieces.ts): a
 * document is rendered only when the reader asks for the next piece, so a writer that waits for a
 * slow reader (a pipe) holds one piece, not the output.
 */
export function multiDocYamlPieces(docs: Iterable<unknown>): Generator<string, void, undefined> {
  const w = new DirectWriter();
  return textPieces(docs, (d) => `---\n${w.document(d) ?? toYamlReference(d)}`);
}

/** multiDocYamlPieces handed to `sink` as they come. */
export function writeMultiDocYaml(docs: Iterable<unknown>, sink: (text: string) => void): void {
  for (const piece of multiDocYamlPieces(docs)) sink(piece);
}

// ---------------------------------------------------------------------------------------------
// The direct path. Layout rules are those of yaml's stringifyDocument / stringifyPair /
// stringifyBlockCollection for block collections with OPTIONS (indent 2, indentSeq false).

const INDENT_STEP = '  ';
/** yaml's explicit-key threshold: a longer rendered key becomes `? key`. */
const MAX_IMPLICIT_KEY = 1024;
const MAX_DEPTH = 64;
/** yaml's containsDocumentMarker: such strings render differently at some indents. */
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;

/** Thrown inside the direct path when a value is outside its subset: the library renders the document. */
class Unsupported extends Error {}

/** The schema the library builds for OPTIONS: its tags decide when a plain string must be quoted. */
const SCHEMA_DOC = new Document(null, OPTIONS);

/** The subset of yaml's StringifyContext that string scalars read (createStringifyContext defaults + OPTIONS). */
function stringContext(indent: string, implicitKey: boolean): Record<string, unknown> {
  return {
    anchors: new Set(),
    doc: SCHEMA_DOC,
    flowCollectionPadding: ' ',
    indent,
    indentStep: INDENT_STEP,
    inFlow: null,
    implicitKey,
    allNullValues: false,
    options: {
      blockQuote: true,
      commentString: (s: string) => s.replace(/^(?!$)(?: $)?/gm, '#'),
      defaultKeyType: null,
      defaultStringType: 'PLAIN',
      doubleQuotedAsJSON: false,
      doubleQuotedMinMultiLineLength: 40,
      indentSeq: false,
      lineWidth: OPTIONS.lineWidth,
      minContentWidth: OPTIONS.minContentWidth,
      singleQuote: null,
    } satisfies Partial<ToStringOptions> & Record<string, unknown>,
  };
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The most renderings one cache keeps; a full cache starts over. A writer lives as long as an
 * export, whose distinct strings (selectors, rule explanations) grow with the cluster; the
 * strings worth keeping (field names, protocols, namespaces, label keys) are few and come back
 * at once.
 */
export const MAX_CACHED_RENDERINGS = 4096;

export class DirectWriter {
  /** Renderings of single-line strings without a document marker: the same at every indent. */
  private readonly keys = new Map<string, string>();
  private readonly values = new Map<string, string>();

  /** How many renderings the caches hold (at most 2 × MAX_CACHED_RENDERINGS). */
  get cachedRenderings(): number {
    return this.keys.size + this.values.size;
  }

  /** The document's text, or undefined when it is outside the direct path's subset. */
  document(doc: unknown): string | undefined {
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !isPlainObject(doc)) return undefined;
    try {
      return `${this.map(doc, '', 0)}\n`;
    } catch (e) {
      if (e instanceof Unsupported) return undefined;
      throw e;
    }
  }

  private string(s: string, indent: string, implicitKey: boolean): string {
    const cache = implicitKey ? this.keys : this.values;
    let out = cache.get(s);
    if (out !== undefined) return out;
    out = stringTag.stringify!({ value: s } as never, stringContext(indent, implicitKey) as never);
    if (!s.includes('\n') && !DOCUMENT_MARKER.test(s)) {
      if (cache.size >= MAX_CACHED_RENDERINGS) cache.clear();
      cache.set(s, out);
    }
    return out;
  }

  private scalar(v: unknown, indent: string): string {
    switch (typeof v) {
      case 'string':
        return this.string(v, indent, false);
      case 'number':
        if (!Number.isSafeInteger(v)) throw new Unsupported();
        return Object.is(v, -0) ? '-0' : String(v);
      case 'boolean':
        return v ? 'true' : 'false';
      default:
        throw new Unsupported();
    }
  }

  /** A map's block text; `indent` is the collection's indent (its continuation lines start with it). */
  private map(obj: Record<string, unknown>, indent: string, depth: number): string {
    if (depth > MAX_DEPTH) throw new Unsupported();
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
    if (keys.length === 0) return '{}';
    keys.sort(byCodeUnits);
    const inner = indent + INDENT_STEP;
    let out = '';
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const key = this.string(k, inner, true);
      if (key.length > MAX_IMPLICIT_KEY) throw new Unsupported();
      if (i > 0) out += `\n${indent}`;
      out += `${key}:${this.pairValue(obj[k], inner, depth)}`;
    }
    return out;
  }

  /** What follows `key:` for a value at the pair's indent `inner`, separator included. */
  private pairValue(v: unknown, inner: string, depth: number): string {
    if (v !== null && typeof v === 'object') {
      if (Array.isArray(v)) {
        if (v.length === 0) return ' []';
        // indentSeq false: the `- ` of the items is part of the indentation.
        const seqIndent = inner.slice(2);
        return `\n${seqIndent}${this.seq(v, seqIndent, depth + 1)}`;
      }
      if (!isPlainObject(v)) throw new Unsupported();
      const text = this.map(v, inner, depth + 1);
      return text === '{}' ? ' {}' : `\n${inner}${text}`;
    }
    const s = this.scalar(v, inner);
    return s === '' || s[0] === '\n' ? s : ` ${s}`;
  }

  private seq(items: readonly unknown[], indent: string, depth: number): string {
    if (depth > MAX_DEPTH) throw new Unsupported();
    const itemIndent = indent + INDENT_STEP;
    let out = '';
    for (let i = 0; i < items.length; i++) {
      const v = items[i];
      let text: string;
      if (v !== null && typeof v === 'object') {
        if (Array.isArray(v)) text = v.length === 0 ? '[]' : this.seq(v, itemIndent, depth + 1);
        else if (isPlainObject(v)) text = this.map(v, itemIndent, depth + 1);
        else throw new Unsupported();
      } else text = this.scalar(v, itemIndent);
      if (i > 0) out += `\n${indent}`;
      out += `- ${text}`;
    }
    return out;
  }
}
