import assert from 'node:assert/strict';
import { test } from 'node:test';
import { valueDifference } from '../../src/fsm/rules/value-difference.ts';

const rule = (resources: string[], verbs: string[]) => ({ apiGroups: [''], resources, verbs });

test('a scalar: the path and both values; unset when one side lacks it', () => {
  assert.equal(valueDifference('spec.replicas', 3, 1), 'spec.replicas 3 → 1');
  assert.equal(valueDifference('spec.paused', true, undefined), 'spec.paused true → (unset)');
});

test('a hand-added list item (a ClusterRole rule): the counts and the item the upgrade drops, not JSON cut mid-way', () => {
  const chart = [rule(['pods'], ['get', 'list']), rule(['services'], ['get'])];
  const live = [...chart, rule(['secrets'], ['get', 'list', 'watch'])];
  assert.equal(valueDifference('rules', live, chart), 'rules: 3 items → 2, drops {"apiGroups":[""],"resources":["secrets"],"verbs":["get","l…');
  assert.equal(valueDifference('rules', chart, live), 'rules: 2 items → 3, adds {"apiGroups":[""],"resources":["secrets"],"verbs":["get","l…');
});

test('one differing key or list item: the path narrows down to it', () => {
  const chart = [rule(['pods'], ['get', 'list']), rule(['services'], ['get'])];
  const live = [rule(['pods'], ['get', 'list', 'delete']), rule(['services'], ['get'])];
  assert.equal(valueDifference('rules', live, chart), 'rules[0].verbs: 3 items → 2, drops "delete"');
  assert.equal(
    valueDifference('metadata', { annotations: { 'app.kubernetes.io/part-of': 'mesh', keep: 'x' } }, { annotations: { 'app.kubernetes.io/part-of': 'fsm', keep: 'x' } }),
    'metadata.annotations["app.kubernetes.io/part-of"] "mesh" → "fsm"',
  );
  assert.equal(valueDifference('spec.template', { spec: { hostNetwork: true } }, { spec: {} }), 'spec.template.spec.hostNetwork true → (unset)');
});

test('several differences stay at the path, long values are cut with an ellipsis; several dropped items are counted', () => {
  const live = { a: 'x'.repeat(80), b: 1 };
  const text = valueDifference('spec', live, { a: 'y', b: 2 });
  assert.match(text, /^spec \{"a":"x+…\s→ \{"a":"y","b":2\}$/);
  assert.equal(text.split(' → ')[0]!.length, 'spec '.length + 60);
  assert.equal(valueDifference('spec.ports', [1, 2, 3], [1]), 'spec.ports: 3 items → 1, drops 2 and 1 more');
});

test("unquoted (a Secret's): only the narrowed path", () => {
  assert.equal(valueDifference('data', { token: 'aGFuZA==', ca: 'x' }, { token: 'Y2hhcnQ=', ca: 'x' }, false), 'data.token');
});

test('long lists that change length are counted, not searched item by item (which is quadratic): 20,000 items answer at once', () => {
  const live = Array.from({ length: 20_000 }, (_, i) => ({ name: `rule-${i}` }));
  assert.equal(valueDifference('rules', live, live.slice(1)), 'rules: 20000 items → 19999');
  assert.equal(valueDifference('rules', live.slice(0, 100), live.slice(0, 99)), 'rules: 100 items → 99, drops {"name":"rule-99"}');
});
