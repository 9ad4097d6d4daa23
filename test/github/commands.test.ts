/**
 * /fsm comment commands end to end through the app (real webhook payloads, the GitHub fake), for the
 * answers that need no cluster: parse errors, help, refusals, plan, status, and the approvals shown. Apply,
 * unlock and rollback against a real API server are in test/cluster/deploy.cluster-test.ts.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { GitHubWorld, BOT_LOGIN } from '../support/github-world.ts';
import { commentPayload, pullRequestPayload, reviewPayload } from '../support/webhook-payloads.ts';
import { deliver, exampleLiveSources, exampleRepoFiles, handleTry, testProbot, unreachableClusters } from './app-harness.ts';
import { KubeUnreachableError } from '../../src/kube/kube-errors.ts';
import type { LiveSources } from '../../src/workflow/live-sources.ts';

const HEAD = 'a'.repeat(40);
const PR = 7;

before(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
after(() => nock.enableNetConnect());

function world(options: { fork?: boolean; changed?: string[] } = {}): GitHubWorld {
  return new GitHubWorld({
    base: exampleRepoFiles(),
    commits: { [HEAD]: exampleRepoFiles() },
    pulls: [{ number: PR, headSha: HEAD, changed: options.changed ?? ['clusters/production/values.yaml'], ...(options.fork ? { headRepo: 'mallory/mesh-config' } : {}) }],
    collaborators: { alice: 'admin', bob: 'write', carol: 'read', author: 'write' },
  });
}

async function command(github: GitHubWorld, body: string, options: { user?: string; userType?: string; onPullRequest?: boolean; number?: number } = {}, live = exampleLiveSources()) {
  const number = options.number ?? PR;
  const comment = github.comment(number, options.user ?? 'alice', body, options.userType);
  const payload = commentPayload({ number, id: comment.id, body, user: options.user ?? 'alice', userType: options.userType ?? 'User', onPullRequest: options.onPullRequest ?? true });
  const probot = testProbot(live);
  await deliver(probot, 'issue_comment', payload);
  return { comment, payload, probot, replies: () => github.botComments(number).filter((c) => c.body.includes(`fsm-gitops:reply ${comment.id}`)).map((c) => c.body) };
}

test('a mistyped command gets eyes at once and one reply with the error, a did-you-mean and the usage; a redelivery adds nothing', async () => {
  const github = world();
  const sent = await command(github, '/fsm aply production');
  assert.deepEqual(sent.comment.reactions, [{ content: 'eyes', user: BOT_LOGIN }]);
  const [reply, ...more] = sent.replies();
  assert.equal(more.length, 0);
  assert.match(reply!, /```text\nerror: unknown command "aply": did you mean "apply"\?\n\nUsage: \/fsm <command> \[arguments\]/);
  assert.match(reply!, /\/fsm rollback <env> <deployment-id\|sha>/);
  await deliver(sent.probot, 'issue_comment', sent.payload);
  assert.equal(sent.replies().length, 1, 'redelivered: still one reply');
});

test('/fms is a near miss of /fsm: answered, not ignored', async () => {
  const github = world();
  const sent = await command(github, '/fms plan');
  assert.match(sent.replies()[0]!, /unknown command "\/fms": did you mean "\/fsm"\?/);
});

test('comments that are not commands, and commands by bots, get nothing at all', async () => {
  const github = world();
  for (const [body, userType] of [['LGTM', 'User'], ['please /fsm apply production', 'User'], ['/fsm apply production\nthanks!', 'User'], ['/fsm apply production', 'Bot']] as const) {
    const sent = await command(github, body, { userType, user: userType === 'Bot' ? 'renovate[bot]' : 'alice' });
    assert.deepEqual(sent.comment.reactions, [], body);
  }
  assert.deepEqual(github.botComments(), []);
  assert.equal(github.requests.filter((r) => r.method !== 'GET' && !r.path.endsWith('/access_tokens')).length, 0);
});

test('/fsm help answers with the usage', async () => {
  const github = world();
  const sent = await command(github, '/fsm help apply');
  assert.match(sent.replies()[0]!, /Usage:\n\n {2}\/fsm apply \[env\.\.\.\]/);
});

test('/fsm apply on an issue is answered: it works on pull requests only', async () => {
  const github = world();
  const sent = await command(github, '/fsm apply production', { onPullRequest: false, number: 3 });
  assert.match(sent.replies()[0]!, /\/fsm apply works on a pull request; on an issue only help, status and rollback do/);
});

test('an unknown environment is refused with a did-you-mean from the default branch\'s config', async () => {
  const github = world();
  const sent = await command(github, '/fsm apply prodution');
  assert.match(sent.replies()[0]!, /no environment "prodution" in \.github\/fsm-gitops\.yml on the default branch: did you mean "production"\? \(it has: staging, production\)/);
});

test('/fsm apply lists every unmet requirement with what unblocks it: permission, approvals, plan', async () => {
  const github = world();
  const sent = await command(github, '/fsm apply production', { user: 'carol' });
  const body = sent.replies()[0]!;
  assert.match(body, /production: not applied/);
  assert.match(body, /carol may not apply production: carol has no write permission on the repository \(applying needs write\)\n {4}to unblock: ask someone who may to comment the command/);
  assert.match(body, /approvals 0\/2 on aaaaaaa\n {4}to unblock: get 2 more approving review\(s\) of aaaaaaa from someone with write access/);
  assert.match(body, /aaaaaaa has no plan of production\n {4}to unblock: \/fsm plan production/);
  assert.equal(github.deployments.length, 0);
});

test('/fsm apply to an environment that deploys on merge says so; when the pull request does not change it, that merging deploys nothing there', async () => {
  const github = world({ changed: ['clusters/staging/values.yaml'] });
  const sent = await command(github, '/fsm apply staging');
  assert.match(sent.replies()[0]!, /staging deploys on merge, not on command\n {4}to unblock: merge the pull request once it is approved/);
  github.pull(PR).changed = ['clusters/production/values.yaml'];
  const untouched = await command(github, '/fsm apply staging');
  assert.match(untouched.replies()[0]!, /staging: not applied\n {2}- #7 changes nothing in clusters\/staging\/\n {4}to unblock: apply only an environment the pull request changes/);
  assert.doesNotMatch(untouched.replies()[0]!, /merge the pull request/);
});

test('a pull request from a fork is never applied', async () => {
  const github = world({ fork: true });
  const sent = await command(github, '/fsm apply production');
  assert.match(sent.replies()[0]!, /#7 comes from a fork: fsm-gitops never applies a fork's change/);
  assert.equal(github.deployments.length, 0);
});

test('/fsm plan production plans that environment again and answers in the check run and the PR comment, not a reply', async () => {
  const github = world({ changed: ['clusters/production/values.yaml', 'clusters/staging/values.yaml'] });
  const sent = await command(github, '/fsm plan production');
  assert.deepEqual(github.checkRuns.map((r) => [r.name, r.conclusion]), [['fsm-gitops/production', 'success']]);
  assert.deepEqual(sent.replies(), []);
  assert.match(github.botComments(PR)[0]!.body, /### ✅ `production`/);
});

test('/fsm status on an issue: one reply with every environment, its deploy mode and how the cluster differs', async () => {
  const github = world();
  const sent = await command(github, '/fsm status', { onPullRequest: false, number: 3 });
  const body = sent.replies()[0]!;
  assert.match(body, /\| `staging` \| deploys on merge \| none \(a snapshot cluster\) \| a snapshot cluster: planned, never deployed to \| 6 difference\(s\): update MeshConfig fsm-system\/fsm-mesh-config, create Plugin cors-policy, create PluginChain bookinfo\/cors-chain/);
  // The values change staging's chart upgrades are off for is pending: apply does not make it, so it is no difference an apply ends.
  assert.match(body, /legacy-logger-chain, …; 1 pending, which apply does not make: update HelmValues fsm-system\/fsm \|/);
  assert.match(body, /\| `production` \| deploys on `\/fsm apply production` \|/);
});

test('/fsm status says that the default branch\'s plan has errors: an environment it cannot apply is never "in sync"', async () => {
  const base = exampleRepoFiles();
  for (const path of Object.keys(base)) if (path.startsWith('clusters/production/')) delete base[path];
  base['clusters/production/README.md'] = 'Production is configured here.\n';
  const github = new GitHubWorld({ base, pulls: [], collaborators: { alice: 'admin' } });
  const sent = await command(github, '/fsm status', { onPullRequest: false, number: 3 });
  assert.match(sent.replies()[0]!, /\| `production` \| deploys on `\/fsm apply production` \| [^\n]* \| ❌ 1 error\(s\) in the default branch's plan \(environment-empty\): it cannot be applied as it is \|/);
  assert.doesNotMatch(sent.replies()[0]!, /`production`[^\n]*in sync/);
});

test('a review submitted or dismissed updates the approvals shown, without planning again', async () => {
  const github = world();
  const probot = testProbot(exampleLiveSources());
  await deliver(probot, 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  const sticky = () => github.botComments(PR)[0]!.body;
  assert.match(sticky(), /- \*\*`production`\*\*: deploys on `\/fsm apply production` · ⏳ approvals 0\/2 on aaaaaaa/);
  const checkRuns = github.checkRuns.length;

  github.review(PR, 'bob', 'APPROVED');
  github.review(PR, 'carol', 'APPROVED'); // read-only: does not count
  await deliver(probot, 'pull_request_review', reviewPayload('submitted', { number: PR, headSha: HEAD, reviewer: 'bob', state: 'APPROVED' }));
  assert.match(sticky(), /⏳ approvals 1\/2 on aaaaaaa \(bob\)/);
  github.review(PR, 'alice', 'APPROVED');
  await deliver(probot, 'pull_request_review', reviewPayload('submitted', { number: PR, headSha: HEAD, reviewer: 'alice', state: 'APPROVED' }));
  assert.match(sticky(), /✅ approvals 2\/2 on aaaaaaa \(alice, bob\)/);
  github.review(PR, 'bob', 'CHANGES_REQUESTED');
  await deliver(probot, 'pull_request_review', reviewPayload('submitted', { number: PR, headSha: HEAD, reviewer: 'bob', state: 'CHANGES_REQUESTED' }));
  assert.match(sticky(), /⏳ approvals 1\/2 on aaaaaaa \(alice\); changes requested by bob/);
  assert.equal(github.checkRuns.length, checkRuns, 'no new plan');
});

test('a push makes earlier approvals stale: they are shown as such and no longer count', async () => {
  const github = world();
  github.review(PR, 'bob', 'APPROVED');
  github.review(PR, 'alice', 'APPROVED');
  const pushed = 'f'.repeat(40);
  github.addCommit(pushed, exampleRepoFiles());
  github.pull(PR).headSha = pushed;
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('synchronize', { number: PR, headSha: pushed }));
  assert.match(github.botComments(PR)[0]!.body, /⏳ approvals 0\/2 on fffffff; approved an older commit: alice, bob/);
});

test('/fsm plan of one environment keeps the others in the comment: their plan and their status', async () => {
  const github = world({ changed: ['clusters/production/values.yaml', 'clusters/staging/meshconfig.yaml'] });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  const before = github.botComments(PR)[0]!.body;
  assert.match(before, /### ❌ `staging`|### ✅ `staging`/);
  await command(github, '/fsm plan production');
  const after = github.botComments(PR)[0]!.body;
  assert.match(after, /<!-- fsm-gitops:environments staging,production -->|<!-- fsm-gitops:environments production,staging -->/);
  assert.match(after, /- \*\*`staging`\*\*: deploys on merge/);
  const staging = (body: string) => body.slice(body.indexOf('<!-- fsm-gitops:env staging -->'), body.indexOf('<!-- /fsm-gitops:env staging -->'));
  assert.ok(staging(after).length > 100);
  assert.equal(staging(after), staging(before), 'staging\'s plan is as the full review left it');
  assert.equal(after.match(/<!-- fsm-gitops:env production -->/g)?.length, 1);
});

test('/fsm plan of an environment the pull request does not change: planned, and said to deploy nothing on merge, in the status block, the comment and the check run, also after a status refresh', async () => {
  const github = world({ changed: ['clusters/production/values.yaml'] });
  await command(github, '/fsm plan staging');
  const sticky = () => github.botComments(PR)[0]!.body;
  assert.match(sticky(), /- \*\*`staging`\*\*: this pull request changes none of its files: it deploys nothing here/);
  assert.doesNotMatch(sticky(), /`staging`\*\*: deploys on merge/);
  assert.match(sticky(), /This pull request changes none of `staging`'s files: its plan is how the cluster differs from them as they are on this branch, and merging deploys nothing there\./);
  const run = github.checkRuns.find((r) => r.name === 'fsm-gitops/staging')!;
  assert.match(run.output?.summary ?? '', /changes none of `staging`'s files/);

  // A full review (a push) shows only what the pull request changes; /fsm plan staging again, then an approval refreshes the block.
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('synchronize', { number: PR, headSha: HEAD }));
  assert.doesNotMatch(sticky(), /`staging`/);
  await command(github, '/fsm plan staging');
  github.review(PR, 'bob', 'APPROVED');
  await deliver(testProbot(exampleLiveSources()), 'pull_request_review', reviewPayload('submitted', { number: PR, headSha: HEAD, reviewer: 'bob', state: 'APPROVED' }));
  assert.match(sticky(), /- \*\*`staging`\*\*: this pull request changes none of its files/);
  assert.match(sticky(), /- \*\*`production`\*\*: deploys on `\/fsm apply production` · ⏳ approvals 1\/2 on aaaaaaa \(bob\)/);

  // /fsm plan production (which it changes) keeps staging's line as it was.
  await command(github, '/fsm plan production');
  assert.match(sticky(), /- \*\*`staging`\*\*: this pull request changes none of its files/);
});

test('a push that takes back every change to managed environments: the comment says merging deploys nothing now (its plans and approvals were of the earlier head), and keeps the deploy log', async () => {
  const github = world({ changed: ['clusters/staging/meshconfig.yaml'] });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  const sticky = () => github.botComments(PR).find((c) => c.body.startsWith('<!-- fsm-gitops:plan -->'))!.body;
  assert.match(sticky(), /- \*\*`staging`\*\*: deploys on merge/);
  const pushed = 'd'.repeat(40);
  github.addCommit(pushed, exampleRepoFiles());
  Object.assign(github.pull(PR), { headSha: pushed, changed: ['README.md'] });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('synchronize', { number: PR, headSha: pushed }));
  const reverted = (): void => {
    assert.match(sticky(), /This pull request \(at `ddddddd`\) no longer changes any managed environment: merging it deploys nothing\./);
    assert.match(sticky(), /- \*\*`staging`\*\*: this pull request changes none of its files: it deploys nothing here/);
    assert.doesNotMatch(sticky(), /deploys on merge|<!-- fsm-gitops:env staging -->/);
  };
  reverted();
  assert.equal(github.botComments(PR).length, 1, 'the same comment, edited');
  // A status refresh (an approval) keeps it so.
  github.review(PR, 'bob', 'APPROVED');
  await deliver(testProbot(exampleLiveSources()), 'pull_request_review', reviewPayload('submitted', { number: PR, headSha: pushed, reviewer: 'bob', state: 'APPROVED' }));
  reverted();

  // A pull request that never touched one gets no comment.
  const other = world({ changed: ['README.md'] });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.deepEqual(other.botComments(PR), []);
});

test('a command the app cannot carry out for a reason a retry would not change is answered, not retried', async () => {
  const github = world();
  const sent = await command(github, '/fsm unlock staging'); // deliver() would reject if the handler threw
  assert.match(sent.replies()[0]!, /\/fsm unlock was not run: cluster "staging" is a snapshot file in the app's settings/);
});

test('a command whose GitHub write the installation lacks the permission for (403 Resource not accessible by integration) is answered at once, naming the permission, not retried', async () => {
  const github = world();
  github.faults['POST check-runs'] = Array.from({ length: 5 }, () => ({ status: 403, message: 'Resource not accessible by integration' }));
  const live = exampleLiveSources();
  const comment = github.comment(PR, 'alice', '/fsm plan production');
  const payload = commentPayload({ number: PR, id: comment.id, body: '/fsm plan production', user: 'alice', userType: 'User', onPullRequest: true });
  assert.equal(await handleTry(testProbot(live), live, 'issue_comment', payload, { final: false }), 'command plan handled', 'no retry: the delivery ends');
  const replies = github.botComments(PR).filter((c) => c.body.includes(`fsm-gitops:reply ${comment.id}`)).map((c) => c.body);
  assert.equal(replies.length, 1);
  assert.match(replies[0]!, /\/fsm plan was not run: GitHub refused POST \/repos\/\{owner\}\/\{repo\}\/check-runs \(403 Resource not accessible by integration\): the app's installation lacks the permission "checks: write"\. app\.yml asks for it/);
  assert.equal(github.faults['POST check-runs']!.length, 4, 'one request, no retry');
});

test('a command stopped by an error a retry may clear (its API server cannot be reached) is retried, and answered only by the last try', async () => {
  const github = world();
  const live = unreachableClusters('https://10.0.0.1:6443');
  const probot = testProbot(live);
  const comment = github.comment(PR, 'alice', '/fsm unlock staging');
  const payload = commentPayload({ number: PR, id: comment.id, body: '/fsm unlock staging', user: 'alice', userType: 'User', onPullRequest: true });
  const replies = () => github.botComments(PR).filter((c) => c.body.includes(`fsm-gitops:reply ${comment.id}`)).map((c) => c.body);
  await assert.rejects(handleTry(probot, live, 'issue_comment', payload, { final: false }), KubeUnreachableError);
  assert.deepEqual([comment.reactions, replies()], [[{ content: 'eyes', user: BOT_LOGIN }], []], 'eyes, and no reply while another try follows');
  await assert.rejects(handleTry(probot, live, 'issue_comment', payload, { final: true }), KubeUnreachableError);
  const [reply, ...more] = replies();
  assert.equal(more.length, 0);
  assert.match(reply!, /\/fsm unlock stopped: cannot reach the Kubernetes API server https:.?\/\/10\.0\.0\.1:6443: ECONNREFUSED\n\nIt is not tried again: once the cause is fixed, comment the command again\./);
});

test('a command whose comment was deleted before the app got to it is not run, and its delivery ends (no retry)', async () => {
  const github = world();
  const live = exampleLiveSources();
  const payload = commentPayload({ number: PR, id: 999_999, body: '/fsm plan', user: 'alice', userType: 'User', onPullRequest: true }); // GitHub has no such comment now
  assert.equal(await handleTry(testProbot(live), live, 'issue_comment', payload, { final: false }), 'ignored: the comment was deleted');
  assert.deepEqual([github.checkRuns, github.botComments(PR)], [[], []]);
});

test('a command is run as the comment reads now: one edited into something else since it was posted is not run, and says so', async () => {
  const github = world();
  const live = unreachableClusters('https://10.0.0.1:6443'); // anything that reached the cluster would throw
  const comment = github.comment(PR, 'alice', 'nevermind, do not unlock');
  const delivered = commentPayload({ number: PR, id: comment.id, body: '/fsm unlock staging', user: 'alice', userType: 'User', onPullRequest: true });
  assert.equal(await handleTry(testProbot(live), live, 'issue_comment', delivered, { final: false }), 'command refused: unlock edited since');
  const replies = github.botComments(PR).filter((c) => c.body.includes(`fsm-gitops:reply ${comment.id}`)).map((c) => c.body);
  assert.equal(replies.length, 1);
  assert.match(replies[0]!, /\/fsm unlock was not run: the comment was edited after it was posted, and edited comments are never commands\. Comment the command again to run it\./);

  // An edit that leaves the same command (a word fixed around it) still runs it: here it reaches the cluster.
  comment.body = '/fsm   unlock   staging';
  await assert.rejects(handleTry(testProbot(live), live, 'issue_comment', delivered, { final: false }), KubeUnreachableError);
});

test('a check run GitHub created but answered 502 for is not created again', async () => {
  const github = new GitHubWorld({
    base: exampleRepoFiles(),
    commits: { [HEAD]: exampleRepoFiles() },
    pulls: [{ number: PR, headSha: HEAD, changed: ['clusters/production/values.yaml'] }],
    faults: { 'POST check-runs': [{ status: 502, carriedOut: true }] },
  });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.deepEqual(github.checkRuns.map((r) => [r.name, r.status, r.conclusion]), [['fsm-gitops/production', 'completed', 'success']]);
});

test("GitHub failing the check run's update is not a plan that could not be made: the review fails, to be tried again, and says nothing of the plan", async () => {
  const github = new GitHubWorld({
    base: exampleRepoFiles(),
    commits: { [HEAD]: exampleRepoFiles() },
    pulls: [{ number: PR, headSha: HEAD, changed: ['clusters/production/values.yaml'] }],
    faults: { 'PATCH check-runs': Array.from({ length: 10 }, () => ({ status: 422 })) },
  });
  const live = exampleLiveSources();
  await assert.rejects(handleTry(testProbot(live), live, 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }), { final: false }), /failure injected by the test/);
  const titles = github.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/check-runs/')).map((r) => (r.body as { output?: { title?: string } }).output?.title ?? '');
  assert.equal(titles.length, 2, titles.join(', '));
  assert.equal(titles[1], 'Review failed', 'after the plan\'s result: the review\'s failure, not "Could not plan production"');
  assert.deepEqual(github.botComments(PR).filter((c) => /could not be planned/.test(c.body)), []);
});

test('/fsm apply is only for pull requests into the default branch, and only for environments they change', async () => {
  const github = world();
  github.pull(PR).baseRef = 'release-1';
  const other = await command(github, '/fsm apply production');
  assert.match(other.replies()[0]!, /#7 merges into release-1, not the default branch main: only pull requests into main are applied/);
  github.pull(PR).baseRef = 'main';
  github.pull(PR).changed = ['docs/readme.md', 'clusters/staging/values.yaml'];
  const untouched = await command(github, '/fsm apply production');
  assert.match(untouched.replies()[0]!, /production: not applied\n {2}- #7 changes nothing in clusters\/production\/\n {4}to unblock: apply only an environment the pull request changes/);
});

test('someone who wrote a commit of the pull request cannot approve it for a deploy', async () => {
  const github = world();
  github.pull(PR).commitAuthors = ['author', 'bob'];
  github.review(PR, 'bob', 'APPROVED');
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  assert.match(github.botComments(PR)[0]!.body, /⏳ approvals 0\/2 on aaaaaaa/);
});

test("a closed pull request's status block, refreshed (a review, a command, a claim's change), says it deploys nothing more: no approvals counted against the policy it may have brought", async () => {
  const github = world({ changed: ['clusters/staging/meshconfig.yaml'] });
  await deliver(testProbot(exampleLiveSources()), 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD }));
  const staging = () => /- \*\*`staging`\*\*: [^\n]*/.exec(github.botComments(PR)[0]!.body)?.[0] ?? '';
  assert.match(staging(), /deploys on merge · ⏳ approvals/);
  for (const [merged, said] of [[true, 'merged: it deploys nothing more (the deploy log says what its merge did)'], [false, 'closed without merging: it deploys nothing']] as const) {
    Object.assign(github.pull(PR), { state: 'closed', merged });
    github.review(PR, 'bob', 'APPROVED');
    await deliver(testProbot(exampleLiveSources()), 'pull_request_review', reviewPayload('submitted', { number: PR, headSha: HEAD, reviewer: 'bob', state: 'APPROVED' }));
    assert.ok(staging().startsWith(`- **\`staging\`**: ${said}`), staging());
    assert.doesNotMatch(staging(), /approvals|deploys on merge/);
  }
});

test('/fsm status of an environment whose cluster the app cannot use (no credentials in its settings): the reason once, in its last cell', async () => {
  const github = world();
  const noCredentials = (): never => {
    throw new Error('no credentials for cluster "prod-eu-1" in the app\'s settings: check FSM_GITOPS_CLUSTERS (docs/clusters.md)');
  };
  const live = Object.assign(Object.create(exampleLiveSources()) as LiveSources, { isSnapshot: () => false, client: async () => noCredentials(), reader: async () => noCredentials() });
  const sent = await command(github, '/fsm status', { onPullRequest: false, number: 3 }, live);
  const production = /\| `production` \|[^\n]*/.exec(sent.replies()[0]!)?.[0] ?? '';
  assert.match(production, /^\| `production` \| deploys on `\/fsm apply production` \| unknown \| unknown \| cannot use its cluster: no credentials for cluster "prod-eu-1" in the app's settings[^|]* \|$/);
  assert.equal(production.match(/no credentials/g)?.length, 1, production);
});
