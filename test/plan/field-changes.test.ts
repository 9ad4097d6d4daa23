import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldChanges } from '../../src/plan/field-changes.ts';

test('reports leaves that differ, added and removed, with dotted paths', () => {
  const before = { spec: { traffic: { enableEgress: false, gone: 1 }, list: [1, 2] } };
  const after = { spec: { traffic: { enableEgress: true, added: 'x' }, list: [1, 2, 3] } };
  assert.deepEqual(fieldChanges(before, after), [
    { path: 'spec.traffic.enableEgress', before: false, after: true },
    { path: 'spec.traffic.gone', before: 1 },
    { path: 'spec.traffic.added', after: 'x' },
    { path: 'spec.list', before: [1, 2], after: [1, 2, 3] },
  ]);
});

test('lists of mappings are compared item by item; odd keys are quoted', () => {
  const before = { items: [{ name: 'a', v: 1 }], labels: { 'app.kubernetes.io/name': 'x' } };
  const after = { items: [{ name: 'a', v: 2 }], labels: { 'app.kubernetes.io/name': 'y' } };
  assert.deepEqual(fieldChanges(before, after).map((c) => c.path), ['items[0].v', 'labels["app.kubernetes.io/name"]']);
});

test('equal values give no changes', () => {
  assert.deepEqual(fieldChanges({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), []);
});
