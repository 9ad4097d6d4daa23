/**
 * A chart version is pulled once, by the plan: apply installs the archive the plan rendered (its SHA-256 in the
 * plan), not what the repository serves by then. Against the real kube-apiserver, the real helm and FSM's real
 * charts, served by a loopback Helm repository that swaps fsm-1.6.0.tgz for other bytes between plan and apply.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FolderRepo } from '../../src/desired/folder-repo.ts';
import type { HelmClient } from '../../src/helm/helm-client.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { applyEnvironment } from '../../src/workflow/apply-environment.ts';
import { FSM_RELEASE, installFsm, serveFsmCharts, type ChartRepository } from '../support/fsm-chart-cluster.ts';
import { fsmChart } from '../support/helm-charts.ts';
import { startCluster, stopCluster } from '../support/kube-test-cluster.ts';

const RELEASE = FSM_RELEASE;

let kubeconfig: string;
let client: KubeClient;
let helm: HelmClient;
let charts: ChartRepository;
let repo: string;
let stateDir: string;

before(async () => {
  kubeconfig = startCluster();
  client = KubeClient.fromFile(kubeconfig);
  helm = await installFsm(client);
  charts = await serveFsmCharts();
  repo = await mkdtemp(join(tmpdir(), 'fsm-gitops-pinned-'));
  stateDir = await mkdtemp(join(tmpdir(), 'fsm-gitops-state-'));
  process.env['FSM_GITOPS_STATE_DIR'] = stateDir;
  process.env['FSM_GITOPS_HELM_SERVER_SIDE'] = 'false';
  await mkdir(join(repo, '.github'));
  await mkdir(join(repo, 'clusters/staging'), { recursive: true });
  const repository = charts.url;
  await writeFile(join(repo, '.github/fsm-gitops.yml'), `environments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n    mesh: { name: fsm, namespace: fsm-system }\n    namespaces: [bookinfo]\n    chart: { upgrade: true, repository: "${repository}", version: 1.6.0, wait: { timeoutSeconds: 0 } }\n`);
  await writeFile(join(repo, 'clusters/staging/values.yaml'), 'fsm: {}\n');
});
after(async () => {
  delete process.env['FSM_GITOPS_STATE_DIR'];
  delete process.env['FSM_GITOPS_HELM_SERVER_SIDE'];
  charts.close();
  stopCluster(kubeconfig);
  await rm(repo, { recursive: true, force: true });
  await rm(stateDir, { recursive: true, force: true });
});

test('a chart replaced in the repository after the plan is not installed: apply installs the archive the plan pulled and showed the digest of', async () => {
  const original = await readFile(fsmChart('1.6.0').path);
  let shown: string[] = [];
  const outcome = await applyEnvironment({
    repo: new FolderRepo(repo),
    environment: 'staging',
    client,
    commit: 'c1',
    actor: 'test',
    async confirm(plan) {
      const release = plan.changes.find((c) => c.kind === 'HelmRelease');
      shown = (release?.fields ?? []).map((f) => `${f.path}: ${String(f.after)}`);
      // Between the plan and the apply, the repository starts serving other bytes as 1.6.0 (here: chart 1.5.1's).
      charts.replace('fsm-1.6.0.tgz', await readFile(fsmChart('1.5.1').path));
      return true;
    },
  });
  assert.equal(outcome.status, 'done', outcome.status === 'refused' ? outcome.reason : outcome.status);
  if (outcome.status !== 'done') return;
  assert.equal(outcome.result.result, 'applied', outcome.result.message);
  assert.deepEqual(shown, ['chart: fsm-1.6.0', `digest: sha256:${createHash('sha256').update(original).digest('hex')}`]);
  assert.equal(charts.requested.filter((name) => name === 'fsm-1.6.0.tgz').length, 1, 'pulled once, by the plan');
  const latest = (await helm.history(RELEASE)).at(-1);
  assert.deepEqual([latest?.status, latest?.chart], ['deployed', 'fsm-1.6.0'], 'the archive the plan pulled, not the replacement (chart 1.5.1)');
});
