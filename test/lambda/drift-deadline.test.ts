/**
 * The drift schedule against an API server that stops answering: the repository's reads stop at the run's
 * deadline (the Lambda's remaining time less its reserve), the environment is logged as unchecked with the
 * reason, and the handler returns, instead of waiting out each request's timeout and retries.
 * GitHub is nock; the cluster a real server on loopback that never answers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
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
    assert.match(unchecked.join('\n'), /^staging: .*the time limit of this run is up/);
    assert.deepEqual(github.issues, [], 'no drift issue from a cluster that was not read');
  });
});
