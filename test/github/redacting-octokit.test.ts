import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import type { Octokit } from '../../src/github/octokit.ts';
import { redactWrites } from '../../src/github/redacting-octokit.ts';

before(() => nock.disableNetConnect());
after(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

const octokit = (): Octokit => redactWrites(new ProbotOctokit({ auth: { token: 't' }, retry: { enabled: false }, throttle: { enabled: false } }) as Octokit);

test('what the app writes to GitHub passes the credential-shape redaction: comment bodies, check run output', async () => {
  let comment = '';
  let output: { summary?: string; text?: string; annotations?: { message: string }[] } = {};
  nock('https://api.github.com')
    .post('/repos/o/r/issues/1/comments', (body: { body: string }) => ((comment = body.body), true))
    .reply(201, { id: 1 })
    .post('/repos/o/r/check-runs', (body: { output: typeof output }) => ((output = body.output), true))
    .reply(201, { id: 2 });
  const client = octokit();
  await client.rest.issues.createComment({ owner: 'o', repo: 'r', issue_number: 1, body: 'apply failed: cannot reach postgres://fsm:hunter2@db:5432/x (Authorization: Bearer abcdef123456)' });
  await client.rest.checks.create({
    owner: 'o',
    repo: 'r',
    name: 'fsm-gitops',
    head_sha: 'a'.repeat(40),
    output: { title: 't', summary: 'token=sk_live_12345', text: 'https://admin:s3cret@kube.example:6443', annotations: [{ path: 'a.yaml', start_line: 1, end_line: 1, annotation_level: 'failure', message: 'key AKIAABCDEFGHIJKLMNOP leaked' }] },
  });
  assert.doesNotMatch(comment, /hunter2|abcdef123456/);
  assert.match(comment, /postgres:\/\/••••••@db:5432\/x/);
  assert.doesNotMatch(JSON.stringify(output), /sk_live_12345|s3cret|AKIAABCDEFGHIJKLMNOP/);
  assert.match(output.text ?? '', /https:\/\/••••••@kube\.example:6443/);
});

test('reads and the request\'s address are left alone', async () => {
  nock('https://api.github.com').get('/repos/o/r/contents/token%3Dabc').reply(200, {});
  await octokit().rest.repos.getContent({ owner: 'o', repo: 'r', path: 'token=abc' });
  assert.ok(nock.isDone());
});
