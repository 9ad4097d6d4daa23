/** What a review says in its delivery's log line: the operator reads it to know what the app did with a pull request. */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { GitHubWorld } from '../support/github-world.ts';
import { pullRequestPayload } from '../support/webhook-payloads.ts';
import { exampleLiveSources, exampleRepoFiles, handleTry, testProbot } from './app-harness.ts';

before(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
after(() => nock.enableNetConnect());

async function outcomeOf(head: Record<string, string>, changed: string[]): Promise<{ outcome: string; github: GitHubWorld }> {
  const sha = 'a'.repeat(40);
  const github = new GitHubWorld({ base: exampleRepoFiles(), commits: { [sha]: head }, pulls: [{ number: 7, headSha: sha, changed }] });
  const live = exampleLiveSources();
  const probot = testProbot(live);
  const outcome = await handleTry(probot, live, 'pull_request', pullRequestPayload('opened', { number: 7, headSha: sha }));
  return { outcome, github };
}

test('a pull request that only breaks .github/fsm-gitops.yml is logged as "config invalid", not "untouched"', async () => {
  const head = { ...exampleRepoFiles(), '.github/fsm-gitops.yml': 'environments:\n  staging: [\n' };
  const { outcome, github } = await outcomeOf(head, ['.github/fsm-gitops.yml']);
  assert.deepEqual(github.checkRuns.map((r) => [r.name, r.conclusion]), [['fsm-gitops', 'failure']]);
  assert.equal(outcome, 'config invalid');
});

test('a pull request that changes no environment is "untouched"', async () => {
  const { outcome, github } = await outcomeOf({ ...exampleRepoFiles(), 'README.md': 'hello\n' }, ['README.md']);
  assert.deepEqual([outcome, github.checkRuns], ['untouched', []]);
});
