/**
 * `fsm-gitops apply` fails after its head start sent the Lease's create and started the live read (here: a config
 * the schema refuses): the read is stopped, not waited for (no retry of a 503 with Retry-After, no wait for an
 * answer that never comes), the Lease is deleted, and the error is said as without the head start. The in-memory
 * API server over real HTTPS on loopback (FakeKubeServer), so connections are counted where they land.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { applyCommand } from '../../src/cli/apply-command.ts';
import type { CliIo } from '../../src/cli/io.ts';
import type { KubeRequest } from '../../src/kube/kube-client.ts';
import { KubeApiError } from '../../src/kube/kube-errors.ts';
import { cli, copyExampleRepo } from '../support/cli.ts';
import { examplePath } from '../support/example-paths.ts';
import { FakeKube } from '../support/fake-kube.ts';
import { FakeKubeServer } from '../support/fake-kube-server.ts';
import { exampleClusterObjects } from '../support/plan-fixture.ts';

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/fsm-system/leases';
const LEASE = `${LEASES}/fsm-gitops-staging`;
const call = (r: KubeRequest): string => `${r.method} ${r.path}`;
/** A read of the live state (not the Lease). */
const isLiveRead = (method: string, path: string): boolean => method === 'GET' && !path.startsWith(LEASES);

let fake: FakeKube;
let server: FakeKubeServer;
let dir: string;
let repo: string;
let cleanup: () => Promise<void>;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fsm-gitops-stopped-'));
  ({ repo, cleanup } = await copyExampleRepo());
  const config = join(repo, '.github/fsm-gitops.yml');
  await writeFile(config, (await readFile(config, 'utf8')).replace('approvals: 1', 'approvals: many'));
});
after(async () => {
  await cleanup();
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => server.close());

/** The example staging cluster served on loopback; a kubeconfig whose context fits environment staging. */
async function serve(): Promise<string> {
  fake = new FakeKube();
  for (const object of exampleClusterObjects('staging')) fake.seed(examplePath(object), object);
  server = await FakeKubeServer.start(fake);
  const kubeconfig = server.kubeconfig().replaceAll('name: fake,', 'name: staging,').replace('cluster: fake,', 'cluster: staging,').replace('current-context: fake', 'current-context: staging');
  const path = join(dir, `config-${Date.now()}`);
  await writeFile(path, kubeconfig);
  return path;
}

/**
 * `fsm-gitops apply` of the refused config, its workflow loaded only once a live read reached the server (the
 * read is in flight when the config is found refused): what it throws, once it returns.
 */
async function applyRefused(kubeconfig: string): Promise<unknown> {
  const io: CliIo = { stdout: () => {}, stderr: () => {}, stdoutIsTty: false, stderrIsTty: false, stdinIsTty: false, env: {}, ask: () => Promise.reject(new Error('no question expected')) };
  const args = ['--repo', repo, '--env', 'staging', '--kubeconfig', kubeconfig, '--commit', 'c0ffee', '--actor', 'alice', '--yes'];
  const loadRun = async () => {
    while (!fake.requests.some((r) => isLiveRead(r.method, r.path))) await new Promise((resolve) => setTimeout(resolve, 5));
    return import('../../src/cli/apply-run.ts');
  };
  return applyCommand(args, io, loadRun).then(
    () => assert.fail('the apply should fail'),
    (error: unknown) => error,
  );
}

/** The error, as the plan command (which reads the same config first, sending nothing) says it. */
async function assertConfigError(error: unknown): Promise<void> {
  const plan = await cli(['plan', '--repo', repo, '--env', 'staging', '--cluster', 'examples/cluster/staging.yaml']);
  assert.equal(plan.code, 3);
  assert.match(plan.stderr, /approvals/);
  assert.ok(plan.stderr.includes((error as Error).message), `${String(error)}\n---\n${plan.stderr}`);
  assert.deepEqual(fake.writes.map(call), [`POST ${LEASES}`, `DELETE ${LEASE}`], 'the Lease deleted, nothing else written');
  assert.equal(fake.read(LEASE), undefined);
}

test('a read answered 503 with Retry-After is stopped, not retried: the Lease is deleted and the config error raised', { timeout: 30_000 }, async () => {
  const kubeconfig = await serve();
  fake.fault = (request) => (isLiveRead(request.method, request.path) ? new KubeApiError(503, { message: 'busy', reason: 'ServiceUnavailable' }, request.what, '1') : 'pass');
  const error = await applyRefused(kubeconfig);
  await assertConfigError(error);
  const reads = fake.requests.filter((r) => isLiveRead(r.method, r.path)).map(call);
  assert.ok(reads.length > 0, 'the live read was started');
  assert.deepEqual(reads.filter((r, i) => reads.indexOf(r) !== i), [], 'no request of the read sent again');
});

// No nock in this file (example-paths.ts, not example-kube.ts): nock's interception of real sockets leaves a
// connection cut off by the stop with no error listener (an uncaught ECANCELED) where a plain client has one.
test('a read never answered is stopped, its connections closed, before the error is raised', { timeout: 30_000 }, async () => {
  const kubeconfig = await serve();
  server.hang = (method, path) => isLiveRead(method, path);
  // Without the stop, the command waits for the read's requests to time out (30 s each, retried): the test's timeout fails it.
  const error = await applyRefused(kubeconfig);
  await assertConfigError(error);
  assert.ok(fake.requests.some((r) => r.what === 'hung'), 'the live read was in flight');
  await server.allClosed();
  assert.equal(server.open, 0);
});
