/**
 * The example cluster as `npm run try-cluster` loads it (seedExampleCluster), on the real kube-apiserver 1.20 with
 * the real helm: its FSM release is FSM's real chart at the snapshot's revisions, so the example repository with
 * `chart: { upgrade: true }` plans the upgrade object by object and applies it. Before, the release was the
 * snapshot's Secret (no templates, no manifest): the plan said "the plan lists what the upgrade changes" and
 * listed nothing.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { HelmClient } from '../../src/helm/helm-client.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { cli, copyExampleRepo } from '../support/cli.ts';
import { FSM_RELEASE, seedExampleCluster } from '../support/fsm-chart-cluster.ts';
import { serves, startCluster, stopCluster } from '../support/kube-test-cluster.ts';

const CONTROLLER = '/apis/apps/v1/namespaces/fsm-system/deployments/fsm-controller';

let kubeconfig: string;
let client: KubeClient;
let helm: HelmClient;
let example: Awaited<ReturnType<typeof copyExampleRepo>>;

before(async () => {
  kubeconfig = startCluster();
  client = KubeClient.fromFile(kubeconfig);
  helm = await seedExampleCluster(client, 'staging');
  example = await copyExampleRepo();
  // As docs/getting-started.md says to try a chart upgrade there: no wait, since no kubelet runs the pods.
  const config = join(example.repo, '.github/fsm-gitops.yml');
  const text = await readFile(config, 'utf8');
  await writeFile(config, text.replace('    path: clusters/staging\n', '    path: clusters/staging\n    chart: { upgrade: true, wait: { timeoutSeconds: 0 } }\n'));
});
after(async () => {
  client.close();
  stopCluster(kubeconfig);
  await example.cleanup();
});

const args = (): string[] => ['--repo', example.repo, '--env', 'staging', '--kubeconfig', kubeconfig, ...serves(), '--no-color'];
const controllerReplicas = async (): Promise<unknown> => ((await client.get(CONTROLLER, 'read the controller'))?.['spec'] as { replicas?: unknown } | undefined)?.replicas;

test('the release is FSM\'s chart at the snapshot\'s revisions, and its objects are in the cluster', async () => {
  const revisions = (await helm.history(FSM_RELEASE)).map((r) => `${r.revision} ${r.status} ${r.chart}`);
  assert.deepEqual(revisions, ['1 superseded fsm-1.6.0', '2 deployed fsm-1.6.0']);
  assert.equal(await controllerReplicas(), 1);
});

test('a values change plans the upgrade object by object, and apply runs it', async () => {
  const plan = await cli(['plan', ...args()]);
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /~ Deployment fsm-system\/fsm-controller update {2}\(clusters\/staging\/values\.yaml\)\n {4}spec\.replicas: 1 → 2\n/);

  const applied = await cli(['apply', ...args(), '--yes', '--commit', 'try']);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /^Applied \d+ changes to staging \(the chart upgrade, with all the plan's chart changes, counts as one\)\.$/m);
  assert.equal(await controllerReplicas(), 2);
  assert.deepEqual((await helm.history(FSM_RELEASE)).map((r) => `${r.revision} ${r.status}`), ['1 superseded', '2 superseded', '3 deployed']);

  const next = await cli(['plan', ...args(), '--detailed-exitcode']);
  assert.equal(next.code, 0, next.stdout);
});
