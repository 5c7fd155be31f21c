/** Schemas shared by several routes. */
import { Type, type TUnsafe } from '@sinclair/typebox';
import { ENGINE_NAMES } from '../../recommender/engines/types.ts';
import type { WorkloadKind as WorkloadKindT } from '../../domain/peer.ts';
import { canonicalWorkloadName, WORKLOAD_KIND_NAMES } from '../../domain/workload-name.ts';
import { badRequest } from '../http/problem.ts';

export const Problem = Type.Object(
  {
    type: Type.String({ format: 'uri' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String(), value: Type.Optional(Type.Unknown()) }))),
  },
  { description: 'RFC 9457 problem details' },
);

/**
 * The 422 of /export and /drift for manifests that fail verification: a problem whose `errors` list
 * what fails, with the whole verification as the extension member `verification`
 * (recommender/verify/recommendation.ts Verification, its `tightness` empty).
 */
export const VerificationProblem = Type.Object(
  {
    ...Problem.properties,
    verification: Type.Object(
      { engine: Type.String(), ok: Type.Boolean({ description: 'false here' }) },
      { additionalProperties: true, description: 'the verification, as `recommend --output json` prints it: ok, admission, blocked, blockedByApplied, stillAllowed, denied, skipped, tightness, warnings, unverifiedMustFlows' },
    ),
  },
  { description: 'RFC 9457 problem details with the verification that failed' },
);

/** A string from a fixed list, as a plain JSON Schema `enum` (clear errors: "must be one of …"). */
export function StringEnum<const T extends string>(values: readonly T[], options: { default?: T; description?: string } = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

export const Engine = StringEnum(ENGINE_NAMES, { description: `policy engine: ${ENGINE_NAMES.join(', ')}` });

/** Kubernetes object names: DNS-1123 subdomain. */
export const K8sName = Type.String({ minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' });

export const Namespace = Type.String({ minLength: 1, maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', description: 'namespace' });

export const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'page size' });

export const Cursor = Type.String({ minLength: 1, maxLength: 2048, description: 'opaque cursor from the previous page (`next`)' });

export const FreeObject = Type.Object({}, { additionalProperties: true });

/** `workload=`: a name, or `Kind/name` with the kind in any case or as kubectl names it (domain/workload-name.ts). */
export const WorkloadFilter = Type.String({ minLength: 1, maxLength: 300, pattern: '^([A-Za-z]+/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', description: 'name, or Kind/name (any case; kubectl names such as deploy/NAME, sts/NAME too)' });

/** A workload path's kind: any case, or as kubectl names it (`deploy`), as everywhere (canonicalWorkloadPath). */
export const WorkloadKindPath = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z]+$', description: `workload kind (${WORKLOAD_KIND_NAMES}; any case, or as kubectl names it: deploy, sts)` });

/** `{namespace, kind, name}` of a path with the kind as the store names it; 400 naming the parameter when it is no kind. */
export function canonicalWorkloadPath<P extends { namespace: string; kind: string; name: string }>(params: P): P & { kind: WorkloadKindT } {
  const w = canonicalWorkloadName(`${params.kind}/${params.name}`);
  if ('unknownKind' in w) {
    throw badRequest(`invalid path: params.kind "${params.kind}" is not a workload kind (${WORKLOAD_KIND_NAMES})`, [{ path: 'params.kind', message: 'is not a workload kind', value: params.kind }]);
  }
  return { ...params, kind: w.name.slice(0, w.name.indexOf('/')) as WorkloadKindT };
}

/** The query with `workload=` as the store names it (`name` or `Kind/name`); 400 naming the parameter when its kind is none. */
export function withCanonicalWorkload<Q extends { workload?: string | undefined }>(query: Q): Q {
  if (query.workload === undefined) return query;
  const w = canonicalWorkloadName(query.workload);
  if ('unknownKind' in w) {
    throw badRequest(`invalid query: query.workload "${w.unknownKind}" is not a workload kind (${WORKLOAD_KIND_NAMES})`, [{ path: 'query.workload', message: 'is not a workload kind', value: query.workload }]);
  }
  return { ...query, workload: w.name };
}
