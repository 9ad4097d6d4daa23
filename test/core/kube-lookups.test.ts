/**
 * The quick lookups a plan makes for every object (labelOf, fsmKindOf) answer as the plain definitions
 * they replace: labelsOf(object)[key], and the first of FSM_KINDS of the object's kind and API group.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonValue } from '../../src/core/json.ts';
import { apiGroup, labelOf, labelsOf, type KubeObject } from '../../src/core/kube.ts';
import { FSM_KINDS, fsmKindOf } from '../../src/fsm/kinds.ts';
import { random } from '../support/generated-yaml.ts';

const KINDS = [...FSM_KINDS.map((k) => k.kind), 'Secret', 'Namespace', 'constructor', '__proto__', 'plugin', ''];
const API_VERSIONS = [...FSM_KINDS.flatMap((k) => [`${k.group}/${k.expectedVersion}`, `${k.group}/v9`, k.group]), 'v1', 'apps/v1', '/v1', 'plugin.flomesh.io', 'config.flomesh.io/'];
const KEYS = ['app.kubernetes.io/managed-by', 'fsm-gitops.io/environment', 'constructor', '__proto__', 'toString', 'x'];
const VALUES: JsonValue[] = ['fsm-gitops', 'bench', '', 1, true, null, ['a'], { a: 'b' }];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function generated(seed: number): KubeObject {
  const next = random(seed);
  const metadata: KubeObject['metadata'] = { name: `o${seed}` };
  const shape = next();
  if (shape < 0.1) metadata['labels'] = null;
  else if (shape < 0.2) metadata['labels'] = ['fsm-gitops'];
  else if (shape < 0.9) {
    const labels: Record<string, JsonValue> = {};
    for (let i = Math.floor(next() * 4); i > 0; i--) Object.defineProperty(labels, pick(next, KEYS), { value: pick(next, VALUES), enumerable: true, writable: true, configurable: true });
    metadata['labels'] = labels;
  }
  return { apiVersion: pick(next, API_VERSIONS), kind: pick(next, KINDS), metadata };
}

test('labelOf gives what labelsOf gives for the key, over 5,000 generated objects (odd keys, non-string values, no labels)', () => {
  for (let seed = 1; seed <= 5_000; seed++) {
    const object = generated(seed);
    for (const key of KEYS) assert.equal(labelOf(object, key), labelsOf(object)[key], `seed ${seed}, key ${key}: ${JSON.stringify(object)}`);
  }
});

test('fsmKindOf gives the FSM kind of the same kind and API group, over 5,000 generated objects', () => {
  for (let seed = 1; seed <= 5_000; seed++) {
    const object = generated(seed);
    const expected = FSM_KINDS.find((k) => k.kind === object.kind && k.group === apiGroup(object.apiVersion));
    assert.equal(fsmKindOf(object), expected, `seed ${seed}: ${object.apiVersion} ${object.kind}`);
  }
});
