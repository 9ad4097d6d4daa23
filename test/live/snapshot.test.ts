import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LiveStateError } from '../../src/live/live-state.ts';
import { liveStateFromObjects, parseSnapshot } from '../../src/live/snapshot.ts';
import { exampleClusterObjects, exampleLiveState } from '../support/plan-fixture.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

test('reads the example snapshot into the parts a plan needs', () => {
  const live = exampleLiveState('staging');
  assert.deepEqual(live.crds.map((c) => c.metadata.name).sort(), ['meshconfigs.config.flomesh.io', 'pluginchains.plugin.flomesh.io', 'pluginconfigs.plugin.flomesh.io', 'plugins.plugin.flomesh.io']);
  assert.equal(live.meshConfig?.metadata.name, 'fsm-mesh-config');
  assert.equal(live.helmRelease?.chartVersion, '1.6.0');
  assert.equal(live.helmRelease?.revision, 2, 'the deployed revision, not the superseded one');
  assert.ok(live.pluginObjects.some((o) => o.metadata.name === 'team-authz'));
  assert.ok(live.workloads.length > 0);
  assert.ok(live.workloads.every((w) => w.metadata['namespace'] !== 'monitoring'), 'only workloads in monitored namespaces');
});

test('a v1 List (kubectl get -o yaml of several kinds) is read item by item', () => {
  const list = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Namespace
    metadata: { name: bookinfo, labels: { flomesh.io/monitored-by: fsm } }
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web, namespace: bookinfo }
`;
  const live = liveStateFromObjects('list.yaml', parseSnapshot('list.yaml', bytes(list)), { name: 'fsm', namespace: 'fsm-system' });
  assert.deepEqual(live.workloads.map((w) => w.metadata.name), ['web']);
  assert.equal(live.meshConfig, undefined);
});

test('only the mesh namespace counts for the MeshConfig and the Helm release', () => {
  const objects = exampleClusterObjects('staging');
  const live = liveStateFromObjects('x', objects, { name: 'fsm', namespace: 'other-ns' });
  assert.equal(live.meshConfig, undefined);
  assert.equal(live.helmRelease, undefined);
});

test('a snapshot that is not Kubernetes objects, or not YAML, is a LiveStateError naming the file', () => {
  assert.throws(() => parseSnapshot('s.yaml', bytes('- 1\n- 2\n')), (e: unknown) => e instanceof LiveStateError && /s\.yaml/.test(e.message));
  assert.throws(() => parseSnapshot('s.yaml', bytes('a: [\n')), (e: unknown) => e instanceof LiveStateError && /s\.yaml:\d+:\d+/.test(e.message));
});
