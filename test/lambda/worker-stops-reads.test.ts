/**
 * The worker's review fails while a cluster's live read, started ahead, is in flight: the read is stopped and
 * its connections closed before the handler returns, so nothing of this invocation runs on in a frozen and
 * thawed container (or holds sockets and timers there). GitHub is nock; the cluster a real server on loopback.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import nock from 'nock';
import { handler as worker } from '../../src/lambda/worker.ts';
import { API, fakeGitHub, OWNER, REPO } from '../support/fake-github.ts';
import { pullRequestPayload } from '../support/webhook-payloads.ts';
import { exampleRepoFiles } from '../github/app-harness.ts';
import { lambdaLogsAndLoopback, withHangingStaging } from './hanging-staging.ts';
import { queued, sqsEvent } from './lambda-events.ts';

const HEAD = 'b'.repeat(40);
const logged = lambdaLogsAndLoopback();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
before(() => process.on('unhandledRejection', onUnhandled));
after(() => process.off('unhandledRejection', onUnhandled));

test('a review that fails while the cluster is read stops the read: the handler returns with its connections closed', { timeout: 30_000 }, async () => {
  await withHangingStaging(async (cluster) => {
    // The head's file tree is too large for GitHub to list (answered once the cluster is being read): the
    // files cannot be loaded and the review fails, while staging's read hangs.
    nock(API)
      .get(`/repos/${OWNER}/${REPO}/git/trees/${HEAD}?recursive=true`)
      .reply((_uri, _body, answer) => void cluster.reached.then(() => answer(null, [200, { sha: HEAD, truncated: true, tree: [] }])));
    const github = fakeGitHub({ files: exampleRepoFiles(), changed: ['clusters/staging/meshconfig.yaml'], headSha: HEAD, prNumber: 7 });

    const result = await worker(sqsEvent(queued(pullRequestPayload('opened', { number: 7, headSha: HEAD }))));
    assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: 'm-1' }]);
    assert.match(logged.join('\n'), /file tree at bbbbbbb is too large/);
    assert.deepEqual(github.checkRuns.map((r) => [r.name, r.conclusion]), [['fsm-gitops/staging', 'failure']]);
    assert.ok(cluster.requests.length > 0, 'staging was being read');
    // Without the stop, the worker returns only once the read's requests time out (30 s each, retried): the test's timeout fails it.
    assert.deepEqual(await cluster.repeatedOnceQuiet(), [], 'no request sent again after the handler returned');
    assert.equal(cluster.openSockets, 0);
    assert.deepEqual(unhandled, []);
  });
});
