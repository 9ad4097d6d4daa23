import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RESTARTED_AT_ANNOTATION } from '../../src/apply/restart.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { cli, copyExampleRepo } from '../support/cli.ts';
import { FaultProxy } from '../support/fault-proxy.ts';
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

test('an apply whose rollback could not restore a restart-only MeshConfig change names the workloads to restart: the next plan cannot', async () => {
  const proxy = await FaultProxy.start(kubeconfig);
  const { repo: changed, cleanup: cleanupChanged } = await copyExampleRepo();
  try {
    const meshConfig = join(changed, 'clusters/staging/meshconfig.yaml');
    await writeFile(meshConfig, (await readFile(meshConfig, 'utf8')).replace('outboundPortExclusionList: [6379]', 'outboundPortExclusionList: [6379, 11211]'));
    const cors = join(changed, 'clusters/staging/plugins/cors.yaml');
    await writeFile(cors, (await readFile(cors, 'utf8')).replace('priority: 165', 'priority: 166'));
    const productpage = '/apis/apps/v1/namespaces/bookinfo/deployments/productpage';
    const restarted = await restartedAt(productpage);
    // The Plugin's write fails, and so does every write after the MeshConfig's: its rollback too.
    let meshConfigWrites = 0;
    proxy.fault = (request) => {
      if (request.method === 'GET' || request.url.includes('dryRun=')) return 'pass';
      if (request.url.includes('/meshconfigs/')) return ++meshConfigWrites === 1 ? 'pass' : 'reset';
      return request.url.includes('/apis/plugin.flomesh.io/') ? 'reset' : 'pass';
    };
    const run = await cli(['apply', '--repo', changed, '--env', 'staging', '--kubeconfig', proxy.kubeconfig, ...serves('staging', 'proxy'), '--yes', '--commit', 'restart-failed']);
    proxy.fault = () => 'pass';
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /Rollback incomplete/);
    assert.match(run.stderr, /The MeshConfig keeps its new spec\.traffic\.outboundPortExclusionList, read only when a sidecar is injected, and no workload was restarted: once the MeshConfig is as it should be, restart Deployment bookinfo\/details, Deployment bookinfo\/productpage, .* and 2 more \(kubectl rollout restart\)/);
    assert.equal(await restartedAt(productpage), restarted, 'nothing restarted after a failed apply');
  } finally {
    await cleanupChanged();
    await proxy.close();
  }
});
