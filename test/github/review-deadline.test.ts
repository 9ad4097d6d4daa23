/**
 * A review whose API server hangs ends at the event's deadline, not after every request has used up its own
 * timeout and retries (30 s each, five tries: minutes), and its check run says the time was up.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import nock from 'nock';
import { ClusterConnector } from '../../src/kube/credentials/cluster-credentials.ts';
import { LiveSources } from '../../src/workflow/live-sources.ts';
import { GitHubWorld } from '../support/github-world.ts';
import { StallingKubeServer } from '../support/stalling-kube-server.ts';
import { pullRequestPayload } from '../support/webhook-payloads.ts';
import { exampleRepoFiles, handleTry, testProbot } from './app-harness.ts';

before(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
after(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

test('a review of a cluster that never answers fails its check run once the event\'s deadline has passed', { timeout: 30_000 }, async () => {
  const cluster = await StallingKubeServer.start({ kind: 'hang' });
  const dir = await mkdtemp(join(tmpdir(), 'fsm-gitops-review-deadline-'));
  try {
    const kubeconfigFile = join(dir, 'kubeconfig');
    await writeFile(kubeconfigFile, cluster.kubeconfig());
    const live = new LiveSources(new ClusterConnector({ staging: { kubeconfigFile } }));
    const head = 'a'.repeat(40);
    const github = new GitHubWorld({ base: exampleRepoFiles(), commits: { [head]: exampleRepoFiles() }, pulls: [{ number: 7, headSha: head, changed: ['clusters/staging/meshconfig.yaml'] }] });
    const probot = testProbot(live);
    const started = Date.now();
    await handleTry(probot, live, 'pull_request', pullRequestPayload('opened', { number: 7, headSha: head }), { deadline: started + 1_500 });
    assert.ok(cluster.requests.length > 0, 'staging was being read');
    assert.ok(Date.now() - started < 15_000, `the review ended ${Date.now() - started} ms after it started`);
    const [run] = github.checkRuns;
    assert.deepEqual([run?.name, run?.status, run?.conclusion], ['fsm-gitops/staging', 'completed', 'failure']);
    assert.match(run!.output?.summary ?? '', /could not plan environment `staging`.*the time limit of this run is up/s);
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
