import assert from 'node:assert/strict';
import { test } from 'node:test';
import { meshConfigYaml, planFiles, withCode, exampleLiveState } from '../support/plan-fixture.ts';
import { ENABLE_PLUGINS, pluginYaml } from '../support/manifests.ts';
import { missingMeshConfig } from '../../src/live/live-gaps.ts';
import type { KubeObject } from '../../src/core/kube.ts';

test('a typo in a MeshConfig field is an unknown-field error at its line, with a suggestion', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  enableEgres: true') });
  const [finding] = withCode(plan.findings, 'schema-unknown-field');
  assert.deepEqual([finding?.file, finding?.line, finding?.path], ['clusters/staging/meshconfig.yaml', 8, 'spec.traffic.enableEgres']);
  assert.match(finding!.message, /did you mean "enableEgress"/);
});

test('a wrong type is an error at its line; the merged MeshConfig otherwise validates', async () => {
  const good = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  enableEgress: true') });
  assert.deepEqual(good.findings.filter((f) => f.code.startsWith('schema-')), []);
  const bad = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  enableEgress: "yes please"') });
  const [finding] = withCode(bad.findings, 'schema-type');
  assert.equal(finding?.line, 8);
});

test('a required field missing from the merged MeshConfig is reported at the file, naming the live object', async () => {
  const live = exampleLiveState('staging', (objects) => {
    const mc = objects.find((o) => o.kind === 'MeshConfig')!;
    delete (mc['spec'] as { connector?: unknown }).connector;
    return objects;
  });
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  enableEgress: true') }, { live });
  const [finding] = withCode(plan.findings, 'schema-required');
  assert.equal(finding?.file, 'clusters/staging/meshconfig.yaml');
  assert.match(finding!.message, /live MeshConfig/);
});

test('plugin kinds are validated against their CRDs', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS, 'p.yaml': pluginYaml('p', 'pipy()').replace('priority: 100', 'priority: high') });
  assert.ok(withCode(plan.findings, 'schema-type').some((f) => f.path === 'spec.priority'), JSON.stringify(plan.findings));
});

test('a version the cluster does not serve is schema-unavailable', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  enableEgress: true').replace('v1alpha3', 'v9') });
  const [finding] = withCode(plan.findings, 'schema-unavailable');
  assert.match(finding!.message, /does not serve version v9/);
});

test('a MeshConfig file with no MeshConfig in the mesh\'s namespace: one error that says FSM creates it and which setting to check, not the required fields it lacks', async () => {
  const live = exampleLiveState('staging', (objects) => objects.filter((o) => o.kind !== 'MeshConfig'));
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS }, { live });
  const [finding, ...more] = withCode(plan.findings, 'meshconfig-missing');
  assert.deepEqual(more, []);
  assert.equal(finding?.file, 'clusters/staging/meshconfig.yaml');
  assert.match(finding!.message, /holds no MeshConfig fsm-mesh-config in namespace fsm-system/);
  assert.deepEqual(withCode(plan.findings, 'schema-required'), []);
  assert.deepEqual(plan.changes.filter((c) => c.kind === 'MeshConfig'), [], 'fsm-gitops never creates a MeshConfig: no "create" beside the error');
  const withoutCrds = exampleLiveState('staging', (objects) => objects.filter((o) => o.kind !== 'MeshConfig' && o.kind !== 'CustomResourceDefinition'));
  const crdless = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS }, { live: withoutCrds });
  assert.ok(withCode(crdless.findings, 'schema-unavailable').some((f) => f.file === 'clusters/staging/meshconfig.yaml'), JSON.stringify(crdless.findings));
  assert.deepEqual(crdless.changes.filter((c) => c.kind === 'MeshConfig'), [], 'nor from a snapshot taken without the CRDs');
  // Only fsm-mesh-config is the mesh's (FSM reads no other): another MeshConfig beside it, or instead of it, is not taken for it.
  const copy = (o: KubeObject, name: string): KubeObject => ({ ...o, metadata: { ...o.metadata, name } });
  const beside = exampleLiveState('staging', (objects) => [...objects.filter((o) => o.kind === 'MeshConfig').map((o) => copy(o, 'a-backup')), ...objects]);
  assert.equal(beside.meshConfig?.metadata.name, 'fsm-mesh-config');
  const changed = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  enableEgress: false') }, { live: beside });
  assert.deepEqual(changed.changes.filter((c) => c.kind === 'MeshConfig').map((c) => [c.action, c.name]), [['update', 'fsm-mesh-config']]);
  const instead = exampleLiveState('staging', (objects) => objects.map((o) => (o.kind === 'MeshConfig' ? copy(o, 'backup') : o)));
  assert.equal(withCode((await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS }, { live: instead })).findings, 'meshconfig-missing').length, 1);
  const elsewhere = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS.replace('namespace: fsm-system', 'namespace: flomesh') }, { live });
  assert.equal(withCode(elsewhere.findings, 'meshconfig-missing').length, 1, 'also when the file is refused for its namespace');
  const present = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS });
  assert.deepEqual(withCode(present.findings, 'meshconfig-missing'), []);
});

test('from a cluster, a missing MeshConfig says so, and names a namespace that does not exist', () => {
  const live = { ...exampleLiveState('staging'), origin: 'cluster' as const, source: 'https://127.0.0.1:6443' };
  const message = missingMeshConfig(live, { name: 'fsm', namespace: 'flomesh' }, 'dev');
  assert.match(message, /^the cluster has no MeshConfig fsm-mesh-config in namespace flomesh \(there is no namespace flomesh\): FSM's bootstrap creates it/);
  assert.match(message, /set mesh\.namespace for environment dev in \.github\/fsm-gitops\.yml; else install FSM in flomesh first/);
  assert.doesNotMatch(missingMeshConfig(live, { name: 'fsm', namespace: 'fsm-system' }, 'dev'), /there is no namespace/);
});

test('a MeshConfig in an older apiVersion: one error at apiVersion naming the live fields it would drop, not one per field', async () => {
  const plan = await planFiles({ 'meshconfig.yaml': ENABLE_PLUGINS.replace('config.flomesh.io/v1alpha3', 'config.flomesh.io/v1alpha2') });
  const unknown = withCode(plan.findings, 'schema-unknown-field');
  assert.equal(unknown.length, 1, unknown.map((f) => f.path).join(', '));
  assert.equal(unknown[0]!.path, 'apiVersion');
  assert.match(unknown[0]!.message, /^apiVersion config\.flomesh\.io\/v1alpha2 is not the version the cluster stores MeshConfig in \(v1alpha3\), and lacks \d+ field\(s\) the live MeshConfig has \(spec\.[\w.]+, .* and \d+ more\): applying through it would drop them\. Use apiVersion config\.flomesh\.io\/v1alpha3$/);
  const typo = await planFiles({ 'meshconfig.yaml': meshConfigYaml('traffic:\n  enableEgres: true') });
  assert.equal(withCode(typo.findings, 'schema-unknown-field')[0]?.path, 'spec.traffic.enableEgres', 'the storage version keeps one finding per field');
});
