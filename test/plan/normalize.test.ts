import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isObject, setOwn, type JsonObject, type JsonValue } from '../../src/core/json.ts';
import { random } from '../support/generated-yaml.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { COMMIT_ANNOTATION } from '../../src/core/ownership.ts';
import { loadEnvironment } from '../../src/desired/load-environment.ts';
import { MemoryRepo } from '../../src/desired/memory-repo.ts';
import { parseRepoConfig } from '../../src/config/repo-config.ts';
import { applySet } from '../../src/plan/apply-set.ts';
import { normalize } from '../../src/plan/normalize.ts';
import { planEnvironment } from '../../src/plan/plan.ts';
import { ENABLE_PLUGINS, pluginConfigYaml, pluginYaml } from '../support/manifests.ts';
import { CONFIG_FILE, exampleLiveState, STAGING_CONFIG } from '../support/plan-fixture.ts';

const LIVE: KubeObject = {
  apiVersion: 'plugin.flomesh.io/v1alpha1',
  kind: 'Plugin',
  metadata: {
    name: 'cors',
    uid: 'u-1',
    resourceVersion: '7',
    managedFields: [{ manager: 'fsm-gitops' }],
    labels: {},
    annotations: { [COMMIT_ANNOTATION]: 'abc', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
  },
  spec: { priority: 1, pipyscript: 'x' },
  status: { ready: true },
};

test('normalize leaves out status, server metadata, noise annotations and empty labels, keeping the key order, and leaves its input as it was', () => {
  const input = structuredClone(LIVE);
  const shown = normalize(input);
  assert.equal(JSON.stringify(shown), '{"apiVersion":"plugin.flomesh.io/v1alpha1","kind":"Plugin","metadata":{"name":"cors"},"spec":{"priority":1,"pipyscript":"x"}}');
  assert.deepEqual(input, LIVE);
  const annotated = structuredClone(LIVE);
  (annotated.metadata['annotations'] as JsonObject)['team'] = 'mesh';
  assert.deepEqual(normalize(annotated).metadata, { name: 'cors', annotations: { team: 'mesh' } });
  assert.equal(Object.keys(annotated.metadata['annotations'] as JsonObject).length, 3, 'the input keeps its annotations');
});

test('planning and the apply set leave the repository and the live state as they were', async () => {
  const repo = new MemoryRepo({ [CONFIG_FILE]: STAGING_CONFIG });
  repo.set('clusters/staging/meshconfig.yaml', ENABLE_PLUGINS);
  repo.set('clusters/staging/cors.yaml', pluginYaml('cors'));
  repo.set('clusters/staging/cfg.yaml', pluginConfigYaml('cfg', { config: 'token: t-1\nallowOrigins:\n  - exact: http://a' }));
  const environment = parseRepoConfig(CONFIG_FILE, (await repo.read(CONFIG_FILE))!).environments[0]!;
  const desired = await loadEnvironment(repo, environment);
  const live = exampleLiveState('staging', (objects) => [...objects, { ...structuredClone(LIVE), metadata: { ...structuredClone(LIVE.metadata), labels: { 'app.kubernetes.io/managed-by': 'fsm-gitops', 'fsm-gitops.io/environment': 'staging' } } }]);
  const [desiredBefore, liveBefore] = [structuredClone(desired.resources.map((r) => r.object)), structuredClone(live)];
  const set = applySet(desired, live);
  const plan = planEnvironment(desired, live);
  assert.ok(plan.changes.some((c) => c.action === 'update' && c.name === 'cors'));
  assert.ok(set.apply.every((o) => o.kind === 'MeshConfig' || (o.metadata['labels'] as JsonObject)['fsm-gitops.io/environment'] === 'staging'));
  assert.deepEqual(desired.resources.map((r) => r.object), desiredBefore);
  assert.deepEqual(live, liveBefore);
});

test('the live objects by key are indexed once per live state, and again once its plugin list is replaced or grown', async () => {
  const { liveObjectsByKey } = await import('../../src/plan/live-objects.ts');
  const live = exampleLiveState();
  const first = liveObjectsByKey(live);
  assert.equal(liveObjectsByKey(live), first);
  live.pluginObjects.push(structuredClone(LIVE));
  const grown = liveObjectsByKey(live);
  assert.notEqual(grown, first);
  assert.equal(grown.get('plugin.flomesh.io/Plugin//cors')?.metadata.name, 'cors');
  live.pluginObjects = [];
  assert.equal(liveObjectsByKey(live).has('plugin.flomesh.io/Plugin//cors'), false);
});

/** normalize as it was written first (copy, then delete): the reference the faster one must match. */
function normalizeByDeleting(object: KubeObject): JsonObject {
  const { status: _status, ...rest }: JsonObject = object;
  const metadata: JsonObject = { ...object.metadata };
  rest.metadata = metadata;
  for (const field of ['managedFields', 'resourceVersion', 'uid', 'generation', 'creationTimestamp', 'selfLink', 'deletionGracePeriodSeconds']) delete metadata[field];
  const annotations = metadata['annotations'];
  if (isObject(annotations)) {
    const kept: JsonObject = { ...annotations };
    for (const key of ['kubectl.kubernetes.io/last-applied-configuration', COMMIT_ANNOTATION]) delete kept[key];
    if (Object.keys(kept).length === 0) delete metadata['annotations'];
    else metadata['annotations'] = kept;
  }
  if (isObject(metadata['labels']) && Object.keys(metadata['labels']).length === 0) delete metadata['labels'];
  return rest;
}

/** An object with own keys `keys` (in that order, `__proto__` an own key too), each valued by `value`. */
function withKeys(keys: readonly string[], value: (key: string) => JsonValue): JsonObject {
  const object: JsonObject = {};
  for (const key of keys) setOwn(object, key, value(key));
  return object;
}

function shuffled<T>(next: () => number, items: readonly T[]): T[] {
  return items.filter(() => next() < 0.7).sort(() => next() - 0.5);
}

function generatedObject(seed: number): KubeObject {
  const next = random(seed);
  const mapOrNot = (keys: readonly string[]): JsonValue => (next() < 0.15 ? pickValue(next) : withKeys(shuffled(next, keys), () => pickValue(next)));
  const metadataKeys = ['name', 'namespace', 'labels', 'annotations', 'managedFields', 'resourceVersion', 'uid', 'generation', 'creationTimestamp', 'selfLink', 'deletionGracePeriodSeconds', 'finalizers', '__proto__', 'constructor'];
  const annotationKeys = ['kubectl.kubernetes.io/last-applied-configuration', COMMIT_ANNOTATION, 'a', '__proto__'];
  const metadata = withKeys(shuffled(next, metadataKeys), (key) =>
    key === 'name' ? 'x' : key === 'labels' ? mapOrNot(['app', '__proto__']) : key === 'annotations' ? mapOrNot(annotationKeys) : pickValue(next),
  );
  setOwn(metadata, 'name', 'x');
  return withKeys([...shuffled(next, ['apiVersion', 'kind', 'spec', 'status', '__proto__']), 'metadata'].sort(() => next() - 0.5), (key) =>
    key === 'metadata' ? metadata : key === 'apiVersion' ? 'v1' : key === 'kind' ? 'Plugin' : pickValue(next),
  ) as KubeObject;
}

function pickValue(next: () => number): JsonValue {
  const values: JsonValue[] = ['v', '', 0, true, null, [], {}, { k: 'v' }];
  return values[Math.floor(next() * values.length)]!;
}

test('normalize gives what copying then deleting gave, keys in the same order, over 5,000 generated objects (odd keys, empty and non-object labels and annotations)', () => {
  for (let seed = 1; seed <= 5_000; seed++) {
    const object = generatedObject(seed);
    const before = JSON.stringify(object);
    const expected = normalizeByDeleting(object);
    const actual = normalize(object);
    assert.equal(JSON.stringify(actual), JSON.stringify(expected), `seed ${seed}: ${before}`);
    assert.deepEqual(actual, expected, `seed ${seed}`);
    assert.equal(Object.getPrototypeOf(actual['metadata']), Object.prototype, `seed ${seed}: metadata is a plain object`);
    assert.equal(JSON.stringify(object), before, `seed ${seed}: the input is left as it was`);
  }
});
