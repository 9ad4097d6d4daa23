/**
 * Who decides: the default branch's .github/fsm-gitops.yml. A pull request's own config changes nothing
 * about its review (cluster, mesh, approvals); an environment it adds never reaches a cluster; a review
 * plans at most MAX_ENVIRONMENTS_PER_REVIEW environments; a retried review updates the check runs it
 * started.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import { ClusterConnector } from '../../src/kube/credentials/cluster-credentials.ts';
import type { LiveStateReader, MeshRef } from '../../src/live/live-state.ts';
import { LiveSources } from '../../src/workflow/live-sources.ts';
import { GitHubWorld } from '../support/github-world.ts';
import { pullRequestPayload, reviewPayload } from '../support/webhook-payloads.ts';
import { deliver, exampleRepoFiles, testProbot } from './app-harness.ts';

const HEAD = 'a'.repeat(40);
const PR = 7;

before(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
after(() => nock.enableNetConnect());

/** The example snapshots, recording which cluster was read, for which mesh, and what was dry-run. */
class RecordingSources extends LiveSources {
  readonly reads: { cluster: string; mesh: MeshRef }[] = [];
  readonly dryRuns: string[] = [];
  constructor() {
    super(new ClusterConnector({ staging: { snapshotFile: 'examples/cluster/staging.yaml' }, 'prod-eu-1': { snapshotFile: 'examples/cluster/production.yaml' } }));
  }
  override async reader(cluster: string): Promise<LiveStateReader> {
    const reader = await super.reader(cluster);
    return {
      read: (mesh) => (this.reads.push({ cluster, mesh }), reader.read(mesh)),
      dryRun: async () => (this.dryRuns.push(cluster), new Map()),
    };
  }
}

function headWithConfig(edit: (config: string) => string): Record<string, string> {
  const files = exampleRepoFiles();
  files['.github/fsm-gitops.yml'] = edit(files['.github/fsm-gitops.yml']!);
  return files;
}

async function review(head: Record<string, string>, changed: string[], options: { fork?: boolean; max?: number } = {}) {
  const github = new GitHubWorld({
    base: exampleRepoFiles(),
    commits: { [HEAD]: head },
    pulls: [{ number: PR, headSha: HEAD, changed, ...(options.fork ? { headRepo: 'mallory/mesh-config' } : {}) }],
  });
  const live = new RecordingSources();
  const probot = testProbot(live, options.max ? { maxEnvironmentsPerReview: options.max } : undefined);
  await deliver(probot, 'pull_request', pullRequestPayload('opened', { number: PR, headSha: HEAD, ...(options.fork ? { fork: true } : {}) }));
  return { github, live, probot };
}

test('a head config pointing staging at another cluster and mesh, with no approvals, changes nothing about its review', async () => {
  const head = headWithConfig((c) =>
    c.replace('cluster: staging ', 'cluster: prod-eu-1').replace('mesh: { name: fsm, namespace: fsm-system }\n    deploy: on-merge', 'mesh: { name: payments-db, namespace: kube-system }\n    deploy: on-merge').replace('approvals: 1', 'approvals: 0'),
  );
  const { github, live } = await review(head, ['.github/fsm-gitops.yml', 'clusters/staging/meshconfig.yaml']);
  assert.deepEqual(live.reads, [{ cluster: 'staging', mesh: { name: 'fsm', namespace: 'fsm-system' } }], 'the default branch\'s cluster and mesh only');
  assert.deepEqual(live.dryRuns, ['staging']);
  const run = github.checkRuns.find((r) => r.name === 'fsm-gitops/staging')!;
  const pending = run.annotations.find((a) => a.title === 'policy-pending')!;
  assert.match(pending.message, /cluster "staging" → "prod-eu-1", mesh \{"name":"fsm","namespace":"fsm-system"\} → \{"name":"payments-db","namespace":"kube-system"\}, approvals 1 → 0/);
  // Its merge deploys nothing (merge-deploy refuses a plan made under another policy), so its 0 approvals never count.
  assert.match(github.botComments(PR)[0]!.body, /- \*\*`staging`\*\*: deploys on merge, but not this pull request's merge/);
  assert.doesNotMatch(github.botComments(PR)[0]!.body, /approvals 0\/0|✅ approvals/);
});

test('a fork that names another Helm release gets the mesh\'s release read, and is never dry-run', async () => {
  const head = headWithConfig((c) => c.replaceAll('name: fsm,', 'name: payments-db,'));
  const { live, github } = await review(head, ['.github/fsm-gitops.yml', 'clusters/staging/values.yaml'], { fork: true });
  assert.ok(live.reads.length > 0);
  assert.ok(live.reads.every((r) => r.mesh.name === 'fsm'));
  assert.deepEqual(live.dryRuns, []);
  assert.match(github.botComments(PR)[0]!.body, /comes from a fork/);
});

test('an environment the pull request adds is planned from its files only: no cluster is contacted', async () => {
  const head = headWithConfig((c) => `${c}  dev:\n    path: clusters/dev\n    cluster: staging\n    deploy: on-merge\n    approvals: 0\n    namespaces: [bookinfo]\n`);
  for (const [path, content] of Object.entries(exampleRepoFiles())) if (path.startsWith('clusters/staging/')) head[path.replace('staging', 'dev')] = content.replace('namespace: payments', 'namespace: bookinfo');
  const { github, live } = await review(head, ['.github/fsm-gitops.yml', 'clusters/dev/meshconfig.yaml']);
  assert.deepEqual(live.reads, [], 'neither the new environment\'s cluster nor any other');
  const run = github.checkRuns.find((r) => r.name === 'fsm-gitops/dev')!;
  assert.equal(run.conclusion, 'success', JSON.stringify(run.output?.summary));
  assert.match(run.annotations.find((a) => a.title === 'policy-pending')!.message, /environments\.dev is new: until it is on the default branch it is planned from its files only/);
  assert.match(github.botComments(PR)[0]!.body, /- \*\*`dev`\*\*: new in this pull request; it is planned from its files only/);

  // Closed unmerged, then refreshed (a review): it deploys nothing, and its cluster (the pull request's to name) is not read.
  Object.assign(github.pull(PR), { state: 'closed', merged: false });
  github.review(PR, 'bob', 'APPROVED');
  await deliver(testProbot(live), 'pull_request_review', reviewPayload('submitted', { number: PR, headSha: HEAD, reviewer: 'bob', state: 'APPROVED' }));
  assert.match(github.botComments(PR)[0]!.body, /- \*\*`dev`\*\*: closed without merging: it deploys nothing\n/);
  assert.deepEqual(live.reads, []);
});

test('a review plans at most MAX_ENVIRONMENTS_PER_REVIEW environments and names the ones left out', async () => {
  const { github } = await review(exampleRepoFiles(), ['clusters/staging/values.yaml', 'clusters/production/values.yaml'], { max: 1 });
  assert.deepEqual(github.checkRuns.map((r) => r.name), ['fsm-gitops/production']);
  assert.match(github.botComments(PR)[0]!.body, /Not planned: `staging`\. A review plans at most 1 environments \(the app's MAX_ENVIRONMENTS_PER_REVIEW\); `\/fsm plan <env>` plans others\./);
});

test('a review that failed is retried by its delivery without a new check run per attempt', async () => {
  const head = exampleRepoFiles();
  head['clusters/staging/plugins/big-notes.yaml'] = `# ${'x'.repeat(1_200_000)}\n`;
  // The blob API (for the file over 1 MB) fails every try of the first attempt (registered first, so it answers first).
  nock('https://api.github.com').get(/\/git\/blobs\//).times(4).reply(502, { message: 'Server Error' });
  const github = new GitHubWorld({ base: exampleRepoFiles(), commits: { [HEAD]: head }, pulls: [{ number: PR, headSha: HEAD, changed: ['clusters/staging/meshconfig.yaml'] }] });
  const probot = testProbot(new RecordingSources());
  const payload = pullRequestPayload('opened', { number: PR, headSha: HEAD });
  await assert.rejects(deliver(probot, 'pull_request', payload, 'delivery-1'));
  assert.deepEqual(github.checkRuns.map((r) => [r.name, r.status, r.conclusion]), [['fsm-gitops/staging', 'completed', 'failure']]);
  await deliver(probot, 'pull_request', payload, 'delivery-1');
  assert.deepEqual(github.checkRuns.map((r) => [r.name, r.status, r.conclusion]), [['fsm-gitops/staging', 'completed', 'success']], 'the same check run, updated');
});

test('a pull request from a fork is not deployed on merge either; the comment says why', async () => {
  const merge = 'b'.repeat(40);
  const github = new GitHubWorld({ base: exampleRepoFiles(), commits: { [HEAD]: exampleRepoFiles() }, pulls: [{ number: PR, headSha: HEAD, changed: ['clusters/staging/meshconfig.yaml'], headRepo: 'mallory/mesh-config' }] });
  github.merge(PR, merge);
  await deliver(testProbot(new RecordingSources()), 'pull_request', pullRequestPayload('closed', { number: PR, headSha: HEAD, fork: true, merged: true, mergeCommitSha: merge }));
  assert.deepEqual(github.deployments, []);
  assert.match(github.botComments(PR).map((c) => c.body).join('\n'), /⏸ `staging`: not deployed on merge: the pull request came from a fork/);
});

test('a merged pull request whose head was never planned is not deployed; the commit is a code span', async () => {
  const merge = 'b'.repeat(40);
  const github = new GitHubWorld({ base: exampleRepoFiles(), commits: { [HEAD]: exampleRepoFiles() }, pulls: [{ number: PR, headSha: HEAD, changed: ['clusters/staging/meshconfig.yaml'] }] });
  github.merge(PR, merge);
  await deliver(testProbot(new RecordingSources()), 'pull_request', pullRequestPayload('closed', { number: PR, headSha: HEAD, merged: true, mergeCommitSha: merge }));
  assert.deepEqual(github.deployments, []);
  assert.match(github.botComments(PR).map((c) => c.body).join('\n'), /⏸ `staging`: not deployed on merge: `aaaaaaa` was never planned for it\./);
});

test('an environment a pull request adds, with approvals 0 and deploy on-merge, is not deployed by its own merge', async () => {
  const head = headWithConfig((c) => `${c}  dev:\n    path: clusters/dev\n    cluster: staging\n    deploy: on-merge\n    approvals: 0\n    namespaces: [bookinfo, payments]\n`);
  for (const [path, content] of Object.entries(exampleRepoFiles())) if (path.startsWith('clusters/staging/')) head[path.replace('staging', 'dev')] = content;
  const { github, probot } = await review(head, ['.github/fsm-gitops.yml', 'clusters/dev/meshconfig.yaml']);
  const merge = 'b'.repeat(40);
  github.merge(PR, merge, head);
  await deliver(probot, 'pull_request', pullRequestPayload('closed', { number: PR, headSha: HEAD, merged: true, mergeCommitSha: merge }));
  assert.deepEqual(github.deployments, []);
  assert.match(github.botComments(PR).map((c) => c.body).join('\n'), /⏸ `dev`: not deployed on merge: this pull request added it: a new environment deploys from its next merge/);
});
