/**
 * The `matrices:` section of the cluster configuration (a YAML file given with --config; the
 * service config embeds the same section): role bindings and per-system switches and parameters.
 */
import { isNode, LineCounter } from 'yaml';
import { parseYamlDocument, yamlData } from '../../domain/yaml-document.ts';
import { MatricesConfig, type MatricesConfigT } from './schema.ts';
import { schemaIssues } from './schema-check.ts';
import { bindingIssues, type Issue } from './validate.ts';
import { isDnsLabel } from './syntax.ts';
import { isPlainObject } from '../../domain/plain-object.ts';
import { MatrixError, toProblems, yamlSyntaxProblems, type MatrixProblem } from './load.ts';
import { resolveParameters } from './parameters.ts';
import type { MatrixEntry } from './resolve.ts';
import type { PathSegment } from './paths.ts';
import { compareStrings } from '../../domain/order.ts';
import { ruleId } from './ids.ts';

/** Validates a parsed config section; `base` is where it sits in the file (e.g. ['matrices']). */
export function configIssues(section: unknown, base: PathSegment[] = ['matrices']): Issue[] {
  const { bindings, clusterDomain } = isPlainObject(section) ? (section as { bindings?: { roles?: unknown }; clusterDomain?: unknown }) : {};
  const domainProblem = typeof clusterDomain === 'string' ? clusterDomainProblem(clusterDomain) : undefined;
  // A string clusterDomain is judged in words below, not by the schema's regular expression.
  const structural = schemaIssues(MatricesConfig, section ?? {})
    .filter((i) => typeof clusterDomain !== 'string' || i.path[0] !== 'clusterDomain')
    .map((i) => ({ ...i, path: [...base, ...i.path] }));
  const domain = domainProblem !== undefined ? [{ path: [...base, 'clusterDomain'], message: domainProblem, value: clusterDomain }] : [];
  // Role bindings are checked under the config's own cluster domain (an in-cluster wildcard is refused).
  const validation = typeof clusterDomain === 'string' && domainProblem === undefined ? { clusterDomain } : {};
  return [...structural, ...domain, ...bindingIssues(bindings?.roles, [...base, 'bindings', 'roles'], validation)];
}

/**
 * Why `domain` cannot be a cluster's DNS domain (the kubelet's `clusterDomain`, `<zone>` of
 * kubernetes/dns docs/specification.md), or undefined: a DNS name of RFC 1123 labels, as the schema's
 * pattern says in its own terms.
 */
function clusterDomainProblem(domain: string): string | undefined {
  if (domain.length <= 253 && domain.split('.').every(isDnsLabel)) return undefined;
  return "must be a DNS name: lowercase labels of a-z, 0-9 and '-' (not first or last, at most 63 characters each), dots between, no trailing dot, at most 253 characters (e.g. cluster.local, the kubelets' clusterDomain)";
}

/** Reads a config file's text: the `matrices` section of a YAML document (other sections are ignored). */
export function parseMatricesConfig(text: string, origin: string): MatricesConfigT {
  const counter = new LineCounter();
  const doc = parseYamlDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new MatrixError(origin, yamlSyntaxProblems(doc.errors, counter), 'config');
  }
  const read = yamlData(doc);
  if (!read.ok) throw new MatrixError(origin, [{ path: '(document)', message: read.message }], 'config');
  const data = (read.data ?? {}) as Record<string, unknown>;
  if (typeof data !== 'object' || Array.isArray(data)) throw new MatrixError(origin, [{ path: '(document)', message: 'a config file must be a YAML mapping' }], 'config');
  const section = data.matrices ?? {};
  const issues = configIssues(section);
  if (issues.length > 0) {
    throw new MatrixError(
      origin,
      toProblems(issues, (path) => {
        for (let n = path.length; n > 0; n--) {
          const node = doc.getIn(path.slice(0, n), true);
          if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
        }
        return undefined;
      }),
      'config',
    );
  }
  return section as MatricesConfigT;
}

/**
 * A problem of the config with the matrices in force. `code` tells it from another at the same path
 * (a role no matrix declares, a role bound to DNS names an ingress rule takes traffic from): with
 * the path, what stays the same while the matrices change — the message lists what is known.
 */
export interface ConfigProblem extends MatrixProblem {
  code: 'unknown-system' | 'parameter' | 'unknown-role' | 'dns-role-ingress';
}

/** Config that names a system, a parameter or a role no matrix has, or sets a value a parameter does not allow. */
export function configProblemsFor(config: MatricesConfigT, entries: readonly MatrixEntry[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const byName = new Map(entries.map((e) => [e.matrix.metadata.name, e.matrix]));
  for (const [system, sys] of Object.entries(config.systems ?? {}).sort(([a], [b]) => compareStrings(a, b))) {
    const matrix = byName.get(system);
    if (!matrix) {
      problems.push({ code: 'unknown-system', path: `matrices.systems.${system}`, message: `no matrix named "${system}" (known: ${[...byName.keys()].sort().join(', ')})` });
      continue;
    }
    for (const p of resolveParameters(matrix, sys.parameters ?? {}).problems.sort((a, b) => compareStrings(a.parameter, b.parameter))) {
      problems.push({ code: 'parameter', path: `matrices.systems.${system}.parameters[${JSON.stringify(p.parameter)}]`, message: p.message, value: p.value });
    }
  }
  // A misspelt role would otherwise bind nothing, and the role stay unbound, without a word.
  const roles = new Set(entries.flatMap((e) => Object.keys(e.matrix.roles ?? {})));
  for (const [role, binding] of Object.entries(config.bindings?.roles ?? {}).sort(([a], [b]) => compareStrings(a, b))) {
    if (!roles.has(role)) {
      problems.push({ code: 'unknown-role', path: `matrices.bindings.roles.${role}`, message: `no matrix declares a role "${role}" (roles: ${[...roles].sort().join(', ')})` });
      continue;
    }
    const dns = Array.isArray(binding) ? binding.findIndex((b) => b.fqdns !== undefined) : binding.fqdns !== undefined ? 0 : -1;
    const sources = dns < 0 ? [] : ingressRulesFrom(role, entries);
    if (sources.length > 0) {
      // As the matrix validator says of a role's default binding (validate.ts, ingressPeer).
      problems.push({
        code: 'dns-role-ingress',
        path: `matrices.bindings.roles.${role}${Array.isArray(binding) ? `[${dns}]` : ''}`,
        message: `role "${role}" is bound to DNS names, which identify destinations, not sources, but ${sources[0]} receives traffic from it${sources.length > 1 ? ` (and ${sources.length - 1} more ingress rules)` : ''}: bind it with cidrs, pods or world`,
      });
    }
  }
  return problems;
}

/** The ids of the ingress rules of the matrices in force whose peer is `role`, sorted. */
function ingressRulesFrom(role: string, entries: readonly MatrixEntry[]): string[] {
  const ids: string[] = [];
  for (const { matrix } of entries) {
    const owners = [...Object.entries(matrix.components).map(([name, c]) => [name, c.ingress] as const), ...(matrix.shared ?? []).map((s) => [s.name, s.ingress] as const)];
    for (const [owner, rules] of owners) for (const r of rules ?? []) if (typeof r.peer === 'object' && 'role' in r.peer && r.peer.role === role) ids.push(ruleId(matrix.metadata.name, owner, 'ingress', r));
  }
  return ids.sort(compareStrings);
}
