/**
 * A merge deploy that cannot reach its cluster: the delivery is tried again while tries are left (an API server
 * back after a restart deploys it), and the last try tells people, on the pull request and in the environment's
 * fsm-deploy-failed issue, instead of ending in the log alone.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import type { Probot } from 'probot';
import { fromWebhook } from '../../src/events/from-webhook.ts';
import { KubeUnreachableError } from '../../src/kube/kube-errors.ts';
import { InProcessQueue } from '../../src/queue/in-process-queue.ts';
import { GitHubWorld } from '../support/github-world.ts';
import { pullRequestPayload } from '../support/webhook-payloads.ts';
import { deliver, exampleRepoFiles, handleTry, testProbot, unreachableClusters } from './app-harness.ts';

const PR = 7;
const HEAD = 'a'.repeat(40);
const MERGE = 'b'.repeat(40);
const SERVER = 'https://10.0.0.1:6443';

before(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
after(() => nock.enableNetConnect());

/** staging (deploy: on-merge, 1 approval) changed by #7, reviewed and approved by bob, then merged. */
async function mergedAndApproved(probot: Probot): Promise<GitHubWorld> {
  const head = exampleRepoFiles();
  head['clusters/staging/meshconfig.yaml'] = head['clusters/staging/meshconfig.yaml']!.replace('enableEgress: true', 'enableEgress: false');
  const github = new GitHubWorld({ base: exampleRepoFiles(), commits: { [HEAD]: head }, pulls: [{ number: PR, headSha: HEAD, changed: ['clusters/staging/meshconfig.yaml'] }], collaborators: { bob: 'write' } });
  await deliver(probot, 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.deepEqual(github.checkRuns.map((r) => [r.name, r.conclusion]), [['fsm-gitops/staging', 'success']], 'the review planned staging');
  github.review(PR, 'bob', 'APPROVED');
  github.merge(PR, MERGE, head);
  return github;
}

const closed = () => pullRequestPayload('closed', { number: PR, headSha: HEAD, merged: true, mergeCommitSha: MERGE });

test('the last try of a merge deploy whose cluster cannot be reached says so on the pull request and in the fsm-deploy-failed issue', async () => {
  const probot = testProbot(unreachableClusters(SERVER)); // probot handles a delivery once: its only try is the last
  const github = await mergedAndApproved(probot);
  await deliver(probot, 'pull_request', closed());
  assert.deepEqual(github.deployments, [], 'nothing was deployed');
  const comments = github.botComments(PR).map((c) => c.body).join('\n');
  const [issue] = github.issues.filter((i) => i.labels.some((l) => l.name === 'fsm-deploy-failed'));
  assert.ok(issue, 'an fsm-deploy-failed issue');
  assert.match(comments, new RegExp(`❌ \`staging\`: merge deploy of \`bbbbbbb\` by \\S+ stopped \\(issue #${issue.number}\\): cannot reach the Kubernetes API server https:.?//10\\.0\\.0\\.1:6443: ECONNREFUSED; it is not tried again`));
  assert.match(issue.body, /The merge deploy of `bbbbbbb` to `staging` by \S+ stopped: cannot reach the Kubernetes API server/);
});

test('a try that is not the last fails, so the queue tries again; nothing is said on GitHub yet', async () => {
  const live = unreachableClusters(SERVER);
  const probot = testProbot(live);
  const github = await mergedAndApproved(probot);
  await assert.rejects(handleTry(probot, live, 'pull_request', closed(), { final: false }, 'delivery-merge'), KubeUnreachableError);
  assert.deepEqual([github.botComments(PR).filter((c) => /merge deploy/.test(c.body)), github.issues], [[], []]);
  await handleTry(probot, live, 'pull_request', closed(), { final: true }, 'delivery-merge');
  assert.equal(github.issues.filter((i) => i.labels.some((l) => l.name === 'fsm-deploy-failed')).length, 1);
});

test('the in-process queue tells a handler which try is its last', async () => {
  const tries: boolean[] = [];
  const queue = new InProcessQueue(
    async (_event, attempt) => {
      tries.push(attempt.final);
      throw new Error('down');
    },
    { maxAttempts: 3, retryDelayMs: () => 1, log: () => {} },
  );
  queue.push('g', fromWebhook('pull_request', 'd-1', closed()).event!);
  await queue.drained();
  assert.deepEqual(tries, [false, false, true]);
});
