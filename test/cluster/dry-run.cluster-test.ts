import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { KubeObject } from '../../src/core/kube.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { serverSideApply } from '../../src/kube/fsm-objects.ts';
import { asManifest, seed, startCluster, stopCluster } from '../support/kube-test-cluster.ts';
import { exampleClusterObjects, meshConfigYaml } from '../support/plan-fixture.ts';
import { cli, copyExampleRepo } from '../support/cli.ts';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

let kubeconfig: string;
let client: KubeClient;
let repo: string;
let cleanup: () => Promise<void>;

before(async () => {
  kubeconfig = startCluster();
  client = KubeClient.fromFile(kubeconfig);
  const objects = exampleClusterObjects('staging');
  // The MeshConfig is created by fsm-gitops itself here, so it alone owns every field.
  await seed(client, objects.filter((o) => o.kind !== 'MeshConfig'));
  const meshConfig = asManifest(objects.find((o) => o.kind === 'MeshConfig')!);
  await serverSideApply(client, meshConfig as KubeObject, false);
  ({ repo, cleanup } = await copyExampleRepo());
});
after(async () => {
  stopCluster(kubeconfig);
  await cleanup();
});

async function plan(meshConfig: string) {
  await writeFile(join(repo, 'clusters/staging/meshconfig.yaml'), meshConfig);
  const run = await cli(['plan', '--repo', repo, '--env', 'staging', '--kubeconfig', kubeconfig, '--format', 'json']);
  return { code: run.code, stderr: run.stderr, plan: JSON.parse(run.stdout || '{"environments":[]}') as { environments: { changes: { kind: string; action: string; fields: { path: string }[] }[]; findings: { code: string; file: string; line: number; message: string }[] }[] } };
}

test('a field fsm-gitops alone owns, left out of the repository, is removed: a required one is refused by the server at the file', async () => {
  // The repository now sets only featureFlags: server-side apply would drop everything else fsm-gitops owned,
  // including the required spec.connector. Locally the partial spec merges onto the live object and looks fine.
  const { code, plan: result, stderr } = await plan(meshConfigYaml('featureFlags:\n  enablePluginPolicy: true'));
  assert.equal(code, 1, stderr);
  const finding = result.environments[0]!.findings.find((f) => f.code === 'schema-required');
  assert.ok(finding, JSON.stringify(result.environments[0]!.findings));
  assert.equal(finding.file, 'clusters/staging/meshconfig.yaml');
  assert.match(finding.message, /the API server refuses this \(dry run\): spec\.connector/);
});

test('with a live cluster the diff is the dry-run result, defaults included', async () => {
  const live = await client.get('/apis/config.flomesh.io/v1alpha3/namespaces/fsm-system/meshconfigs/fsm-mesh-config', 'read');
  const spec = structuredClone(live!['spec']) as Record<string, Record<string, unknown>>;
  spec['traffic']!['enableEgress'] = false;
  const manifest = { apiVersion: 'config.flomesh.io/v1alpha3', kind: 'MeshConfig', metadata: { name: 'fsm-mesh-config', namespace: 'fsm-system' }, spec };
  const { plan: result } = await plan(JSON.stringify(manifest));
  const change = result.environments[0]!.changes.find((c) => c.kind === 'MeshConfig')!;
  assert.equal(change.action, 'update');
  assert.deepEqual(change.fields.map((f) => f.path), ['spec.traffic.enableEgress']);
});
