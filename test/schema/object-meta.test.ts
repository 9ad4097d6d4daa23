/** metadata checked as kube-apiserver checks a custom resource's ObjectMeta (ValidateObjectMetaAccessor, ValidateLabels, ValidateAnnotations, ...). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateObjectMeta } from '../../src/schema/object-meta.ts';

const found = (metadata: unknown) => validateObjectMeta(metadata).map((v) => [v.code, v.severity, v.path.join('.')]);

describe('validateObjectMeta: the ObjectMeta schema', () => {
  it('accepts what a manifest may hold', () => {
    const metadata = {
      name: 'cors',
      namespace: 'bookinfo',
      labels: { app: 'x', 'app.kubernetes.io/name': 'My_App.v1', empty: '' },
      annotations: { 'Example.COM/Note': 'any text, even long: ✓', note: '' },
      finalizers: ['example.com/cleanup'],
      creationTimestamp: null,
    };
    assert.deepEqual(found(metadata), []);
  });

  it('reports a typo under metadata as an unknown field, with a suggestion', () => {
    const [violation] = validateObjectMeta({ name: 'x', lables: { a: 'b' } });
    assert.deepEqual([violation?.code, violation?.path], ['schema-unknown-field', ['metadata', 'lables']]);
    assert.match(violation!.message, /did you mean "labels"/);
    assert.deepEqual(found({ name: 'x', Labels: {} }).map((v) => v[0]), ['schema-unknown-field'], 'field names are case-sensitive, as the API server decodes them');
  });

  it('reports a label value YAML reads as a number or a boolean, and says to quote it', () => {
    const [violation] = validateObjectMeta({ name: 'x', labels: { version: 1, canary: true } });
    assert.deepEqual(found({ name: 'x', labels: { version: 1, canary: true } }), [
      ['schema-type', 'error', 'metadata.labels.version'],
      ['schema-type', 'error', 'metadata.labels.canary'],
    ]);
    assert.match(violation!.message, /expected string, got integer 1: quote the value/);
  });

  it('reports wrong shapes: labels as a list, finalizers as a string', () => {
    assert.deepEqual(found({ name: 'x', labels: ['a'], finalizers: 'x' }), [
      ['schema-type', 'error', 'metadata.labels'],
      ['schema-type', 'error', 'metadata.finalizers'],
    ]);
  });
});

describe('validateObjectMeta: labels (ValidateLabels)', () => {
  it('keys are qualified names: an optional DNS subdomain prefix, one "/", a name of 1-63 characters', () => {
    const labels = {
      'bad key': 'v',
      'Example.com/x': 'v', // the prefix must be lowercase
      'a/b/c': 'v',
      '/x': 'v',
      'example.com/': 'v',
      [`${'n'.repeat(64)}`]: 'v',
      [`${'p'.repeat(254)}/x`]: 'v',
      [`${'n'.repeat(63)}`]: 'v',
      [`${'p'.repeat(63)}.${'q'.repeat(63)}/x`]: 'v',
    };
    assert.deepEqual(
      found({ name: 'x', labels }).map((v) => v[2]),
      ['bad key', 'Example.com/x', 'a/b/c', '/x', 'example.com/', 'n'.repeat(64), `${'p'.repeat(254)}/x`].map((k) => `metadata.labels.${k}`),
    );
  });

  it('values are empty or at most 63 characters, starting and ending with a letter or digit', () => {
    const labels = { a: '-x', b: 'x_', c: 'v'.repeat(64), d: 'ok.v-1_2', e: '', f: 'v'.repeat(63), g: 'has space' };
    assert.deepEqual(found({ name: 'x', labels }).map((v) => v[2]), ['metadata.labels.a', 'metadata.labels.b', 'metadata.labels.c', 'metadata.labels.g']);
    assert.match(validateObjectMeta({ name: 'x', labels: { c: 'v'.repeat(64) } })[0]!.message, /no more than 63 characters/);
  });
});

describe('validateObjectMeta: annotations (ValidateAnnotations)', () => {
  it('keys are qualified names in any case; values are free', () => {
    assert.deepEqual(found({ name: 'x', annotations: { 'EXAMPLE.COM/Key': 'x', 'key with space': 'x', 'a/b/c': 'x', note: '{"json": [1, 2]}\n' } }), [
      ['metadata-invalid', 'error', 'metadata.annotations.key with space'],
      ['metadata-invalid', 'error', 'metadata.annotations.a/b/c'],
    ]);
  });

  it('keys and values together may take at most 256 KiB (in bytes)', () => {
    const atLimit = { a: 'x'.repeat(256 * 1024 - 1) };
    assert.deepEqual(found({ name: 'x', annotations: atLimit }), []);
    const over = { a: 'é'.repeat(128 * 1024) }; // 128 Ki characters, 256 KiB + 1 byte with the key
    const [violation] = validateObjectMeta({ name: 'x', annotations: over });
    assert.deepEqual([violation?.code, violation?.path.join('.')], ['metadata-invalid', 'metadata.annotations']);
    assert.match(violation!.message, /262,145 bytes.*262,144/);
  });
});

describe('validateObjectMeta: generateName, finalizers, ownerReferences', () => {
  it('generateName is a DNS subdomain that may end in "-"', () => {
    assert.deepEqual(found({ name: 'x', generateName: 'cors-' }), []);
    assert.deepEqual(found({ name: 'x', generateName: 'Cors-' }), [['metadata-invalid', 'error', 'metadata.generateName']]);
  });

  it('finalizers are qualified names, and orphan and foregroundDeletion exclude each other', () => {
    assert.deepEqual(found({ name: 'x', finalizers: ['example.com/ok', 'a/b/c', 'orphan', 'foregroundDeletion'] }), [
      ['metadata-invalid', 'error', 'metadata.finalizers.1'],
      ['metadata-invalid', 'error', 'metadata.finalizers'],
    ]);
  });

  it('owner references need a version, kind, name and uid, never an Event, and at most one controller; holding one at all is a warning', () => {
    const ownerReferences = [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'a', uid: 'u1', controller: true },
      { apiVersion: 'a/b/c', kind: '', name: 'b', uid: 'u2', controller: true },
      { apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u3' },
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'c' },
    ];
    assert.deepEqual(found({ name: 'x', ownerReferences }), [
      ['schema-required', 'error', 'metadata.ownerReferences.3.uid'],
      ['metadata-invalid', 'error', 'metadata.ownerReferences.1.apiVersion'],
      ['metadata-invalid', 'error', 'metadata.ownerReferences.1.kind'],
      ['metadata-invalid', 'error', 'metadata.ownerReferences.1.controller'],
      ['metadata-invalid', 'error', 'metadata.ownerReferences.2'],
      ['metadata-server-field', 'warning', 'metadata.ownerReferences'],
    ]);
  });
});

describe('validateObjectMeta: fields the cluster sets', () => {
  it('are errors when the API server would refuse the apply, warnings when it ignores them', () => {
    const copied = {
      name: 'x',
      uid: '6a1e0d0e-2c3b-4a51-9b1a-0c9d1f1b2a3c',
      resourceVersion: '81723',
      generation: 4,
      creationTimestamp: '2026-11-30T10:00:00Z',
      selfLink: '/apis/plugin.flomesh.io/v1alpha1/plugins/x',
      managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'plugin.flomesh.io/v1alpha1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
      deletionTimestamp: '2026-11-30T11:00:00Z',
      deletionGracePeriodSeconds: 0,
    };
    const severities = {
      uid: 'error',
      resourceVersion: 'error',
      generation: 'warning',
      creationTimestamp: 'warning',
      selfLink: 'warning',
      managedFields: 'error',
      deletionTimestamp: 'error',
      deletionGracePeriodSeconds: 'error',
    };
    assert.deepEqual(found(copied), Object.entries(severities).map(([field, severity]) => ['metadata-server-field', severity, `metadata.${field}`]));
  });

  it('creationTimestamp: null, as `kubectl create --dry-run -o yaml` writes it, is not a field set', () => {
    assert.deepEqual(found({ name: 'x', creationTimestamp: null }), []);
  });
});
