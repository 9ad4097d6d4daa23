import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import nock from 'nock';
import { clearSecretCache } from '../../src/aws/secrets.ts';
import { resetAppInstance } from '../../src/lambda/app-instance.ts';
import { handler as drift } from '../../src/lambda/drift.ts';
import { handler as worker } from '../../src/lambda/worker.ts';
import { fakeAws, QUEUE_URL } from '../support/fake-aws.ts';
import { fakeGitHub } from '../support/fake-github.ts';
import { pullRequestPayload } from '../support/webhook-payloads.ts';
import { exampleRepoFiles } from '../github/app-harness.ts';
import { MASK } from '../../src/redact/mask.ts';
import { CREDENTIAL_SHAPES } from '../support/credential-shapes.ts';
import { APP_ENV, queued, SCHEDULED, SETTINGS, sqsEvent } from './lambda-events.ts';

const HEAD = 'b'.repeat(40);
const saved = { ...process.env };
const logged: string[] = [];
const originalError = console.error;
const originalLog = console.log;

before(() => nock.disableNetConnect());
beforeEach(() => {
  clearSecretCache();
  resetAppInstance();
  logged.length = 0;
  console.error = (line: string) => void logged.push(line);
  console.log = (line: string) => void logged.push(line);
  Object.assign(process.env, APP_ENV);
});
afterEach(() => {
  nock.cleanAll();
  console.error = originalError;
  console.log = originalLog;
});
after(() => {
  nock.enableNetConnect();
  process.env = saved;
});

test('the worker hands a queued delivery to the app: check run and comment, settings read once', async () => {
  const aws = fakeAws(SETTINGS);
  const github = fakeGitHub({ files: exampleRepoFiles(), changed: ['clusters/staging/meshconfig.yaml'], headSha: HEAD, prNumber: 7 });
  const result = await worker(sqsEvent(queued(pullRequestPayload('opened', { number: 7, headSha: HEAD }))));
  assert.deepEqual(result.batchItemFailures, []);
  assert.deepEqual(github.checkRuns.map((r) => [r.name, r.conclusion]), [['fsm-gitops/staging', 'success']]);
  assert.equal(github.comments.length, 1);
  const again = await worker(sqsEvent(queued(pullRequestPayload('synchronize', { number: 7, headSha: HEAD }))));
  assert.deepEqual(again.batchItemFailures, []);
  assert.equal(aws.parameterReads.length, 4, 'four settings, each read once per container');
});

test('a failure returns the message to the queue, visible again after the backoff; the last try says it goes to the dead-letter queue', async () => {
  const aws = fakeAws(SETTINGS);
  // The App's credentials are refused: every request fails.
  nock('https://api.github.com').persist().post(/.*/).reply(401, { message: 'Bad credentials' }).get(/.*/).reply(401, { message: 'Bad credentials' });
  const payload = queued(pullRequestPayload('opened', { number: 7, headSha: HEAD }));
  const first = await worker(sqsEvent(payload, 1));
  assert.deepEqual(first.batchItemFailures, [{ itemIdentifier: 'm-1' }]);
  assert.match(logged.join('\n'), /will be retried \(attempt 1 of 3\) in 2 s/);
  // Not after the queue's visibility timeout (30 min), holding the repository's later deliveries meanwhile.
  assert.deepEqual(aws.visibilityChanges, [{ QueueUrl: QUEUE_URL, ReceiptHandle: 'handle', VisibilityTimeout: 2 }]);
  await worker(sqsEvent(payload, 2));
  assert.deepEqual(aws.visibilityChanges.map((c) => c.VisibilityTimeout), [2, 4]);
  const last = await worker(sqsEvent(payload, 3));
  assert.equal(aws.visibilityChanges.length, 2, 'the last try leaves the message to the dead-letter queue');
  assert.deepEqual(last.batchItemFailures, [{ itemIdentifier: 'm-1' }]);
  assert.match(logged.join('\n'), /giving up: SQS moves it to the dead-letter queue/);
  // One JSON line per delivery and attempt (src/queue/delivery-log.ts), no payload.
  const line = JSON.parse(logged.at(-1)!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(line), ['level', 'msg', 'id', 'event', 'repository', 'outcome', 'ms', 'attempt']);
  assert.deepEqual([line['event'], line['repository'], line['attempt']], ['pull_request.opened', 'acme/mesh-config', 3]);
});

test('the drift schedule opens one fsm-drift issue with the diff, updates it, and closes it when the drift is gone', async () => {
  fakeAws(SETTINGS);
  const github = fakeGitHub({ files: exampleRepoFiles(), changed: [], headSha: HEAD, prNumber: 7 });
  assert.deepEqual(await drift(SCHEDULED), { checked: 1, failed: 0 });
  assert.equal(github.issues.length, 1);
  const [issue] = github.issues;
  assert.deepEqual(issue!.labels, [{ name: 'fsm-drift' }]);
  assert.match(issue!.title, /Drift: staging differs from main/);
  assert.match(issue!.body, /enablePluginPolicy/);

  await drift(SCHEDULED);
  assert.equal(github.issues.length, 1, 'updated, not a second issue');
  assert.deepEqual(github.requests.filter((r) => r.method === 'PATCH'), [], 'the same drift again: the issue is not edited');

  // A person triaging removes the label: the app still finds its issue, puts the label back, opens no second one.
  issue!.labels = [];
  await drift(SCHEDULED);
  assert.equal(github.issues.length, 1, 'no second issue');
  assert.deepEqual(issue!.labels, [{ name: 'fsm-drift' }]);

  // The branch now matches the cluster (only production, which is in sync): the issue is closed.
  nock.cleanAll();
  fakeAws(SETTINGS);
  const files = exampleRepoFiles();
  files['.github/fsm-gitops.yml'] = 'environments:\n  production:\n    path: clusters/production\n    cluster: prod-eu-1\n';
  const synced = fakeGitHub({ files, changed: [], headSha: HEAD, prNumber: 7, issues: github.issues });
  await drift(SCHEDULED);
  assert.equal(synced.issues[0]!.state, 'closed');
  assert.match(synced.issues[0]!.comments[0]!, /match `main`/);
});

test("a cluster a drift check cannot read is logged (unchecked) with the credentials its error echoes masked", async () => {
  for (const { shape, value, secret } of CREDENTIAL_SHAPES) {
    logged.length = 0;
    nock.cleanAll();
    clearSecretCache();
    resetAppInstance();
    // The cluster cannot be read, and the error names the cluster's location: here a credential.
    fakeAws({ ...SETTINGS, '/fsm-gitops/prod/clusters': JSON.stringify({ clusters: { staging: { snapshotFile: `/nonexistent/${value}` }, 'prod-eu-1': { snapshotFile: 'examples/cluster/production.yaml' } } }) });
    // production drifts (the branch turns egress off): its issue names the environment that was not checked.
    const files = exampleRepoFiles();
    files['clusters/production/meshconfig.yaml'] = String(files['clusters/production/meshconfig.yaml']).replace('enableEgress: true', 'enableEgress: false');
    const github = fakeGitHub({ files, changed: [], headSha: HEAD, prNumber: 7 });
    assert.deepEqual(await drift(SCHEDULED), { checked: 1, failed: 0 }, shape);
    assert.match(github.issues[0]?.body ?? '', /⚠️ Not checked: staging: /, shape);
    const line = logged.find((l) => l.includes('drift checked') && l.includes('unchecked'));
    assert.ok(line, `${shape}: ${logged.join('\n')}`);
    assert.ok(github.issues.every((i) => !i.body.includes(secret)), `${shape}: the drift issue names the unchecked environment masked`);
    assert.ok(!line.includes(secret), `${shape}: ${line}`);
    assert.ok(line.includes(MASK), `${shape}: ${line}`);
    assert.equal(JSON.parse(line).repository, 'acme/mesh-config');
  }
});

test("the drift issue says why a cluster was not checked in the same words each run: an error's changing details are the log's, and do not edit the issue", async () => {
  const settings = (path: string) => ({ ...SETTINGS, '/fsm-gitops/prod/clusters': JSON.stringify({ clusters: { staging: { snapshotFile: path }, 'prod-eu-1': { snapshotFile: 'examples/cluster/production.yaml' } } }) });
  const files = exampleRepoFiles();
  files['clusters/production/meshconfig.yaml'] = String(files['clusters/production/meshconfig.yaml']).replace('enableEgress: true', 'enableEgress: false');
  fakeAws(settings('/srv/snapshots/run-1.yaml'));
  const github = fakeGitHub({ files, changed: [], headSha: HEAD, prNumber: 7 });
  await drift(SCHEDULED);
  const [issue] = github.issues;
  assert.match(issue!.body, /⚠️ Not checked: staging: the cluster's live state could not be read \(the app's log has the error\)/);
  assert.doesNotMatch(issue!.body, /srv\/snapshots/, 'the path is in the log, not in the issue');
  assert.ok(logged.some((l) => l.includes('drift checked') && l.includes('staging: cannot read cluster snapshot /srv/snapshots/run-1.yaml')), logged.join('\n'));

  nock.cleanAll();
  clearSecretCache();
  resetAppInstance();
  fakeAws(settings('/srv/snapshots/run-2.yaml'));
  const again = fakeGitHub({ files, changed: [], headSha: HEAD, prNumber: 7, issues: github.issues });
  await drift(SCHEDULED);
  assert.deepEqual(again.requests.filter((r) => r.method === 'PATCH'), [], 'the same cause, other details: the issue is not edited');
});

test('what the drift schedule writes to GitHub passes the credential-shape redaction, as every handler\'s writes do', async () => {
  // A default branch named like an AWS access key id (git allows it): the issue's title and text name the branch.
  const { value, secret } = CREDENTIAL_SHAPES.find((c) => c.shape === 'AWS access key id')!;
  fakeAws(SETTINGS);
  const github = fakeGitHub({ files: exampleRepoFiles(), changed: [], headSha: HEAD, prNumber: 7, defaultBranch: value });
  assert.deepEqual(await drift(SCHEDULED), { checked: 1, failed: 0 });
  const [issue] = github.issues;
  assert.match(issue!.title, new RegExp(`Drift: staging differs from ${MASK}`));
  assert.ok(!`${issue!.title}\n${issue!.body}`.includes(secret));
});
