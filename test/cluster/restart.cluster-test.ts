import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RESTARTED_AT_ANNOTATION } from '../../src/apply/restart.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { cli, copyExampleRepo } from '../support/cli.ts';
import { startSeededCluster, stopCluster, serves } from '../support/kube-test-cluster.ts';

let kubeconfig: string;
let client: KubeClient;
let repo: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ kubeconfig, client } = await startSeededCluster());
  ({ repo, cleanup } = await copyExampleRepo());
  const configPath = join(repo, '.github/fsm-gitops.yml');
  const config = await readFile(configPath, 'utf8');
  await writeFile(configPath, config.replace('    approvals: 1\n', '    approvals: 1\n    restart: rollout\n'));
});
after(async () => {
  stopCluster(kubeconfig);
  await cleanup();
});

const restartedAt = async (path: string) => {
  const workload = await client.get(path, 'read workload');
  const annotations = ((workload?.['spec'] as { template: { metadata?: { annotations?: Record<string, string> } } }).template.metadata?.annotations) ?? {};
  return annotations[RESTARTED_AT_ANNOTATION];
};

test('restart: rollout restarts the meshed workloads after a restart-only change, and only those', async () => {
  const run = await cli(['apply', '--repo', repo, '--env', 'staging', '--kubeconfig', kubeconfig, ...serves(), '--yes', '--commit', 'restart-test']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /restarting Deployment bookinfo\/productpage/);
  assert.ok(await restartedAt('/apis/apps/v1/namespaces/bookinfo/deployments/productpage'));
  assert.ok(await restartedAt('/apis/apps/v1/namespaces/payments/statefulsets/ledger'));
  const unmonitored = (await client.list('/apis/apps/v1/namespaces/monitoring/deployments', 'list'))[0]!;
  assert.equal(await restartedAt(`/apis/apps/v1/namespaces/monitoring/deployments/${(unmonitored['metadata'] as { name: string }).name}`), undefined);
});
