import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ClusterReader } from '../../src/kube/cluster-reader.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import type { LiveState } from '../../src/live/live-state.ts';
import { cli } from '../support/cli.ts';
import { startSeededCluster, stopCluster, serves } from '../support/kube-test-cluster.ts';
import { exampleLiveState } from '../support/plan-fixture.ts';

let kubeconfig: string;
let live: LiveState;
const MESH = { name: 'fsm', namespace: 'fsm-system' };

before(async () => {
  let client: KubeClient;
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
