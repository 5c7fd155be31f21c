/**
 * The selectors felix evaluates, written from a v3 policy as libcalico-go's syncer writes them
 * (the "v1 data model", lib/backend/syncersv1/updateprocessors): one selector per policy and per
 * rule entity, over one label set per endpoint — a workload endpoint's labels with those it
 * inherits from its profiles (`pcns.*`, `pcsa.*`), a host endpoint's own, a network set's. The
 * namespace and service account parts become label tests on those: a namespaceSelector's labels
 * get the `pcns.` prefix, its `all()` becomes `has(projectcalico.org/namespace)` and, in a rule,
 * its `global()` `!has(projectcalico.org/namespace)`. So a namespace selector an endpoint without
 * `pcns.*` labels passes (`global()`, `projectcalico.org/name != 'x'`, `!has(team)`) selects host
 * endpoints and global network sets too. The strings are built as upstream builds them, textual
 * replacements included, and parsed by calico/selector.ts.
 */
import type { CalicoEntityRule, CalicoGlobalNetworkPolicySpec, CalicoPolicySpecCommon } from '../../engines/wire/calico.ts';
import { CALICO_LABEL_NAMESPACE, CALICO_LABEL_SERVICE_ACCOUNT, CALICO_NAMESPACE_LABEL_PREFIX, CALICO_SERVICE_ACCOUNT_LABEL_PREFIX } from '../../engines/wire/calico.ts';
import { parseSelector, SelectorSyntaxError, withLabelPrefix } from './selector.ts';

/** updateprocessors selectors.go prefixAndAppendSelector: `(current) && prefixed`, or the prefixed selector alone. */
function prefixAndAppend(current: string, added: string | undefined, prefix: string): string {
  if (!added) return current;
  const prefixed = withLabelPrefix(added, prefix);
  return current === '' ? prefixed : `(${current}) && ${prefixed}`;
}

/** strings.Replace(s, old, new, -1). */
const replaceAll = (s: string, old: string, by: string): string => s.split(old).join(by);

/**
 * rules.go parseServiceAccounts: the selector over `pcsa.` labels, and the names as
 * `projectcalico.org/serviceaccount in { … }`, both when both are given. Names that do not parse
 * (a quote in one) give "", as upstream logs and answers.
 */
function serviceAccountSelector(sam: CalicoEntityRule['serviceAccounts']): string {
  if (!sam) return '';
  const updated = sam.selector ? withLabelPrefix(sam.selector, CALICO_SERVICE_ACCOUNT_LABEL_PREFIX) : '';
  if (!sam.names || sam.names.length === 0) return updated;
  let names: string;
  try {
    names = parseSelector(`${CALICO_LABEL_SERVICE_ACCOUNT} in { '${sam.names.join("', '")}' }`).text;
  } catch (e) {
    if (e instanceof SelectorSyntaxError) return '';
    throw e;
  }
  return updated === '' ? names : `(${updated}) && (${names})`;
}

/**
 * rules.go GetEntityRuleSelector / getEndpointSelector: the selector of the endpoints a rule's
 * source or destination names, `ns` the policy's namespace (undefined for a global policy); ""
 * when the entity names none (only nets, ports or nothing). In a namespaced policy any of
 * selector, serviceAccounts or notSelector limits it to the policy's namespace unless a
 * namespaceSelector is given. Throws SelectorSyntaxError for a selector that does not parse.
 */
export function entityRuleSelector(e: Pick<CalicoEntityRule, 'namespaceSelector' | 'selector' | 'serviceAccounts' | 'notSelector'>, ns: string | undefined): string {
  let nsSelector = '';
  if (e.namespaceSelector) {
    nsSelector = withLabelPrefix(e.namespaceSelector, CALICO_NAMESPACE_LABEL_PREFIX);
    nsSelector = replaceAll(nsSelector, 'all()', `has(${CALICO_LABEL_NAMESPACE})`);
    nsSelector = replaceAll(nsSelector, 'global()', `!has(${CALICO_LABEL_NAMESPACE})`);
  } else if (ns) {
    nsSelector = `${CALICO_LABEL_NAMESPACE} == '${ns}'`;
  }
  const selectors = [serviceAccountSelector(e.serviceAccounts), e.selector ?? ''].filter((s) => s !== '');
  let selector = selectors.length === 0 ? '' : selectors.length === 1 ? selectors[0]! : `(${selectors.join(') && (')})`;
  if (nsSelector !== '' && (selector !== '' || e.notSelector || e.namespaceSelector)) selector = selector !== '' ? `(${nsSelector}) && (${selector})` : nsSelector;
  return selector;
}

/**
 * globalnetworkpolicyprocessor.go convertGlobalNetworkPolicyV2ToV1Value: the selector with the
 * namespaceSelector appended over `pcns.` labels and every `all()` of the result made
 * `has(projectcalico.org/namespace)`, then the serviceAccountSelector over `pcsa.` labels and
 * every `all()` made `has(projectcalico.org/serviceaccount)`. Without `selector`, a
 * namespaceSelector alone that needs no `pcns.*` label selects host endpoints too.
 */
export function globalPolicySelector(spec: Pick<CalicoGlobalNetworkPolicySpec, 'selector' | 'namespaceSelector' | 'serviceAccountSelector'>): string {
  let selector = spec.selector ?? '';
  if (spec.namespaceSelector) {
    selector = prefixAndAppend(selector, spec.namespaceSelector, CALICO_NAMESPACE_LABEL_PREFIX);
    selector = replaceAll(selector, 'all()', `has(${CALICO_LABEL_NAMESPACE})`);
  }
  if (spec.serviceAccountSelector) {
    selector = prefixAndAppend(selector, spec.serviceAccountSelector, CALICO_SERVICE_ACCOUNT_LABEL_PREFIX);
    selector = replaceAll(selector, 'all()', `has(${CALICO_LABEL_SERVICE_ACCOUNT})`);
  }
  return selector;
}

/** networkpolicyprocessor.go convertNetworkPolicyV2ToV1Value: `(selector) && projectcalico.org/namespace == '<ns>'`, then the serviceAccountSelector over `pcsa.` labels. */
export function networkPolicySelector(spec: Pick<CalicoPolicySpecCommon, 'selector' | 'serviceAccountSelector'>, ns: string): string {
  const nsSelector = `${CALICO_LABEL_NAMESPACE} == '${ns}'`;
  const selector = spec.selector ? `(${spec.selector}) && ${nsSelector}` : nsSelector;
  return prefixAndAppend(selector, spec.serviceAccountSelector, CALICO_SERVICE_ACCOUNT_LABEL_PREFIX);
}
