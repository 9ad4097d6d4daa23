/**
 * The drift schedule against an API server that stops answering: the repository's reads stop at the run's
 * deadline (the Lambda's remaining time less its reserve), the environment is logged as unchecked with the
 * reason, and the handler returns, instead of waiting out each request's timeout and retries.
 * GitHub is nock; the cluster a real server on loopback that never answers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import nock from 'nock';
import { checkEveryRepository } from '../../src/github/drift-run.ts';
import type { DriftBudgets } from '../../src/github/drift-time.ts';
import { appInstance } from '../../src/lambda/app-instance.ts';
import { DRIFT_RESERVE_MS, handler as drift } from '../../src/lambda/drift.ts';
import { fakeGitHub } from '../support/fake-github.ts';
import { exampleRepoFiles } from '../github/app-harness.ts';
import { lambdaLogsAndLoopback, withHangingStaging } from './hanging-staging.ts';
import { SCHEDULED } from './lambda-events.ts';

const logged = lambdaLogsAndLoopback();

test('a cluster that never answers costs the drift run its deadline: its environment is logged as unchecked and the handler returns', { timeout: 30_000 }, async () => {
  await withHangingStaging(async (cluster) => {
    const github = fakeGitHub({ files: exampleRepoFiles(), changed: [], headSha: 'b'.repeat(40), prNumber: 7 });

    // Without the deadline each read waits 30 s and is retried: the test's timeout fails it.
    const result = await drift(SCHEDULED, { getRemainingTimeInMillis: () => DRIFT_RESERVE_MS + 2_000 });
    assert.deepEqual(result, { checked: 1, failed: 0 }, 'the other environments were still checked');
    assert.ok(cluster.requests.length > 0, 'staging was being read');
    const line = logged.find((l) => l.includes('drift checked'));
    assert.ok(line, logged.join('\n'));
    const { level, unchecked } = JSON.parse(line) as { level: string; unchecked: string[] };
    assert.equal(level, 'warn');
    assert.match(unchecked.join('\n'), /^staging: .*the drift run's time is up/);
    assert.deepEqual(github.issues, [], 'no drift issue from a cluster that was not read');
  });
});

/** The example repository with a second environment on the staging cluster, and production drifting (the branch turns egress off). */
function twoOnStaging(): ReturnType<typeof exampleRepoFiles> {
  const files = exampleRepoFiles();
  files['.github/fsm-gitops.yml'] = String(files['.github/fsm-gitops.yml']).replace('environments:\n', 'environments:\n  canary:\n    path: clusters/canary\n    cluster: staging\n    mesh: { name: fsm, namespace: fsm-system }\n');
  for (const [path, content] of Object.entries(files)) if (path.startsWith('clusters/staging/')) files[path.replace('clusters/staging/', 'clusters/canary/')] = content;
  files['clusters/production/meshconfig.yaml'] = String(files['clusters/production/meshconfig.yaml']).replace('enableEgress: true', 'enableEgress: false');
  return files;
}

async function driftWith(budgets: DriftBudgets): Promise<{ issue: string; lines: (msg: string) => Record<string, unknown> | undefined }> {
  nock.cleanAll(); // the test before's GitHub and AWS (its settings name a kubeconfig since removed)
  let issue = '';
  const from = logged.length;
  await withHangingStaging(async () => {
    const github = fakeGitHub({ files: twoOnStaging(), changed: [], headSha: 'b'.repeat(40), prNumber: 7 });
    const { probot, live, deps } = await appInstance();
    assert.deepEqual(await checkEveryRepository(probot, live, await deps.identity(), Infinity, budgets), { checked: 1, failed: 0 });
    issue = github.issues[0]?.body ?? '';
  });
  const lines = (msg: string) => logged.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === msg);
  return { issue, lines };
}

test("a cluster that never answers costs its environment's time once: another environment on it is not waited for, and the housekeeping after the check does not wait on it", { timeout: 30_000 }, async () => {
  const { issue, lines } = await driftWith({ repositoryMs: 20_000, environmentMs: 600, housekeepingMs: 20_000, sweepEnvironmentMs: 400 });
  // canary (first) used its 0.6 s; staging, on the same cluster, was not read; production (a snapshot) was checked and drifts.
  const unchecked = (lines('drift checked')?.['unchecked'] as string[]).join('\n');
  assert.match(unchecked, /^canary: .*the drift check's time for one environment \(0\.6 s\) is up/m);
  assert.match(unchecked, /^staging: not read: cluster "staging" gave no answer for an environment before it$/m);
  assert.match(issue, /⚠️ Not checked: canary: the cluster's API server did not answer in time/);
  assert.match(issue, /⚠️ Not checked: staging: the cluster's API server did not answer in time/);
  assert.match(issue, /enableEgress/, "production's drift is in the issue");
  // The sweep skipped the silent cluster rather than waiting on it again.
  assert.equal(lines('locks not swept'), undefined);
});

test("an environment the repository's time ran out before is said so, not blamed on its cluster", { timeout: 30_000 }, async () => {
  const { issue } = await driftWith({ repositoryMs: 500, environmentMs: 10_000, housekeepingMs: 20_000, sweepEnvironmentMs: 400 });
  assert.match(issue, /⚠️ Not checked: canary: not read: the drift check's time for this repository \(0\.5 s\) ran out before it/);
});

test("repositories the run's end leaves are not checked with no time (each environment said not checked): they wait for the next run, counted in one log line", { timeout: 30_000 }, async () => {
  nock.cleanAll();
  await withHangingStaging(async () => {
    const github = fakeGitHub({ files: exampleRepoFiles(), changed: [], headSha: 'b'.repeat(40), prNumber: 7 });
    const { probot, live, deps } = await appInstance();
    const from = logged.length;
    assert.deepEqual(await checkEveryRepository(probot, live, await deps.identity(), Date.now() - 1), { checked: 0, failed: 0 });
    const line = logged.slice(from).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'drift run out of time');
    assert.deepEqual(line, { level: 'warn', msg: 'drift run out of time', notChecked: 1, first: 'acme/mesh-config' });
    assert.deepEqual(github.issues, []);
  });
});
