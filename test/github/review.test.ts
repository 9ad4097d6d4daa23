import assert from 'node:assert/strict';
import { DeliveryFailedError } from '../../src/github/app.ts';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { COMMENT_MARKER } from '../../src/render/markdown.ts';
import { blobSha, fakeGitHub } from '../support/fake-github.ts';
import { checkRunRerequestedPayload, pullRequestPayload } from '../support/webhook-payloads.ts';
import { exampleLiveSources, exampleRepoFiles, testProbot } from './app-harness.ts';

const HEAD = 'a'.repeat(40);
const PR = 7;

before(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
after(() => nock.enableNetConnect());

async function deliver(probot: ReturnType<typeof testProbot>, name: 'pull_request' | 'check_run', payload: Record<string, unknown>): Promise<void> {
  await probot.receive({ id: `delivery-${Math.random()}`, name, payload } as never);
}

test('a PR touching staging gets one check run fsm-gitops/staging, success, and one plan comment', async () => {
  const github = fakeGitHub({ files: exampleRepoFiles(), changed: ['clusters/staging/meshconfig.yaml'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.deepEqual(github.checkRuns.map((r) => [r.name, r.head_sha, r.status, r.conclusion]), [['fsm-gitops/staging', HEAD, 'completed', 'success']]);
  const run = github.checkRuns[0]!;
  assert.match(run.output?.title ?? '', /3 to create, 1 to update, 2 to delete, 1 pending/);
  assert.match(run.output?.text ?? '', /enablePluginPolicy: true/);
  assert.deepEqual(run.annotations.map((a) => [a.path, a.start_line, a.annotation_level, a.title]), [
    ['clusters/staging/meshconfig.yaml', 19, 'warning', 'restart-required: spec.traffic.outboundPortExclusionList'],
    ['clusters/staging/values.yaml', 10, 'notice', 'values-upgrade-pending: fsm.fsmController.replicaCount'],
  ]);
  assert.equal(github.comments.length, 1);
  assert.ok(github.comments[0]!.body.startsWith(COMMENT_MARKER));
  assert.match(github.comments[0]!.body, /### ✅ `staging`/);
});

test('errors fail the check run with annotations at their lines; a new push edits the comment, never adds one', async () => {
  const files = exampleRepoFiles();
  files['clusters/staging/meshconfig.yaml'] = 'apiVersion: config.flomesh.io/v1alpha3\nkind: MeshConfig\nmetadata:\n  name: fsm-mesh-config\n  namespace: fsm-system\nspec:\n  traffic:\n    enableEgres: true\n';
  const github = fakeGitHub({ files, changed: ['clusters/staging/meshconfig.yaml'], headSha: HEAD, prNumber: PR });
  const probot = testProbot(exampleLiveSources());
  await deliver(probot, 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  const run = github.checkRuns[0]!;
  assert.equal(run.conclusion, 'failure');
  const annotation = run.annotations.find((a) => a.annotation_level === 'failure')!;
  assert.deepEqual([annotation.path, annotation.start_line, annotation.title], ['clusters/staging/meshconfig.yaml', 8, 'schema-unknown-field: spec.traffic.enableEgres']);
  // A push that fixes the typo: the same comment is edited.
  const fixed = 'e'.repeat(40);
  github.addCommit(fixed, { ...files, 'clusters/staging/meshconfig.yaml': files['clusters/staging/meshconfig.yaml']!.replace('enableEgres', 'enableEgress') });
  github.pull(PR).headSha = fixed;
  await deliver(probot, 'pull_request', pullRequestPayload('synchronize', { number: PR, headSha: fixed }));
  assert.equal(github.checkRuns.at(-1)?.head_sha, fixed);
  assert.ok(!github.checkRuns.at(-1)!.annotations.some((a) => a.title?.startsWith('schema-unknown-field')), 'the typo is gone');
  assert.equal(github.comments.length, 1, 'edited in place');
  assert.equal(github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/comments')).length, 1);
  assert.equal(github.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/issues/comments/')).length, 1);
});

test('a PR that touches nothing managed gets no check run and no comment', async () => {
  const github = fakeGitHub({ files: exampleRepoFiles(), changed: ['README.md', 'docs/runbook.md'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.deepEqual(github.checkRuns, []);
  assert.deepEqual(github.comments, []);
});

test('a broken .github/fsm-gitops.yml is one failing check fsm-gitops saying what and where', async () => {
  const files = exampleRepoFiles();
  files['.github/fsm-gitops.yml'] = 'environments:\n  staging:\n    path: clusters/staging\n    cluster: staging\n    deploy: sometimes\n';
  const github = fakeGitHub({ files, baseFiles: exampleRepoFiles(), changed: ['.github/fsm-gitops.yml'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.equal(github.checkRuns.length, 1);
  const run = github.checkRuns[0]!;
  assert.deepEqual([run.name, run.conclusion], ['fsm-gitops', 'failure']);
  assert.deepEqual(run.annotations.map((a) => [a.path, a.start_line]), [['.github/fsm-gitops.yml', 5]]);
  assert.match(run.annotations[0]!.message, /deploy/);
  assert.deepEqual(github.comments, []);
});

test('a PR from a fork is planned from its files: no server dry run, and the comment says so', async () => {
  let dryRuns = 0;
  const live = exampleLiveSources(async () => {
    dryRuns++;
    return new Map();
  });
  const github = fakeGitHub({ files: exampleRepoFiles(), changed: ['clusters/staging/values.yaml'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(live), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD, fork: true }));
  assert.equal(dryRuns, 0);
  assert.match(github.comments[0]!.body, /comes from a fork/);
  // Without errors but not dry-run (the API server may still refuse it): neutral, not a green success.
  assert.deepEqual(github.checkRuns.map((r) => [r.name, r.conclusion]), [['fsm-gitops/staging', 'neutral']]);
  // The same PR from the repository itself is dry-run.
  nock.cleanAll();
  fakeGitHub({ files: exampleRepoFiles(), changed: ['clusters/staging/values.yaml'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(live), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.equal(dryRuns, 1);
});

test('many changed files are paginated; a file over 1 MB comes through the blob API', async () => {
  const files = exampleRepoFiles();
  files['clusters/staging/plugins/big-notes.yaml'] = `# ${'x'.repeat(1_200_000)}\n`;
  const changed = [...Array.from({ length: 150 }, (_, i) => `docs/page-${i}.md`), 'clusters/staging/plugins/big-notes.yaml'];
  const github = fakeGitHub({ files, changed, headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.equal(github.requests.filter((r) => r.path.includes(`/pulls/${PR}/files`)).length, 2, 'two pages of files');
  assert.equal(github.requests.filter((r) => r.path.includes('/git/blobs/')).length, 1, 'one blob fetch');
  assert.equal(github.checkRuns[0]?.name, 'fsm-gitops/staging');
});

test('a 5xx on creating the comment (after GitHub made it) and a secondary rate limit: retried, no duplicate', async () => {
  const github = fakeGitHub({
    files: exampleRepoFiles(),
    changed: ['clusters/staging/meshconfig.yaml'],
    headSha: HEAD,
    prNumber: PR,
    failCommentCreate: [{ status: 403, carriedOut: false, headers: { 'retry-after': '1' } }, { status: 502, carriedOut: true }],
  });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.equal(github.comments.length, 1);
  assert.equal(github.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/comments')).length, 2);
});

// Files cost three: the tree, one GraphQL query for the YAML files, one for the scripts their Plugins name.
test('one review of a 20-file PR takes at most 11 GitHub requests (besides the app\'s identity and token, asked once)', async () => {
  const files = exampleRepoFiles();
  const changed: string[] = [];
  for (let i = 0; i < 20; i++) {
    const path = `clusters/staging/plugins/extra-${i}.yaml`;
    files[path] = `# placeholder ${i}\n`;
    changed.push(path);
  }
  const github = fakeGitHub({ files, changed, headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.equal(github.checkRuns[0]?.conclusion, 'success');
  const review = github.requests.filter((r) => r.path !== '/app' && !r.path.endsWith('/access_tokens'));
  assert.ok(review.length <= 11, review.map((r) => `${r.method} ${r.path}`).join('\n'));
});

test('check_run.rerequested plans the pull request again', async () => {
  const github = fakeGitHub({ files: exampleRepoFiles(), changed: ['clusters/staging/meshconfig.yaml'], headSha: HEAD, prNumber: PR });
  nock('https://api.github.com').get(`/repos/acme/mesh-config/pulls/${PR}`).reply(200, { number: PR, head: { sha: HEAD, repo: { full_name: 'acme/mesh-config' } }, base: { repo: { full_name: 'acme/mesh-config' } } });
  await deliver(testProbot(exampleLiveSources()), 'check_run', checkRunRerequestedPayload({ headSha: HEAD, number: PR, name: 'fsm-gitops/staging' }));
  assert.equal(github.checkRuns.length, 1);
  assert.equal(github.comments.length, 1);
});

test('more than 50 findings go to the check run in batches of 50 annotations, at most 50 per file', async () => {
  const files = exampleRepoFiles();
  const ports = Array.from({ length: 120 }, (_, i) => 70_000 + i).join(', ');
  files['clusters/staging/meshconfig.yaml'] = `apiVersion: config.flomesh.io/v1alpha3\nkind: MeshConfig\nmetadata:\n  name: fsm-mesh-config\n  namespace: fsm-system\nspec:\n  traffic:\n    inboundPortExclusionList: [${ports}]\n`;
  const github = fakeGitHub({ files, changed: ['clusters/staging/meshconfig.yaml'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  const run = github.checkRuns[0]!;
  assert.equal(run.annotations.filter((a) => a.title?.startsWith('port-invalid')).length, 50);
  assert.ok(run.annotations.some((a) => /^\d+ more findings not shown$/.test(a.title ?? '') && /codes: port-invalid ×70\b/.test(a.message)));
  const updates = github.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/check-runs/'));
  assert.ok(updates.every((u) => ((u.body as { output?: { annotations?: unknown[] } }).output?.annotations?.length ?? 0) <= 50));
  assert.equal(updates.length, 2);
});

test('a change to the config touches only the environments whose policy changes, and says it takes effect after merge', async () => {
  const files = exampleRepoFiles();
  files['.github/fsm-gitops.yml'] = `${files['.github/fsm-gitops.yml']}# a comment changes nothing\n`;
  const touchedNone = fakeGitHub({ files, baseFiles: exampleRepoFiles(), changed: ['.github/fsm-gitops.yml'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.deepEqual(touchedNone.checkRuns, []);
  nock.cleanAll();

  files['.github/fsm-gitops.yml'] = exampleRepoFiles()['.github/fsm-gitops.yml']!.replace('approvals: 2', 'approvals: 0');
  const github = fakeGitHub({ files, baseFiles: exampleRepoFiles(), changed: ['.github/fsm-gitops.yml'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.deepEqual(github.checkRuns.map((r) => [r.name, r.conclusion]), [['fsm-gitops/production', 'success']]);
  const pending = github.checkRuns[0]!.annotations.find((a) => a.title === 'policy-pending')!;
  assert.deepEqual([pending.path, pending.start_line], ['.github/fsm-gitops.yml', 14], 'at the changed key, approvals:');
  assert.match(pending.message, /takes effect after merge: approvals 2 → 0/);
  // A merge changes the policy only: it deploys nothing, so no approval count is shown, and never the pull request's own 0.
  assert.match(github.comments[0]!.body, /- \*\*`production`\*\*: this pull request changes none of its files: it deploys nothing here/);
  assert.doesNotMatch(github.comments[0]!.body, /approvals 0\/0/);
  nock.cleanAll();

  // With a file of it changed too, the default branch's two approvals are what count, not the pull request's 0.
  const withFiles = fakeGitHub({ files, baseFiles: exampleRepoFiles(), changed: ['.github/fsm-gitops.yml', 'clusters/production/values.yaml'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.match(withFiles.comments[0]!.body, /- \*\*`production`\*\*: deploys on `\/fsm apply production` · ⏳ approvals 0\/2 on aaaaaaa/);
});

test("an on-merge environment whose policy the pull request changes is not said to deploy on its merge (merge-deploy refuses it: the plan ran under the old policy)", async () => {
  const files = exampleRepoFiles();
  files['.github/fsm-gitops.yml'] = files['.github/fsm-gitops.yml']!.replace('approvals: 1', 'approvals: 2');
  const github = fakeGitHub({ files, baseFiles: exampleRepoFiles(), changed: ['.github/fsm-gitops.yml', 'clusters/staging/meshconfig.yaml'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  const line = github.comments[0]!.body.split('\n').find((l) => l.startsWith('- **`staging`**'))!;
  assert.match(line, /^- \*\*`staging`\*\*: deploys on merge, but not this pull request's merge: it changes the environment's policy in `\.github\/fsm-gitops\.yml`, which its plan did not run under( ·|$)/);
  assert.doesNotMatch(line, /approvals/);
});

test('a pull request whose config would downgrade the chart fails its review: found only after merge, it would stop every deploy', async () => {
  const base = exampleRepoFiles();
  base['.github/fsm-gitops.yml'] = base['.github/fsm-gitops.yml']!.replace('approvals: 1\n', 'approvals: 1\n    chart: { upgrade: true }\n');
  const files = { ...base, '.github/fsm-gitops.yml': base['.github/fsm-gitops.yml']!.replace('chart: { upgrade: true }', 'chart: { upgrade: true, version: 1.5.1 }') };
  const github = fakeGitHub({ files, baseFiles: base, changed: ['.github/fsm-gitops.yml'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.deepEqual(github.checkRuns.map((r) => [r.name, r.conclusion]), [['fsm-gitops/staging', 'failure']]);
  const downgrade = github.checkRuns[0]!.annotations.find((a) => a.title === 'chart-downgrade')!;
  assert.deepEqual([downgrade.path, downgrade.start_line, downgrade.annotation_level], ['.github/fsm-gitops.yml', 8, 'failure'], 'at the chart: line that sets the version');
  assert.match(downgrade.message, /^after merge: environments\.staging\.chart\.version 1\.5\.1 is older than the deployed chart fsm 1\.6\.0/);
  const pending = github.checkRuns[0]!.annotations.find((a) => a.title === 'policy-pending')!;
  assert.match(pending.message, /chart\.version \(default\) → "1\.5\.1" \(refused: every plan after merge would fail on it/);
  assert.doesNotMatch(pending.message, /applies it/, 'not the note of an upgrade that will run');
});

test('an environment whose cluster the app cannot reach fails its check, and says so in the comment', async () => {
  const files = exampleRepoFiles();
  files['.github/fsm-gitops.yml'] = files['.github/fsm-gitops.yml']!.replace('cluster: staging', 'cluster: unknown-cluster');
  const github = fakeGitHub({ files, changed: ['clusters/staging/values.yaml'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.deepEqual(github.checkRuns.map((r) => [r.name, r.conclusion]), [['fsm-gitops/staging', 'failure']]);
  assert.match(github.checkRuns[0]!.output?.summary ?? '', /no credentials for cluster "unknown-cluster"/);
  assert.match(github.comments[0]!.body, /`staging` could not be planned/);
});

test('a review that fails after its check runs started leaves none of them in progress', async () => {
  // The blob API (for the environment's file over 1 MB) refuses: the review fails after its check run started.
  nock('https://api.github.com').get(/\/git\/blobs\//).times(5).reply(401, { message: 'Bad credentials' });
  const files = exampleRepoFiles();
  files['clusters/staging/plugins/big-notes.yaml'] = `# ${'x'.repeat(1_200_000)}\n`;
  const github = fakeGitHub({ files, changed: ['clusters/staging/meshconfig.yaml'], headSha: HEAD, prNumber: PR });
  await assert.rejects(deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD })), (error: AggregateError) => {
    // What probot logs of a failed delivery: the message, never the delivery's payload nor the request.
    const [failure] = error.errors as Error[];
    assert.ok(failure instanceof DeliveryFailedError);
    assert.equal((failure as Error & { event?: unknown }).event, undefined);
    assert.deepEqual(Object.keys(failure), ['name']);
    return true;
  });
  assert.deepEqual(github.checkRuns.map((r) => [r.name, r.status, r.conclusion]), [['fsm-gitops/staging', 'completed', 'failure']]);
  assert.match(github.checkRuns[0]!.output?.summary ?? '', /could not finish this review/);
});

test('a file over 4 MiB is refused by its size in the tree, never downloaded; files the loader does not read are not fetched', async () => {
  const files = exampleRepoFiles();
  files['clusters/staging/plugins/huge.yaml'] = `# ${'x'.repeat(5 * 1024 * 1024)}\n`;
  files['clusters/staging/plugins/logo.png'] = `${'y'.repeat(2 * 1024 * 1024)}`;
  const github = fakeGitHub({ files, changed: ['clusters/staging/plugins/huge.yaml'], headSha: HEAD, prNumber: PR });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  const run = github.checkRuns[0]!;
  assert.ok(run.annotations.some((a) => a.path === 'clusters/staging/plugins/huge.yaml' && a.title === 'file-too-large' && /5\.0 MiB, over the 4\.0 MiB limit/.test(a.message)));
  assert.equal(github.requests.filter((r) => r.path.includes('/git/blobs/')).length, 0);
  const queried = github.requests.filter((r) => r.path === '/graphql').map((r) => JSON.stringify(r.body)).join('');
  assert.ok(!queried.includes(blobSha(new TextEncoder().encode(files['clusters/staging/plugins/logo.png']!))), 'the PNG is not fetched');
});
