/**
 * carryOut with a chart upgrade, with a helm stand-in and the in-memory API server: the upgrade runs before
 * the objects, and a failure of either rolls the release back to the plan's revision, saying what worked.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeEach, test } from 'node:test';
import type { KubeObject } from '../../src/core/kube.ts';
import { upgradeTimeouts, HELM_WRITE_MS, OBJECTS_RESERVE_MS, type ReleaseHelm } from '../../src/apply/chart-upgrade.ts';
import { LeaseLostError } from '../../src/apply/lease-renewal.ts';
import { parseRepoConfig, type ChartPolicy } from '../../src/config/repo-config.ts';
import type { ChangeOptions, ChartArchive, ChartSource, Release, ReleaseRevision } from '../../src/helm/helm-client.ts';
import { HelmError } from '../../src/helm/helm-runner.ts';
import type { ApplySet } from '../../src/plan/apply-set.ts';
import type { ChartUpgrade, EnvironmentPlan } from '../../src/plan/plan-types.ts';
import { carryOut, hasWork } from '../../src/workflow/apply-environment.ts';
import { apiError, FakeKube } from '../support/fake-kube.ts';

const LABELS = { 'app.kubernetes.io/managed-by': 'fsm-gitops', 'fsm-gitops.io/environment': 'staging' };
const PLUGIN: KubeObject = { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name: 'cors', labels: LABELS }, spec: { priority: 100, pipyscript: '// cors' } };
const UPGRADE: ChartUpgrade = {
  release: { name: 'fsm', namespace: 'fsm-system' },
  fromRevision: 3,
  fromVersion: '1.5.1',
  toVersion: '1.6.0',
  chart: archive('the chart archive the plan pulled'),
  values: { fsm: { meshName: 'fsm', fsmController: { replicaCount: 2 } } },
  objects: [],
};
function archive(text: string): ChartArchive {
  const bytes = Buffer.from(text);
  return { name: 'fsm', repository: 'http://127.0.0.1:8879', version: '1.6.0', bytes, sha256: sha256(bytes) };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const ENVIRONMENT = parseRepoConfig('.github/fsm-gitops.yml', Buffer.from('environments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n    chart: { upgrade: true, version: 1.6.0 }\n')).environments[0]!;
const PLAN: EnvironmentPlan = {
  name: 'staging',
  path: 'clusters/staging',
  liveSource: 'test',
  changes: [{ action: 'create', kind: 'Plugin', apiVersion: PLUGIN.apiVersion, name: 'cors', fields: [] }],
  findings: [],
  restarts: [],
};

/** helm as apply uses it, logging each call into the shared `log`; each operation fails when told to. */
class StandInHelm implements ReleaseHelm {
  upgradeFails: Error | undefined;
  rollbackFails: Error | undefined;
  upgradeOptions: ChangeOptions | undefined;
  revisions: ReleaseRevision[] = [{ revision: 3, status: 'deployed', chart: 'fsm-1.5.1', appVersion: 'v1.5.1', updated: '', description: '' }];
  constructor(private readonly log: string[]) {}

  async upgrade(release: Release, chart: ChartSource, values: unknown, options: ChangeOptions): Promise<number> {
    // The archive helm is given, by its digest: the bytes the plan pulled, not the chart fetched again.
    this.log.push(`helm upgrade ${release.name} ${'path' in chart ? sha256(readFileSync(chart.path)) : JSON.stringify(chart)} ${JSON.stringify(values)}`);
    this.upgradeOptions = options;
    const next = this.revisions.at(-1)!.revision + 1;
    if (this.upgradeFails) {
      this.add(next, 'failed');
      throw this.upgradeFails;
    }
    return this.add(next, 'deployed');
  }

  async rollback(release: Release, revision: number): Promise<void> {
    this.log.push(`helm rollback ${release.name} ${revision}`);
    if (this.rollbackFails) throw this.rollbackFails;
    this.add(this.revisions.at(-1)!.revision + 1, 'deployed');
  }

  async history(): Promise<ReleaseRevision[]> {
    return this.revisions.slice(-1);
  }

  private add(revision: number, status: string): number {
    this.revisions.push({ revision, status, chart: 'fsm-1.6.0', appVersion: 'v1.6.0', updated: '', description: '' });
    return revision;
  }
}

let fake: FakeKube;
let log: string[];
let helm: StandInHelm;
beforeEach(() => {
  fake = new FakeKube();
  log = [];
  helm = new StandInHelm(log);
  fake.fault = (r) => {
    if (r.method !== 'GET') log.push(`${r.method} ${r.path.split('/').pop()}`);
    return 'pass';
  };
});

const SET = (): ApplySet => ({ apply: [structuredClone(PLUGIN)], prune: [], chart: UPGRADE });
const run = (options: { fence?: () => void; deadline?: number } = {}) => carryOut(fake, ENVIRONMENT, PLAN, SET(), 'c0ffee', { helm: async () => helm, ...options });

test('the chart upgrade runs first, with the chart and values the plan rendered; then the objects; the revisions are recorded', async () => {
  const result = await run();
  assert.equal(result.result, 'applied', result.message);
  assert.deepEqual(log.slice(0, 2), [`helm upgrade fsm ${(UPGRADE.chart as ChartArchive).sha256} ${JSON.stringify(UPGRADE.values)}`, 'PATCH cors']);
  assert.deepEqual(result.done, ['upgrade Helm release fsm-system/fsm to chart 1.6.0 (revision 4)', 'create Plugin cors']);
  assert.deepEqual(result.helm, { release: 'fsm-system/fsm', before: { revision: 3, chartVersion: '1.5.1' }, after: { revision: 4, chartVersion: '1.6.0' } });
  assert.equal(helm.upgradeOptions?.wait, true);
});

test('a chart upgrade alone is work to do', () => {
  assert.equal(hasWork({ ...PLAN, changes: [] }, { apply: [], prune: [], chart: UPGRADE }), true);
  assert.equal(hasWork({ ...PLAN, changes: [] }, { apply: [], prune: [] }), false);
});

test('the objects refused by the API server: they are rolled back, and helm rolls back to the revision the plan diffed against', async () => {
  fake.fault = (r) => {
    if (r.method !== 'GET') log.push(`${r.method} ${r.path.split('/').pop()}`);
    return r.method === 'PATCH' ? apiError(422, r.what, 'Invalid') : 'pass';
  };
  const result = await run();
  assert.equal(result.result, 'rolled-back');
  assert.deepEqual(log, [`helm upgrade fsm ${(UPGRADE.chart as ChartArchive).sha256} ${JSON.stringify(UPGRADE.values)}`, 'PATCH cors', 'helm rollback fsm 3']);
  assert.match(result.message ?? '', /^MeshConfig and plugin objects: .*422.*\. Helm release fsm-system\/fsm rolled back to revision 3 \(now revision 5\)\.$/);
  assert.deepEqual(result.helm?.after, { revision: 5, chartVersion: '1.5.1' });
  assert.deepEqual(result.notUndone, []);
});

test("helm's rollback failing is said, with the command that finishes it; the result is failed", async () => {
  fake.fault = (r) => (r.method === 'PATCH' ? apiError(422, r.what, 'Invalid') : 'pass');
  helm.rollbackFails = new HelmError('roll back release fsm-system/fsm to revision 3: helm exited with 1: Error: timed out', 1);
  const result = await run();
  assert.equal(result.result, 'failed');
  assert.match(result.message ?? '', /Helm rollback of fsm-system\/fsm to revision 3 failed: .*timed out\. Run `helm rollback fsm 3 -n fsm-system` once no helm runs on it$/);
  assert.match(result.message ?? '', /The MeshConfig and plugin objects were rolled back\. Rollback incomplete, the cluster needs attention: Helm rollback of/);
  assert.doesNotMatch(result.message ?? '', /as it was before this apply/, 'the release is not as it was');
  assert.deepEqual(result.notUndone, ['Helm release fsm-system/fsm: not rolled back to revision 3']);
  assert.deepEqual(result.helm?.after, { revision: 4, chartVersion: '1.6.0' }, 'the upgrade is what stands');
});

test('the upgrade failing (helm timed out waiting): the objects are not touched, and the failed revision is rolled back', async () => {
  helm.upgradeFails = new HelmError('upgrade release fsm-system/fsm: helm exited with 1: Error: UPGRADE FAILED: context deadline exceeded', 1);
  const result = await run();
  assert.equal(result.result, 'rolled-back');
  assert.deepEqual(log, [`helm upgrade fsm ${(UPGRADE.chart as ChartArchive).sha256} ${JSON.stringify(UPGRADE.values)}`, 'helm rollback fsm 3']);
  assert.equal(fake.read('/apis/plugin.flomesh.io/v1alpha1/plugins/cors'), undefined);
  assert.match(result.message ?? '', /helm upgrade of fsm-system\/fsm to chart 1\.6\.0 failed: .*context deadline exceeded\. The MeshConfig and plugin objects were not touched\. Helm release fsm-system\/fsm rolled back to revision 3 \(now revision 5\)\.$/);
});

test('the upgrade failing over an earlier failed revision (deployed 3, failed 4, the plan saw both): its own revision 5 is rolled back, not taken for someone else\'s', async () => {
  helm.revisions.push({ revision: 4, status: 'failed', chart: 'fsm-1.6.0', appVersion: 'v1.6.0', updated: '', description: '' });
  helm.upgradeFails = new HelmError('upgrade release fsm-system/fsm: helm exited with 1: Error: UPGRADE FAILED: context deadline exceeded', 1);
  const result = await carryOut(fake, ENVIRONMENT, PLAN, { ...SET(), chart: { ...UPGRADE, latestRevision: 4 } }, 'c0ffee', { helm: async () => helm });
  assert.equal(result.result, 'rolled-back', result.message);
  assert.deepEqual(log.slice(-1), ['helm rollback fsm 3']);
  assert.match(result.message ?? '', /rolled back to revision 3 \(now revision 6\)\.$/);
});

test('the upgrade refused before helm made a revision (the chart is not in the repository): nothing to roll back, nothing written', async () => {
  helm.upgradeFails = new HelmError('upgrade release fsm-system/fsm: helm exited with 1: Error: chart "fsm" version "1.6.0" not found', 1);
  helm.upgrade = async (...args) => {
    log.push(`helm upgrade ${args[0].name}`);
    throw helm.upgradeFails;
  };
  const result = await run();
  assert.equal(result.result, 'refused');
  assert.deepEqual(log, ['helm upgrade fsm']);
  assert.match(result.message ?? '', /not found\. The MeshConfig and plugin objects were not touched; the release is unchanged \(revision 3\)$/);
});

test('the Lease lost during the upgrade: the objects stop at their fence and helm is not rolled back (another apply may be running)', async () => {
  let upgraded = false;
  const inner = helm.upgrade.bind(helm);
  helm.upgrade = async (...args) => ((upgraded = true), inner(...args));
  const fence = (): void => {
    if (upgraded) throw new LeaseLostError('fsm-gitops-staging', 'taken over by bob@ci');
  };
  const result = await run({ fence });
  assert.equal(result.result, 'failed');
  assert.ok(!log.some((l) => l.startsWith('helm rollback')), log.join('\n'));
  assert.ok(!log.includes('PATCH cors'));
  assert.match(result.message ?? '', /Helm release fsm-system\/fsm not rolled back: lost the apply lock/);
  assert.equal(result.leaseLost, true);
});

test('the Lease lost before the upgrade: nothing is run at all', async () => {
  const result = await run({ fence: () => { throw new LeaseLostError('fsm-gitops-staging', 'not renewed'); } });
  assert.equal(result.result, 'refused');
  assert.deepEqual(log, []);
  assert.match(result.message ?? '', /^nothing written: lost the apply lock/);
  assert.equal(result.leaseLost, true);
});

test("the upgrade's timeouts fit before the command's deadline, and too little time left starts nothing", async () => {
  const now = Date.now();
  const result = await run({ deadline: now + 100_000 });
  assert.equal(result.result, 'applied');
  const options = helm.upgradeOptions!;
  assert.ok(options.helmTimeoutMs! <= 100_000 - HELM_WRITE_MS - OBJECTS_RESERVE_MS, `helm --timeout ${options.helmTimeoutMs}`);
  assert.ok(options.helmTimeoutMs! > 35_000, `helm --timeout ${options.helmTimeoutMs}`);
  assert.ok(now + options.timeoutMs <= now + 100_000 - OBJECTS_RESERVE_MS, 'helm is killed before the objects need the time left');
  assert.equal(options.timeoutMs, options.helmTimeoutMs! + HELM_WRITE_MS, 'helm gets its write time past its wait: a timed-out wait is recorded failed, not left pending');

  log.length = 0;
  const late = await run({ deadline: Date.now() + 65_000 });
  assert.equal(late.result, 'refused');
  assert.deepEqual(log, []);
  assert.match(late.message ?? '', /too little time is left.*--timeout/);
});

test('a rollout wait cut short by the deadline that times out says so: how long helm waited, what the policy asked, how to give it time', async () => {
  helm.upgradeFails = new HelmError('upgrade release fsm-system/fsm: helm exited with 1: Error: UPGRADE FAILED: context deadline exceeded', 1);
  const result = await run({ deadline: Date.now() + 100_000 });
  assert.equal(result.result, 'rolled-back');
  assert.match(result.message ?? '', /context deadline exceeded \(helm waited (39|40) s for the rollout, not chart\.wait\.timeoutSeconds' 300 s: that is all the time the apply had left \(the CLI's --timeout; in the app, the worker's time\); give the apply more time or lower chart\.wait\.timeoutSeconds\)\. The MeshConfig and plugin objects were not touched/);

  helm.revisions.splice(1);
  const uncut = await run();
  assert.doesNotMatch(uncut.message ?? '', /helm waited/, 'a wait of the full chart.wait.timeoutSeconds is not said to be cut');
});

test('upgradeTimeouts: chart.wait.timeoutSeconds when time allows; 0 is no wait, with helm\'s 5 minute default for hooks', () => {
  const policy = (waitTimeoutSeconds: number): ChartPolicy => ({ upgrade: true, repository: 'https://flomesh-io.github.io/fsm', allowBreaking: false, waitTimeoutSeconds });
  assert.deepEqual(upgradeTimeouts(policy(120), 0, 3_600_000), { helm: 120_000, run: 120_000 + HELM_WRITE_MS });
  assert.deepEqual(upgradeTimeouts(policy(0), 0, 3_600_000), { helm: 300_000, run: 300_000 + HELM_WRITE_MS });
  assert.deepEqual(upgradeTimeouts(policy(300), 0, 200_000), { helm: 140_000, run: 140_000 + HELM_WRITE_MS });
  assert.equal(upgradeTimeouts(policy(300), 0, 65_000), undefined);
});

test('no wait when chart.wait.timeoutSeconds is 0', async () => {
  const noWait = { ...ENVIRONMENT, chart: { ...ENVIRONMENT.chart!, waitTimeoutSeconds: 0 } };
  const result = await carryOut(fake, noWait, PLAN, SET(), 'c0ffee', { helm: async () => helm });
  assert.equal(result.result, 'applied');
  assert.equal(helm.upgradeOptions?.wait, false);
});

test('someone else\'s helm upgrade after ours (a newer revision): helm is not rolled back over it; the result says so', async () => {
  fake.fault = (r) => {
    if (r.method === 'PATCH') {
      helm.revisions.push({ revision: 5, status: 'deployed', chart: 'fsm-1.6.0', appVersion: 'v1.6.0', updated: '', description: 'Upgrade complete' }); // their helm upgrade, meanwhile
      return apiError(422, r.what, 'Invalid');
    }
    return 'pass';
  };
  const result = await run();
  assert.equal(result.result, 'failed');
  assert.ok(!log.some((line) => line.startsWith('helm rollback')), log.join('\n'));
  assert.match(result.message ?? '', /Helm release fsm-system\/fsm not rolled back to revision 3: revision 5 was made after this apply's revision 4 \(someone else's helm upgrade or rollback\); it is left as it is/);
  assert.deepEqual(result.notUndone.at(-1), 'Helm release fsm-system/fsm: not rolled back to revision 3 (changed by someone else since the upgrade)');
});
