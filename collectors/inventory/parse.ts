/**
 * Reads what `kubectl get … -o json|yaml` prints (a List, possibly nested), a typed list from the
 * API (`PodList`, whose items carry no kind), a single object, or a multi-document YAML stream of
 * objects, and flattens it into located objects.
 */
import { parseYamlDocuments, treeProblem, yamlData, YamlTooLarge } from '../../domain/yaml-document.ts';
import { kindKey } from '../../domain/inventory.ts';
import { InventoryInputError, type JsonObject } from './fields.ts';
import { isPlainObject } from '../../domain/plain-object.ts';

export interface RawObject {
  obj: JsonObject;
  apiVersion: string;
  kind: string;
  /** `Kind` or `Kind.group` (see domain kindKey). */
  key: string;
  /** Where the object sits in the input: `items[3]`, `document 2`, `document 2 items[0]`. */
  where: string;
}

function looksLikeJson(text: string): boolean {
  const first = /\S/.exec(text)?.[0];
  return first === '{' || first === '[';
}

/** V8 (node 20) names a JSON syntax error's place by character offset: its line and column are added. */
function withLine(message: string, text: string): string {
  const m = / at position (\d+)/.exec(message);
  if (!m || /\bline \d+/.test(message)) return message;
  const at = Number(m[1]);
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const line = text.slice(0, at).split('\n').length;
  return `${message} (line ${line}, column ${at - lineStart + 1})`;
}

export interface ParseInventoryOptions {
  /** YAML of more tokens is refused (YamlTooLarge) before it is parsed; JSON is not counted. */
  maxYamlTokens?: number;
}

function decodeDocuments(text: string, options: ParseInventoryOptions): unknown[] {
  if (looksLikeJson(text)) {
    let data: unknown;
    try {
      data = JSON.parse(text) as unknown;
    } catch (e) {
      // Flow-style YAML also starts with '{': give YAML a chance before reporting the JSON error.
      try {
        return decodeYaml(text, options);
      } catch (yamlError) {
        // Too large to try as YAML: the JSON error is what a truncated `kubectl -o json` upload needs to hear.
        const asYaml = yamlError instanceof YamlTooLarge ? ` (read as flow-style YAML, it is ${yamlError.message}: not parsed)` : '';
        throw new InventoryInputError(`input is not valid JSON: ${withLine((e as Error).message, text)}${asYaml}`);
      }
    }
    const problem = treeProblem(data);
    if (problem) throw new InventoryInputError(`input is not a Kubernetes object or List: ${problem}`);
    return [data];
  }
  return decodeYaml(text, options);
}

function decodeYaml(text: string, { maxYamlTokens }: ParseInventoryOptions): unknown[] {
  // merge: `<<` merge keys, as kubectl reads them (sigs.k8s.io/yaml → go-yaml v2 resolves them; YAML 1.2 dropped them).
  const docs = parseYamlDocuments(text, { prettyErrors: true, merge: true, ...(maxYamlTokens !== undefined ? { maxTokens: maxYamlTokens } : {}) });
  return docs.map((doc, i) => {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      throw new InventoryInputError(`input is not valid YAML (document ${i + 1}${line ? `, line ${line}` : ''}): ${error.message.split('\n')[0]}`);
    }
    const read = yamlData(doc, 1000);
    if (!read.ok) throw new InventoryInputError(`input is not valid YAML (document ${i + 1}): ${read.message}`);
    return read.data;
  });
}

export function parseInventoryText(text: string, options: ParseInventoryOptions = {}): RawObject[] {
  const docs = decodeDocuments(text, options);
  const out: RawObject[] = [];
  const multi = docs.length > 1;
  docs.forEach((doc, i) => {
    if (doc === null || doc === undefined) return; // an empty YAML document between `---`
    visit(doc, multi ? `document ${i + 1}` : '', out);
  });
  if (out.length === 0 && !docs.some((d) => isPlainObject(d) && Array.isArray(d.items))) {
    throw new InventoryInputError('input holds no Kubernetes objects: expected a List (kubectl get … -o json|yaml) or Kubernetes objects');
  }
  return out;
}

function label(where: string): string {
  return where === '' ? 'input' : where;
}

function join(where: string, part: string): string {
  return where === '' ? part : `${where} ${part}`;
}

function visit(value: unknown, where: string, out: RawObject[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => visit(item, join(where, `[${i}]`), out));
    return;
  }
  if (!isPlainObject(value)) {
    throw new InventoryInputError(`${label(where)}: expected a Kubernetes object or List, got ${value === null ? 'null' : typeof value}`);
  }
  const kind = value.kind;
  const apiVersion = value.apiVersion;
  if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(value.items)) {
    // A typed list (PodList from the API) leaves kind and apiVersion out of its items.
    const itemKind = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
    value.items.forEach((item, i) => {
      const at = join(where, `items[${i}]`);
      if (itemKind && isPlainObject(item)) visit({ kind: itemKind, apiVersion, ...item }, at, out);
      else visit(item, at, out);
    });
    return;
  }
  if (typeof kind !== 'string' || kind === '') {
    throw new InventoryInputError(`${label(where)}: not a Kubernetes object: kind: expected a non-empty string, got ${kind === undefined ? 'missing' : JSON.stringify(kind)}`);
  }
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    throw new InventoryInputError(`${label(where)} ${kind}: not a Kubernetes object: apiVersion: expected a non-empty string, got ${apiVersion === undefined ? 'missing' : JSON.stringify(apiVersion)}`);
  }
  out.push({ obj: value, apiVersion, kind, key: kindKey(apiVersion, kind), where: label(where) });
}
