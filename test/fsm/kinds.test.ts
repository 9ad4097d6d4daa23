import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../src/core/json.ts';
import { FSM_KINDS } from '../../src/fsm/kinds.ts';
import { REFERENCE_INSTALL } from '../../src/fsm/reference-install.ts';
import { storageVersion } from '../../src/kube/crd-version.ts';

test('each FSM kind is expected at the version FSM\'s CRD stores it at, in the chart fsm-gitops knows', () => {
  for (const kind of FSM_KINDS) {
    const crd = REFERENCE_INSTALL.crds.find((c) => c.metadata.name === `${kind.plural}.${kind.group}`);
    assert.ok(crd, `the reference install has the ${kind.kind} CRD`);
    assert.equal(kind.expectedVersion, storageVersion(crd), kind.kind);
  }
});

test('a CRD\'s storage version is the one marked storage, else its first served one', () => {
  const crd = (versions: JsonObject[]) => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x' }, spec: { versions } });
  assert.equal(storageVersion(crd([{ name: 'v1alpha1', served: true, storage: false }, { name: 'v1alpha2', served: true, storage: true }])), 'v1alpha2');
  assert.equal(storageVersion(crd([{ name: 'v1alpha1', served: false }, { name: 'v1beta1' }])), 'v1beta1');
  assert.equal(storageVersion(crd([])), undefined);
});
