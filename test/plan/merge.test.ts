import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../src/core/json.ts';
import { applyOnto } from '../../src/plan/merge.ts';

test('mappings merge key by key; fields the repo does not mention stay', () => {
  const live = { spec: { traffic: { enableEgress: false, interceptionMode: 'PodLevel' }, sidecar: { logLevel: 'error' } } };
  const applied = { spec: { traffic: { enableEgress: true } } };
  assert.deepEqual(applyOnto(live, applied), {
    spec: { traffic: { enableEgress: true, interceptionMode: 'PodLevel' }, sidecar: { logLevel: 'error' } },
  });
});

test('lists are atomic unless the schema says list-type map', () => {
  const live = { spec: { ports: [1, 2, 3] } };
  assert.deepEqual(applyOnto(live, { spec: { ports: [9] } }), { spec: { ports: [9] } });
});

test('list-type map lists merge item by item on their keys', () => {
  const schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          items: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object' } },
        },
      },
    },
  };
  const live: JsonObject = { spec: { items: [{ name: 'a', v: 1, keep: true }, { name: 'b', v: 2 }] } };
  const applied = { spec: { items: [{ name: 'a', v: 10 }, { name: 'c', v: 3 }] } };
  assert.deepEqual(applyOnto(live, applied, schema), {
    spec: { items: [{ name: 'a', v: 10, keep: true }, { name: 'b', v: 2 }, { name: 'c', v: 3 }] },
  });
});

test('atomic maps are replaced whole', () => {
  const schema = { type: 'object', properties: { sel: { type: 'object', 'x-kubernetes-map-type': 'atomic' } } };
  assert.deepEqual(applyOnto({ sel: { a: '1', b: '2' } }, { sel: { c: '3' } }, schema), { sel: { c: '3' } });
});

test('does not modify its inputs', () => {
  const live = { spec: { a: { b: 1 } } };
  const applied = { spec: { a: { c: 2 } } };
  applyOnto(live, applied);
  assert.deepEqual(live, { spec: { a: { b: 1 } } });
  assert.deepEqual(applied, { spec: { a: { c: 2 } } });
});

test('a __proto__ key is kept as a field, not taken as the prototype', () => {
  const applied = JSON.parse('{"spec": {"__proto__": {"polluted": true}}}') as JsonObject;
  const merged = applyOnto({ spec: { a: 1 } }, applied);
  assert.deepEqual(Object.keys(merged['spec'] as object), ['a', '__proto__']);
  assert.equal(({} as { polluted?: boolean }).polluted, undefined);
});
