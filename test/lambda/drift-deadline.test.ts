/**
 * The drift schedule against an API server that stops answering: the repository's reads stop at the run's
 * deadline (the Lambda's remaining time less its reserve), the repository is logged as failed with the
 * reason, and the handler returns, instead of waiting out each request's timeout and retries.
 * GitHub is nock; the cluster a real server on loopback that never answers.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import nock from 'nock';
import { clearSecretCache } from '../../src/aws/secrets.ts';
import { resetAppInstance } from '../../src/lambda/app-instance.ts';
import { DRIFT_RESERVE_MS, handler as drift } from '../../src/lambda/drift.ts';
import { fakeAws } from '../support/fake-aws.ts';
import { fakeGitHub } from '../support/fake-github.ts';
import { StallingKubeServer } from '../support/stalling-kube-server.ts';
import { exampleRepoFiles } from '../github/app-harness.ts';
import { APP_ENV, SCHEDULED, SETTINGS } from './lambda-events.ts';

const saved = { ...process.env };
const originalError = console.error;
const originalLog = console.log;
const logged: string[] = [];

before(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  console.error = (line: string) => void logged.push(line);
  console.log = (line: string) => void logged.push(line);
  Object.assign(process.env, APP_ENV);
});
after(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  console.error = originalError;
  console.log = originalLog;
  process.env = saved;
});

test('a cluster that never answers costs the drift run its deadline: the repository is logged as failed and the handler returns', { timeout: 30_000 }, async () => {
  const cluster = await StallingKubeServer.start({ kind: 'hang' });
  const dir = await mkdtemp(join(tmpdir(), 'fsm-gitops-drift-'));
  try {
    const kubeconfigFile = join(dir, 'kubeconfig');
    await writeFile(kubeconfigFile, cluster.kubeconfig());
    clearSecretCache();
    resetAppInstance();
    fakeAws({ ...SETTINGS, '/fsm-gitops/prod/clusters': `clusters:\n  staging: { kubeconfigFile: ${JSON.stringify(kubeconfigFile)} }\n  prod-eu-1: { snapshotFile: examples/cluster/production.yaml }\n` });
    const github = fakeGitHub({ files: exampleRepoFiles(), changed: [], headSha: 'b'.repeat(40), prNumber: 7 });

    // Without the deadline each read waits 30 s and is retried: the test's timeout fails it.
    const result = await drift(SCHEDULED, { getRemainingTimeInMillis: () => DRIFT_RESERVE_MS + 2_000 });
    assert.deepEqual(result, { checked: 0, failed: 1 });
    assert.ok(cluster.requests.length > 0, 'staging was being read');
    const line = logged.find((l) => l.includes('drift check failed'));
    assert.ok(line, logged.join('\n'));
    assert.match(JSON.parse(line).error, /the time limit of this run is up/);
    assert.deepEqual(github.issues, [], 'no drift issue from a cluster that was not read');
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
