import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../src/core/kube.ts';
import type { JsonObject } from '../../src/core/json.ts';
import { laterChanges, releaseChangedSince } from '../../src/apply/release-later-changes.ts';
import { FakeKube } from '../support/fake-kube.ts';

const UPGRADE_STARTED = Date.parse('2026-12-03T00:30:52Z');
const CONTROLLER: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'fsm-controller', namespace: 'fsm-system', labels: { app: 'fsm-controller' } },
  spec: { replicas: 1, template: { spec: { containers: [{ name: 'fsm-controller', image: 'flomesh/fsm-controller:1.5.1' }] } } },
};

/** The live object, with these managedFields entries (as the API server keeps them: managers, times in whole seconds, fieldsV1). */
function live(...entries: { manager: string; time: string; fieldsV1: JsonObject }[]): JsonObject {
  return { ...structuredClone(CONTROLLER), metadata: { ...CONTROLLER.metadata, managedFields: entries.map((e) => ({ ...e, operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1' })) } } as unknown as JsonObject;
}

test("another manager's later write of a field the manifest sets counts: kubectl patch of spec.replicas, a container's image by its key", () => {
  const changes = laterChanges(
    live(
      { manager: 'helm', time: '2026-12-03T00:30:52Z', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
      { manager: 'sre', time: '2026-12-03T00:30:53Z', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:sre-hotfix': {} } }, 'f:spec': { 'f:replicas': {} } } },
      { manager: 'kubectl-set', time: '2026-12-03T00:30:55Z', fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"fsm-controller"}': { '.': {}, 'f:image': {} } } } } } } },
    ),
    CONTROLLER,
    UPGRADE_STARTED,
  );
  assert.deepEqual(changes, [
    { manager: 'sre', fields: ['spec.replicas'] },
    { manager: 'kubectl-set', fields: ['spec.template.spec.containers[name=fsm-controller].image'] },
  ]);
});

test("helm's own writes, writes before the upgrade, and a controller's fields the manifest does not set do not count", () => {
  const changes = laterChanges(
    live(
      { manager: 'helm', time: '2026-12-03T00:31:00Z', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
      { manager: 'sre', time: '2026-12-03T00:30:51Z', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
      { manager: 'kube-controller-manager', time: '2026-12-03T00:31:00Z', fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:deployment.kubernetes.io/revision': {} } }, 'f:status': { 'f:replicas': {} } } },
      { manager: 'kubectl-label', time: '2026-12-03T00:31:00Z', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:team': {} } } } },
    ),
    CONTROLLER,
    UPGRADE_STARTED,
  );
  assert.deepEqual(changes, []);
});

test('a write in the second the upgrade started counts: managedFields times are whole seconds', () => {
  const changes = laterChanges(live({ manager: 'sre', time: '2026-12-03T00:30:52Z', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }), CONTROLLER, UPGRADE_STARTED + 900);
  assert.deepEqual(changes, [{ manager: 'sre', fields: ['spec.replicas'] }]);
});

test("a webhook's caBundle set by FSM's controller does not count when the chart leaves it out; its service does", () => {
  const webhook: KubeObject = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'fsm-webhook-fsm' },
    webhooks: [{ name: 'fsm-inject.k8s.io', clientConfig: { service: { name: 'fsm-injector', namespace: 'fsm-system' } } }],
  } as KubeObject;
  const managed = (fieldsV1: JsonObject) => ({ ...structuredClone(webhook), metadata: { ...webhook.metadata, managedFields: [{ manager: 'fsm-injector', operation: 'Update', time: '2026-12-03T00:31:00Z', fieldsV1 }] } }) as unknown as JsonObject;
  const caBundle = { 'f:webhooks': { 'k:{"name":"fsm-inject.k8s.io"}': { 'f:clientConfig': { 'f:caBundle': {} } } } };
  assert.deepEqual(laterChanges(managed(caBundle), webhook, UPGRADE_STARTED), []);
  const service = { 'f:webhooks': { 'k:{"name":"fsm-inject.k8s.io"}': { 'f:clientConfig': { 'f:service': { 'f:name': {} } } } } };
  assert.deepEqual(laterChanges(managed(service), webhook, UPGRADE_STARTED), [{ manager: 'fsm-injector', fields: ['webhooks[name=fsm-inject.k8s.io].clientConfig.service.name'] }]);
});

test('an object both revisions have that is gone was deleted since the upgrade (a rollback would create it again); one only the upgrade adds is not counted', async () => {
  const kube = new FakeKube();
  kube.seed('/apis/apps/v1', { kind: 'APIResourceList', resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true }] });
  const added: KubeObject = { ...CONTROLLER, metadata: { ...CONTROLLER.metadata, name: 'fsm-new' } };
  const lines = await releaseChangedSince(kube, [{ deployed: CONTROLLER, rendered: CONTROLLER }, { rendered: added }], 'fsm-system', UPGRADE_STARTED);
  assert.deepEqual(lines, ['Deployment fsm-system/fsm-controller: deleted since the upgrade started (both revisions have it)']);
});
