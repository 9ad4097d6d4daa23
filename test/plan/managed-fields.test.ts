import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonValue } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { managerEntry, ownersOf, wroteSince } from '../../src/plan/managed-fields.ts';

const managedFields: JsonValue[] = [
  { manager: 'fsm-gitops', operation: 'Apply', time: '2026-12-01T04:47:36Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { '.': {}, 'f:traffic': { '.': {}, 'f:outboundPortExclusionList': {} }, 'f:selectors': { 'f:podSelector': {} } } } },
  { manager: 'kubectl-patch', operation: 'Update', time: '2026-12-01T04:47:38Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:traffic': { 'f:enableEgress': {} }, 'f:sidecar': { '.': {} } } } },
];
const object = { apiVersion: 'v1', kind: 'X', metadata: { name: 'x', managedFields } } as unknown as KubeObject;
const managers = (path: (string | number)[]) => ownersOf(object, path).map((o) => o.manager);

test('owners are read from FieldsV1; a list or atomic map recorded as {} is owned whole', () => {
  assert.deepEqual(managers(['spec', 'traffic', 'enableEgress']), ['kubectl-patch']);
  assert.deepEqual(managers(['spec', 'traffic', 'outboundPortExclusionList', 0]), ['fsm-gitops']);
  assert.deepEqual(managers(['spec', 'selectors', 'podSelector', 'matchLabels', 'app']), ['fsm-gitops']);
  assert.deepEqual(managers(['spec', 'certificate']), []);
});

test('"." records only that a map exists: it owns none of its fields', () => {
  assert.deepEqual(managers(['spec', 'sidecar', 'logLevel']), []);
  assert.deepEqual(managers(['spec', 'traffic', 'interceptionMode']), []);
});

test('an empty set left of a granular map whose fields others took owns nothing there (kube-apiserver 1.20, after a kubectl edit)', () => {
  // What the API server recorded after fsm-gitops applied featureFlags.enablePluginPolicy and kubectl edit changed it.
  const edited = { ...object, metadata: { name: 'x', managedFields: [
    { manager: 'fsm-gitops', operation: 'Apply', time: '2026-12-03T03:49:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:featureFlags': {}, 'f:traffic': { '.': {}, 'f:enableEgress': {} } } } },
    { manager: 'fsm-bootstrap', operation: 'Update', time: '2026-12-03T03:49:04Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:featureFlags': { '.': {}, 'f:enableEgressPolicy': {} } } } },
    { manager: 'kubectl-edit', operation: 'Update', time: '2026-12-03T03:49:06Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:featureFlags': { 'f:enablePluginPolicy': {} } } } },
  ] } } as unknown as KubeObject;
  assert.deepEqual(ownersOf(edited, ['spec', 'featureFlags', 'enablePluginPolicy']).map((o) => o.manager), ['kubectl-edit']);
  assert.deepEqual(ownersOf(edited, ['spec', 'featureFlags', 'enableEgressPolicy']).map((o) => o.manager), ['fsm-bootstrap']);
  assert.deepEqual(ownersOf(edited, ['spec', 'traffic', 'enableEgress']).map((o) => o.manager), ['fsm-gitops']);
});

test('a manager\'s entry carries its last write time', () => {
  assert.equal(managerEntry(object, 'fsm-gitops')?.time, '2026-12-01T04:47:36Z');
  assert.equal(managerEntry(object, 'fsm-bootstrap'), undefined);
});

test('wroteSince: after the apply, or in its second unless that is the creation second', () => {
  const at = (time: string) => ({ manager: 'm', operation: 'Update', time });
  const applied = at('2026-12-01T04:47:36Z');
  assert.equal(wroteSince(at('2026-12-01T04:47:37Z'), applied, '2026-12-01T04:47:36Z'), true);
  assert.equal(wroteSince(at('2026-12-01T04:47:35Z'), applied, '2026-12-01T04:00:00Z'), false);
  assert.equal(wroteSince(at('2026-12-01T04:47:36Z'), applied, '2026-12-01T04:00:00Z'), true);
  assert.equal(wroteSince(at('2026-12-01T04:47:36Z'), applied, '2026-12-01T04:47:36Z'), false);
});
