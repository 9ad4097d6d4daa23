/**
 * Approvals under an environment's `teams`, through the app (real webhook payloads, the GitHub fake): who
 * counts, who is named as not counted and why, and a review whose team lookups GitHub refuses (the
 * installation lacks `members: read`), which keeps its plan and says what to grant.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { GitHubWorld } from '../support/github-world.ts';
import { commentPayload, pullRequestPayload } from '../support/webhook-payloads.ts';
import { deliver, exampleLiveSources, exampleRepoFiles, handleTry, testProbot } from './app-harness.ts';

const HEAD = 'a'.repeat(40);
const PR = 7;

before(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
after(() => nock.enableNetConnect());

/** The example repository with production (on-command, 2 approvals) limited to acme/mesh-admins. */
function withTeams(): Record<string, string> {
  const files = exampleRepoFiles();
  files['.github/fsm-gitops.yml'] = files['.github/fsm-gitops.yml']!.replace('    approvals: 2\n', '    approvals: 2\n    teams: [acme/mesh-admins]\n');
  return files;
}

function world(teams: Record<string, string[]>): GitHubWorld {
  const github = new GitHubWorld({
    base: withTeams(),
    commits: { [HEAD]: withTeams() },
    pulls: [{ number: PR, headSha: HEAD, changed: ['clusters/production/values.yaml'] }],
    collaborators: { alice: 'admin', bob: 'write', carol: 'read', author: 'write' },
    teams,
  });
  github.review(PR, 'bob', 'APPROVED');
  github.review(PR, 'alice', 'APPROVED');
  github.review(PR, 'carol', 'APPROVED');
  return github;
}

const status = (github: GitHubWorld) => /- \*\*`production`\*\*: [^\n]*/.exec(github.botComments(PR)[0]!.body)?.[0] ?? '';

test('under teams, only members count; a writer outside them and a reader are named as not counted, with the reason', async () => {
  const github = world({ 'acme/mesh-admins': ['bob'] });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.match(status(github), /⏳ approvals 1\/2 on aaaaaaa \(bob\); approved without write permission on the repository, not counted: carol; approved but in none of the environment's teams, not counted: alice/);
});

test('team lookups GitHub refuses (403): the review keeps its plan, and the status says the approvals are unknown and what to grant', async () => {
  const github = world({ 'acme/mesh-admins': ['bob'] });
  github.faults['GET team-memberships'] = [{ status: 403 }, { status: 403 }];
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.deepEqual(github.checkRuns.map((r) => [r.name, r.conclusion]), [['fsm-gitops/production', 'success']]);
  assert.match(status(github), /⚠️ approvals unknown: cannot read the members of team acme\/mesh-admins, which the environment's teams name: GitHub answered 403 \(Resource not accessible by integration[^)]*\); the app needs the organization permission "members: read"/);
  assert.match(github.botComments(PR)[0]!.body, /<!-- fsm-gitops:env production -->/, 'the plan is in the comment');
});

test('/fsm apply whose team lookups GitHub refuses is answered at once, not retried: a retry would get the same 403', async () => {
  const github = world({ 'acme/mesh-admins': ['bob'] });
  github.faults['GET team-memberships'] = Array.from({ length: 10 }, () => ({ status: 403 }));
  const live = exampleLiveSources();
  const comment = github.comment(PR, 'alice', '/fsm apply production');
  const payload = commentPayload({ number: PR, id: comment.id, body: '/fsm apply production', user: 'alice', userType: 'User', onPullRequest: true });
  assert.equal(await handleTry(testProbot(live), live, 'issue_comment', payload, { final: false }), 'command apply handled');
  const replies = github.botComments(PR).filter((c) => c.body.includes(`fsm-gitops:reply ${comment.id}`));
  assert.equal(replies.length, 1);
  assert.match(replies[0]!.body, /\/fsm apply was not run: cannot read the members of team acme\/mesh-admins/);
});
