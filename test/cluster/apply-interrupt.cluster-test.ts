/**
 * Ctrl-C during `fsm-gitops apply`, sent to the CLI as a process (SIGINT) while the real helm waits for a
 * rollout that never completes (the test cluster runs no kubelet), against the real kube-apiserver and FSM's
 * real chart: the first stops helm, rolls the release back and releases the Lease (exit 130); a second quits at
 * once, stopping helm. Neither leaves helm running nor its temporary files (a kubeconfig, the values) behind.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { readHistory } from '../../src/apply/history.ts';
import type { HelmClient } from '../../src/helm/helm-client.ts';
import { KubeClient } from '../../src/kube/kube-client.ts';
import { FSM_RELEASE, installFsm, serveFsmCharts, type ChartRepository } from '../support/fsm-chart-cluster.ts';
import { serves, startCluster, stopCluster } from '../support/kube-test-cluster.ts';

const RELEASE = FSM_RELEASE;
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const LEASE = '/apis/coordination.k8s.io/v1/namespaces/fsm-system/leases/fsm-gitops-staging';

let kubeconfig: string;
let client: KubeClient;
let helm: HelmClient;
let charts: ChartRepository;
let repo: string;
let work: string;

before(async () => {
  kubeconfig = startCluster();
  client = KubeClient.fromFile(kubeconfig);
  helm = await installFsm(client);
  charts = await serveFsmCharts();
  repo = await mkdtemp(join(tmpdir(), 'fsm-gitops-interrupt-'));
  work = await mkdtemp(join(tmpdir(), 'fsm-gitops-interrupt-tmp-'));
  await mkdir(join(repo, '.github'));
  await mkdir(join(repo, 'clusters/staging'), { recursive: true });
  const repository = charts.url;
  // A chart upgrade that waits for a rollout: without a kubelet it never completes, so helm waits until stopped.
  await writeFile(join(repo, '.github/fsm-gitops.yml'), `environments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n    mesh: { name: fsm, namespace: fsm-system }\n    namespaces: [bookinfo]\n    chart: { upgrade: true, repository: "${repository}", version: 1.6.0, wait: { timeoutSeconds: 300 } }\n`);
  await writeFile(join(repo, 'clusters/staging/values.yaml'), 'fsm:\n  fsmController:\n    replicaCount: 4\n');
});
after(async () => {
  charts.close();
  stopCluster(kubeconfig);
  await rm(repo, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

interface Interrupted {
  code: number | null;
  stderr: string;
}

/** Runs `fsm-gitops apply --yes` and sends it SIGINT `times` times (300 ms apart) once helm is into its rollout wait. */
async function applyInterrupted(commit: string, times: number): Promise<Interrupted> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'apply', '--repo', repo, '--env', 'staging', '--kubeconfig', kubeconfig, ...serves(), '--yes', '--commit', commit, '--timeout', '600'], {
    env: { ...process.env, TMPDIR: work, FSM_GITOPS_HELM_SERVER_SIDE: 'false', FSM_GITOPS_STATE_DIR: join(work, 'state') },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const deadline = Date.now() + 120_000;
  while (!stderr.includes('waiting up to')) {
    if (Date.now() > deadline) throw new Error(`helm never started its wait:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, 3_000)); // helm has written the objects and waits
  for (let i = 0; i < times; i++) {
    child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return { code: await exited, stderr };
}

async function releaseHistory(): Promise<string[]> {
  return (await helm.history(RELEASE)).map((r) => `${r.revision} ${r.status} ${r.chart}`);
}

/** What fsm-gitops left in the temp folder it was given (its own folders start fsm-gitops-). */
async function leftInTemp(): Promise<string[]> {
  return (await readdir(work)).filter((name) => name.startsWith('fsm-gitops-'));
}

/** Processes whose command line names the temp folder: a helm fsm-gitops started there (its --kubeconfig). */
function helmRunning(): string {
  try {
    return execFileSync('pgrep', ['-af', work], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

async function noHelmRunning(): Promise<string> {
  for (let i = 0; i < 50 && helmRunning() !== ''; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  return helmRunning();
}

describe('Ctrl-C during an apply', { concurrency: false }, () => {
  test('the first: helm stopped, the release rolled back, the apply recorded, the Lease released, exit 130; no helm or temp file left', async () => {
    const run = await applyInterrupted('c1', 1);
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /interrupted \(Ctrl-C\): stopping\. No further write starts/);
    assert.match(run.stderr, /apply stopped: helm upgrade of fsm-system\/fsm to chart 1\.6\.0 failed: interrupted \(Ctrl-C\)\. The MeshConfig and plugin objects were not touched\. Helm release fsm-system\/fsm rolled back to revision 1 \(now revision 3\)\./);
    assert.deepEqual(await releaseHistory(), ['1 superseded fsm-1.5.1', '2 failed fsm-1.6.0', '3 deployed fsm-1.5.1']);
    assert.equal(await client.get(LEASE, 'read Lease'), undefined, 'the Lease is released');
    const [record] = await readHistory(client, 'fsm-system', 'staging');
    assert.equal(record?.commit, 'c1');
    assert.equal(record?.result, 'rolled-back');
    assert.equal(await noHelmRunning(), '');
    assert.deepEqual(await leftInTemp(), []);
  });

  test('the second: quits at once saying what is left undone, exit 130; helm is stopped and its files removed all the same', async () => {
    const run = await applyInterrupted('c2', 2);
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stderr, /interrupted \(Ctrl-C\) again: quitting now\. Anything this apply wrote is not rolled back, its history record is not written, and its lock expires by itself within 60 s/);
    assert.equal(await noHelmRunning(), '');
    assert.deepEqual(await leftInTemp(), []);
    const [record] = await readHistory(client, 'fsm-system', 'staging');
    assert.equal(record?.commit, 'c1', 'no record of the apply quit at once');
  });
});
