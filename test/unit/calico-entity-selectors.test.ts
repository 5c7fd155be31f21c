/**
 * EntitySelectors (calico/entity-selectors.ts) gives each entity the selector entityRuleSelector
 * writes for it, parsed, whatever entities it was asked for before: one instance asked for many
 * entities in several scopes, in an order where texts repeat across scopes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CalicoEntityRule } from '../../recommender/engines/wire/calico.ts';
import { EntitySelectors } from '../../recommender/simulate/calico/entity-selectors.ts';
import { parseSelector, SelectorSyntaxError } from '../../recommender/simulate/calico/selector.ts';
import { entityRuleSelector } from '../../recommender/simulate/calico/v1-selectors.ts';

const ENTITIES: CalicoEntityRule[] = [
  {},
  { selector: "app == 'a'" },
  { selector: '' },
  { namespaceSelector: "projectcalico.org/name == 'team-1'", selector: "app == 'a'" },
  { namespaceSelector: "projectcalico.org/name == 'team-2'", selector: "app == 'a'" },
  { namespaceSelector: "projectcalico.org/name == 'team-1'" },
  { namespaceSelector: 'all()', selector: "app == 'a'" },
  { namespaceSelector: 'global()' },
  { notSelector: "app == 'b'" },
  { selector: "app == 'a'", notSelector: "app == 'b'" },
  { serviceAccounts: { names: ['sa1'] } },
  { serviceAccounts: { selector: "role == 'x'" }, selector: "app == 'a'" },
  { nets: ['10.0.0.0/8'] },
  { nets: ['10.0.0.0/8'], selector: "app == 'a'" },
  { ports: [80], selector: "app == 'a'" },
];

test('each entity gets the selector entityRuleSelector writes, in every scope and order', () => {
  const selectors = new EntitySelectors();
  for (const namespace of ['team-1', undefined, 'team-2', 'team-1']) {
    for (const e of [...ENTITIES, ...[...ENTITIES].reverse()]) {
      const text = entityRuleSelector(e, namespace);
      const got = selectors.positive(e, namespace);
      if (text === '') assert.equal(got, undefined, JSON.stringify({ e, namespace }));
      else assert.equal(got?.text, parseSelector(text).text, JSON.stringify({ e, namespace }));
    }
  }
});

test('a selector that does not parse is refused every time, the valid ones beside it still built', () => {
  const selectors = new EntitySelectors();
  const bad: CalicoEntityRule = { namespaceSelector: "projectcalico.org/name == 'team-1'", selector: 'app ==' };
  for (let i = 0; i < 2; i++) {
    assert.throws(() => selectors.positive(bad, 'team-1'), SelectorSyntaxError);
    assert.throws(() => selectors.positive({ namespaceSelector: 'has(', selector: "app == 'a'" }, 'team-1'), SelectorSyntaxError);
    assert.equal(selectors.positive({ namespaceSelector: "projectcalico.org/name == 'team-1'", selector: "app == 'a'" }, 'team-1')?.text, parseSelector(entityRuleSelector({ namespaceSelector: "projectcalico.org/name == 'team-1'", selector: "app == 'a'" }, 'team-1')).text);
  }
});
