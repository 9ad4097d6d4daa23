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
    assert.match(unchecked.join('\n'), /^staging: .*the drift check's time for one environment \(60 s, less where the repository's runs out first\) is up/);
    assert.deepEqual(github.issues, [], 'no drift issue from a cluster that was not read');
  });
});

test("a cluster that never answers costs its environment's check and its environment's sweep, each its own time: the sweep still runs after the check used its time", { timeout: 30_000 }, async () => {
  nock.cleanAll(); // the test before's GitHub and AWS (its settings name a kubeconfig since removed)
  await withHangingStaging(async () => {
    fakeGitHub({ files: exampleRepoFiles(), changed: [], headSha: 'b'.repeat(40), prNumber: 7 });
    const { probot, live, deps } = await appInstance();
    const budgets = { repositoryMs: 20_000, environmentMs: 600, housekeepingMs: 20_000, sweepEnvironmentMs: 400 };
    assert.deepEqual(await checkEveryRepository(probot, live, await deps.identity(), Infinity, budgets), { checked: 1, failed: 0 });
    const line = (msg: string) => JSON.parse(logged.findLast((l) => l.includes(`"msg":"${msg}"`)) ?? '{}') as { unchecked?: string[]; failed?: string[] };
    // The check of staging stopped at its own 0.6 s, not the repository's 20 s; production (a snapshot) was checked.
    assert.match(line('drift checked').unchecked?.join('\n') ?? '', /^staging: .*the drift check's time for one environment \(0\.6 s, .*\) is up/);
    // Its sweep then had time of its own (0.4 s), not what was left of the check's.
    assert.match(line('locks not swept').failed?.join('\n') ?? '', /^staging: .*the sweep's time for one environment \(0\.4 s\) is up/);
  });
});
