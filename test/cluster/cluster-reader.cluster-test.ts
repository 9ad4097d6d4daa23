import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClusterReader } from '../../src/kube/cluster-reader.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import type { LiveState } from '../../src/live/live-state.ts';
import { cli } from '../support/cli.ts';
import { startSeededCluster, stopCluster, serves } from '../support/kube-test-cluster.ts';
import { exampleLiveState } from '../support/plan-fixture.ts';

let kubeconfig: string;
let client: KubeClient;
let live: LiveState;
const MESH = { name: 'fsm', namespace: 'fsm-system' };

before(async () => {
  ({ kubeconfig, client } = await startSeededCluster());
  live = await new ClusterReader(client).read(MESH);
});
after(() => stopCluster(kubeconfig));

test('reads the four FSM CRDs with their schemas intact', () => {
  assert.deepEqual(live.crds.map((c) => c.metadata.name).sort(), ['meshconfigs.config.flomesh.io', 'pluginchains.plugin.flomesh.io', 'pluginconfigs.plugin.flomesh.io', 'plugins.plugin.flomesh.io']);
  assert.match(JSON.stringify(live.crds), /x-kubernetes-preserve-unknown-fields/, 'extension keys keep their wire names');
});

test('reads the MeshConfig and the plugin objects as the snapshot has them', () => {
  const expected = exampleLiveState('staging');
  assert.deepEqual(live.meshConfig?.['spec'], expected.meshConfig?.['spec']);
  const names = (state: LiveState) => state.pluginObjects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
  assert.deepEqual(names(live), names(expected));
});

test('decodes the deployed Helm release', () => {
  assert.equal(live.helmRelease?.revision, 2);
  assert.equal(live.helmRelease?.chartVersion, '1.6.0');
  assert.deepEqual(live.helmRelease?.config, exampleLiveState('staging').helmRelease?.config);
});

test('reads monitored namespaces and only their workloads', () => {
  assert.deepEqual(live.namespaces.map((n) => n.metadata.name).sort(), ['bookinfo', 'payments']);
  const workloads = live.workloads.map((w) => `${w.kind} ${String(w.metadata['namespace'])}/${w.metadata.name}`).sort();
  assert.deepEqual(workloads, exampleLiveState('staging').workloads.map((w) => `${w.kind} ${String(w.metadata['namespace'])}/${w.metadata.name}`).sort());
});

test('plan --kubeconfig gives the same plan as the snapshot', async () => {
  const args = ['plan', '--repo', 'examples/gitops', '--env', 'staging', '--format', 'json'];
  const fromCluster = await cli([...args, '--kubeconfig', kubeconfig, ...serves()]);
  const fromSnapshot = await cli([...args, '--cluster', 'examples/cluster/staging.yaml']);
  assert.equal(fromCluster.code, 0, fromCluster.stderr);
  const strip = (text: string) => JSON.parse(text.replaceAll(/"liveSource": "[^"]*"/g, '"liveSource": ""')) as unknown;
  assert.deepEqual(strip(fromCluster.stdout), strip(fromSnapshot.stdout));
});

/** Resolves once `probe` holds (the API server applies a CRD change a moment after it answered); fails after 20 s. */
async function eventually(probe: () => Promise<boolean>, what: string): Promise<void> {
  for (const started = Date.now(); !(await probe()); await new Promise((resolve) => setTimeout(resolve, 100))) {
    if (Date.now() - started > 20_000) assert.fail(`still waiting for ${what}`);
  }
}

// The tests below change the CRDs: they come last.
test('a kind whose CRD stores another version than FSM\'s chart is read at that version', async () => {
  const path = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/plugins.plugin.flomesh.io';
  const crd = (await client.get(path, 'read CRD'))!;
  const versions = (crd['spec'] as { versions: { name: string; storage: boolean }[] }).versions;
  const stored = { ...structuredClone(versions[0]!), name: 'v1alpha2', storage: true };
  versions[0]!.storage = false;
  versions.push(stored);
  await client.request({ method: 'PUT', path, body: crd, what: 'add Plugin v1alpha2' });
  await eventually(async () => (await client.list('/apis/plugin.flomesh.io/v1alpha2/plugins', 'list Plugin v1alpha2').then(() => true, () => false)), 'Plugin v1alpha2 served');
  const after = await new ClusterReader(client).read(MESH);
  const plugins = after.pluginObjects.filter((o) => o.kind === 'Plugin');
  assert.deepEqual(plugins.map((o) => o.metadata.name).sort(), live.pluginObjects.filter((o) => o.kind === 'Plugin').map((o) => o.metadata.name).sort());
  assert.deepEqual([...new Set(plugins.map((o) => o.apiVersion))], ['plugin.flomesh.io/v1alpha2'], 'not the v1alpha1 answer listed ahead');
});

test('a kind whose CRD was removed has no objects, and the read no error', async () => {
  const path = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/pluginconfigs.plugin.flomesh.io';
  await client.request({ method: 'DELETE', path, what: 'delete the PluginConfig CRD' });
  await eventually(async () => (await client.get(path, 'read CRD')) === undefined, 'the PluginConfig CRD gone');
  const after = await new ClusterReader(client).read(MESH);
  assert.ok(!after.crds.some((c) => c.metadata.name === 'pluginconfigs.plugin.flomesh.io'));
  assert.equal(after.pluginObjects.filter((o) => o.kind === 'PluginConfig').length, 0);
  assert.ok(after.pluginObjects.some((o) => o.kind === 'PluginChain'), 'the other kinds are still read');
});
