import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonValue } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { ownersOf } from '../../src/plan/managed-fields.ts';
import { exampleLiveState, meshConfigYaml, planFiles, withCode } from '../support/plan-fixture.ts';

const managedFields: JsonValue[] = [
  { manager: 'fsm-bootstrap', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:sidecar': { 'f:logLevel': {} } } } },
  { manager: 'fsm-gitops', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:traffic': { 'f:outboundPortExclusionList': {} } } } },
  { manager: 'kubectl-patch', operation: 'Update', time: '2026-11-20T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:traffic': { 'f:enableEgress': {} } } } },
];

function liveWithManagers() {
  return exampleLiveState('staging', (objects) => {
    const meshConfig = objects.find((o) => o.kind === 'MeshConfig')!;
    meshConfig.metadata['managedFields'] = managedFields;
    (meshConfig['spec'] as { traffic: { enableEgress: boolean } }).traffic.enableEgress = false;
    return objects;
  });
}

test('owners are read from FieldsV1; an atomic list is owned whole', () => {
  const object = { apiVersion: 'v1', kind: 'X', metadata: { name: 'x', managedFields } } as unknown as KubeObject;
  assert.deepEqual(ownersOf(object, ['spec', 'traffic', 'enableEgress']).map((o) => o.manager), ['kubectl-patch']);
  assert.deepEqual(ownersOf(object, ['spec', 'traffic', 'outboundPortExclusionList', 0]).map((o) => o.manager), ['fsm-gitops']);
  assert.deepEqual(ownersOf(object, ['spec', 'certificate']), []);
});

test('a field the repository sets, changed since by another manager, is drift naming the manager', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  enableEgress: true') }, { live: liveWithManagers() });
  const [finding] = withCode(plan.findings, 'drift');
  assert.equal(finding?.path, 'spec.traffic.enableEgress');
  assert.equal(finding?.line, 8);
  assert.match(finding!.message, /changed in the cluster by kubectl-patch \(Update at 2026-11-20T10:00:00Z\): it is false there, true in the repository/);
});

test('no drift before fsm-gitops ever applied the object (the first apply takes over from fsm-bootstrap)', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('sidecar:\n  logLevel: debug') });
  assert.deepEqual(withCode(plan.findings, 'drift'), []);
});
