/**
 * `fsm-gitops apply`'s head start (issue 12): the Lease's create is sent, and on its 201 the live read, before
 * the apply workflow is loaded; on anything else the apply goes as it did without it. The in-memory API server
 * (FakeKube) behind a real KubeClient, through nock.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import nock from 'nock';
import { applyCommand } from '../../src/cli/apply-command.ts';
import type { CliIo } from '../../src/cli/io.ts';
import type { KubeRequest } from '../../src/kube/kube-client.ts';
import { cli, copyExampleRepo, writeKubeconfig } from '../support/cli.ts';
import { servedExampleCluster, theirLease } from '../support/example-kube.ts';
import type { FakeKube } from '../support/fake-kube.ts';

const SERVER = 'https://head-start.test:6443';
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/fsm-system/leases';
const LEASE = `${LEASES}/fsm-gitops-staging`;
const call = (r: KubeRequest): string => `${r.method} ${r.path}`;
const isLease = (r: KubeRequest): boolean => r.path.startsWith(LEASES);
/** A read of the live state (not the Lease, not the history). */
const isLiveRead = (r: KubeRequest): boolean => r.method === 'GET' && !isLease(r) && !r.path.includes('fsm-gitops-history');

let fake: FakeKube;
before(() => nock.disableNetConnect());
after(() => nock.enableNetConnect());
beforeEach(() => {
  fake = servedExampleCluster(SERVER);
});
afterEach(() => nock.cleanAll());

async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  for (const end = Date.now() + ms; !condition() && Date.now() < end; ) await new Promise((resolve) => setTimeout(resolve, 5));
}

const applyArgs = async (t: { after(fn: () => Promise<void>): void }, repo = 'examples/gitops'): Promise<string[]> => {
  const kubeconfig = await writeKubeconfig(t, { server: SERVER, cluster: 'staging', context: 'staging' });
  return ['apply', '--repo', repo, '--env', 'staging', '--kubeconfig', kubeconfig, '--commit', 'c0ffee', '--actor', 'alice'];
};

test('the Lease is created, then the live state read, before the apply workflow is loaded; the apply then uses both', async (t) => {
  const args = await applyArgs(t);
  let stderr = '';
  const io: CliIo = { stdout: () => {}, stderr: (text) => void (stderr += text), stdoutIsTty: false, stderrIsTty: false, stdinIsTty: false, env: {}, ask: () => Promise.reject(new Error('no question expected')) };
  let atLoad: string[] = [];
  const code = await applyCommand([...args.slice(1), '--yes'], io, async () => {
    // Loading waits for the reads: an apply that read only once its workflow was loaded would never send them.
    await until(() => fake.requests.some(isLiveRead));
    atLoad = fake.requests.map(call);
    return import('../../src/cli/apply-run.ts');
  });
  assert.equal(code, 0, stderr);
  assert.equal(atLoad[0], `POST ${LEASES}`, `the Lease's create goes first: ${atLoad.join(', ')}`);
  assert.ok(fake.requests.slice(0, atLoad.length).some(isLiveRead), 'the live read went before the workflow was loaded');
  assert.equal(fake.requests.filter((r) => isLease(r) && r.method === 'POST').length, 1, 'the Lease taken ahead is the one used');
  const reads = fake.requests.filter((r) => isLiveRead(r)).map(call);
  assert.equal(new Set(reads).size, reads.length, `each live read sent once: ${reads.join(', ')}`);
  assert.equal(call(fake.requests.at(-1)!), `DELETE ${LEASE}`, 'released at the end');
  assert.equal(fake.read(LEASE), undefined);
  assert.match(stderr, /staging: kubeconfig context "staging" \(named after cluster "staging"\), server https:\/\/head-start\.test:6443\nstaging: taking the apply lock\nstaging: reading live state from https:\/\/head-start\.test:6443\n/);
});

test('a Lease someone holds: the create sent ahead is answered 409, nothing is read, and the apply says so, that nothing was applied, and exits 3', async (t) => {
  fake.seed(LEASE, theirLease('bob@ci', 1));
  const run = await cli([...(await applyArgs(t)), '--yes', '--lock-timeout', '0']);
  assert.equal(run.code, 3);
  assert.equal(
    run.stderr,
    [
      `staging: kubeconfig context "staging" (named after cluster "staging"), server ${SERVER}`,
      'staging: taking the apply lock',
      'fsm-gitops: environment staging is locked by bob@ci (applying commit abc): lease fsm-system/fsm-gitops-staging; try again when it is done; nothing was applied',
      '',
    ].join('\n'),
  );
  assert.deepEqual(fake.requests.map(call), [`POST ${LEASES}`, `GET ${LEASE}`], 'the create once (ahead), then the read of the Lease; no live read');
});

test('an expired Lease: the create sent ahead is answered 409, the Lease taken over, and only then the live state read', async (t) => {
  fake.seed(LEASE, theirLease('bob@ci', 120));
  const run = await cli([...(await applyArgs(t)), '--yes']);
  assert.equal(run.code, 0, run.stderr);
  const calls = fake.requests.map(call);
  assert.deepEqual(calls.slice(0, 3), [`POST ${LEASES}`, `GET ${LEASE}`, `PUT ${LEASE}`]);
  assert.ok(fake.requests.findIndex(isLiveRead) > 2, 'no live read before the takeover');
  assert.equal(fake.read(LEASE), undefined, 'released');
});

test('a config the schema refuses after the Lease was created ahead: the Lease is deleted, then the error is said as without the head start', async (t) => {
  const { repo, cleanup } = await copyExampleRepo();
  t.after(cleanup);
  const config = join(repo, '.github/fsm-gitops.yml');
  await writeFile(config, (await readFile(config, 'utf8')).replace('approvals: 1', 'approvals: many'));
  const run = await cli([...(await applyArgs(t, repo)), '--yes']);
  // The plan command reads the same config first, with no request: its error is the one to say.
  const plan = await cli(['plan', '--repo', repo, '--env', 'staging', '--cluster', 'examples/cluster/staging.yaml']);
  assert.equal(run.code, 3);
  assert.match(plan.stderr, /approvals/);
  assert.equal(run.stderr, plan.stderr);
  assert.deepEqual(fake.writes.map(call), [`POST ${LEASES}`, `DELETE ${LEASE}`], 'nothing written but the Lease, deleted');
  assert.equal(fake.read(LEASE), undefined);
});

test('declined at the question, or a plan with errors: the Lease taken ahead is released, nothing else written', async (t) => {
  const declined = await cli(await applyArgs(t), { stdinIsTty: true, answers: ['no'] });
  assert.equal(declined.code, 4, declined.stderr);
  assert.deepEqual(fake.writes.map(call), [`POST ${LEASES}`, `DELETE ${LEASE}`]);
  assert.equal(fake.read(LEASE), undefined);

  fake.requests.length = 0;
  const { repo, cleanup } = await copyExampleRepo();
  t.after(cleanup);
  await writeFile(join(repo, 'clusters/staging/meshconfig.yaml'), 'apiVersion: config.flomesh.io/v1alpha3\nkind: MeshConfig\nmetadata:\n  name: fsm-mesh-config\n  namespace: fsm-system\nspec:\n  traffic:\n    enableEgres: true\n');
  const refused = await cli([...(await applyArgs(t, repo)), '--yes']);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /not applied: the plan has errors/);
  assert.deepEqual(fake.writes.map(call), [`POST ${LEASES}`, `DELETE ${LEASE}`]);
  assert.equal(fake.read(LEASE), undefined);
});

test('a context that does not fit: nothing is sent ahead, and the context error comes after the config was read, as always', async (t) => {
  const kubeconfig = await writeKubeconfig(t, { server: SERVER, cluster: 'elsewhere', context: 'elsewhere' });
  const run = await cli(['apply', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', kubeconfig, '--yes']);
  assert.equal(run.code, 3);
  assert.match(run.stderr, /^fsm-gitops: environment staging deploys to cluster "staging"/);
  assert.deepEqual(fake.requests, []);
});
