/**
 * The selectors Calico hands felix, written from v3 policies (calico/v1-selectors.ts): input →
 * the text libcalico-go writes, as the tests of projectcalico/calico
 * libcalico-go/lib/backend/syncersv1/updateprocessors expect it (rules_test.go,
 * globalnetworkpolicyprocessor_test.go; networkpolicyprocessor.go convertNetworkPolicyV2ToV1Value).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { entityRuleSelector, globalPolicySelector, networkPolicySelector } from '../../recommender/simulate/calico/v1-selectors.ts';

test('the selector texts Calico writes (rules_test.go, globalnetworkpolicyprocessor_test.go, networkpolicyprocessor.go)', () => {
  // rules_test.go "should handle the conversion of rules".
  assert.equal(entityRuleSelector({ selector: 'mylabel == "value1"', notSelector: 'has(label1)' }, 'namespace2'), `(projectcalico.org/namespace == 'namespace2') && (mylabel == "value1")`);
  assert.equal(entityRuleSelector({ notSelector: 'has(label2)' }, 'namespace2'), `projectcalico.org/namespace == 'namespace2'`);
  assert.equal(entityRuleSelector({ namespaceSelector: "namespacelabel1 == 'value1'", notSelector: 'has(label2)' }, undefined), 'pcns.namespacelabel1 == "value1"');
  // "should parse a rule with both a selector and namespace selector", "a complex namespace selector", "a serviceaccount match".
  assert.equal(entityRuleSelector({ selector: "projectcalico.org/orchestrator == 'k8s'", namespaceSelector: "key == 'value'" }, 'namespace'), `(pcns.key == "value") && (projectcalico.org/orchestrator == 'k8s')`);
  assert.equal(entityRuleSelector({ namespaceSelector: "!has(key) || (has(key) && !key in {'value'})" }, 'namespace'), '(!has(pcns.key) || (has(pcns.key) && !pcns.key in {"value"}))');
  assert.equal(entityRuleSelector({ serviceAccounts: { names: ['sa1', 'sa2'], selector: "key == 'value1'" } }, 'namespace'), `(projectcalico.org/namespace == 'namespace') && ((pcsa.key == "value1") && (projectcalico.org/serviceaccount in {"sa1", "sa2"}))`);
  assert.equal(entityRuleSelector({ namespaceSelector: "nskey == 'nsvalue'", serviceAccounts: { names: ['sa3'], selector: "key == 'value2'" } }, 'namespace'), `(pcns.nskey == "nsvalue") && ((pcsa.key == "value2") && (projectcalico.org/serviceaccount in {"sa3"}))`);
  assert.equal(entityRuleSelector({}, 'namespace'), '');
  // rules.go: all() → has(projectcalico.org/namespace), global() → !has(projectcalico.org/namespace).
  assert.equal(entityRuleSelector({ namespaceSelector: 'all()' }, 'ns'), 'has(projectcalico.org/namespace)');
  assert.equal(entityRuleSelector({ namespaceSelector: 'global()', selector: 'has(a)' }, 'ns'), '(!has(projectcalico.org/namespace)) && (has(a))');
  // globalnetworkpolicyprocessor_test.go.
  assert.equal(globalPolicySelector({ selector: "mylabel == 'selectme'", namespaceSelector: "name == 'testing'" }), `(mylabel == 'selectme') && pcns.name == "testing"`);
  assert.equal(globalPolicySelector({ selector: "mylabel == 'selectme'", namespaceSelector: 'all()' }), `(mylabel == 'selectme') && has(projectcalico.org/namespace)`);
  assert.equal(globalPolicySelector({ selector: "mylabel == 'selectme'", serviceAccountSelector: 'all()' }), `(mylabel == 'selectme') && has(projectcalico.org/serviceaccount)`);
  assert.equal(globalPolicySelector({ selector: "mylabel == 'selectme'", namespaceSelector: "name == 'testing'", serviceAccountSelector: "role == 'development'" }), `((mylabel == 'selectme') && pcns.name == "testing") && pcsa.role == "development"`);
  assert.equal(globalPolicySelector({ namespaceSelector: "name == 'testing'" }), 'pcns.name == "testing"');
  assert.equal(globalPolicySelector({ namespaceSelector: "name == 'testing'", serviceAccountSelector: "role == 'development'" }), '(pcns.name == "testing") && pcsa.role == "development"');
  // networkpolicyprocessor.go.
  assert.equal(networkPolicySelector({ selector: "app == 'api'" }, 'shop'), `(app == 'api') && projectcalico.org/namespace == 'shop'`);
  assert.equal(networkPolicySelector({ serviceAccountSelector: "role == 'x'" }, 'shop'), `(projectcalico.org/namespace == 'shop') && pcsa.role == "x"`);
});
