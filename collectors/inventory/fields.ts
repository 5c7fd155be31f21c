/**
 * Typed, located reads of Kubernetes objects. Every failure names the object (its place in the
 * input, kind, namespace/name) and the field, so a user can find the broken record.
 */
import { PORT_PROTOCOLS, type PortProtocol } from '../../domain/flow.ts';
import { isCidr, isIpAddress, storedAddress } from '../../domain/ip.ts';
import { parseRfc3339 } from '../../domain/time.ts';
import { dns1123LabelError, dns1123SubdomainError, ianaServiceNameError, kindError, labelKeyError, labelValueError } from '../../domain/k8s-names.ts';

/** Which Kubernetes name rule a field follows (domain/k8s-names.ts). */
export type NameRule = 'label' | 'subdomain' | 'kind';

function nameError(rule: NameRule, v: string): string | undefined {
  return rule === 'label' ? dns1123LabelError(v) : rule === 'subdomain' ? dns1123SubdomainError(v) : kindError(v);
}
import type { LabelSelector, LabelSelectorRequirement, Labels } from '../../domain/inventory.ts';
import { isPlainObject } from '../../domain/plain-object.ts';

export class InventoryInputError extends Error {
  override name = 'InventoryInputError';
}

export type JsonObject = Record<string, unknown>;

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/** A view of one node of an object: `path` is where that node sits, for error messages. */
export class FieldReader {
  constructor(
    readonly node: JsonObject,
    readonly object: string,
    readonly path = '',
  ) {}

  private at(field: string): string {
    return this.path ? `${this.path}.${field}` : field;
  }

  fail(field: string, expected: string, got: unknown): never {
    throw new InventoryInputError(`${this.object}: ${this.at(field)}: expected ${expected}, got ${describe(got)}`);
  }

  raw(field: string): unknown {
    return this.node[field];
  }

  str(field: string): string {
    const v = this.node[field];
    if (typeof v !== 'string' || v === '') this.fail(field, 'a non-empty string', v);
    return v;
  }

  optStr(field: string): string | undefined {
    const v = this.node[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.fail(field, 'a string', v);
    return v === '' ? undefined : v;
  }

  /** A non-empty string that follows a Kubernetes name rule. */
  name(field: string, rule: NameRule): string {
    const v = this.str(field);
    const error = nameError(rule, v);
    if (error !== undefined) this.fail(field, `a value that ${error}`, v);
    return v;
  }

  optName(field: string, rule: NameRule): string | undefined {
    const v = this.optStr(field);
    if (v === undefined) return undefined;
    const error = nameError(rule, v);
    if (error !== undefined) this.fail(field, `a value that ${error}`, v);
    return v;
  }

  /** An IP address (strict, as Kubernetes reads them: domain/ip.ts), as flows are matched by it (`storedAddress`). */
  ip(field: string): string {
    const v = this.str(field);
    if (!isIpAddress(v)) this.fail(field, 'an IPv4 or IPv6 address', v);
    return storedAddress(v);
  }

  optIp(field: string): string | undefined {
    const v = this.optStr(field);
    if (v !== undefined && !isIpAddress(v)) this.fail(field, 'an IPv4 or IPv6 address', v);
    return v === undefined ? undefined : storedAddress(v);
  }

  /** Strings each of which passes `check` (undefined = fine, else what was expected). */
  checkedStrings(field: string, expected: string, ok: (s: string) => boolean): string[] {
    const list = this.strings(field);
    list.forEach((item, i) => {
      if (!ok(item)) this.fail(`${field}[${i}]`, expected, item);
    });
    return list;
  }

  optCidr(field: string): string | undefined {
    const v = this.optStr(field);
    if (v !== undefined && !isCidr(v)) this.fail(field, 'a CIDR such as 10.244.0.0/24', v);
    return v;
  }

  optBool(field: string): boolean | undefined {
    const v = this.node[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') this.fail(field, 'true or false', v);
    return v;
  }

  int(field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.node[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(field, `an integer in ${min}..${max}`, v);
    return v;
  }

  optInt(field: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.node[field];
    return v === undefined || v === null ? undefined : this.int(field, min, max);
  }

  port(field: string): number {
    return this.int(field, 1, 65535);
  }

  /** A port that is either a number or the name of a container port (IntOrString): an IANA service name. */
  intOrString(field: string): number | string | undefined {
    const v = this.node[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return this.port(field);
    if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
    if (typeof v === 'string' && v !== '') {
      const error = ianaServiceNameError(v);
      if (error !== undefined) this.fail(field, `a port number or name (a name ${error})`, v);
      return v;
    }
    this.fail(field, 'a port number or name', v);
  }

  /** An optional port name (a container port's): an IANA service name. */
  optPortName(field: string): string | undefined {
    const v = this.optStr(field);
    if (v === undefined || v === '') return undefined;
    const error = ianaServiceNameError(v);
    if (error !== undefined) this.fail(field, `a port name that ${error}`, v);
    return v;
  }

  protocol(field: string): PortProtocol {
    const v = this.node[field];
    if (v === undefined || v === null || v === '') return 'TCP';
    if (typeof v !== 'string' || !(PORT_PROTOCOLS as readonly string[]).includes(v)) this.fail(field, 'TCP, UDP or SCTP', v);
    return v as PortProtocol;
  }

  /** RFC 3339 time (metadata.creationTimestamp, status.startTime) as ms since the epoch. */
  optTime(field: string): number | undefined {
    const v = this.node[field];
    if (v === undefined || v === null) return undefined;
    const t = typeof v === 'string' ? parseRfc3339(v) : undefined;
    if (t === undefined) this.fail(field, 'an RFC 3339 time', v);
    return t;
  }

  obj(field: string): FieldReader {
    const v = this.node[field];
    if (!isPlainObject(v)) this.fail(field, 'an object', v);
    return new FieldReader(v, this.object, this.at(field));
  }

  optObj(field: string): FieldReader | undefined {
    const v = this.node[field];
    return v === undefined || v === null ? undefined : this.obj(field);
  }

  /** Items of an array of objects; absent or null = empty. */
  objects(field: string): FieldReader[] {
    const v = this.node[field];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(field, 'an array', v);
    return v.map((item, i) => {
      if (!isPlainObject(item)) this.fail(`${field}[${i}]`, 'an object', item);
      return new FieldReader(item, this.object, `${this.at(field)}[${i}]`);
    });
  }

  strings(field: string): string[] {
    const v = this.node[field];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(field, 'an array of strings', v);
    return v.map((item, i) => {
      if (typeof item !== 'string') this.fail(`${field}[${i}]`, 'a string', item);
      return item;
    });
  }

  /** A string → string map (labels, Service selectors). */
  labels(field: string): Labels {
    const v = this.node[field];
    if (v === undefined || v === null) return {};
    if (!isPlainObject(v)) this.fail(field, 'a map of strings', v);
    const out: Labels = {};
    for (const k of Object.keys(v).sort()) {
      const value = v[k];
      // YAML turns `enabled: true` into a boolean; Kubernetes itself would have refused it.
      if (typeof value !== 'string') this.fail(`${field}.${k}`, 'a string', value);
      const keyError = labelKeyError(k);
      if (keyError !== undefined) this.fail(`${field}.${k}`, `a key that ${keyError}`, k);
      const valueError = labelValueError(value);
      if (valueError !== undefined) this.fail(`${field}.${k}`, `a value that ${valueError}`, value);
      out[k] = value;
    }
    return out;
  }

  optSelector(field: string): LabelSelector | undefined {
    const r = this.optObj(field);
    if (!r) return undefined;
    const selector: LabelSelector = {};
    const matchLabels = r.labels('matchLabels');
    if (Object.keys(matchLabels).length > 0) selector.matchLabels = matchLabels;
    const expressions = r.objects('matchExpressions').map((e): LabelSelectorRequirement => {
      const op = e.str('operator');
      if (op !== 'In' && op !== 'NotIn' && op !== 'Exists' && op !== 'DoesNotExist') e.fail('operator', 'In, NotIn, Exists or DoesNotExist', op);
      const operator = op as LabelSelectorRequirement['operator'];
      const values = e.strings('values');
      return values.length > 0 ? { key: e.str('key'), operator, values: [...values].sort() } : { key: e.str('key'), operator };
    });
    if (expressions.length > 0) selector.matchExpressions = expressions;
    return selector;
  }
}
