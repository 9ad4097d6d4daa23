import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { LiveStateError } from '../../src/live/live-state.ts';
import { liveStateFromObjects, parseSnapshot, SnapshotReader } from '../../src/live/snapshot.ts';
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

test("the output of kubectl version in a snapshot is the cluster's version (for helm template's --kube-version)", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-gitops-snapshot-'));
  try {
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata: { name: bookinfo }\n';
    const version = 'clientVersion:\n  gitVersion: v1.33.1\nkustomizeVersion: v5.6.0\nserverVersion:\n  gitVersion: v1.30.4-eks-a737599\n  platform: linux/amd64\n';
    const read = async (text: string) => {
      await writeFile(join(dir, 's.yaml'), text);
      return new SnapshotReader(join(dir, 's.yaml')).read({ name: 'fsm', namespace: 'fsm-system' });
    };
    const live = await read(`${namespace}---\n${version}`);
    assert.equal(live.kubeVersion, 'v1.30.4-eks-a737599');
    assert.deepEqual(live.namespaces.map((n) => n.metadata.name), ['bookinfo']);
    assert.equal((await read(namespace)).kubeVersion, undefined, 'without it helm uses its own default');
    // kubectl version -o json reads the same.
    assert.equal((await read(`${namespace}---\n{"serverVersion": {"gitVersion": "v1.29.0"}}\n`)).kubeVersion, 'v1.29.0');
    await assert.rejects(read(`${namespace}---\nserverVersion:\n  gitVersion: latest\n`), (e: unknown) => e instanceof LiveStateError && /s\.yaml: .*gitVersion "latest" is not a Kubernetes version/.test(e.message));
    await assert.rejects(read(`${version}---\n${version}`), (e: unknown) => e instanceof LiveStateError && /kubectl version twice/.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
