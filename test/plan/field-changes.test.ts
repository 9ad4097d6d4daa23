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
  assert.deepEqual(fieldChanges(before, after).map((c) => c.path), ['items[name=a].v', 'labels["app.kubernetes.io/name"]']);
});

test('equal values give no changes', () => {
  assert.deepEqual(fieldChanges({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), []);
});

test('an item inserted into a list of mappings is one added item, not every later one shifted (a ClusterRole gaining a rule)', () => {
  const rules = Array.from({ length: 10 }, (_, i) => ({ apiGroups: [`g${i}`], verbs: ['get'] }));
  const inserted = { apiGroups: ['discovery.k8s.io'], verbs: ['list'] };
  assert.deepEqual(fieldChanges({ rules }, { rules: [...rules.slice(0, 8), inserted, ...rules.slice(8)] }), [{ path: 'rules[8]', after: inserted }]);
  assert.deepEqual(fieldChanges({ rules }, { rules: [...rules.slice(0, 3), ...rules.slice(4)] }), [{ path: 'rules[3]', before: rules[3] }]);
});

test('items changed in place are compared field by field; a replacement with extra items adds the rest', () => {
  const before = { items: [{ id: 'a', v: 1 }, { id: 'b', v: 1 }, { id: 'c', v: 1 }] };
  const after = { items: [{ id: 'a', v: 1 }, { id: 'b', v: 2 }, { id: 'x', v: 9 }, { id: 'c', v: 1 }] };
  assert.deepEqual(fieldChanges(before, after), [
    { path: 'items[1].v', before: 1, after: 2 },
    { path: 'items[2]', after: { id: 'x', v: 9 } },
  ]);
  assert.deepEqual(fieldChanges({ items: [{ a: 1 }, { b: 1 }] }, { items: [{ a: 2 }] }), [
    { path: 'items[0].a', before: 1, after: 2 },
    { path: 'items[1]', before: { b: 1 } },
  ]);
});

test('named items (a Deployment\'s containers) are matched and shown by name: a container added before another is one added item, and the other\'s change is its own', () => {
  const controller = { name: 'fsm-controller', image: 'fsm:1.5.1', env: [{ name: 'A', value: '1' }] };
  const before = { containers: [controller] };
  const sidecar = { name: 'proxy', image: 'pipy:1' };
  const after = { containers: [sidecar, { ...controller, image: 'fsm:1.6.0', env: [{ name: 'A', value: '2' }, { name: 'B', value: 'x' }] }] };
  assert.deepEqual(fieldChanges(before, after), [
    { path: 'containers[name=proxy]', after: sidecar },
    { path: 'containers[name=fsm-controller].image', before: 'fsm:1.5.1', after: 'fsm:1.6.0' },
    { path: 'containers[name=fsm-controller].env[name=A].value', before: '1', after: '2' },
    { path: 'containers[name=fsm-controller].env[name=B]', after: { name: 'B', value: 'x' } },
  ]);
  assert.deepEqual(fieldChanges(after, before)[0], { path: 'containers[name=proxy]', before: sidecar }, 'a removed item by name too');
});

test('named items only reordered are one change of the whole list; names shared or missing fall back to indexes; an odd name is quoted', () => {
  const a = { name: 'a', v: 1 };
  const b = { name: 'b', v: 1 };
  assert.deepEqual(fieldChanges({ list: [a, b] }, { list: [b, a] }), [{ path: 'list', before: [a, b], after: [b, a] }]);
  // A reorder beside another change is still the whole list: order matters (initContainers), and the digest holds it.
  const c = { name: 'c', v: 1 };
  assert.deepEqual(fieldChanges({ list: [a, b] }, { list: [c, b, a] }), [{ path: 'list', before: [a, b], after: [c, b, a] }]);
  assert.deepEqual(fieldChanges({ list: [a, b] }, { list: [{ ...b, v: 2 }, a] }), [{ path: 'list', before: [a, b], after: [{ ...b, v: 2 }, a] }]);
  // An item added between kept ones, or one removed, keeps their order: those are item changes.
  assert.deepEqual(fieldChanges({ list: [a, b] }, { list: [a, c, b] }).map((f) => f.path), ['list[name=c]']);
  assert.deepEqual(fieldChanges({ list: [a, c, b] }, { list: [a, b] }).map((f) => f.path), ['list[name=c]']);
  assert.deepEqual(fieldChanges({ mounts: [{ name: 'v', at: '/a' }, { name: 'v', at: '/b' }] }, { mounts: [{ name: 'v', at: '/a' }, { name: 'v', at: '/c' }] }).map((c) => c.path), ['mounts[1].at']);
  assert.deepEqual(fieldChanges({ list: [a, { v: 2 }] }, { list: [a, { v: 3 }] }).map((c) => c.path), ['list[1].v']);
  assert.deepEqual(fieldChanges({ list: [{ name: 'x]y z', v: 1 }] }, { list: [{ name: 'x]y z', v: 2 }] }).map((c) => c.path), ['list[name="x]y z"].v']);
});

test('a list of 80,000 named items (1.4 MB, under the API server\'s object limit) is diffed in linear time: the timeout is a bound, a quadratic match takes 17 s', { timeout: 10_000 }, () => {
  const before = { l: Array.from({ length: 80_000 }, (_, i) => ({ name: `n${i}` })) };
  const after = { l: [...before.l.slice(0, -1), { name: 'zz' }] };
  assert.deepEqual(fieldChanges(before, after).map((c) => c.path), ['l[name=n79999]', 'l[name=zz]']);
});
