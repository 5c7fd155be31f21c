/**
 * Calico selects endpoints by their ServiceAccount's labels (a policy's `serviceAccountSelector`,
 * a rule's `serviceAccounts.selector`: felix matches them on the `ksa.<namespace>.<name>` profile,
 * which carries every label of the ServiceAccount — libcalico-go conversion
 * ServiceAccountToProfile), and any endpoint selector can name them as the endpoint inherits them,
 * `pcsa.<key>` (conversion constants.go ServiceAccountLabelPrefix). The inventory holds no
 * ServiceAccount objects: the simulator knows a ServiceAccount by its name only
 * (`projectcalico.org/name`, inherited as `pcsa.projectcalico.org/name`), so a selector over any
 * other of its labels is decided as if the label were absent. Such selectors are named in a
 * warning rather than decided silently.
 */
import { isPlainObject } from '../../../domain/plain-object.ts';
import { CALICO_LABEL_NAME, CALICO_SERVICE_ACCOUNT_LABEL_PREFIX } from '../../engines/wire/calico.ts';
import { selectorLabelKeys } from './selector.ts';
import { manifestId } from '../../engines/manifest-id.ts';
import { calicoPolicies, rulesOf } from './manifest-rules.ts';

const CALICO_KINDS = new Set(['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy']);

/** The ServiceAccount label keys a selector reads: every key of a ServiceAccount selector, the `pcsa.` ones of an endpoint selector. */
type ServiceAccountKeys = (keys: string[]) => string[];
const SERVICE_ACCOUNT_SELECTOR: ServiceAccountKeys = (keys) => keys;
const ENDPOINT_SELECTOR: ServiceAccountKeys = (keys) => keys.filter((k) => k.startsWith(CALICO_SERVICE_ACCOUNT_LABEL_PREFIX));

/** One warning per selector over ServiceAccount labels other than the name, naming the manifest and the field. */
export function serviceAccountLabelWarnings(policies: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const p of calicoPolicies(policies, CALICO_KINDS)) {
    const id = manifestId(p);
    const check = (path: string, selector: unknown, saKeys: ServiceAccountKeys): void => {
      if (typeof selector !== 'string') return;
      let keys: string[];
      try {
        keys = selectorLabelKeys(selector);
      } catch {
        return; // admission names a selector that does not parse
      }
      const name = saKeys === ENDPOINT_SELECTOR ? CALICO_SERVICE_ACCOUNT_LABEL_PREFIX + CALICO_LABEL_NAME : CALICO_LABEL_NAME;
      const others = saKeys(keys).filter((k) => k !== name);
      if (others.length > 0) {
        out.push(`${id}${path}: selects ServiceAccounts by label (${others.join(', ')}); the inventory holds no ServiceAccount labels, so the simulation decides as if they were absent (only ${name}, the ServiceAccount's name, is known)`);
      }
    };
    check('/spec/serviceAccountSelector', p.spec.serviceAccountSelector, SERVICE_ACCOUNT_SELECTOR);
    check('/spec/selector', p.spec.selector, ENDPOINT_SELECTOR);
    for (const { rule, path } of rulesOf(p)) {
      for (const end of ['source', 'destination'] as const) {
        const e = rule[end];
        if (!isPlainObject(e)) continue;
        const at = `${path}/${end}`;
        if (isPlainObject(e.serviceAccounts)) check(`${at}/serviceAccounts/selector`, e.serviceAccounts.selector, SERVICE_ACCOUNT_SELECTOR);
        check(`${at}/selector`, e.selector, ENDPOINT_SELECTOR);
        check(`${at}/notSelector`, e.notSelector, ENDPOINT_SELECTOR);
      }
    }
  }
  return out;
}
