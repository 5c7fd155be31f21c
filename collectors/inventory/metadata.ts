import type { Labels } from '../../domain/inventory.ts';
import { FieldReader } from './fields.ts';
import type { RawObject } from './parse.ts';

export interface OwnerRef {
  kind: string;
  name: string;
  /** The API group of the owner's apiVersion ('' for the core group): tells `argoproj.io` Rollouts and `postgresql.cnpg.io` Clusters from other kinds of the same name. */
  group: string;
}

export interface ObjectMeta {
  name: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  labels: Labels;
  /**
   * The controlling owner, the reference with `controller: true`; none without one. Any other owner
   * reference (garbage collection only) does not manage the object: apimachinery meta/v1
   * OwnerReference.controller, "If true, this reference points to the managing controller".
   */
  owner?: OwnerRef;
  createdAt?: number;
}

/** A reader over the whole object, labelled with where it is and what it is, plus its metadata. */
export interface ReadObject {
  r: FieldReader;
  meta: ObjectMeta;
  /** `items[3] Pod shop/web-1`: how messages name this object. */
  label: string;
}

export function readObject(raw: RawObject, scope: 'namespaced' | 'cluster'): ReadObject {
  const bare = new FieldReader(raw.obj, `${raw.where} ${raw.kind}`);
  const m = bare.obj('metadata');
  // Namespaces and Services are DNS labels (Services DNS-1035, a subset); every other kind read here a DNS subdomain.
  const name = m.name('name', raw.kind === 'Namespace' || raw.kind === 'Service' ? 'label' : 'subdomain');
  const namespace = scope === 'namespaced' ? m.name('namespace', 'label') : '';
  // The API server never sends a namespace on a cluster-scoped object: one that does is no such
  // object (and as a second copy of its name it would fail every snapshot it is part of).
  const given = scope === 'cluster' ? m.optStr('namespace') : undefined;
  if (given !== undefined) m.fail('namespace', `absent: ${raw.kind} is cluster-scoped`, given);
  const label = `${raw.where} ${raw.kind} ${namespace ? `${namespace}/` : ''}${name}`;
  const r = new FieldReader(raw.obj, label);
  const md = r.obj('metadata');
  const owner = controllingOwner(md);
  const createdAt = md.optTime('creationTimestamp');
  return {
    r,
    label,
    meta: {
      name,
      namespace,
      labels: md.labels('labels'),
      ...(owner ? { owner } : {}),
      ...(createdAt !== undefined ? { createdAt } : {}),
    },
  };
}

/**
 * The owner reference with `controller: true`, if any. Two cannot come from an API server
 * (apimachinery ValidateOwnerReferences: "Only one reference can have Controller set to true"):
 * refused, naming the second.
 */
function controllingOwner(md: FieldReader): OwnerRef | undefined {
  let found: { owner: OwnerRef; index: number } | undefined;
  md.objects('ownerReferences').forEach((o, index) => {
    const apiVersion = o.optStr('apiVersion') ?? '';
    const slash = apiVersion.indexOf('/');
    const owner: OwnerRef = { kind: o.name('kind', 'kind'), name: o.name('name', 'subdomain'), group: slash < 0 ? '' : apiVersion.slice(0, slash) };
    if (o.optBool('controller') !== true) return;
    if (found !== undefined) o.fail('controller', `false (only one owner reference can be the controller: ownerReferences[${found.index}], ${found.owner.kind} ${found.owner.name}, already is)`, true);
    found = { owner, index };
  });
  return found?.owner;
}
