/**
 * Calico selects endpoints by their ServiceAccount's labels (a policy's `serviceAccountSelector`,
 * a rule's `serviceAccounts.selector`: felix matches them on the `ksa.<namespace>.<name>` profile,
 * which carries every label of the ServiceAccount — libcalico-go conversion
 * ServiceAccountToProfile). The inventory holds no ServiceAccount objects: the simulator knows a
 * ServiceAccount by its name only (`projectcalico.org/name`), so a selector over any other label
 * is decided as if the label were absent. Such selectors are named in a warning rather than
 * decided silently.
 */
import { isPlainObject } from '../../../domain/plain-object.ts';
import { CALICO_LABEL_NAME } from '../../engines/wire/calico.ts';
import { selectorLabelKeys } from './selector.ts';
import { manifestId } from '../../engines/manifest-id.ts';

const CALICO_KINDS = new Set(['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy']);

/** One warning per selector over ServiceAccount labels other than the name, naming the manifest and the field. */
export function serviceAccountLabelWarnings(policies: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const p of policies) {
    if (!isPlainObject(p) || p.apiVersion !== 'projectcalico.org/v3' || !CALICO_KINDS.has(String(p.kind)) || !isPlainObject(p.spec)) continue;
    const id = manifestId(p);
    const check = (path: string, selector: unknown): void => {
      if (typeof selector !== 'string') return;
      let keys: string[];
      try {
        keys = selectorLabelKeys(selector);
      } catch {
        return; // admission names a selector that does not parse
      }
      const others = keys.filter((k) => k !== CALICO_LABEL_NAME);
      if (others.length > 0) {
        out.push(`${id}${path}: selects ServiceAccounts by label (${others.join(', ')}); the inventory holds no ServiceAccount labels, so the simulation decides as if they were absent (only ${CALICO_LABEL_NAME}, the ServiceAccount's name, is known)`);
      }
    };
    check('/spec/serviceAccountSelector', p.spec.serviceAccountSelector);
    for (const direction of ['ingress', 'egress'] as const) {
      const rules = Array.isArray(p.spec[direction]) ? (p.spec[direction] as unknown[]) : [];
      rules.forEach((r, i) => {
        if (!isPlainObject(r)) return;
        for (const end of ['source', 'destination'] as const) {
          const e = r[end];
          if (isPlainObject(e) && isPlainObject(e.serviceAccounts)) check(`/spec/${direction}/${i}/${end}/serviceAccounts/selector`, e.serviceAccounts.selector);
        }
      });
    }
  }
  return out;
}
