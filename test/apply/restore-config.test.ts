import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../src/core/json.ts';
import type { KubeObject } from '../../src/core/kube.ts';
import { isRestored, restoreConfig } from '../../src/apply/restore-config.ts';

/**
 * A MeshConfig as the API server returns it: fsm-bootstrap made it (Update), kubectl patched a list, an
 * earlier fsm-gitops apply set the egress switch, the outbound exclusion list and its commit annotation.
 */
function before(): KubeObject {
  return {
    apiVersion: 'config.flomesh.io/v1alpha3',
    kind: 'MeshConfig',
    metadata: {
      name: 'fsm-mesh-config',
      namespace: 'fsm-system',
      uid: '9a4c0b7e-1f2d-4e58-9a41-3c2f1d0e5b6a',
      resourceVersion: '812',
      generation: 4,
      creationTimestamp: '2026-12-01T04:40:02Z',
      labels: { 'app.kubernetes.io/name': 'flomesh.io' },
      annotations: { 'fsm-gitops.io/commit': 'old', 'meta.helm.sh/release-name': 'fsm' },
      managedFields: [
        {
          manager: 'fsm-bootstrap',
          operation: 'Update',
          apiVersion: 'config.flomesh.io/v1alpha3',
          time: '2026-12-01T04:40:02Z',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': { 'f:annotations': { '.': {}, 'f:meta.helm.sh/release-name': {} }, 'f:labels': { '.': {}, 'f:app.kubernetes.io/name': {} } },
            'f:spec': {
              '.': {},
              'f:certificate': { '.': {}, 'f:serviceCertValidityDuration': {} },
              'f:sidecar': { '.': {}, 'f:enablePrivilegedInitContainer': {}, 'f:logLevel': {} },
              'f:traffic': { '.': {}, 'f:enablePermissiveTrafficPolicyMode': {} },
            },
          },
        },
        {
          manager: 'fsm-gitops',
          operation: 'Apply',
          apiVersion: 'config.flomesh.io/v1alpha3',
          time: '2026-12-01T04:47:36Z',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': { 'f:annotations': { 'f:fsm-gitops.io/commit': {} } },
            'f:spec': { 'f:traffic': { 'f:enableEgress': {}, 'f:outboundPortExclusionList': {} } },
          },
        },
        {
          manager: 'kubectl-patch',
          operation: 'Update',
          apiVersion: 'config.flomesh.io/v1alpha3',
          time: '2026-12-01T04:47:38Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:traffic': { 'f:inboundPortExclusionList': {} } } },
        },
      ],
    },
    spec: {
      certificate: { serviceCertValidityDuration: '24h' },
      sidecar: { enablePrivilegedInitContainer: false, logLevel: 'error' },
      traffic: { enableEgress: true, enablePermissiveTrafficPolicyMode: false, inboundPortExclusionList: [8080], outboundPortExclusionList: [] },
    },
    status: { observedGeneration: 4 },
  };
}

/** What this apply sent: it changes two fields others or we set before, takes over kubectl's list, and adds a field nobody had. */
const applied: KubeObject = {
  apiVersion: 'config.flomesh.io/v1alpha3',
  kind: 'MeshConfig',
  metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system', annotations: { 'fsm-gitops.io/commit': 'new' } },
  spec: {
    sidecar: { localProxyMode: 'PodIP' },
    traffic: { enableEgress: false, enablePermissiveTrafficPolicyMode: true, inboundPortExclusionList: [8080, 9090] },
  },
};

/** The object after our apply, as a server would leave it. */
function afterApply(): KubeObject {
  const object = before();
  const spec = object['spec'] as { sidecar: JsonObject; traffic: JsonObject };
  spec.sidecar['localProxyMode'] = 'PodIP';
  Object.assign(spec.traffic, { enableEgress: false, enablePermissiveTrafficPolicyMode: true, inboundPortExclusionList: [8080, 9090] });
  (object.metadata['annotations'] as JsonObject)['fsm-gitops.io/commit'] = 'new';
  object.metadata['resourceVersion'] = '815';
  return object;
}

test('the restore configuration holds before\'s values where our apply set an existing field or fsm-gitops owned one, and nothing else', () => {
  assert.deepEqual(restoreConfig(before(), applied), {
    apiVersion: 'config.flomesh.io/v1alpha3',
    kind: 'MeshConfig',
    metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system', annotations: { 'fsm-gitops.io/commit': 'old' } },
    spec: {
      traffic: {
        enableEgress: true, // set by our apply, existed (and ours before)
        enablePermissiveTrafficPolicyMode: false, // set by our apply, existed (fsm-bootstrap's)
        inboundPortExclusionList: [8080], // set by our apply, existed (kubectl's): a list is a leaf
        outboundPortExclusionList: [], // not in this apply, but fsm-gitops owned it: applying without it would remove it
      },
    },
  });
});

test('fields only our apply added are left out (so server-side apply removes them), and fields others own that we never touched too', () => {
  const config = restoreConfig(before(), applied);
  const spec = config['spec'] as JsonObject;
  assert.equal(spec['sidecar'], undefined, 'neither localProxyMode (only ours) nor logLevel (fsm-bootstrap\'s, untouched)');
  assert.equal(spec['certificate'], undefined);
  assert.equal(config.metadata['labels'], undefined);
  for (const server of ['resourceVersion', 'uid', 'managedFields', 'generation', 'creationTimestamp']) assert.equal(config.metadata[server], undefined, server);
  assert.equal(config['status'], undefined);
});

test('restoreConfig copies values: changing the configuration does not change before', () => {
  const original = before();
  const config = restoreConfig(original, applied);
  ((config['spec'] as { traffic: { inboundPortExclusionList: number[] } }).traffic.inboundPortExclusionList).push(1);
  assert.deepEqual((original['spec'] as { traffic: JsonObject }).traffic['inboundPortExclusionList'], [8080]);
});

test('isRestored: true when the object holds before\'s values wherever a restore sets them and none of the fields only we added', () => {
  const restored = before();
  restored.metadata['resourceVersion'] = '820';
  assert.equal(isRestored(restored, before(), applied), true);
  // Someone else's later change to a field our apply never touched does not matter.
  ((restored['spec'] as { sidecar: JsonObject }).sidecar)['logLevel'] = 'debug';
  assert.equal(isRestored(restored, before(), applied), true);
});

test('isRestored: false while our apply\'s values, or a field only it added, are still there', () => {
  assert.equal(isRestored(afterApply(), before(), applied), false);

  const addedLeft = before();
  ((addedLeft['spec'] as { sidecar: JsonObject }).sidecar)['localProxyMode'] = 'PodIP';
  assert.equal(isRestored(addedLeft, before(), applied), false, 'a field only our apply added');

  const valueLeft = before();
  ((valueLeft['spec'] as { traffic: JsonObject }).traffic)['enablePermissiveTrafficPolicyMode'] = true;
  assert.equal(isRestored(valueLeft, before(), applied), false, 'our value at a field that existed');

  const commitLeft = before();
  (commitLeft.metadata['annotations'] as JsonObject)['fsm-gitops.io/commit'] = 'new';
  assert.equal(isRestored(commitLeft, before(), applied), false, 'our commit annotation');

  const ownedLost = before();
  delete ((ownedLost['spec'] as { traffic: JsonObject }).traffic)['outboundPortExclusionList'];
  assert.equal(isRestored(ownedLost, before(), applied), false, 'a field fsm-gitops owned before, gone');
});

test("an empty set left of a map whose fields others took (fsm-gitops's certificate: {} after a kubectl edit) restores none of the fields others own there", () => {
  const object = before();
  const fsmGitops = (object.metadata['managedFields'] as JsonObject[])[1]!;
  ((fsmGitops['fieldsV1'] as JsonObject)['f:spec'] as JsonObject)['f:certificate'] = {};
  const spec = restoreConfig(object, applied)['spec'] as JsonObject;
  assert.equal(spec['certificate'], undefined, "serviceCertValidityDuration is fsm-bootstrap's: taking it would let a later apply remove it");
});
