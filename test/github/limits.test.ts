import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { completeCheckRun } from '../../src/github/check-runs.ts';
import { clip, limitAnnotationTitle, limitIssueTitle, limitStatusDescription } from '../../src/render/github-limits.ts';
import { redactShapes } from '../../src/redact/secret-shapes.ts';
import { CREDENTIAL_SHAPES } from '../support/credential-shapes.ts';
import type { Octokit } from '../../src/github/octokit.ts';
import { fakeGitHub, OWNER, REPO } from '../support/fake-github.ts';
import { pullRequestPayload } from '../support/webhook-payloads.ts';
import { deliver, exampleLiveSources, exampleRepoFiles, testProbot } from './app-harness.ts';

// The fake GitHub refuses what GitHub refuses (test/support/github-field-limits.ts): a field past its limit is a 422.
const HEAD = 'a'.repeat(40);
const PR = 7;

before(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
after(() => nock.enableNetConnect());

test('a 600 KB file of 100,000 one-line documents: 51 annotations on it in two requests, and the comment counts the rest', async () => {
  const files = exampleRepoFiles();
  files['clusters/staging/plugins/x.yaml'] = `${Array.from({ length: 100_000 }, () => '--- x').join('\n')}\n`;
  const github = fakeGitHub({ files, changed: ['clusters/staging/plugins/x.yaml'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  const run = github.checkRuns[0]!;
  assert.equal(run.conclusion, 'failure');
  assert.equal(run.annotations.filter((a) => a.path === 'clusters/staging/plugins/x.yaml').length, 51);
  assert.equal(github.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/check-runs/')).length, 2);
  const body = github.comments[0]!.body;
  assert.match(body, /### ❌ `staging`/);
  // And prune-withheld: the file may hold objects still wanted (src/plan/prune.ts).
  assert.match(body, /… and 99,951 more findings in `clusters\/staging\/plugins\/x\.yaml` \(99,950 errors, 1 warning; codes: manifest-invalid ×99,950, prune-withheld ×1\)/);
});

test('a finding at a 335-character path keeps its check run and its place in the comment: fields are cut to GitHub\'s limits', async () => {
  const files = exampleRepoFiles();
  const key = `enable${'X'.repeat(329)}`;
  files['clusters/staging/meshconfig.yaml'] = `apiVersion: config.flomesh.io/v1alpha3\nkind: MeshConfig\nmetadata:\n  name: fsm-mesh-config\n  namespace: fsm-system\nspec:\n  traffic:\n    ${key}: true\n`;
  const github = fakeGitHub({ files, changed: ['clusters/staging/meshconfig.yaml'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  const run = github.checkRuns[0]!;
  const annotation = run.annotations.find((a) => a.title?.startsWith('schema-unknown-field'))!;
  assert.equal(annotation.title!.length, 255);
  assert.ok(annotation.title!.endsWith('…'));
  assert.match(github.comments[0]!.body, /### ❌ `staging` — /, 'the environment is in the comment, not "could not be planned"');
  assert.doesNotMatch(github.comments[0]!.body, /could not be planned/);
});

test('a check run output past every limit is completed in at most five requests, each field within GitHub\'s limit', async () => {
  const github = fakeGitHub({ files: exampleRepoFiles(), changed: [], headSha: HEAD, prNumber: PR });
  const octokit = new ProbotOctokit({ auth: { token: 't' }, retry: { enabled: false }, throttle: { enabled: false } }) as Octokit;
  const { data } = await octokit.rest.checks.create({ owner: OWNER, repo: REPO, head_sha: HEAD, name: 'fsm-gitops/staging', status: 'in_progress' });
  const annotation = (i: number) => ({ path: 'a.yaml', start_line: i, end_line: i, annotation_level: 'warning' as const, title: `t${'x'.repeat(400)}`, message: '🙂'.repeat(20_000) });
  await completeCheckRun(octokit, { owner: OWNER, repo: REPO }, data.id, {
    conclusion: 'failure',
    title: 'x'.repeat(300),
    summary: `<details><summary>s</summary>\n\n\`\`\`diff\n${'+a\n'.repeat(30_000)}\`\`\`\n\n</details>`,
    text: 'y\n'.repeat(40_000),
    annotations: Array.from({ length: 1_000 }, (_, i) => annotation(i + 1)),
  });
  const updates = github.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/check-runs/'));
  assert.equal(updates.length, 5);
  const run = github.checkRuns[0]!;
  assert.equal(run.annotations.length, 250);
  assert.ok(run.annotations.every((a) => a.title!.length <= 255 && Buffer.byteLength(a.message) <= 64 * 1024));
  const summary = run.output!.summary!;
  assert.ok(summary.length <= 65_535);
  assert.match(summary, /\n```\n<\/details>\n…\(truncated\)\n\n_750 more annotations left out \(a check run gets at most 250\)/);
});

test('a cut never keeps part of a credential: text longer than its limit is masked before it is cut (the masking of GitHub writes sees only what is left)', () => {
  for (const { shape, value, secret } of CREDENTIAL_SHAPES) {
    const pieces = Array.from({ length: secret.length - 5 }, (_, i) => secret.slice(i, i + 6));
    for (let pad = 0; pad < 300; pad++) {
      const text = `${'x'.repeat(pad)} could not read the release: GET ${value}/api/v1 failed`;
      for (const [name, cut] of [['clip', clip(text, 140)], ['status', limitStatusDescription(text)], ['issue title', limitIssueTitle(text)], ['annotation title', limitAnnotationTitle(text)]] as const) {
        // What reaches GitHub: the cut text, through the masking of writes (redactWrites).
        const sent = redactShapes(cut);
        assert.ok(!pieces.some((p) => sent.includes(p)), `${shape}, ${name}, ${pad} before: ${sent}`);
      }
    }
  }
});
