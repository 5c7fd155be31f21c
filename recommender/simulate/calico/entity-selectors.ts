/**
 * The positive selector of the rule entities of one set of compiled policies (v1-selectors.ts
 * entityRuleSelector, parsed), built once per peer rather than once per rule: emitted policies
 * name a peer by the same namespaceSelector and selector in every rule that reaches it, ingress
 * and egress, in the policies of many namespaces, and building it (the namespace part parsed again
 * with its labels prefixed, the texts joined and looked up) cost more than the rest of a rule's
 * compilation. By the texts it is built from: the namespaceSelector, else the policy's namespace
 * (the selector's scope without one), then the selector. An entity that also names
 * serviceAccounts or a notSelector (emitted rules name neither) is built each time.
 */
import type { CalicoEntityRule } from '../../engines/wire/calico.ts';
import { parseSelector, type Selector } from './selector.ts';
import { entityRuleSelector } from './v1-selectors.ts';

export class EntitySelectors {
  /** namespaceSelector → selector ('' for none) → positive selector. */
  private readonly byNamespaceSelector = new Map<string, Map<string, Selector | undefined>>();
  /** Policy namespace ('' for a global policy) → selector → positive selector. */
  private readonly byPolicyNamespace = new Map<string, Map<string, Selector | undefined>>();

  /**
   * The entity's positive selector, undefined where it names no endpoints; `namespace` the
   * policy's (undefined for a global policy). Throws SelectorSyntaxError for a selector that does
   * not parse, each as written first (the error names it), as nothing is remembered then.
   */
  positive(e: CalicoEntityRule, namespace: string | undefined): Selector | undefined {
    if (e.serviceAccounts !== undefined || e.notSelector) return build(e, namespace);
    const outer = e.namespaceSelector ? this.byNamespaceSelector : this.byPolicyNamespace;
    const scope = e.namespaceSelector || (namespace ?? '');
    let bySelector = outer.get(scope);
    if (bySelector === undefined) outer.set(scope, (bySelector = new Map()));
    const selector = e.selector ?? '';
    if (bySelector.has(selector)) return bySelector.get(selector);
    const built = build(e, namespace);
    bySelector.set(selector, built);
    return built;
  }
}

function build(e: CalicoEntityRule, namespace: string | undefined): Selector | undefined {
  for (const s of [e.namespaceSelector, e.selector, e.serviceAccounts?.selector]) if (s) parseSelector(s);
  const positive = entityRuleSelector(e, namespace);
  return positive === '' ? undefined : parseSelector(positive);
}
