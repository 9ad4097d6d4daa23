import assert from 'node:assert/strict';
import { test } from 'node:test';
import { yamlSafeJson } from '../../src/kube/yaml-safe-json.ts';

test('yamlSafeJson escapes what a YAML parser refuses or folds, and is the same JSON value', () => {
  const value = { script: 'a\u0085b\u007fc\u009bd\u2028e\u2029f\uffff', plain: 'é ✓ 😀 \t', key: { 'x\u0085': ['\u0080'] } };
  const text = yamlSafeJson(JSON.stringify(value));
  assert.doesNotMatch(text, /[\u007f-\u009f\u2028\u2029\ufffe\uffff]/u);
  assert.match(text, /a\\u0085b\\u007fc\\u009bd\\u2028e\\u2029f\\uffff/);
  assert.deepEqual(JSON.parse(text), value);
  assert.equal(yamlSafeJson(JSON.stringify({ plain: 'é ✓ 😀' })), JSON.stringify({ plain: 'é ✓ 😀' }), 'other characters as they were');
});
