/**
 * Deploying from GitHub, end to end: real webhook payloads into the app, the GitHub fake (nock) for GitHub,
 * and a real kube-apiserver for the cluster. One story, in order: apply before merge (refused, then done,
 * then redelivered), a claim that blocks another pull request until its holder closes, unlock, rollback
 * with its pin, merge deploys with and without approvals, and a plan that moved since it was shown.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import nock from 'nock';
import { readHistory, recordApply } from '../../src/apply/history.ts';
import { isObject } from '../../src/core/json.ts';
import { Claims } from '../../src/deploy/claims.ts';
import { Pins } from '../../src/deploy/pins.ts';
import { ClusterConnector } from '../../src/kube/credentials/cluster-credentials.ts';
import type { KubeClient } from '../../src/kube/kube-client.ts';
import { LiveSources } from '../../src/workflow/live-sources.ts';
import { deliver, exampleRepoFiles, handleTry, testProbot } from '../github/app-harness.ts';
import { APP_ID, BOT_LOGIN, GitHubWorld, INSTALLATION_ID, OWNER, REPO, type Files } from '../support/github-world.ts';
import { checkDrift } from '../../src/github/drift-issue.ts';
import { checkEveryRepository } from '../../src/github/drift-run.ts';
import type { Octokit } from '../../src/github/octokit.ts';
import { sweepLocks } from '../../src/github/sweep-locks.ts';
import { startSeededCluster, stopCluster } from '../support/kube-test-cluster.ts';
import { theirLease } from '../support/example-kube.ts';
import { commentPayload, pullRequestPayload } from '../support/webhook-payloads.ts';

const CONFIG = (deploy: 'on-command' | 'on-merge') => `environments:
  staging:
    path: clusters/staging
    cluster: staging
    mesh: { name: fsm, namespace: fsm-system }
    deploy: ${deploy}
    approvals: 1
    namespaces: [bookinfo, payments]
`;
const sha = (c: string) => c.repeat(40);
const MAIN = sha('c');
const MESH_CONFIG = 'clusters/staging/meshconfig.yaml';

let kubeconfig: string;
let client: KubeClient;
let github: GitHubWorld;
let probot: ReturnType<typeof testProbot>;
let live: FaultySources;

/** The test cluster; `failNextApply` makes the next real (not dry-run) server-side apply fail, as a dying API server would. */
class FaultySources extends LiveSources {
  failNextApply = false;
  /** The next request whose `what` matches fails, as a dying API server would. */
  failNextWhat: RegExp | undefined;
  /** What every request of these clients was for (KubeRequest.what), in order. */
  readonly requested: string[] = [];
  override async client(cluster: string): Promise<KubeClient> {
    return this.faulty(await super.client(cluster));
  }

  /** The client with the fault hook, and so is every client derived from it (the deploy's deadline makes new ones). */
  private faulty(real: KubeClient): KubeClient {
    const faulty = Object.create(real) as KubeClient;
    faulty.request = (request) => {
      this.requested.push(request.what);
      if (this.failNextApply && request.method === 'PATCH' && !request.query?.['dryRun']) {
        this.failNextApply = false;
        return Promise.reject(new Error('injected: the API server went away'));
      }
      if (this.failNextWhat?.test(request.what)) {
        this.failNextWhat = undefined;
        return Promise.reject(new Error('injected: the API server went away'));
      }
      return real.request(request);
    };
    faulty.withDeadline = (deadline) => this.faulty(real.withDeadline(deadline));
    return faulty;
  }
}

/** The example repository with the test's config, and the staging MeshConfig excluding these ports. */
function repo(deploy: 'on-command' | 'on-merge', ports = '[6379]'): Files {
  const files: Files = { ...exampleRepoFiles(), '.github/fsm-gitops.yml': CONFIG(deploy) };
  files[MESH_CONFIG] = String(files[MESH_CONFIG]).replace('outboundPortExclusionList: [6379]', `outboundPortExclusionList: ${ports}`);
  return files;
}

/** A pull request changing the staging MeshConfig, reviewed by the app. */
async function openPullRequest(number: number, head: string, files: Files, options: { approvedBy?: string[] } = {}): Promise<void> {
  github.addCommit(head, files);
  github.addPull({ number, headSha: head, changed: [MESH_CONFIG] });
  await deliver(probot, 'pull_request', pullRequestPayload('opened', { number, headSha: head }));
  for (const reviewer of options.approvedBy ?? []) github.review(number, reviewer, 'APPROVED');
}

async function say(number: number, user: string, body: string, onPullRequest = true) {
  const comment = github.comment(number, user, body);
  const payload = commentPayload({ number, id: comment.id, body, user, onPullRequest });
  await deliver(probot, 'issue_comment', payload);
  return { comment, payload, replies: () => github.botComments(number).filter((c) => c.body.includes(`fsm-gitops:reply ${comment.id}`)).map((c) => c.body) };
}

async function exclusionList(): Promise<unknown> {
  const live = await client.get('/apis/config.flomesh.io/v1alpha3/namespaces/fsm-system/meshconfigs/fsm-mesh-config', 'read');
  const spec = isObject(live?.['spec']) ? live['spec'] : {};
  return isObject(spec['traffic']) ? spec['traffic']['outboundPortExclusionList'] : undefined;
}

/** Someone sets the staging MeshConfig's outbound port exclusion list by hand (kubectl edit). */
const mergePatchMeshConfig = (ports: number[]) =>
  client.request({
    method: 'PATCH',
    path: '/apis/config.flomesh.io/v1alpha3/namespaces/fsm-system/meshconfigs/fsm-mesh-config',
    contentType: 'application/merge-patch+json',
    query: { fieldManager: 'kubectl-edit' },
    body: { spec: { traffic: { outboundPortExclusionList: ports } } },
    what: 'a person edits the MeshConfig',
  });
const claims = () => new Claims(client, 'fsm-system');
const log = (number: number) => github.botComments(number).find((c) => c.body.startsWith('<!-- fsm-gitops:plan -->'))?.body ?? '';

before(async () => {
  ({ kubeconfig, client } = await startSeededCluster());
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  github = new GitHubWorld({ base: repo('on-command'), baseSha: MAIN, collaborators: { alice: 'admin', bob: 'write', carol: 'read', author: 'write' } });
  live = new FaultySources(new ClusterConnector({ staging: { kubeconfigFile: kubeconfig } }));
  probot = testProbot(live);
});
after(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  stopCluster(kubeconfig);
});

describe('deploying from GitHub to a real API server', { concurrency: false }, () => {
  test('/fsm apply before approval is refused, naming what is missing; nothing reaches the cluster', async () => {
    await openPullRequest(7, sha('7'), repo('on-command'));
    assert.deepEqual(github.checkRuns.map((r) => [r.name, r.conclusion]), [['fsm-gitops/staging', 'success']]);
    const before = await exclusionList();
    const sent = await say(7, 'alice', '/fsm apply staging');
    assert.match(sent.replies()[0]!, /approvals 0\/1 on 7777777\n {4}to unblock: get 1 more approving review\(s\) of 7777777/);
    assert.deepEqual(github.deployments, []);
    assert.deepEqual(await exclusionList(), before);
  });

  test('approved, /fsm apply applies the head commit: a Deployment, the claim, the history, the PR comment', async () => {
    github.review(7, 'bob', 'APPROVED');
    const sent = await say(7, 'alice', '/fsm apply staging');
    assert.deepEqual(sent.replies(), [], 'a success needs no reply');
    assert.deepEqual(sent.comment.reactions.map((r) => r.content), ['eyes']);
    assert.deepEqual(await exclusionList(), [6379]);

    const [deployment, ...others] = github.deployments;
    assert.equal(others.length, 0);
    assert.deepEqual(
      [deployment!.environment, deployment!.ref, deployment!.task, deployment!.auto_merge, deployment!.required_contexts, deployment!.production_environment],
      ['staging', sha('7'), 'deploy', false, [], false],
    );
    assert.deepEqual({ ...deployment!.payload, planDigest: typeof deployment!.payload['planDigest'] }, {
      trigger: `comment:${sent.comment.id}`,
      pr: 7,
      planDigest: 'string',
      approvers: ['bob'],
      actor: 'alice',
      history: `fsm-system/fsm-gitops-history-staging#comment:${sent.comment.id}`,
    });
    assert.deepEqual(deployment!.statuses.map((s) => s.state), ['in_progress', 'success']);
    assert.ok(deployment!.statuses.every((s) => (s.description?.length ?? 0) <= 140));

    const [record] = await readHistory(client, 'fsm-system', 'staging');
    assert.deepEqual([record?.trigger, record?.pr, record?.repository, record?.deployment, record?.result], [`comment:${sent.comment.id}`, 7, `${OWNER}/${REPO}`, deployment!.id, 'applied']);
    assert.deepEqual([(await claims().read('staging'))?.pr, (await claims().read('staging'))?.headSha], [7, sha('7')]);
    assert.match(log(7), new RegExp(`✅ \`staging\`: apply of \`7777777\` by alice: 4 object\\(s\\) applied, 2 deleted \\(Deployment ${deployment!.id}\\)`));
    assert.match(log(7), /🔒 held by this pull request \(since its apply of 7777777\)/);
  });

  test('the same command delivered again acts once: no second apply, Deployment or reply', async () => {
    const applied = github.comments.find((c) => c.body === '/fsm apply staging' && c.reactions.length > 0 && github.deployments[0]?.payload['trigger'] === `comment:${c.id}`)!;
    const history = (await readHistory(client, 'fsm-system', 'staging')).length;
    const replies = github.botComments(7).length;
    await deliver(probot, 'issue_comment', commentPayload({ number: 7, id: applied.id, body: applied.body, user: 'alice' }));
    assert.equal(github.deployments.length, 1);
    assert.equal((await readHistory(client, 'fsm-system', 'staging')).length, history);
    assert.equal(github.botComments(7).length, replies);
    assert.equal(log(7).split(`(Deployment ${github.deployments[0]!.id})`).length, 2, 'the log reports the Deployment once');
  });

  test('another pull request cannot apply while #7 holds staging; its comment says so', async () => {
    await openPullRequest(8, sha('8'), repo('on-command', '[6379, 11211]'), { approvedBy: ['bob'] });
    assert.match(log(8), /🔒 locked by #7, `\/fsm unlock staging` to release/);
    const sent = await say(8, 'alice', '/fsm apply staging');
    assert.match(sent.replies()[0]!, /staging is locked by #7 \(applied 7777777 by alice\)\n {4}to unblock: merge or close #7, or \/fsm unlock staging/);
    assert.equal(github.deployments.length, 1);
    assert.deepEqual(await exclusionList(), [6379]);
  });

  test('closing #7 releases its claim; then #8 applies', async () => {
    Object.assign(github.pull(7), { state: 'closed' });
    await deliver(probot, 'pull_request', pullRequestPayload('closed', { number: 7, headSha: sha('7'), merged: false }));
    assert.equal(await claims().read('staging'), undefined);
    const closing = github.botComments(7).map((c) => c.body).join('\n');
    assert.match(closing, /🔓 `staging`: released \(this pull request held it since applying `7777777`; closed at `7777777`\)/);
    // Closed unmerged, its apply is still what staging runs: said, with the way back (no deploy before it here).
    assert.match(closing, /⚠️ `staging` still runs `7777777` of this pull request, which was not merged: the cluster differs from the default branch until the next deploy; deploy the default branch to it \(`fsm-gitops apply`\) to return it, and `\/fsm status` shows the difference/);
    assert.doesNotMatch(log(7), /🔒/, 'the status block no longer shows the claim');
    assert.doesNotMatch(log(8), /locked by #7/, "the other pull request's status follows the release, before its own next event");
    const sent = await say(8, 'alice', '/fsm apply staging');
    assert.deepEqual(sent.replies(), []);
    assert.deepEqual(await exclusionList(), [6379, 11211]);
    assert.equal((await claims().read('staging'))?.pr, 8);
  });

  test('/fsm unlock from another pull request releases the claim; a read-only user may not', async () => {
    github.addCommit(sha('9'), repo('on-command'));
    github.addPull({ number: 9, headSha: sha('9'), changed: [MESH_CONFIG] });
    const refused = await say(9, 'carol', '/fsm unlock staging');
    assert.match(refused.replies()[0]!, /\/fsm unlock needs write permission on the repository; carol has read/);
    assert.equal((await claims().read('staging'))?.pr, 8);
    assert.match(log(8), /🔒 held by this pull request/);
    await say(9, 'bob', '/fsm unlock staging');
    assert.equal(await claims().read('staging'), undefined);
    assert.doesNotMatch(log(8), /🔒/, "the holder's status says it no longer holds staging");
  });

  test('/fsm rollback returns staging to an earlier successful deploy, records it, and pins the environment', async () => {
    const refused = await say(3, 'bob', '/fsm rollback staging 7777777', false);
    assert.match(refused.replies()[0]!, /rolling back needs the maintain or admin role on the repository; bob has write/);
    const arbitrary = await say(3, 'alice', '/fsm rollback staging 9999999', false);
    assert.match(arbitrary.replies()[0]!, /9999999 is not a successful deploy of staging \(recent ones: 8888888, 7777777\)/);

    // A Deployment someone else created (a workflow with deployments: write) is never a rollback target.
    const forged = { id: 4242, sha: sha('9'), ref: sha('9'), environment: 'staging', task: 'deploy', payload: {}, description: null, auto_merge: undefined, required_contexts: undefined, production_environment: undefined, creator: 'mallory', statuses: [{ id: 1, state: 'success' }] };
    github.deployments.push(forged);
    const spoofed = await say(3, 'alice', '/fsm rollback staging 4242', false);
    assert.match(spoofed.replies()[0]!, /deployment 4242 is not a deployment of staging/);
    github.deployments.pop();

    const sent = await say(3, 'alice', '/fsm rollback staging 7777777', false);
    assert.deepEqual(await exclusionList(), [6379]);
    const rollback = github.deployments.at(-1)!;
    assert.deepEqual([rollback.task, rollback.ref, rollback.statuses.map((s) => s.state)], ['deploy:rollback', sha('7'), ['in_progress', 'success']]);
    const reply = sent.replies()[0]!;
    assert.match(reply, /Rolled `staging` back to `7777777`\. Deploys to `staging` \(on merge and by `\/fsm apply`\) are paused until `\/fsm unlock staging`/);
    assert.match(reply, /outboundPortExclusionList/, 'the reply shows the plan');
    assert.equal((await new Pins(client, 'fsm-system').read('staging'))?.sha, sha('7'));
    // The history now holds 7777777 twice (its deploy and the rollback to it): named once.
    const unknown = await say(3, 'alice', '/fsm rollback staging 9999999', false);
    assert.match(unknown.replies()[0]!, /9999999 is not a successful deploy of staging \(recent ones: 7777777, 8888888\)/);
    // The earlier deploy it replaced is marked inactive by the app, not by GitHub.
    const states = github.deployments.map((d) => d.statuses.at(-1)?.state);
    assert.deepEqual(states, ['inactive', 'inactive', 'success']);
    // The change that was rolled back cannot come straight back: the pin stops /fsm apply too.
    const again = await say(8, 'alice', '/fsm apply staging');
    assert.match(again.replies()[0]!, /staging is paused since a rollback to 7777777 by alice\n {4}to unblock: \/fsm unlock staging/);
    assert.deepEqual(await exclusionList(), [6379]);
    assert.match(log(8), /📌 deploys paused since a rollback to 7777777 \(on merge and by \/fsm apply\), `\/fsm unlock staging` to resume/, 'the status says what the pin stops');
    // `/fsm unlock` without an environment releases this pull request's claims only: it names the pin it leaves.
    const unnamed = await say(8, 'bob', '/fsm unlock');
    assert.match(unnamed.replies()[0]!, /Nothing to unlock: no environment is held by this pull request\.\nstaging is paused since a rollback to 7777777 by alice: \/fsm unlock staging resumes it/);
    assert.equal((await new Pins(client, 'fsm-system').read('staging'))?.sha, sha('7'));
  });

  test('a merge while pinned is not deployed; after /fsm unlock, a merge with approvals deploys the merge commit, once', async () => {
    const onMerge = repo('on-merge', '[6379, 5432]');
    github.addCommit(sha('d'), repo('on-merge'));
    github.branches.set('main', sha('d')); // the default branch now deploys staging on merge

    await openPullRequest(10, sha('a'), onMerge, { approvedBy: ['bob'] });
    github.merge(10, sha('1'), onMerge);
    await deliver(probot, 'pull_request', pullRequestPayload('closed', { number: 10, headSha: sha('a'), merged: true, mergeCommitSha: sha('1') }));
    assert.match(github.botComments(10).map((c) => c.body).join('\n'), /📌 `staging`: not deployed on merge: paused since a rollback to `7777777`/);
    assert.deepEqual(await exclusionList(), [6379]);

    await say(10, 'alice', '/fsm unlock staging');
    assert.equal(await new Pins(client, 'fsm-system').read('staging'), undefined);

    const deployments = github.deployments.length;
    await openPullRequest(11, sha('b'), repo('on-merge', '[6379, 3306]'), { approvedBy: ['bob'] });
    github.merge(11, sha('2'), repo('on-merge', '[6379, 3306]'));
    const closed = pullRequestPayload('closed', { number: 11, headSha: sha('b'), merged: true, mergeCommitSha: sha('2') });
    await deliver(probot, 'pull_request', closed);
    assert.deepEqual(await exclusionList(), [6379, 3306]);
    const merged = github.deployments.at(-1)!;
    assert.equal(github.deployments.length, deployments + 1);
    assert.deepEqual([merged.ref, merged.payload['trigger'], merged.payload['pr'], merged.statuses.at(-1)?.state], [sha('2'), `merge:${sha('2')}`, 11, 'success']);
    assert.match(github.botComments(11).map((c) => c.body).join('\n'), /✅ `staging`: merge deploy of `2222222`/);

    await deliver(probot, 'pull_request', closed); // GitHub delivers it again
    assert.equal(github.deployments.length, deployments + 1);
    assert.equal(github.botComments(11).filter((c) => c.body.includes('fsm-gitops:reply closed:')).length, 1);
  });

  test('a merge without the approvals on its final head deploys nothing and says why', async () => {
    const deployments = github.deployments.length;
    await openPullRequest(12, sha('e'), repo('on-merge', '[6379, 27017]'));
    github.merge(12, sha('3'), repo('on-merge', '[6379, 27017]'));
    await deliver(probot, 'pull_request', pullRequestPayload('closed', { number: 12, headSha: sha('e'), merged: true, mergeCommitSha: sha('3') }));
    assert.equal(github.deployments.length, deployments);
    assert.deepEqual(await exclusionList(), [6379, 3306]);
    assert.match(github.botComments(12).map((c) => c.body).join('\n'), /⏸ `staging`: not deployed on merge: approvals 0\/1 on eeeeeee/);
  });

  test('a plan that moved since the review (someone changed the cluster) is not applied: plan again', async () => {
    github.addCommit(sha('4'), repo('on-command', '[6379, 3306]'));
    github.branches.set('main', sha('4'));
    await openPullRequest(13, sha('5'), repo('on-command', '[6379, 3306, 9092]'), { approvedBy: ['bob'] });
    await client.request({
      method: 'PATCH',
      path: '/apis/config.flomesh.io/v1alpha3/namespaces/fsm-system/meshconfigs/fsm-mesh-config',
      contentType: 'application/merge-patch+json',
      query: { fieldManager: 'kubectl-edit' },
      body: { spec: { traffic: { outboundPortExclusionList: [6379] } } },
      what: 'a person edits the MeshConfig',
    });
    const sent = await say(13, 'alice', '/fsm apply staging');
    assert.match(sent.replies()[0]!, /not applied: the plan of 5555555 is not the one the review showed .*run \/fsm plan staging/);
    assert.deepEqual(await exclusionList(), [6379]);

    await say(13, 'alice', '/fsm plan staging');
    const again = await say(13, 'alice', '/fsm apply staging');
    assert.deepEqual(again.replies(), []);
    assert.deepEqual(await exclusionList(), [6379, 3306, 9092]);
  });

  test('a failed merge deploy reaches people: the PR comment, the Deployment\'s failure, one fsm-deploy-failed issue until a deploy succeeds', async () => {
    github.addCommit(sha('6'), repo('on-merge', '[6379, 3306, 9092]'));
    github.branches.set('main', sha('6'));
    await openPullRequest(14, sha('0'), repo('on-merge', '[6379, 1521]'), { approvedBy: ['bob'] });
    github.merge(14, sha('f'), repo('on-merge', '[6379, 1521]'));
    live.failNextApply = true;
    await deliver(probot, 'pull_request', pullRequestPayload('closed', { number: 14, headSha: sha('0'), merged: true, mergeCommitSha: sha('f') }));
    assert.deepEqual(await exclusionList(), [6379, 3306, 9092], 'rolled back');
    const failed = github.deployments.at(-1)!;
    assert.deepEqual([failed.ref, failed.statuses.map((s) => s.state)], [sha('f'), ['in_progress', 'failure']]);
    assert.match(failed.statuses.at(-1)!.description!, /failed and rolled back: injected: the API server went away/);
    const [issue, ...more] = github.issues.filter((i) => i.labels.some((l) => l.name === 'fsm-deploy-failed'));
    assert.equal(more.length, 0);
    assert.equal(issue!.state, 'open');
    assert.match(issue!.body, /The merge deploy of `fffffff` to `staging` by Codertocat failed/);
    assert.match(issue!.body, /Next: nothing of it is left in the cluster\. Fix the cause, then deploy it with a new pull request or the CLI \(a merge is not deployed twice\)\./);
    assert.match(github.botComments(14).map((c) => c.body).join('\n'), new RegExp(`❌ \`staging\`: merge deploy of \`fffffff\` by Codertocat failed \\(Deployment ${failed.id}, issue #${issue!.number}\\)`));

    await openPullRequest(15, sha('9'), repo('on-merge', '[6379, 1521]'), { approvedBy: ['bob'] });
    github.merge(15, sha('8'), repo('on-merge', '[6379, 1521]'));
    github.faults['POST deployment-statuses'] = [{ status: 502, carriedOut: true }]; // GitHub records it, then answers 502
    await deliver(probot, 'pull_request', pullRequestPayload('closed', { number: 15, headSha: sha('9'), merged: true, mergeCommitSha: sha('8') }));
    assert.deepEqual(await exclusionList(), [6379, 1521]);
    assert.deepEqual(github.deployments.at(-1)!.statuses.map((s) => s.state), ['in_progress', 'success'], 'no status twice');
    assert.equal(issue!.state, 'closed');
    assert.match(issue!.comments.at(-1)!, /merge deploy of 8888888 \(Deployment \d+\): `staging` deployed successfully\. Closing\./);
  });

  test('the drift schedule releases the claim of a pull request closed while the app was away, and lifts a pin once in sync', async () => {
    const octokit = (await probot.auth(INSTALLATION_ID)) as Octokit;
    const ref = { owner: OWNER, repo: REPO };
    // #13 applied before merge and still holds staging; it is closed while no event reaches the app.
    assert.equal((await claims().read('staging'))?.pr, 13);
    github.pull(13).state = 'closed';
    await new Pins(client, 'fsm-system').pin('staging', { sha: sha('9'), deployment: undefined, actor: 'alice', since: new Date().toISOString() });
    const identity = { id: APP_ID, slug: 'fsm-gitops', botLogin: BOT_LOGIN };
    const drift = await checkDrift(octokit, ref, live, identity);
    assert.deepEqual(drift.inSync, ['staging']);
    // A rollback that pins after the clusters were read keeps its pin.
    const pins = new Pins(client, 'fsm-system');
    await pins.pin('staging', { sha: sha('9'), deployment: undefined, actor: 'alice', since: new Date(drift.readAt.getTime() + 1).toISOString() });
    // A claim that cannot be read is said, not thrown: the other environments are still swept.
    live.failNextWhat = /^read claim of staging$/;
    assert.deepEqual(await sweepLocks(octokit, ref, `${OWNER}/${REPO}`, live, { ...drift, config: drift.config!, inSync: [] }), { done: [], environments: [], failed: ['staging: injected: the API server went away'] });
    assert.deepEqual(await sweepLocks(octokit, ref, `${OWNER}/${REPO}`, live, { ...drift, config: drift.config!, inSync: [] }), { done: ['staging: released the claim of #13 (closed)'], environments: ['staging'], failed: [] });
    assert.deepEqual(await sweepLocks(octokit, ref, `${OWNER}/${REPO}`, live, { ...drift, config: drift.config! }), { done: [], environments: [], failed: [] });
    await pins.pin('staging', { sha: sha('9'), deployment: undefined, actor: 'alice', since: new Date(drift.readAt.getTime() - 1).toISOString() });
    const swept = await sweepLocks(octokit, ref, `${OWNER}/${REPO}`, live, { ...drift, config: drift.config! });
    assert.deepEqual(swept, { done: ['staging: the default branch matches the cluster again; deploys resume'], environments: ['staging'], failed: [] });
    assert.equal(await claims().read('staging'), undefined);
    assert.equal(await new Pins(client, 'fsm-system').read('staging'), undefined);
  });

  test('a merge commit that holds more than the reviewed head (an unapproved merge the branch lacked) is not deployed', async () => {
    const plugin = 'clusters/staging/plugins/cors.yaml';
    const withPriority = (files: Files): Files => ({ ...files, [plugin]: String(files[plugin]).replace('priority: 165', 'priority: 170') });
    const deployments = github.deployments.length;
    // B is opened, reviewed and approved first: it changes only the plugin's priority.
    await openPullRequest(17, '17'.repeat(20), withPriority(repo('on-merge', '[6379, 1521]')), { approvedBy: ['bob'] });
    // A, with no approval, merges meanwhile: not deployed, but now on the default branch.
    await openPullRequest(16, '16'.repeat(20), repo('on-merge', '[6379, 1521, 8080]'));
    github.merge(16, '1a'.repeat(20), repo('on-merge', '[6379, 1521, 8080]'));
    await deliver(probot, 'pull_request', pullRequestPayload('closed', { number: 16, headSha: '16'.repeat(20), merged: true, mergeCommitSha: '1a'.repeat(20) }));
    // B merges: its merge commit holds A's change too.
    github.merge(17, '1b'.repeat(20), withPriority(repo('on-merge', '[6379, 1521, 8080]')));
    await deliver(probot, 'pull_request', pullRequestPayload('closed', { number: 17, headSha: '17'.repeat(20), merged: true, mergeCommitSha: '1b'.repeat(20) }));
    assert.equal(github.deployments.length, deployments, 'no Deployment');
    assert.deepEqual(await exclusionList(), [6379, 1521], 'A\'s unapproved change did not ride along');
    assert.match(github.botComments(17).map((c) => c.body).join('\n'), /staging: not deployed on merge: the plan of the merge commit 1b1b1b1 is not the one the review of the pull request showed/);
  });

  test('a merge deploy that stopped after making its Deployment (GitHub refused its in_progress status) is carried out by the next try, on that Deployment', async () => {
    const files = repo('on-merge', '[6379, 1521, 5432]');
    await openPullRequest(18, '18'.repeat(20), files, { approvedBy: ['bob'] });
    github.merge(18, '1c'.repeat(20), files);
    const closed = pullRequestPayload('closed', { number: 18, headSha: '18'.repeat(20), merged: true, mergeCommitSha: '1c'.repeat(20) });
    const deployments = github.deployments.length;
    github.faults['POST deployment-statuses'] = [{ status: 422 }];
    await assert.rejects(handleTry(probot, live, 'pull_request', closed, { final: false }, 'delivery-18'), /failure injected by the test/);
    assert.equal(github.deployments.length, deployments + 1);
    const deployment = github.deployments.at(-1)!;
    assert.deepEqual([deployment.ref, deployment.statuses.map((s) => s.state)], ['1c'.repeat(20), ['error']]);
    assert.match(deployment.statuses[0]!.description!, /^stopped before writing: /);
    assert.deepEqual(await exclusionList(), [6379, 1521], 'nothing written');

    await handleTry(probot, live, 'pull_request', closed, { final: true }, 'delivery-18');
    assert.equal(github.deployments.length, deployments + 1, 'no second Deployment');
    assert.deepEqual(deployment.statuses.map((s) => s.state), ['error', 'in_progress', 'success']);
    assert.deepEqual(await exclusionList(), [6379, 1521, 5432]);
    assert.equal((await readHistory(client, 'fsm-system', 'staging')).filter((r) => r.trigger === `merge:${'1c'.repeat(20)}`).length, 1);
    assert.match(github.botComments(18).map((c) => c.body).join('\n'), new RegExp(`✅ \`staging\`: merge deploy of \`1c1c1c1\` by Codertocat: 1 object\\(s\\) applied \\(Deployment ${deployment.id}\\)`));
  });

  test('a merge deploy whose final status GitHub refuses is still reported applied: no failure issue, and a redelivery sets the status', async () => {
    const files = repo('on-merge', '[6379, 1521, 5432, 11211]');
    await openPullRequest(22, '22'.repeat(20), files, { approvedBy: ['bob'] });
    github.merge(22, '2c'.repeat(20), files);
    const closed = pullRequestPayload('closed', { number: 22, headSha: '22'.repeat(20), merged: true, mergeCommitSha: '2c'.repeat(20) });
    const failureIssues = () => github.issues.filter((i) => i.labels.some((l) => l.name === 'fsm-deploy-failed') && i.state === 'open').length;
    const openIssues = failureIssues();
    github.faults['POST deployment-statuses'] = [{ status: 422, state: 'success' }];
    await handleTry(probot, live, 'pull_request', closed, { final: true }, 'delivery-22');
    assert.deepEqual(await exclusionList(), [6379, 1521, 5432, 11211], 'applied once');
    const deployment = github.deployments.at(-1)!;
    assert.deepEqual(deployment.statuses.map((s) => s.state), ['in_progress']);
    const said = github.botComments(22).map((c) => c.body).join('\n');
    assert.match(said, new RegExp(`✅ \`staging\`: merge deploy of \`2c2c2c2\` by Codertocat: 1 object\\(s\\) applied \\(Deployment ${deployment.id}\\)`));
    assert.match(said, new RegExp(`⚠️ \`staging\`: GitHub did not take Deployment ${deployment.id}'s final status \\(.*failure injected by the test.*\\); it reads in\\\\?_progress until this event is delivered again`));
    assert.doesNotMatch(said, /stopped|not tried again/);
    assert.equal(failureIssues(), openIssues, 'no failure issue for an apply that worked');

    await handleTry(probot, live, 'pull_request', closed, { final: true }, 'delivery-22-again');
    assert.deepEqual(deployment.statuses.map((s) => s.state), ['in_progress', 'success'], 'the redelivery sets it from the history');
    assert.equal((await readHistory(client, 'fsm-system', 'staging')).filter((r) => r.trigger === `merge:${'2c'.repeat(20)}`).length, 1, 'not applied twice');

    // Back as the tests below expect it.
    const back = repo('on-merge', '[6379, 1521, 5432]');
    await openPullRequest(23, '23'.repeat(20), back, { approvedBy: ['bob'] });
    github.merge(23, '2d'.repeat(20), back);
    await deliver(probot, 'pull_request', pullRequestPayload('closed', { number: 23, headSha: '23'.repeat(20), merged: true, mergeCommitSha: '2d'.repeat(20) }));
    assert.deepEqual(await exclusionList(), [6379, 1521, 5432]);
  });

  test('an apply before merge that fails and is rolled back gives the claim back: the earlier apply\'s, or none', async () => {
    const base = repo('on-command', '[6379, 1521, 5432]');
    github.addCommit(sha('5'), base);
    github.branches.set('main', sha('5'));
    const first = repo('on-command', '[6379, 1521, 5432, 27017]');
    await openPullRequest(19, '19'.repeat(20), first, { approvedBy: ['bob'] });
    live.failNextApply = true;
    const failed = await say(19, 'alice', '/fsm apply staging');
    assert.match(failed.replies()[0]!, /staging: the apply failed: .*injected: the API server went away.*\nNext: nothing of it is left in the cluster\. Fix the cause, then \/fsm plan staging, then \/fsm apply staging\./s);
    assert.deepEqual([github.deployments.at(-1)!.ref, github.deployments.at(-1)!.statuses.map((s) => s.state)], ['19'.repeat(20), ['in_progress', 'failure']]);
    assert.deepEqual(await exclusionList(), [6379, 1521, 5432], 'rolled back');
    assert.equal(await claims().read('staging'), undefined, 'nothing of #19 is applied: it holds nothing');

    await say(19, 'alice', '/fsm apply staging');
    assert.deepEqual(await exclusionList(), [6379, 1521, 5432, 27017]);
    assert.equal((await claims().read('staging'))?.headSha, '19'.repeat(20));
    // Asked again: the cluster already matches the head, which is said, not 'the plan changed'.
    const deployments = github.deployments.length;
    const again = await say(19, 'alice', '/fsm apply staging');
    assert.deepEqual([again.replies(), github.deployments.length], [[], deployments]);
    assert.match(log(19), /`staging`: apply of `1919191`: nothing to do, the cluster already matches it \(applied since the review\)/);

    // A push, approved again, whose apply fails: the claim is #19's earlier one, for what is still applied.
    const pushed = '1d'.repeat(20);
    github.addCommit(pushed, repo('on-command', '[6379, 1521, 5432, 27017, 11211]'));
    github.pull(19).headSha = pushed;
    await deliver(probot, 'pull_request', pullRequestPayload('synchronize', { number: 19, headSha: pushed }));
    github.review(19, 'bob', 'APPROVED');
    live.failNextApply = true;
    await say(19, 'alice', '/fsm apply staging');
    assert.deepEqual(await exclusionList(), [6379, 1521, 5432, 27017], 'rolled back to the first apply');
    assert.equal((await claims().read('staging'))?.headSha, '19'.repeat(20));
    await say(19, 'alice', '/fsm unlock staging');
  });

  test('an apply whose report GitHub refused is reported by the next try, which applies nothing again', async () => {
    const ports = (await exclusionList()) as number[]; // #19 unlocked staging above
    github.addCommit(sha('4'), repo('on-command', JSON.stringify(ports)));
    github.branches.set('main', sha('4'));
    const files = repo('on-command', JSON.stringify([...ports, 3306]));
    await openPullRequest(21, '21'.repeat(20), files, { approvedBy: ['bob'] });
    const sent = github.comment(21, 'alice', '/fsm apply staging');
    const payload = commentPayload({ number: 21, id: sent.id, body: sent.body, user: 'alice' });
    const deployments = github.deployments.length;
    github.faults['PATCH comments'] = [{ status: 502 }, { status: 502 }, { status: 502 }, { status: 502 }];
    await assert.rejects(handleTry(probot, live, 'issue_comment', payload, { final: false }, 'delivery-21'), /failure injected by the test/);
    github.faults['PATCH comments'] = [];
    const deployment = github.deployments.at(-1)!;
    assert.equal(github.deployments.length, deployments + 1);
    assert.deepEqual(deployment.statuses.map((s) => s.state), ['in_progress', 'success']);
    assert.doesNotMatch(log(21), /\(Deployment \d+/, 'the first try could not say it');

    // The last try cannot update the deploy log either: it says what was done in a reply.
    github.faults['PATCH comments'] = [{ status: 502 }, { status: 502 }, { status: 502 }, { status: 502 }];
    await handleTry(probot, live, 'issue_comment', payload, { final: true }, 'delivery-21');
    github.faults['PATCH comments'] = [];
    const applied = new RegExp(`✅ \`staging\`: apply of \`2121212\` by alice: 1 object\\(s\\) applied \\(Deployment ${deployment.id}\\)`);
    const reply = github.botComments(21).find((c) => c.body.includes(`fsm-gitops:reply ${sent.id}:log`))?.body ?? '';
    assert.match(reply, applied);
    assert.match(reply, /The deploy log in this pull request's fsm-gitops comment could not be updated: .*failure injected by the test/);
    assert.doesNotMatch(log(21), /\(Deployment \d+/);

    await handleTry(probot, live, 'issue_comment', payload, { final: true }, 'delivery-21-again');
    assert.equal(github.deployments.length, deployments + 1, 'no second Deployment');
    assert.equal((await readHistory(client, 'fsm-system', 'staging')).filter((r) => r.trigger === `comment:${sent.id}`).length, 1, 'applied once');
    assert.match(log(21), applied);
  });

  test('a rollback that stopped before its pin (the API server failed) is pinned by the next try, which rolls back nothing again', async () => {
    const pins = new Pins(client, 'fsm-system');
    const sent = github.comment(21, 'alice', '/fsm rollback staging 1919191');
    const payload = commentPayload({ number: 21, id: sent.id, body: sent.body, user: 'alice' });
    live.failNextWhat = /^record pin of staging$/;
    await assert.rejects(handleTry(probot, live, 'issue_comment', payload, { final: false }, 'delivery-rollback'), /injected: the API server went away/);
    const rollback = github.deployments.at(-1)!;
    assert.deepEqual([rollback.task, rollback.ref, rollback.statuses.map((s) => s.state)], ['deploy:rollback', '19'.repeat(20), ['in_progress', 'success']]);
    assert.equal(await pins.read('staging'), undefined, 'the first try stopped before its pin');

    await handleTry(probot, live, 'issue_comment', payload, { final: true }, 'delivery-rollback');
    assert.equal(github.deployments.at(-1)!.id, rollback.id, 'no second rollback');
    assert.deepEqual([(await pins.read('staging'))?.sha, (await pins.read('staging'))?.deployment], ['19'.repeat(20), rollback.id]);
    assert.match(log(21), new RegExp(`✅ \`staging\`: rollback to \`1919191\` by alice: (?!rolled back to).*\\(Deployment ${rollback.id}\\)`));
  });

  test('/fsm apply that releases a stale claim and is then refused still refreshes the other pull requests', async () => {
    // #21 applied before merge and holds staging.
    await claims().take('staging', { repository: `${OWNER}/${REPO}`, pr: 21, headSha: '21'.repeat(20), actor: 'alice', since: new Date().toISOString() });
    const files = repo('on-command', '[6379, 1521, 5432, 3306, 9092]');
    await openPullRequest(25, '25'.repeat(20), files);
    assert.match(log(25), /🔒 locked by #21/);
    github.pull(21).state = 'closed'; // closed while no event reached the app
    await openPullRequest(24, '24'.repeat(20), files);
    const sent = await say(24, 'alice', '/fsm apply staging');
    assert.match(sent.replies()[0]!, /approvals 0\/1/, 'refused: no approval');
    assert.equal(await claims().read('staging'), undefined, 'the stale claim was released');
    assert.match(log(24), /released the stale claim of #21 \(closed\)/);
    assert.doesNotMatch(log(25), /locked by #21/, 'the other pull request no longer shows the released claim');
  });

  test('the drift run that releases the claim of a closed pull request refreshes the other pull requests\' status', async () => {
    // #27 applied before merge and holds staging; #28 shows it locked.
    await openPullRequest(27, '27'.repeat(20), repo('on-command', '[6379, 1521]'));
    await claims().take('staging', { repository: `${OWNER}/${REPO}`, pr: 27, headSha: '27'.repeat(20), actor: 'alice', since: new Date().toISOString() });
    await openPullRequest(28, '28'.repeat(20), repo('on-command', '[6379, 1521, 5432]'));
    assert.match(log(28), /🔒 locked by #27/);
    github.pull(27).state = 'closed'; // closed while no event reached the app
    const identity = { id: APP_ID, slug: 'fsm-gitops', botLogin: BOT_LOGIN };
    assert.deepEqual(await checkEveryRepository(probot, live, identity), { checked: 1, failed: 0 });
    assert.equal(await claims().read('staging'), undefined, 'the drift run released the claim');
    assert.doesNotMatch(log(28), /locked by #27/, 'the other pull request no longer shows the released claim');
    assert.match(log(28), /\*\*`staging`\*\*: deploys /, 'its status block was recomputed, not dropped');
  });

  test('the drift run does not write a status over a comment its pull request rewrote meanwhile', async () => {
    await openPullRequest(29, '29'.repeat(20), repo('on-command', '[6379, 1521]'));
    await claims().take('staging', { repository: `${OWNER}/${REPO}`, pr: 29, headSha: '29'.repeat(20), actor: 'alice', since: new Date().toISOString() });
    await openPullRequest(30, '30'.repeat(20), repo('on-command', '[6379, 1521, 5432]'));
    assert.match(log(30), /🔒 locked by #29/);
    github.pull(29).state = 'closed';
    // #30's comment is rewritten (a push reviewed) after the drift run read it, before it writes.
    const comment = github.botComments(30).find((c) => c.body.startsWith('<!-- fsm-gitops:plan -->'))!;
    const rewritten = `${comment.body}\n<!-- rewritten by a review -->`;
    const push = github.requests.push.bind(github.requests);
    let reads = 0;
    github.requests.push = (...requests) => {
      for (const request of requests) if (request.method === 'GET' && /\/issues\/30\/comments/.test(request.path) && ++reads === 2) comment.body = rewritten;
      return push(...requests);
    };
    try {
      const identity = { id: APP_ID, slug: 'fsm-gitops', botLogin: BOT_LOGIN };
      assert.deepEqual(await checkEveryRepository(probot, live, identity), { checked: 1, failed: 0 });
    } finally {
      github.requests.push = push;
    }
    assert.equal(reads, 2, 'read, then read again before writing');
    assert.equal(await claims().read('staging'), undefined);
    assert.equal(log(30), rewritten, 'the rewritten comment is left as it is');
  });

  test("another pull request's apply marks the plans made before it: their status says so until they plan again; the applier's own does not", async () => {
    await say(30, 'alice', '/fsm unlock staging'); // the rollback's pin, from the tests above
    await openPullRequest(40, '40'.repeat(20), repo('on-command', '[6379, 8080]'), { approvedBy: ['bob'] });
    await openPullRequest(41, '41'.repeat(20), repo('on-command', '[6379, 9090]'), { approvedBy: ['bob'] });
    assert.doesNotMatch(log(40), /changed since this plan/);

    live.requested.length = 0;
    const githubBefore = github.requests.length;
    const applied = await say(41, 'alice', '/fsm apply staging');
    assert.deepEqual(applied.replies(), []);
    // After the apply: #41's own status block, then the other open pull requests' blocks, which share one history read
    // (the claim and pin are read per block: another process may release or lift them while the refresh runs).
    const afterApply = live.requested.slice(live.requested.indexOf('release Lease fsm-gitops-staging') + 1);
    const othersRewritten = new Set(github.requests.slice(githubBefore).filter((r) => r.method === 'PATCH' && /\/issues\/comments\//.test(r.path)).map((r) => r.path));
    assert.ok(othersRewritten.size >= 3, `several status blocks rewritten: ${[...othersRewritten].join(', ')}`);
    assert.equal(afterApply.filter((w) => w === 'read apply history of staging').length, 2, "once for #41's block, once for all the others'");
    assert.ok(afterApply.filter((w) => w === 'read claim of staging').length >= othersRewritten.size, 'the claim: once per block');
    assert.deepEqual(await exclusionList(), [6379, 9090]);
    assert.match(log(40), /\*\*`staging`\*\*: .*⚠️ changed since this plan: `4141414` by alice, #41, \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC: applied\. This pull request's plan was made before it; `\/fsm plan staging` plans against the cluster as it is now/, 'refreshed by the apply, before its own next event');
    assert.doesNotMatch(log(41), /changed since this plan/, 'its own apply');

    // #41 merged: #40's branch lacks its change to clusters/staging/ now, and planning it as it is would undo it.
    github.merge(41, '41'.repeat(19) + 'ff', repo('on-command', '[6379, 9090]'));
    await deliver(probot, 'pull_request', pullRequestPayload('closed', { number: 41, headSha: '41'.repeat(20), merged: true, mergeCommitSha: '41'.repeat(19) + 'ff' }));
    assert.match(log(40), /⚠️ changed since this plan: `4141414` by alice, #41, [^.]*: applied\. This pull request's plan was made before it; this branch lacks the default branch's changes to `clusters\/staging\/`: update it \(merge or rebase the default branch\), which plans it again/);

    await say(40, 'alice', '/fsm plan staging');
    assert.doesNotMatch(log(40), /changed since this plan/, 'planned again since');
    assert.doesNotMatch(log(40), /🔒/, "#41's claim was released by its merge");
  });

  test('an apply that took over the Lease of an interrupted apply, then stopped before writing, says both in its reply', async () => {
    // An apply from the CLI was killed: its Lease, never renewed, expired two minutes ago.
    await client.request({ method: 'POST', path: '/apis/coordination.k8s.io/v1/namespaces/fsm-system/leases', body: theirLease('fsm-gitops-cli/ops@ci', 120), what: 'a killed apply left its Lease' });
    await openPullRequest(42, '42'.repeat(20), repo('on-command', '[6379, 9090, 7070]'), { approvedBy: ['bob'] });
    live.failNextWhat = /^read apply history of staging$/;
    const comment = github.comment(42, 'alice', '/fsm apply staging');
    // The delivery fails (on a queue, it would be tried again; this one is its last try) and its log line has the warning too.
    await assert.rejects(deliver(probot, 'issue_comment', commentPayload({ number: 42, id: comment.id, body: comment.body, user: 'alice' })), /injected: the API server went away \(warnings: staging: took over the apply lock of fsm-gitops-cli\/ops@ci/);
    const [reply] = github.botComments(42).filter((c) => c.body.includes(`fsm-gitops:reply ${comment.id}`)).map((c) => c.body);
    assert.match(reply!, /\/fsm apply stopped: injected: the API server went away\nwarning: staging: took over the apply lock of fsm-gitops-cli\/ops@ci \(commit abc\), which stopped renewing it without releasing it \(it expired \d+ s ago\)/);
    assert.match(reply!, /It is not tried again: once the cause is fixed, comment the command again\./);
  });

  test("a review's own plan is compared too: an apply that ended while it planned (after its read began) is named at once", async () => {
    // The CLI's apply ends while the review below reads the cluster: its record's time is after the plan's start.
    await recordApply(client, 'fsm-system', 'staging', { commit: 'c1'.repeat(20), time: new Date(Date.now() + 60_000).toISOString(), actor: 'ops', result: 'applied', changes: ['update MeshConfig fsm-system/fsm-mesh-config'] });
    await openPullRequest(43, '43'.repeat(20), repo('on-command', '[6379, 9090, 6060]'));
    assert.match(log(43), /⚠️ changed since this plan: `c1c1c1c` by ops, \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC: applied\. This pull request's plan was made before it; `\/fsm plan staging` plans against the cluster as it is now/);
  });

  test('the drift check goes on past an environment whose cluster the app cannot use: it says so, and leaves an open drift issue open', async () => {
    const octokit = (await probot.auth(INSTALLATION_ID)) as Octokit;
    const ref = { owner: OWNER, repo: REPO };
    const identity = { id: APP_ID, slug: 'fsm-gitops', botLogin: BOT_LOGIN };
    const production = `  production:\n    path: clusters/production\n    cluster: prod-eu-1\n    mesh: { name: fsm, namespace: fsm-system }\n    deploy: on-command\n`;
    const main = '44'.repeat(20);
    const files = repo('on-command', '[6379, 9090]');
    // The release's own values: no chart upgrade pending, so staging is in sync once the MeshConfig is.
    files['clusters/staging/values.yaml'] = String(files['clusters/staging/values.yaml']).replace('replicaCount: 2', 'replicaCount: 1');
    github.addCommit(main, { ...files, '.github/fsm-gitops.yml': CONFIG('on-command') + production });
    github.branches.set('main', main);
    const drifts = () => github.issues.filter((i) => i.labels.some((l) => l.name === 'fsm-drift'));

    await mergePatchMeshConfig([6379]); // someone edits staging by hand
    const drifted = await checkDrift(octokit, ref, live, identity);
    assert.match(drifted.outcome, /^(opened|updated)$/);
    assert.deepEqual(drifted.unchecked.map((u) => u.environment), ['production']);
    const [issue] = drifts().filter((i) => i.state === 'open');
    assert.match(issue!.body, /Drift|differs/);
    assert.match(issue!.body, /⚠️ Not checked: production: .*prod-eu-1/);
    assert.doesNotMatch(issue!.body, /the app's log has the error/, "the app's own advice about its settings is the whole error: no pointer to the log");

    await mergePatchMeshConfig([6379, 9090]); // and puts it back
    const back = await checkDrift(octokit, ref, live, identity);
    assert.deepEqual([back.outcome, back.inSync], ['incomplete', ['staging']]);
    assert.equal(issue!.state, 'open', 'production may still drift: its issue is not closed');
    assert.match(issue!.body, /The environments that could be read match `main` at 4444444; these could not be, and may still differ:\n\n> ⚠️ Not checked: production: .*prod-eu-1/);
    assert.doesNotMatch(issue!.body, /outboundPortExclusionList/, "staging's fixed drift is no longer shown");
    assert.equal(issue!.title, 'Drift: production not checked');

    // GitHub failing to give the branch's files is not an environment that could not be checked: the check fails (tried next run).
    github.faults['GET trees'] = Array.from({ length: 10 }, () => ({ status: 404, carriedOut: false }));
    try {
      await assert.rejects(checkDrift(octokit, ref, live, identity), /Not Found|failure injected/);
    } finally {
      delete github.faults['GET trees'];
    }
    assert.equal(issue!.state, 'open');
  });
});
