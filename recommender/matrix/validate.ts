/**
 * Validation of a matrix: the schema (structure) and then the meaning — references to
 * parameters, components, roles and documents; selectors, CIDRs, FQDNs, port names and
 * ranges; unique rule ids. Every problem is reported at once, each with its path and value.
 * The semantic pass reads the raw document defensively so it still runs when the schema failed.
 */
import { Matrix, PARAMETER_TYPES, type MatrixT, type PeerT } from './schema.ts';
import { schemaIssues, type Issue } from './schema-check.ts';
import { formatPath, type PathSegment } from './paths.ts';
import { cidrContains, parseCidr } from '../../domain/ip.ts';
import { knownPeerSlug, ruleId, RULE_SLUG, type Direction } from './ids.ts';
import {
  cidrProblem,
  fqdnProblem,
  namePatternProblem,
  isDnsLabel,
  labelKeyProblem,
  labelValueProblem,
  PARAMETER_NAME,
  portNameProblem,
  substitute,
  templateRefs,
  wholeRef,
} from './syntax.ts';
import { nameTemplates, renderedNameProblem } from './name-templates.ts';
import { portRangeTemplates, renderRange, renderedRangeProblem } from './port-range-templates.ts';
import { isPlainObject } from '../../domain/plain-object.ts';
import { inClusterWildcardProblem } from './service-names.ts';
import { knownNames } from './suggest.ts';

export type { Issue } from './schema-check.ts';

type Obj = Record<string, unknown>;
const entries = (v: unknown): [string, unknown][] => (isPlainObject(v) ? Object.entries(v) : []);
const items = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

interface ParamInfo {
  type: string;
  enum?: unknown[];
}

function valueMatchesType(type: string, v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'port':
      return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
    default:
      return false;
  }
}

/** Checks a parameter value against its declaration; used for defaults, conditions and cluster config. */
export function parameterValueProblem(param: ParamInfo, v: unknown): string | undefined {
  if (!valueMatchesType(param.type, v)) {
    return param.type === 'port' ? 'must be a port number 1-65535' : `must be a${param.type === 'integer' ? 'n' : ''} ${param.type}`;
  }
  if (param.enum && !param.enum.some((a) => a === v)) return `must be one of ${param.enum.map((a) => JSON.stringify(a)).join(', ')}`;
  return undefined;
}

const NOT_RENDERED = 'a role binding is taken as written: "${parameter}" is not rendered here (write the name itself)';
const NOT_IN_EXPRESSIONS = '"${parameter}" is not rendered in matchExpressions values: write the value itself, or use matchLabels, whose values may use it';

/**
 * What the validation knows of the cluster beyond the document: its DNS domain, where a config
 * sets one (`matrices.clusterDomain`). Without it, only cluster.local's in-cluster wildcards are known.
 */
export interface MatrixValidation {
  clusterDomain?: string;
}

class Checker {
  readonly issues: Issue[] = [];
  readonly params = new Map<string, ParamInfo>();
  readonly components = new Set<string>();
  readonly roles = new Set<string>();
  /** Roles whose default binding (one of them) is DNS names: where it is, e.g. `roles.x.default[1]`. */
  readonly dnsDefaults = new Map<string, string>();
  readonly documents = new Set<string>();
  readonly ruleIds = new Map<string, { path: PathSegment[]; explicit: boolean }>();

  constructor(
    readonly doc: Obj,
    readonly matrixName: string,
    readonly validation: MatrixValidation = {},
  ) {
    for (const [name, p] of entries(doc.parameters)) {
      if (isPlainObject(p) && typeof p.type === 'string') this.params.set(name, { type: p.type, enum: Array.isArray(p.enum) ? p.enum : undefined });
    }
    for (const [name] of entries(doc.components)) this.components.add(name);
    for (const [name, role] of entries(doc.roles)) {
      this.roles.add(name);
      if (!isPlainObject(role)) continue;
      const defaults = Array.isArray(role.default) ? role.default : [role.default];
      const i = defaults.findIndex((b) => isPlainObject(b) && b.fqdns !== undefined);
      if (i >= 0) this.dnsDefaults.set(name, `roles.${name}.default${Array.isArray(role.default) ? `[${i}]` : ''}`);
    }
    for (const [name] of entries(doc.documents)) this.documents.add(name);
  }

  add(path: PathSegment[], message: string, value?: unknown): void {
    this.issues.push(value === undefined ? { path, message } : { path, message, value });
  }

  template(path: PathSegment[], text: unknown, allowedTypes: readonly string[] = ['string', 'integer', 'port']): void {
    if (typeof text !== 'string') return;
    const { refs, problem } = templateRefs(text);
    if (problem) this.add(path, problem, text);
    for (const ref of refs) {
      const p = this.params.get(ref);
      if (!p) this.add(path, `reference to unknown parameter "${ref}"${knownNames(ref, [...this.params.keys()], 'declared')}`, text);
      else if (!allowedTypes.includes(p.type)) this.add(path, `parameter "${ref}" is a ${p.type}; cannot be used here`, text);
    }
  }

  namespace(path: PathSegment[], ns: unknown): void {
    if (typeof ns !== 'string') return;
    this.template(path, ns, ['string']);
    if (!ns.includes('${') && !isDnsLabel(ns)) this.add(path, 'namespace must be a DNS-1123 label', ns);
  }

  condition(path: PathSegment[], cond: unknown): void {
    for (const [name, expected] of entries(cond)) {
      const p = this.params.get(name);
      if (!p) {
        this.add([...path, name], `condition over unknown parameter "${name}"${knownNames(name, [...this.params.keys()], 'declared')}`, expected);
        continue;
      }
      const values = Array.isArray(expected) ? expected : [expected];
      values.forEach((v, i) => {
        const problem = parameterValueProblem(p, v);
        if (problem) this.add(Array.isArray(expected) ? [...path, name, i] : [...path, name], `value for "${name}" ${problem}`, v);
      });
    }
  }

  source(path: PathSegment[], src: unknown): void {
    if (!isPlainObject(src)) return;
    if (typeof src.document === 'string' && !this.documents.has(src.document)) {
      this.add([...path, 'document'], 'unknown document: declare it under documents', src.document);
    }
    if (src.line === undefined && src.row === undefined) this.add(path, 'a source needs a line or a row');
  }

  /** `rendered`: whether `${parameter}` is rendered in its label values (not in a role binding, taken as written). */
  selector(path: PathSegment[], sel: unknown, rendered = true): void {
    if (!isPlainObject(sel)) return;
    for (const [k, v] of entries(sel.matchLabels)) {
      const kp = labelKeyProblem(k);
      if (kp) this.add([...path, 'matchLabels', k], `malformed selector: ${kp}`, k);
      if (typeof v !== 'string') continue;
      if (v.includes('${') && rendered) this.template([...path, 'matchLabels', k], v, ['string']);
      else if (v.includes('${')) this.add([...path, 'matchLabels', k], NOT_RENDERED, v);
      else {
        const vp = labelValueProblem(v);
        if (vp) this.add([...path, 'matchLabels', k], `malformed selector: ${vp}`, v);
      }
    }
    items(sel.matchExpressions).forEach((e, i) => {
      if (!isPlainObject(e)) return;
      const p = [...path, 'matchExpressions', i];
      if (typeof e.key === 'string') {
        const kp = labelKeyProblem(e.key);
        if (kp) this.add([...p, 'key'], `malformed selector: ${kp}`, e.key);
      }
      const vals = items(e.values);
      if ((e.operator === 'In' || e.operator === 'NotIn') && vals.length === 0) {
        this.add(p, `malformed selector: operator ${e.operator} needs values`, e);
      }
      if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && vals.length > 0) {
        this.add([...p, 'values'], `malformed selector: operator ${e.operator} takes no values`, e.values);
      }
      vals.forEach((v, j) => {
        if (typeof v === 'string' && v.includes('${')) return this.add([...p, 'values', j], NOT_IN_EXPRESSIONS, v);
        const vp = typeof v === 'string' ? labelValueProblem(v) : undefined;
        if (vp) this.add([...p, 'values', j], `malformed selector: ${vp}`, v);
      });
    });
  }

  cidrs(path: PathSegment[], list: unknown): void {
    items(list).forEach((c, i) => {
      if (typeof c !== 'string') return;
      const problem = cidrProblem(c);
      if (problem) this.add([...path, i], `malformed CIDR: ${problem}`, c);
    });
  }

  /**
   * Each well-formed except strictly inside one of the well-formed cidrs: one outside them all
   * excludes nothing, and each engine refuses it in its own way (Kubernetes ValidateIPBlock: "must
   * be a strict subset of `cidr`").
   */
  excepts(path: PathSegment[], cidrs: unknown, except: unknown): void {
    const parsed = (c: unknown) => (typeof c === 'string' && !cidrProblem(c) ? parseCidr(c) : undefined);
    const outer = items(cidrs).flatMap((c) => parsed(c) ?? []);
    items(except).forEach((c, i) => {
      const inner = parsed(c);
      if (inner && !outer.some((o) => o.prefix < inner.prefix && cidrContains(o, inner))) this.add([...path, i], 'an except must be inside one of the cidrs, with a longer prefix: this one excludes nothing', c);
    });
  }

  fqdns(path: PathSegment[], list: unknown): void {
    items(list).forEach((f, i) => {
      if (typeof f !== 'string') return;
      // One label (`cart`) is a Service of the asking pod's own namespace, the first entry of its
      // search path (kubernetes.io "DNS for Services and Pods"; matrix/service-names.ts searchName).
      if (isDnsLabel(f)) return;
      const problem = fqdnProblem(f);
      if (problem) this.add([...path, i], `malformed FQDN: ${problem}`, f);
      else {
        const inside = inClusterWildcardProblem(f, this.validation.clusterDomain);
        if (inside) this.add([...path, i], inside, f);
      }
    });
  }

  portValue(path: PathSegment[], v: unknown, allowName: boolean): 'number' | 'name' | 'param' | undefined {
    if (typeof v === 'number') return 'number';
    if (typeof v !== 'string') return undefined;
    const ref = wholeRef(v);
    if (ref !== undefined) {
      const p = this.params.get(ref);
      if (!p) this.add(path, `reference to unknown parameter "${ref}"${knownNames(ref, [...this.params.keys()], 'declared')}`, v);
      else if (p.type !== 'port' && p.type !== 'integer') this.add(path, `parameter "${ref}" is a ${p.type}, not a port`, v);
      return 'param';
    }
    if (v.includes('${')) {
      this.add(path, 'a port may be a number, a port name or exactly one "${parameter}"', v);
      return undefined;
    }
    if (/^\d+$/.test(v)) {
      this.add(path, 'port out of range or quoted: write the number unquoted (1-65535)', v);
      return undefined;
    }
    const problem = portNameProblem(v);
    if (problem) this.add(path, problem, v);
    else if (!allowName) this.add(path, 'a named port cannot be used here', v);
    return 'name';
  }

  ports(path: PathSegment[], list: unknown): void {
    items(list).forEach((p, i) => {
      if (!isPlainObject(p)) return;
      const here = [...path, i];
      const kind = this.portValue([...here, 'port'], p.port, true);
      if (p.endPort === undefined) return;
      const endKind = this.portValue([...here, 'endPort'], p.endPort, false);
      if (kind === 'name') this.add([...here, 'endPort'], 'a port range needs a numeric start port', p.port);
      if (kind === 'number' && endKind === 'number' && (p.endPort as number) < (p.port as number)) {
        this.add([...here, 'endPort'], `port range end must be >= its start (${String(p.port)})`, p.endPort);
      }
    });
  }

  binding(path: PathSegment[], b: unknown): void {
    if (!isPlainObject(b)) return;
    const forms = ['namespace', 'namespaceSelector', 'cidrs', 'fqdns', 'world'].filter((k) => b[k] !== undefined);
    if (forms.length === 0 && b.selector === undefined) {
      this.add(path, 'a binding needs one of namespace, namespaceSelector, selector, cidrs, fqdns, world', b);
    } else if (forms.length > 1) {
      this.add(path, `a binding takes one of namespace, namespaceSelector, cidrs, fqdns, world; got ${forms.join(' and ')}`, b);
    }
    if ((b.cidrs !== undefined || b.fqdns !== undefined || b.world !== undefined) && b.selector !== undefined) {
      this.add([...path, 'selector'], 'a pod selector only goes with namespace or namespaceSelector', b.selector);
    }
    if (b.except !== undefined && b.cidrs === undefined) this.add([...path, 'except'], '"except" only goes with cidrs', b.except);
    if (typeof b.namespace === 'string' && !isDnsLabel(b.namespace)) {
      this.add([...path, 'namespace'], b.namespace.includes('${') ? NOT_RENDERED : 'namespace must be a DNS-1123 label', b.namespace);
    }
    this.selector([...path, 'namespaceSelector'], b.namespaceSelector, false);
    this.selector([...path, 'selector'], b.selector, false);
    this.cidrs([...path, 'cidrs'], b.cidrs);
    this.cidrs([...path, 'except'], b.except);
    this.excepts([...path, 'except'], b.cidrs, b.except);
    this.fqdns([...path, 'fqdns'], b.fqdns);
    this.ports([...path, 'ports'], b.ports);
  }

  peer(path: PathSegment[], peer: unknown): void {
    if (!isPlainObject(peer)) return;
    if (typeof peer.component === 'string' && !this.components.has(peer.component)) {
      this.add([...path, 'component'], `dangling reference: no such component in this matrix${knownNames(peer.component, [...this.components], 'components')}`, peer.component);
    }
    if (typeof peer.role === 'string' && !this.roles.has(peer.role)) {
      this.add([...path, 'role'], `unknown role: declare it under roles${knownNames(peer.role, [...this.roles], 'declared')}`, peer.role);
    }
    if (peer.namespace !== undefined) this.namespace([...path, 'namespace'], peer.namespace);
    this.selector([...path, 'namespaceSelector'], peer.namespaceSelector);
    this.selector([...path, 'selector'], peer.selector);
    this.cidrs([...path, 'cidrs'], peer.cidrs);
    this.cidrs([...path, 'except'], peer.except);
    this.excepts([...path, 'except'], peer.cidrs, peer.except);
    this.fqdns([...path, 'fqdns'], peer.fqdns);
  }

  /**
   * A DNS name identifies a destination: no engine selects traffic by the name of its source
   * (Cilium's toFQDNs is an egress rule; the others render names as the addresses seen for them,
   * which a source does not keep), so an ingress rule from FQDNs could not be rendered.
   */
  ingressPeer(path: PathSegment[], peer: unknown): void {
    if (!isPlainObject(peer)) return;
    if (peer.fqdns !== undefined) this.add([...path, 'fqdns'], 'a DNS name identifies a destination, not a source: an ingress rule cannot allow traffic from FQDNs (use cidrs)', peer.fqdns);
    const dns = typeof peer.role === 'string' ? this.dnsDefaults.get(peer.role) : undefined;
    if (dns !== undefined) {
      this.add([...path, 'role'], `role "${String(peer.role)}" has a default binding of DNS names (${dns}), which identify destinations, not sources: an ingress rule cannot use it (bind it with cidrs, pods or world)`, peer.role);
    }
  }

  rules(path: PathSegment[], list: unknown, owner: string, direction: Direction): void {
    items(list).forEach((r, i) => {
      if (!isPlainObject(r)) return;
      const here = [...path, i];
      this.peer([...here, 'peer'], r.peer);
      if (direction === 'ingress') this.ingressPeer([...here, 'peer'], r.peer);
      this.ports([...here, 'ports'], r.ports);
      if (r.protocols !== undefined && Array.isArray(r.ports) && r.ports.length > 0) {
        this.add([...here, 'protocols'], 'protocols is for a rule without ports (every port of these protocols); give each port its protocol instead', r.protocols);
      }
      this.condition([...here, 'when'], r.when);
      this.source([...here, 'source'], r.source);
      if (typeof r.id === 'string' && !RULE_SLUG.test(r.id)) {
        this.add([...here, 'id'], 'rule id must be lowercase alphanumerics, "-" or "."', r.id);
        return;
      }
      if (r.peer === undefined) return;
      // A peer of no known form names no rule: its own error says so, a duplicate id of it would mislead.
      if (r.id === undefined && knownPeerSlug(r.peer as PeerT) === undefined) return;
      const id = ruleId(this.matrixName, owner, direction, r as Parameters<typeof ruleId>[3]);
      const explicit = typeof r.id === 'string';
      const first = this.ruleIds.get(id);
      if (first) {
        const fix = explicit && first.explicit ? 'make the ids differ' : 'give one of them an explicit id';
        this.issues.push({ path: here, message: `duplicate rule id "${id}": ${fix}`, also: first.path, ...(r.id !== undefined ? { value: r.id } : {}) });
      } else this.ruleIds.set(id, { path: here, explicit });
    });
  }

  stance(path: PathSegment[], s: unknown): void {
    if (!isPlainObject(s)) return;
    this.condition([...path, 'when'], s.when);
    this.source([...path, 'source'], s.source);
  }

  run(): Issue[] {
    const d = this.doc;
    const meta = isPlainObject(d.metadata) ? d.metadata : {};
    if (typeof meta.name === 'string' && !isDnsLabel(meta.name)) this.add(['metadata', 'name'], 'name must be a DNS-1123 label', meta.name);
    for (const [name, p] of entries(d.parameters)) this.parameter(name, p);
    for (const [name, role] of entries(d.roles)) this.role(name, role);
    for (const [name, c] of entries(d.components)) this.component(name, c);
    const sharedNames = new Set<string>();
    items(d.shared).forEach((s, i) => this.sharedGroup(i, s, sharedNames));
    return this.issues;
  }

  /** A parameter's name, and its allowed values and default against its type. */
  parameter(name: string, p: unknown): void {
    const path = ['parameters', name];
    if (!PARAMETER_NAME.test(name)) this.add(path, 'parameter name must be letters and digits, dot-separated', name);
    if (!isPlainObject(p) || !(PARAMETER_TYPES as readonly unknown[]).includes(p.type)) return;
    const info = { type: p.type as string };
    items(p.enum).forEach((v, i) => {
      const problem = parameterValueProblem(info, v);
      if (problem) this.add([...path, 'enum', i], `allowed value ${problem}`, v);
    });
    if (p.default !== undefined) {
      const problem = parameterValueProblem({ type: info.type, enum: Array.isArray(p.enum) ? p.enum : undefined }, p.default);
      if (problem) this.add([...path, 'default'], `default ${problem}`, p.default);
    }
    this.source([...path, 'source'], p.source);
  }

  /** A role's name, its default bindings and what it recognizes (name patterns, ports). */
  role(name: string, role: unknown): void {
    const path = ['roles', name];
    if (!isDnsLabel(name)) this.add(path, 'role name must be a DNS-1123 label', name);
    if (!isPlainObject(role)) return;
    if (Array.isArray(role.default)) role.default.forEach((b, i) => this.binding([...path, 'default', i], b));
    else this.binding([...path, 'default'], role.default);
    if (!isPlainObject(role.recognize)) return;
    items(role.recognize.names).forEach((n, i) => {
      const problem = typeof n === 'string' ? namePatternProblem(n) : undefined;
      if (problem) this.add([...path, 'recognize', 'names', i], `malformed name pattern: ${problem}`, n);
    });
    items(role.recognize.ports).forEach((p, i) => {
      if (isPlainObject(p)) this.portValue([...path, 'recognize', 'ports', i, 'port'], p.port, false);
    });
    this.source([...path, 'recognize', 'source'], role.recognize.source);
  }

  /** A component: name, namespace, selector, conditions, declared ports, stances, exceptions and its rules. */
  component(name: string, c: unknown): void {
    const path = ['components', name];
    if (!isDnsLabel(name)) this.add(path, 'component name must be a DNS-1123 label', name);
    if (!isPlainObject(c)) return;
    this.namespace([...path, 'namespace'], c.namespace);
    this.selector([...path, 'selector'], c.selector);
    if (isPlainObject(c.hostNetwork)) this.condition([...path, 'hostNetwork'], c.hostNetwork);
    this.condition([...path, 'when'], c.when);
    items(c.ports).forEach((p, i) => {
      if (!isPlainObject(p)) return;
      this.portValue([...path, 'ports', i, 'port'], p.port, false);
      if (typeof p.name === 'string') {
        const problem = portNameProblem(p.name);
        if (problem) this.add([...path, 'ports', i, 'name'], problem, p.name);
      }
    });
    if (isPlainObject(c.authoritative)) {
      this.stance([...path, 'authoritative', 'ingress'], c.authoritative.ingress);
      this.stance([...path, 'authoritative', 'egress'], c.authoritative.egress);
    }
    items(c.exceptions).forEach((e, i) => {
      if (!isPlainObject(e)) return;
      this.source([...path, 'exceptions', i, 'source'], e.source);
      if (e.type === 'partial') this.partialNotAuthoritative([...path, 'exceptions', i], e.direction, c.authoritative, path);
    });
    this.rules([...path, 'ingress'], c.ingress, name, 'ingress');
    this.rules([...path, 'egress'], c.egress, name, 'egress');
  }

  /**
   * A `partial` exception says the listed rules of its direction (both, with none given) are not
   * its complete list; `authoritative` says they are: the two cannot hold of one direction.
   */
  partialNotAuthoritative(path: PathSegment[], direction: unknown, authoritative: unknown, component: PathSegment[]): void {
    const directions: readonly Direction[] = direction === 'ingress' || direction === 'egress' ? [direction] : ['ingress', 'egress'];
    for (const d of directions) {
      const stancePath = authoritativeStancePath(authoritative, d, [...component, 'authoritative']);
      if (stancePath === undefined) continue;
      this.add(path, `${d} is declared authoritative (${formatPath(stancePath)}): its rules are the complete list, so it cannot also be partial; drop one of the two`, 'partial');
    }
  }

  /** A shared rule group: a name no component or other group uses, components that exist, and its rules. */
  sharedGroup(i: number, s: unknown, sharedNames: Set<string>): void {
    if (!isPlainObject(s)) return;
    const path: PathSegment[] = ['shared', i];
    const name = typeof s.name === 'string' ? s.name : `shared-${i}`;
    if (typeof s.name === 'string') {
      if (!isDnsLabel(s.name)) this.add([...path, 'name'], 'shared group name must be a DNS-1123 label', s.name);
      if (this.components.has(s.name) || sharedNames.has(s.name)) this.add([...path, 'name'], 'name already used by a component or another shared group', s.name);
      sharedNames.add(s.name);
    }
    items(s.components).forEach((c, j) => {
      if (typeof c === 'string' && !this.components.has(c)) this.add([...path, 'components', j], 'dangling reference: no such component in this matrix', c);
    });
    this.rules([...path, 'ingress'], s.ingress, name, 'ingress');
    this.rules([...path, 'egress'], s.egress, name, 'egress');
  }
}

/** Where `authoritative` declares direction `d` authoritative (`true`, or a stance that is not `false`), or undefined. */
function authoritativeStancePath(authoritative: unknown, d: Direction, path: PathSegment[]): PathSegment[] | undefined {
  if (authoritative === true) return path;
  if (!isPlainObject(authoritative)) return undefined;
  const stance = authoritative[d];
  return stance === true || isPlainObject(stance) ? [...path, d] : undefined;
}

/** Semantic checks of the role bindings of a cluster config (`matrices.bindings.roles`). */
export function bindingIssues(roles: unknown, base: PathSegment[], validation: MatrixValidation = {}): Issue[] {
  const c = new Checker({}, '(config)', validation);
  for (const [name, b] of entries(roles)) {
    if (!isDnsLabel(name)) c.add([...base, name], 'role name must be a DNS-1123 label', name);
    if (Array.isArray(b)) b.forEach((x, i) => c.binding([...base, name, i], x));
    else c.binding([...base, name], b);
  }
  return c.issues;
}

export interface ValidationResult {
  ok: boolean;
  issues: Issue[];
  matrix?: MatrixT;
}

/** Namespaces, label values and port ranges that the parameters' defaults render into what the cluster would refuse. */
function renderedDefaultIssues(doc: Obj): Issue[] {
  const defaults = new Map<string, unknown>();
  for (const [name, p] of entries(doc.parameters)) if (isPlainObject(p) && p.default !== undefined) defaults.set(name, p.default);
  const issues: Issue[] = [];
  for (const t of nameTemplates(doc)) {
    const rendered = substitute(t.text, (ref) => (defaults.has(ref) ? String(defaults.get(ref)) : undefined));
    const problem = rendered === undefined ? undefined : renderedNameProblem(t, rendered);
    if (problem !== undefined) issues.push({ path: t.path, message: `renders as ${JSON.stringify(rendered)} with the parameters' defaults: ${problem}`, value: t.text });
  }
  for (const t of portRangeTemplates(doc)) {
    const range = renderRange(t, (ref) => defaults.get(ref));
    const problem = range && renderedRangeProblem(range);
    if (range && problem !== undefined) issues.push({ path: [...t.path, 'endPort'], message: `renders as ${range.start}-${range.end} with the parameters' defaults: ${problem}`, value: { port: t.port, endPort: t.endPort } });
  }
  return issues;
}

/** Validates a parsed matrix document; `matrix` is set only when there is no issue. */
export function validateMatrix(data: unknown, validation: MatrixValidation = {}): ValidationResult {
  const structural = schemaIssues(Matrix, data);
  const doc = isPlainObject(data) ? data : {};
  const name = isPlainObject(doc.metadata) && typeof doc.metadata.name === 'string' ? doc.metadata.name : '(unnamed)';
  const semantic = [...new Checker(doc, name, validation).run(), ...renderedDefaultIssues(doc)];
  const issues = [...structural, ...semantic];
  return issues.length === 0 ? { ok: true, issues, matrix: data as MatrixT } : { ok: false, issues };
}
