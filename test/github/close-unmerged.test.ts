/**
 * A pull request closed while it holds an environment it applied: the claim is released, and when its change is
 * not on the default branch (closed unmerged, or merged into another branch) the closing comment says the
 * environment still runs it, with a rollback /fsm rollback takes. The cluster is test/support/fake-kube.ts.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { recordApply } from '../../src/apply/history.ts';
import { parseComment } from '../../src/commands/parse-command.ts';
import { Claims } from '../../src/deploy/claims.ts';
import type { KubeClient } from '../../src/kube/kube-client.ts';
import type { LiveSources } from '../../src/workflow/live-sources.ts';
import { KubeUnreachableError } from '../../src/kube/kube-errors.ts';
import { FakeKube } from '../support/fake-kube.ts';
import { GitHubWorld, OWNER, REPO } from '../support/github-world.ts';
import { pullRequestPayload } from '../support/webhook-payloads.ts';
import { deliver, exampleLiveSources, exampleRepoFiles, testProbot } from './app-harness.ts';

const HEAD = 'a'.repeat(40);
const EARLIER = 'c'.repeat(40);
const PR = 7;
before(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
after(() => nock.enableNetConnect());

/** The example's sources with every cluster served by `fake`. */
function liveWith(fake: FakeKube): LiveSources {
  const sources = exampleLiveSources();
  return Object.assign(Object.create(sources) as LiveSources, { client: async () => Object.assign(fake, { withDeadline: () => fake }) as unknown as KubeClient });
}

/** production claimed by #7, whose apply of HEAD is the newest record after one of `earlier` (by the CLI). */
async function heldBySeven(earlier: string): Promise<FakeKube> {
  const fake = new FakeKube();
  await new Claims(fake, 'fsm-system').take('production', { repository: `${OWNER}/${REPO}`, pr: PR, headSha: HEAD, actor: 'alice', since: new Date().toISOString() });
  await recordApply(fake, 'fsm-system', 'production', { commit: earlier, time: '2026-12-01T00:00:00Z', actor: 'ci', result: 'applied', changes: [] });
  await recordApply(fake, 'fsm-system', 'production', { commit: HEAD, time: '2026-12-02T00:00:00Z', actor: 'alice', result: 'applied', changes: [], pr: PR, task: 'deploy' });
  return fake;
}

async function close(fake: FakeKube, edit: (payload: ReturnType<typeof pullRequestPayload>) => void = () => {}, merged = false): Promise<string> {
  nock.cleanAll(); // one fake GitHub at a time
  const github = new GitHubWorld({ base: exampleRepoFiles(), commits: { [HEAD]: exampleRepoFiles(), ['d'.repeat(40)]: exampleRepoFiles() }, pulls: [{ number: PR, headSha: HEAD, changed: ['clusters/production/values.yaml'] }], collaborators: { alice: 'admin' } });
  const payload = pullRequestPayload('closed', { number: PR, headSha: HEAD, merged, ...(merged ? { mergeCommitSha: 'd'.repeat(40) } : {}) });
  edit(payload);
  await deliver(testProbot(liveWith(fake)), 'pull_request', payload);
  return github.botComments(PR).map((c) => c.body).join('\n');
}

test('closed unmerged: the environment still runs its apply; the rollback named is to the deploy before it, and /fsm rollback takes it', async () => {
  const body = await close(await heldBySeven(EARLIER));
  assert.match(body, /🔓 `production`: released \(this pull request held it since applying `aaaaaaa`; closed at `aaaaaaa`\)/);
  const warning = /⚠️ `production` still runs `aaaaaaa` of this pull request, which was not merged: [^\n]*`(\/fsm rollback production ccccccc)` returns it to the deploy before this pull request's/.exec(body);
  assert.ok(warning, body);
  assert.equal(parseComment(warning[1]!).kind, 'command');
});

test('the deploy before it recorded no commit /fsm rollback takes (a CLI apply outside git: `unknown`): no rollback is suggested', async () => {
  const body = await close(await heldBySeven('unknown'));
  assert.match(body, /⚠️ `production` still runs `aaaaaaa` of this pull request, which was not merged: the cluster differs from the default branch until the next deploy; deploy the default branch to it \(`fsm-gitops apply`\) to return it/);
  assert.doesNotMatch(body, /\/fsm rollback/);
});

test('merged into the default branch: nothing to warn of; merged into another branch (retargeted after the apply): warned as unmerged', async () => {
  const merged = await close(await heldBySeven(EARLIER), () => {}, true);
  assert.match(merged, /released \(this pull request held it since applying `aaaaaaa`; merged at `ddddddd`\)/);
  assert.doesNotMatch(merged, /⚠️/);
  const elsewhere = await close(await heldBySeven(EARLIER), (payload) => void (payload['pull_request'].base.ref = 'release-1'), true);
  assert.match(elsewhere, /⚠️ `production` still runs `aaaaaaa` of this pull request, which was not merged/);
});

test("the newest apply is #7 of another repository sharing the namespace: not this pull request's, no warning; an earlier one of another repository's #7 is a deploy before it", async () => {
  const other = new FakeKube();
  await new Claims(other, 'fsm-system').take('production', { repository: `${OWNER}/${REPO}`, pr: PR, headSha: HEAD, actor: 'alice', since: new Date().toISOString() });
  await recordApply(other, 'fsm-system', 'production', { commit: HEAD, time: '2026-12-01T00:00:00Z', actor: 'alice', result: 'applied', changes: [], pr: PR, repository: `${OWNER}/${REPO}`, task: 'deploy' });
  await recordApply(other, 'fsm-system', 'production', { commit: EARLIER, time: '2026-12-02T00:00:00Z', actor: 'bob', result: 'applied', changes: [], pr: PR, repository: 'acme/platform', task: 'deploy' });
  assert.doesNotMatch(await close(other), /⚠️/);

  const mine = new FakeKube();
  await new Claims(mine, 'fsm-system').take('production', { repository: `${OWNER}/${REPO}`, pr: PR, headSha: HEAD, actor: 'alice', since: new Date().toISOString() });
  await recordApply(mine, 'fsm-system', 'production', { commit: EARLIER, time: '2026-12-01T00:00:00Z', actor: 'bob', result: 'applied', changes: [], pr: PR, repository: 'acme/platform', task: 'deploy' });
  await recordApply(mine, 'fsm-system', 'production', { commit: HEAD, time: '2026-12-02T00:00:00Z', actor: 'alice', result: 'applied', changes: [], pr: PR, repository: `${OWNER}/${REPO}`, task: 'deploy' });
  assert.match(await close(mine), /⚠️ `production` still runs `aaaaaaa` of this pull request[^\n]*`\/fsm rollback production ccccccc` returns it/);
});

test('unlocked before it was closed (no claim left), its apply still runs: the closing comment warns all the same; a pull request that never applied there gets no line', async () => {
  const unlocked = await heldBySeven(EARLIER);
  await new Claims(unlocked, 'fsm-system').release('production', { repository: `${OWNER}/${REPO}`, pr: PR });
  const body = await close(unlocked);
  assert.doesNotMatch(body, /🔓/);
  assert.match(body, /⚠️ `production` still runs `aaaaaaa` of this pull request, which was not merged: [^\n]*`\/fsm rollback production ccccccc` returns it/);

  const never = new FakeKube();
  await recordApply(never, 'fsm-system', 'production', { commit: EARLIER, time: '2026-12-01T00:00:00Z', actor: 'ci', result: 'applied', changes: [] });
  assert.equal(await close(never), '', 'no comment: nothing of it runs anywhere');
});

test("an on-merge environment's cluster failing does not fail the close: the on-command one's warning is still posted", async () => {
  const fake = await heldBySeven(EARLIER);
  fake.fault = (request) => (request.path.includes('staging') ? new KubeUnreachableError('https://10.0.0.1:6443', 'ECONNREFUSED') : 'pass');
  const body = await close(fake);
  assert.match(body, /🔓 `production`: released/);
  assert.match(body, /⚠️ `production` still runs `aaaaaaa` of this pull request/);
  assert.doesNotMatch(body, /`staging`/);
  assert.equal(fake.requests.filter((r) => r.path.includes('staging')).length, 1, 'a cluster that failed is not read again (its history): its retries cost once');
});

test('a /fsm rollback commented on the pull request is not its change: the environment it rolled back runs no apply of it, no warning', async () => {
  const fake = new FakeKube();
  await recordApply(fake, 'fsm-system', 'production', { commit: 'e'.repeat(40), time: '2026-12-01T00:00:00Z', actor: 'ci', result: 'applied', changes: [] });
  await recordApply(fake, 'fsm-system', 'production', { commit: EARLIER, time: '2026-12-02T00:00:00Z', actor: 'alice', result: 'applied', changes: [], pr: PR, repository: `${OWNER}/${REPO}`, task: 'rollback' });
  assert.doesNotMatch(await close(fake), /⚠️/);
});
