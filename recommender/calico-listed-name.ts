/**
 * The name a Calico default-tier policy may be listed back under: Calico 3.29.0 to 3.29.3 return a
 * NetworkPolicy or GlobalNetworkPolicy of the default tier created as `<name>` named
 * `default.<name>` (projectcalico/calico#9437, #9642), and one created then keeps that name after
 * the fix (#10391, #10417: 3.29.4, 3.30). Both names are one object: its Calico CRD is
 * `default.<name>` either way. The drift (drift.ts) compares a recommended `<name>` with an applied
 * `default.<name>`, and the verification (verify/recommendation.ts appliedBeside) counts the applied
 * one as replaced by it, unless `<name>` is applied too (then `default.<name>` is another object).
 */
import { isPlainObject } from '../domain/plain-object.ts';

export const CALICO_DEFAULT_TIER = 'default';

const CALICO_POLICY_KINDS: ReadonlySet<string> = new Set(['projectcalico.org/v3|NetworkPolicy', 'projectcalico.org/v3|GlobalNetworkPolicy']);

export const isCalicoPolicyKind = (apiVersion: unknown, kind: unknown): boolean => CALICO_POLICY_KINDS.has(`${String(apiVersion)}|${String(kind)}`);

/** A Calico policy's tier is the default one: the spec names none, or a blank one (libcalico-go lib/names TierOrDefault), or `default`. */
export function inCalicoDefaultTier(manifest: unknown): boolean {
  const spec = isPlainObject(manifest) && isPlainObject(manifest.spec) ? manifest.spec : {};
  return spec.tier === undefined || spec.tier === '' || spec.tier === CALICO_DEFAULT_TIER;
}

/** `default.<name>`: the name a Calico default-tier policy `<name>` may be listed under. */
export const calicoListedName = (name: string): string => `${CALICO_DEFAULT_TIER}.${name}`;

/**
 * The name an applied Calico policy listed as `default.<name>` (of the default tier) was created
 * as, `<name>`; undefined for any other policy.
 */
export function calicoCreatedName(manifest: unknown): string | undefined {
  if (!isPlainObject(manifest) || !isCalicoPolicyKind(manifest.apiVersion, manifest.kind) || !inCalicoDefaultTier(manifest)) return undefined;
  const name = isPlainObject(manifest.metadata) ? manifest.metadata.name : undefined;
  const prefix = calicoListedName('');
  return typeof name === 'string' && name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : undefined;
}
