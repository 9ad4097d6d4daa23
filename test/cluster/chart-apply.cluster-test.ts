/**
 * Apply runs the chart upgrade, against the real kube-apiserver 1.20 with FSM's chart installed by the real
 * helm 4: values changes and a chart upgrade 1.5.1 → 1.6.0 from a loopback chart repository applied (and the
 * next plan clean), a refused value and a breaking bump refused before anything is written, a failed later
 * step and a timed-out rollout each rolled back to the previous Helm revision, and a release a killed helm
 * left pending-upgrade reported by the plan with the rollback that clears it.
 * No kubelet runs: `chart.wait.timeoutSeconds: 0` (no wait) except where the wait's timeout is the point;
 * FSM_GITOPS_HELM_SERVER_SIDE=false (1.20 refuses Helm 4's server-side apply of the chart's Services).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { readHistory } from '../../src/apply/history.ts';
import { isObject } from '../../src/core/json.ts';
import { FolderRepo } from '../../src/desired/folder-repo.ts';
import { findHelm } from '../../src/helm/helm-binary.ts';
import type { HelmClient } from '../../src/helm/helm-client.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { applyEnvironment, type ApplyOutcome } from '../../src/workflow/apply-environment.ts';
import { cli } from '../support/cli.ts';
import { FSM_RELEASE, installFsm, serveFsmCharts, type ChartRepository } from '../support/fsm-chart-cluster.ts';
import { fsmChart } from '../support/helm-charts.ts';
import { serves, startCluster, stopCluster } from '../support/kube-test-cluster.ts';

const RELEASE = FSM_RELEASE;
const EXAMPLE = fileURLToPath(new URL('../../examples/gitops/clusters/staging/', import.meta.url));
const CONTROLLER = '/apis/apps/v1/namespaces/fsm-system/deployments/fsm-controller';
const CORS_PLUGIN = '/apis/plugin.flomesh.io/v1alpha1/plugins/cors-policy';

let kubeconfig: string;
let client: KubeClient;
let helm: HelmClient;
let charts: ChartRepository;
let repository: string;
let repo: string;
let stateDir: string;

before(async () => {
  kubeconfig = startCluster();
  client = KubeClient.fromFile(kubeconfig);
  helm = await installFsm(client);
  charts = await serveFsmCharts();
  repository = charts.url;
  repo = await mkdtemp(join(tmpdir(), 'fsm-gitops-chart-apply-'));
  await mkdir(join(repo, '.github'));
  await mkdir(join(repo, 'clusters/staging'), { recursive: true });
  stateDir = await mkdtemp(join(tmpdir(), 'fsm-gitops-state-'));
  process.env['FSM_GITOPS_STATE_DIR'] = stateDir;
  process.env['FSM_GITOPS_HELM_SERVER_SIDE'] = 'false';
});
after(async () => {
  delete process.env['FSM_GITOPS_STATE_DIR'];
  delete process.env['FSM_GITOPS_HELM_SERVER_SIDE'];
  charts.close();
  stopCluster(kubeconfig);
  await rm(repo, { recursive: true, force: true });
  await rm(stateDir, { recursive: true, force: true });
});

/** The environment's config and values.yaml. */
async function write(chart: string, values: string): Promise<void> {
  await writeFile(join(repo, '.github/fsm-gitops.yml'), `environments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n    mesh: { name: fsm, namespace: fsm-system }\n    namespaces: [bookinfo]\n    chart: { upgrade: true, repository: "${repository}", ${chart} }\n`);
  await writeFile(join(repo, 'clusters/staging/values.yaml'), values);
}

const replicas = (n: number | string): string => `fsm:\n  fsmController:\n    replicaCount: ${n}\n`;
const NO_WAIT = 'wait: { timeoutSeconds: 0 }';

function apply(commit: string, options: { client?: KubeClient; deadline?: number } = {}): Promise<ApplyOutcome> {
  return applyEnvironment({ repo: new FolderRepo(repo), environment: 'staging', client: options.client ?? client, commit, actor: 'test', confirm: async () => true, ...(options.deadline ? { deadline: options.deadline } : {}) });
}

async function history(): Promise<string[]> {
  return (await helm.history(RELEASE)).map((r) => `${r.revision} ${r.status} ${r.chart}`);
}

async function liveReplicas(): Promise<unknown> {
  const deployment = await client.get(CONTROLLER, 'read fsm-controller');
  return isObject(deployment?.['spec']) ? deployment['spec']['replicas'] : undefined;
}

async function plan(): Promise<{ code: number; stdout: string; stderr: string }> {
  return cli(['plan', '--repo', repo, '--env', 'staging', '--kubeconfig', kubeconfig, ...serves(), '--detailed-exitcode', '--no-color']);
}

function done(outcome: ApplyOutcome) {
  assert.equal(outcome.status, 'done', outcome.status === 'refused' ? `${outcome.reason}: ${JSON.stringify(outcome.plan.findings)}` : outcome.status);
  if (outcome.status !== 'done') throw new Error('not done');
  return outcome.result;
}

describe('apply runs the chart upgrade', { concurrency: false }, () => {
  test('a values change: helm upgrade with the chart from the release, recorded with its revisions; the next plan is clean', async () => {
    await write(NO_WAIT, replicas(2));
    const result = done(await apply('c1'));
    assert.equal(result.result, 'applied', result.message);
    assert.equal(result.done[0], 'upgrade Helm release fsm-system/fsm to chart 1.5.1 (revision 2)');
    assert.deepEqual(result.helm, { release: 'fsm-system/fsm', before: { revision: 1, chartVersion: '1.5.1' }, after: { revision: 2, chartVersion: '1.5.1' } });
    assert.equal(await liveReplicas(), 2);
    assert.deepEqual(await helm.values(RELEASE), { fsm: { fsmController: { replicaCount: 2 }, meshName: 'fsm' } }, 'values.yaml, reset, with meshName');
    const [record] = await readHistory(client, 'fsm-system', 'staging');
    assert.deepEqual(record?.helm, result.helm);
    const next = await plan();
    assert.equal(next.code, 0, next.stdout + next.stderr);
  });

  test('chart.version 1.6.0 from the loopback repository: upgraded, the next plan clean; the CLI says the revisions', async () => {
    await write(`version: 1.6.0, ${NO_WAIT}`, replicas(2));
    const run = await cli(['apply', '--repo', repo, '--env', 'staging', '--kubeconfig', kubeconfig, ...serves(), '--yes', '--commit', 'c2', '--no-color']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /upgrade Helm release fsm-system\/fsm to chart 1\.6\.0 \(revision 3\)/);
    assert.match(run.stdout, /Helm release fsm-system\/fsm: revision 2 \(chart 1\.5\.1\) → revision 3 \(chart 1\.6\.0\)/);
    assert.deepEqual((await history()).slice(-1), ['3 deployed fsm-1.6.0']);
    assert.equal(await liveReplicas(), 2);
    const next = await plan();
    assert.equal(next.code, 0, next.stdout + next.stderr);
  });

  test("a value the chart's schema refuses: the plan's error, nothing applied", async () => {
    await write(`version: 1.6.0, ${NO_WAIT}`, replicas('three'));
    const outcome = await apply('c3');
    assert.equal(outcome.status, 'refused');
    assert.deepEqual(outcome.plan.findings.filter((f) => f.severity === 'error').map((f) => [f.code, f.path]), [['schema-type', 'fsm.fsmController.replicaCount']]);
    assert.deepEqual((await history()).slice(-1), ['3 deployed fsm-1.6.0']);
  });

  test('a breaking bump (2.0.0) without allowBreaking: refused, nothing applied', async () => {
    await write(`version: 2.0.0, ${NO_WAIT}`, replicas(2));
    const outcome = await apply('c4');
    assert.equal(outcome.status, 'refused');
    assert.deepEqual(outcome.plan.findings.filter((f) => f.code === 'chart-breaking-upgrade').map((f) => f.severity), ['error']);
    assert.deepEqual((await history()).slice(-1), ['3 deployed fsm-1.6.0']);
  });

  test('a plugin object the API server does not take after the upgrade: the objects and the release are rolled back to revision 3', async () => {
    await write(`version: 1.6.0, ${NO_WAIT}`, replicas(3));
    await cp(join(EXAMPLE, 'meshconfig.yaml'), join(repo, 'clusters/staging/meshconfig.yaml'));
    await cp(join(EXAMPLE, 'plugins'), join(repo, 'clusters/staging/plugins'), { recursive: true });
    try {
      const result = done(await apply('c5', { client: failingPluginWrites(client) }));
      assert.equal(result.result, 'rolled-back', result.message);
      assert.match(result.message ?? '', /Helm release fsm-system\/fsm rolled back to revision 3 \(now revision 5\)\.$/);
      assert.deepEqual((await history()).slice(-2), ['4 superseded fsm-1.6.0', '5 deployed fsm-1.6.0']);
      assert.equal(await liveReplicas(), 2, 'the rollback restored revision 3');
      assert.equal(await client.get(CORS_PLUGIN, 'read cors-policy'), undefined);
      const [record] = await readHistory(client, 'fsm-system', 'staging');
      assert.equal(record?.result, 'rolled-back');
      assert.deepEqual(record?.helm, { release: 'fsm-system/fsm', before: { revision: 3, chartVersion: '1.6.0' }, after: { revision: 5, chartVersion: '1.6.0' } });
    } finally {
      await rm(join(repo, 'clusters/staging/meshconfig.yaml'));
      await rm(join(repo, 'clusters/staging/plugins'), { recursive: true });
    }
  });

  test('a rollout that never completes (no kubelet) within the time left before --timeout: helm fails the wait, the release is rolled back, nothing left pending', async () => {
    await write(`version: 1.6.0, wait: { timeoutSeconds: 300 }`, replicas(4));
    const started = Date.now();
    const result = done(await apply('c6', { deadline: Date.now() + 80_000 }));
    assert.ok(Date.now() - started < 80_000, 'within the deadline');
    assert.equal(result.result, 'rolled-back', result.message);
    assert.match(result.message ?? '', /helm upgrade of fsm-system\/fsm to chart 1\.6\.0 failed: .*not ready/s);
    assert.deepEqual((await history()).slice(-2), ['6 failed fsm-1.6.0', '7 deployed fsm-1.6.0']);
    assert.equal(await liveReplicas(), 2);
  });

  test('a release a killed helm left pending-upgrade: the plan says so, as an error, with the rollback that clears it', async () => {
    await killedUpgrade();
    assert.deepEqual((await history()).slice(-1), ['8 pending-upgrade fsm-1.6.0']);
    await write(`version: 1.6.0, ${NO_WAIT}`, replicas(3));
    const refused = await plan();
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stdout, /error \[chart-release-pending\]/);
    assert.match(refused.stdout, /`helm rollback fsm 7 -n fsm-system`/);
    await helm.rollback(RELEASE, 7, { timeoutMs: 60_000 });
    const result = done(await apply('c7'));
    assert.equal(result.result, 'applied', result.message);
    assert.equal(await liveReplicas(), 3);
    const next = await plan();
    assert.equal(next.code, 0, next.stdout + next.stderr);
  });

  test('a rollback that would write over a later change is not run: someone scaled fsm-controller after the upgrade; the release is left, saying who changed what', async () => {
    await write(`version: 1.6.0, ${NO_WAIT}`, replicas(4));
    await cp(join(EXAMPLE, 'meshconfig.yaml'), join(repo, 'clusters/staging/meshconfig.yaml'));
    await cp(join(EXAMPLE, 'plugins'), join(repo, 'clusters/staging/plugins'), { recursive: true });
    const deployed = Number((await history()).at(-1)!.split(' ')[0]);
    const scale = () => client.request({ method: 'PATCH', path: CONTROLLER, query: { fieldManager: 'sre' }, contentType: 'application/merge-patch+json', body: { spec: { replicas: 5 } }, what: 'scale fsm-controller' });
    try {
      const result = done(await apply('c8', { client: failingPluginWrites(client, scale) }));
      assert.equal(result.result, 'failed', result.message);
      assert.match(
        result.message ?? '',
        new RegExp(`Helm release fsm-system/fsm not rolled back to revision ${deployed}: someone else changed its objects since the upgrade \\(Deployment fsm-system/fsm-controller: spec\\.replicas changed by sre\\); it is left as it is, as a rollback never writes over a later change`),
      );
      assert.deepEqual(result.notUndone, [`Helm release fsm-system/fsm: not rolled back to revision ${deployed} (changed by someone else since the upgrade)`]);
      assert.match(result.message ?? '', /The MeshConfig and plugin objects were rolled back\. Rollback incomplete, the cluster needs attention: Helm release/);
      assert.doesNotMatch(result.message ?? '', /as it was before this apply/);
      assert.equal(await liveReplicas(), 5, "sre's change stands");
      assert.deepEqual((await history()).slice(-1), [`${deployed + 1} deployed fsm-1.6.0`], 'no rollback revision');
    } finally {
      await rm(join(repo, 'clusters/staging/meshconfig.yaml'));
      await rm(join(repo, 'clusters/staging/plugins'), { recursive: true });
    }
  });

  test('a scale through the scale subresource (kubectl scale, an autoscaler), which 1.20 records under no field manager, is not written over either', async () => {
    await write(`version: 1.6.0, ${NO_WAIT}`, replicas(6));
    await cp(join(EXAMPLE, 'meshconfig.yaml'), join(repo, 'clusters/staging/meshconfig.yaml'));
    await cp(join(EXAMPLE, 'plugins'), join(repo, 'clusters/staging/plugins'), { recursive: true });
    const deployed = Number((await history()).at(-1)!.split(' ')[0]);
    const scale = () => client.request({ method: 'PATCH', path: `${CONTROLLER}/scale`, contentType: 'application/merge-patch+json', body: { spec: { replicas: 7 } }, what: 'kubectl scale fsm-controller' });
    try {
      const result = done(await apply('c9', { client: failingPluginWrites(client, scale) }));
      assert.equal(result.result, 'failed', result.message);
      assert.match(result.message ?? '', /Deployment fsm-system\/fsm-controller: spec\.replicas changed by a scale to 7, which the API server recorded under no field manager/);
      assert.equal(await liveReplicas(), 7, 'the scale stands');
      assert.deepEqual((await history()).slice(-1), [`${deployed + 1} deployed fsm-1.6.0`], 'no rollback revision');
    } finally {
      await rm(join(repo, 'clusters/staging/meshconfig.yaml'));
      await rm(join(repo, 'clusters/staging/plugins'), { recursive: true });
    }
  });
});

/**
 * The client, with every real (not dry-run) write of a Plugin refused as the API server refuses an invalid object;
 * `meanwhile` runs before the first refusal (someone else's write, after the chart upgrade).
 */
function failingPluginWrites(real: KubeClient, meanwhile?: () => Promise<unknown>): KubeClient {
  let first: Promise<unknown> | undefined;
  const wrap = (inner: KubeClient): KubeClient =>
    new Proxy(inner, {
      get(target, property, receiver) {
        if (property === 'withDeadline') return (deadline: number) => wrap(target.withDeadline(deadline));
        if (property === 'request') {
          return (request: Parameters<KubeClient['request']>[0]) =>
            request.method === 'PATCH' && request.path.includes('/plugins/') && !request.query?.['dryRun']
              ? (first ??= (meanwhile?.() ?? Promise.resolve())).then(() => Promise.reject(new Error('injected: the API server refused Plugin cors-policy')))
              : target.request(request);
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return wrap(real);
}

/** helm upgrade --wait (nothing becomes ready without a kubelet) killed with SIGKILL: its revision stays pending-upgrade. */
async function killedUpgrade(): Promise<void> {
  const { path } = await findHelm();
  const home = await mkdtemp(join(tmpdir(), 'fsm-gitops-helm-home-'));
  try {
    const child = spawn(path, ['upgrade', 'fsm', fsmChart('1.6.0').path, '-n', 'fsm-system', '--kubeconfig', kubeconfig, '--server-side=false', '--wait=watcher', '--timeout', '600s', '--reuse-values', '--set', 'fsm.fsmController.replicaCount=5'], {
      stdio: 'ignore',
      env: { PATH: process.env['PATH'] ?? '', HOME: home, HELM_CACHE_HOME: join(home, 'c'), HELM_CONFIG_HOME: join(home, 'f'), HELM_DATA_HOME: join(home, 'd') },
    });
    const deadline = Date.now() + 60_000;
    while (!(await history()).at(-1)?.includes('pending-upgrade')) {
      if (Date.now() > deadline) throw new Error('helm never started the upgrade');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // into its wait
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}
