/** Schemas shared by several routes. */
import { Type, type TUnsafe } from '@sinclair/typebox';
import { ENGINE_NAMES } from '../../recommender/engines/types.ts';
import { WORKLOAD_KINDS } from '../../domain/peer.ts';

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

/** A string from a fixed list, as a plain JSON Schema `enum` (clear errors: "must be one of …"). */
export function StringEnum<const T extends string>(values: readonly T[], options: { default?: T; description?: string } = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

export const Engine = StringEnum(ENGINE_NAMES, { description: `policy engine: ${ENGINE_NAMES.join(', ')}` });

export const WorkloadKind = StringEnum(WORKLOAD_KINDS);

/** Kubernetes object names: DNS-1123 subdomain. */
export const K8sName = Type.String({ minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' });

export const Namespace = Type.String({ minLength: 1, maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', description: 'namespace' });

export const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'page size' });

export const Cursor = Type.String({ minLength: 1, maxLength: 2048, description: 'opaque cursor from the previous page (`next`)' });

export const FreeObject = Type.Object({}, { additionalProperties: true });
