import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dump } from 'js-yaml';
import type { KubeObject } from '../../src/core/kube.ts';
import { liveStateFromObjects } from '../../src/live/snapshot.ts';
import { cli } from '../support/cli.ts';
import { ENABLE_PLUGINS } from '../support/manifests.ts';
import { exampleClusterObjects, planFiles, withCode } from '../support/plan-fixture.ts';

const MESH = { name: 'fsm', namespace: 'fsm-system' };
const withoutCrds = (objects: KubeObject[]) => objects.filter((o) => o.kind !== 'CustomResourceDefinition');
const withoutRelease = (objects: KubeObject[]) => objects.filter((o) => o.kind !== 'Secret');
const VALUES = 'fsm:\n  fsmController:\n    replicaCount: 2\n';

test('a snapshot without the CRDs: the snapshot lacks them, and the command that takes a complete one', async () => {
  const live = liveStateFromObjects('snap.yaml', withoutCrds(exampleClusterObjects()), MESH);
  const [finding] = withCode((await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS }, { live })).findings, 'schema-unavailable');
  assert.match(finding!.message, /^the snapshot snap\.yaml holds no CustomResourceDefinition for MeshConfig \(config\.flomesh\.io\): it was taken without FSM's CRDs/);
  assert.match(finding!.message, /kubectl get crd,meshconfigs,plugins,pluginchains,pluginconfigs,.* -A -o yaml --show-managed-fields; echo ---; kubectl get secrets -n fsm-system -l owner=helm,name=fsm -o yaml; echo ---; kubectl version -o yaml; \} > snapshot\.yaml/);
  assert.doesNotMatch(finding!.message, /the cluster|FSM installed/);
});

test('a snapshot without the Helm release Secret: the snapshot lacks it, not the cluster', async () => {
  const live = liveStateFromObjects('snap.yaml', withoutRelease(exampleClusterObjects()), MESH);
  const [finding] = withCode((await planFiles({ 'values.yaml': VALUES }, { live })).findings, 'schema-unavailable');
  assert.match(finding!.message, /the snapshot snap\.yaml holds no Helm release Secret of "fsm" in fsm-system.*take the snapshot again with: .*kubectl get secrets -n fsm-system -l owner=helm,name=fsm/);
  assert.doesNotMatch(finding!.message, /in the cluster/);
});

test('read from an API server, the same gaps are the cluster\'s', async () => {
  const crds = liveStateFromObjects('https://k8s.example', withoutCrds(exampleClusterObjects()), MESH, 'cluster');
  const [crd] = withCode((await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS }, { live: crds })).findings, 'schema-unavailable');
  assert.match(crd!.message, /^the cluster has no CustomResourceDefinition for MeshConfig.*is FSM installed/);
  const release = liveStateFromObjects('https://k8s.example', withoutRelease(exampleClusterObjects()), MESH, 'cluster');
  const [values] = withCode((await planFiles({ 'values.yaml': VALUES }, { live: release })).findings, 'schema-unavailable');
  assert.match(values!.message, /no deployed FSM Helm release "fsm" was found in fsm-system \(https:\/\/k8s\.example\)/);
  assert.doesNotMatch(values!.message, /snapshot/);
});

test('fsm-gitops plan --cluster with an incomplete snapshot says so', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-gitops-snapshot-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'partial.yaml');
  await writeFile(file, withoutRelease(withoutCrds(exampleClusterObjects())).map((o) => dump(o)).join('---\n'));
  const run = await cli(['plan', '--repo', 'examples/gitops', '--env', 'staging', '--cluster', file]);
  assert.equal(run.code, 1);
  assert.match(run.stdout, /the snapshot .*partial\.yaml holds no CustomResourceDefinition for MeshConfig/);
  assert.match(run.stdout, /the snapshot .*partial\.yaml holds no Helm release Secret of "fsm"/);
  assert.doesNotMatch(run.stdout, /FSM installed|found in the cluster/);
});
