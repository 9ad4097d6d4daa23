import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { provenUnchanged } from '../../src/plan/proven-unchanged.ts';

const SCHEMA: JsonObject = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        priority: { type: 'integer' },
        chains: { type: 'array', items: { type: 'object' } },
        ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object' } },
        selector: { type: 'object', 'x-kubernetes-map-type': 'atomic' },
      },
    },
  },
};
const V1 = 'plugin.flomesh.io/v1alpha1';
const applied = (spec: JsonObject, labels: JsonObject = { env: 'staging' }): KubeObject => ({ apiVersion: V1, kind: 'Plugin', metadata: { name: 'p', labels }, spec });
const entry = (fields: JsonObject, manager = 'fsm-gitops', operation = 'Apply', apiVersion = V1): JsonObject => ({ manager, operation, apiVersion, fieldsType: 'FieldsV1', fieldsV1: fields, time: '2026-11-30T10:00:00Z' });
const OWNED = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:env': {} }, 'f:annotations': { '.': {}, 'f:fsm-gitops.io/commit': {} } },
  'f:spec': { '.': {}, 'f:priority': {}, 'f:chains': {}, 'f:selector': {} },
};
const SPEC = { priority: 1, chains: [{ name: 'inbound' }], selector: { app: 'a' } };
function live(spec: JsonObject, managedFields: JsonObject[] = [entry(OWNED)], apiVersion = V1): KubeObject {
  return { apiVersion, kind: 'Plugin', metadata: { name: 'p', labels: { env: 'staging', other: 'x' }, annotations: { 'fsm-gitops.io/commit': 'c0ffee' }, managedFields, resourceVersion: '7' }, spec: { ...spec, defaulted: true } };
}

test('what fsm-gitops applied, as it is: proven unchanged (the commit annotation, others\' fields and server defaults aside)', () => {
  assert.equal(provenUnchanged(applied(SPEC), live(SPEC), SCHEMA), true);
  // A MeshConfig carries no labels of fsm-gitops: its metadata is only its name.
  const bare = { ...applied(SPEC), metadata: { name: 'p' } };
  const { 'f:metadata': _metadata, ...specOnly } = OWNED;
  const unlabelled = live(SPEC, [entry({ ...specOnly, 'f:metadata': { 'f:annotations': { '.': {}, 'f:fsm-gitops.io/commit': {} } } })]);
  assert.equal(provenUnchanged(bare, unlabelled, SCHEMA), true);
});

test('a value that differs from live is left to the dry run', () => {
  assert.equal(provenUnchanged(applied({ ...SPEC, priority: 2 }), live(SPEC), SCHEMA), false);
  assert.equal(provenUnchanged(applied({ ...SPEC, chains: [{ name: 'outbound' }] }), live(SPEC), SCHEMA), false, 'an atomic list compared whole');
  assert.equal(provenUnchanged(applied({ ...SPEC, selector: { app: 'a', tier: 'b' } }), live(SPEC), SCHEMA), false, 'an atomic map compared whole');
});

test('a field set anew, or one fsm-gitops owns and the repository dropped, is left to the dry run even where live has it', () => {
  const withOther = { ...SPEC, defaulted: true };
  assert.equal(provenUnchanged(applied(withOther), live(SPEC), SCHEMA), false, 'taking over a field fsm-gitops does not own');
  const { chains: _chains, ...fewer } = SPEC;
  assert.equal(provenUnchanged(applied(fewer), live(SPEC), SCHEMA), false, 'giving up spec.chains removes it');
  assert.equal(provenUnchanged(applied(SPEC, { env: 'staging', other: 'x' }), live(SPEC), SCHEMA), false, 'a label another manager set');
});

test('a field another manager took from fsm-gitops is left to the dry run, even with the same value', () => {
  const taken = { ...OWNED, 'f:spec': { '.': {}, 'f:chains': {}, 'f:selector': {} } };
  assert.equal(provenUnchanged(applied(SPEC), live(SPEC, [entry(taken), entry({ 'f:spec': { 'f:priority': {} } }, 'kubectl-edit', 'Update')]), SCHEMA), false);
});

test('no proof without fsm-gitops\'s one Apply entry at the same apiVersion, or without a live object', () => {
  assert.equal(provenUnchanged(applied(SPEC), undefined, SCHEMA), false);
  assert.equal(provenUnchanged(applied(SPEC), live(SPEC, []), SCHEMA), false);
  assert.equal(provenUnchanged(applied(SPEC), live(SPEC, [entry(OWNED, 'fsm-gitops', 'Update')]), SCHEMA), false, 'written by POST or PUT, not applied');
  assert.equal(provenUnchanged(applied(SPEC), live(SPEC, [entry(OWNED, 'fsm-gitops', 'Apply', 'plugin.flomesh.io/v1alpha2')]), SCHEMA), false);
  assert.equal(provenUnchanged(applied(SPEC), live(SPEC, [entry(OWNED), entry(OWNED, 'fsm-gitops', 'Apply', 'plugin.flomesh.io/v1alpha2')]), SCHEMA), false);
  assert.equal(provenUnchanged(applied(SPEC), live(SPEC, undefined, 'plugin.flomesh.io/v1alpha2'), SCHEMA), false);
});

test('lists keyed per item, nulls and metadata beyond labels and annotations are left to the dry run', () => {
  const ports = { ...SPEC, ports: [{ name: 'http', port: 80 }] };
  const owned = { ...OWNED, 'f:spec': { ...OWNED['f:spec'], 'f:ports': { 'k:{"name":"http"}': { '.': {}, 'f:name': {}, 'f:port': {} } } } };
  assert.equal(provenUnchanged(applied(ports), live(ports, [entry(owned)]), SCHEMA), false);
  assert.equal(provenUnchanged(applied({ ...SPEC, priority: null }), live(SPEC), SCHEMA), false);
  const finalizers = applied(SPEC);
  finalizers.metadata['finalizers'] = ['x'];
  assert.equal(provenUnchanged(finalizers, live(SPEC), SCHEMA), false);
});

test('the fields applied must be exactly the owned leaves: a whole map owned as one field, a field owned only as a map, the commit annotation', () => {
  const nested = { ...SPEC, limits: { cpu: '1' } };
  const asLeaf = { ...OWNED, 'f:spec': { ...OWNED['f:spec'], 'f:limits': {} } };
  assert.equal(provenUnchanged(applied(nested), live(nested, [entry(asLeaf)]), SCHEMA), false, 'spec.limits owned whole, applied field by field');
  const asMap = { ...OWNED, 'f:spec': { ...OWNED['f:spec'], 'f:limits': { '.': {}, 'f:cpu': {} } } };
  assert.equal(provenUnchanged(applied(nested), live(nested, [entry(asMap)]), SCHEMA), true);
  const deeper = { ...OWNED, 'f:spec': { ...OWNED['f:spec'], 'f:limits': { 'f:cpu': { 'f:x': {} } } } };
  assert.equal(provenUnchanged(applied(nested), live(nested, [entry(deeper)]), SCHEMA), false, 'a leaf applied where fsm-gitops owns fields below it');
  // The commit annotation is apply's own: a repository that sets it is left to the dry run.
  const stamped = applied(SPEC);
  stamped.metadata['annotations'] = { 'fsm-gitops.io/commit': 'c0ffee' };
  assert.equal(provenUnchanged(stamped, live(SPEC), SCHEMA), false);
  // Only a commit annotation owned as one field is set aside: owned as a map, its fields stay fsm-gitops's.
  const commitMap = { ...OWNED, 'f:metadata': { ...OWNED['f:metadata'], 'f:annotations': { 'f:fsm-gitops.io/commit': { 'f:x': {} } } } };
  assert.equal(provenUnchanged(applied(SPEC), live(SPEC, [entry(commitMap)]), SCHEMA), false);
  const noCommit = { ...OWNED, 'f:metadata': { 'f:labels': OWNED['f:metadata']['f:labels'] } };
  assert.equal(provenUnchanged(applied(SPEC), live(SPEC, [entry(noCommit)]), SCHEMA), true, 'an entry without the commit annotation');
});
