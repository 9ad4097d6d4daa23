import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { after, before } from 'node:test';
import nock from 'nock';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearSecretCache } from '../../src/aws/secrets.ts';
import { resetAppInstance } from '../../src/lambda/app-instance.ts';
import { fakeAws } from '../support/fake-aws.ts';
import { StallingKubeServer } from '../support/stalling-kube-server.ts';
import { APP_ENV, SETTINGS } from './lambda-events.ts';

/**
 * Runs `test` with the Lambda functions' settings naming, as cluster staging, a loopback API server that never
 * answers (prod-eu-1 stays the example snapshot), from a fresh container (no settings or app cached); the
 * server is stopped and its kubeconfig removed after.
 */
export async function withHangingStaging(test: (cluster: StallingKubeServer) => Promise<void>): Promise<void> {
  const cluster = await StallingKubeServer.start({ kind: 'hang' });
  const dir = await mkdtemp(join(tmpdir(), 'fsm-gitops-hanging-'));
  try {
    const kubeconfigFile = join(dir, 'kubeconfig');
    await writeFile(kubeconfigFile, cluster.kubeconfig());
    clearSecretCache();
    resetAppInstance();
    fakeAws({ ...SETTINGS, '/fsm-gitops/prod/clusters': `clusters:\n  staging: { kubeconfigFile: ${JSON.stringify(kubeconfigFile)} }\n  prod-eu-1: { snapshotFile: examples/cluster/production.yaml }\n` });
    await test(cluster);
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * For a test file whose functions talk to a loopback cluster: GitHub and AWS only through nock, the functions'
 * environment set, and what they log collected in the array returned (restored after the file's tests).
 */
export function lambdaLogsAndLoopback(): string[] {
  const logged: string[] = [];
  const saved = { ...process.env };
  const { error, log } = console;
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
    Object.assign(console, { error, log });
    process.env = saved;
  });
  return logged;
}
