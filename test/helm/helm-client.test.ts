import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HelmClient } from '../../src/helm/helm-client.ts';
import { HelmRunner } from '../../src/helm/helm-runner.ts';
import { serverSideFromEnv } from '../../src/helm/server-side.ts';
import { Redactor } from '../../src/redact/redactor.ts';
import { fakeHelm } from './fake-helm.ts';

const RELEASE = { name: 'fsm', namespace: 'fsm-system' };
const CLUSTER = { server: 'https://127.0.0.1:6443', insecureSkipTlsVerify: false, token: 'abcdefgh12345678' };

let dir: string;
let fake: Awaited<ReturnType<typeof fakeHelm>>;
let runner: HelmRunner;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'helm-client-test-'));
  fake = await fakeHelm(dir);
  runner = new HelmRunner({ redactor: new Redactor(), locate: fake.locate });
});
after(() => rm(dir, { recursive: true, force: true }));

/** The run's arguments with the temp paths shown as their file names. */
async function lastArgs(): Promise<string[]> {
  const run = (await fake.runs()).at(-1)!;
  return run.args.slice(0, run.args.indexOf('--kubeconfig')).map((arg) => arg.replace(/^.*\/fsm-gitops-helm-[^/]+\//, '<tmp>/'));
}

test('upgrade passes the values whole with --reset-values (as fsm mesh upgrade), the server-side setting, and a helm timeout below the kill', async () => {
  const helm = new HelmClient(runner, CLUSTER, { serverSide: 'false' });
  const revision = await helm.upgrade(RELEASE, { path: '/charts/fsm-1.5.1.tgz' }, { fsm: { meshName: 'fsm' } }, { timeoutMs: 62_000, noHooks: true });
  assert.equal(revision, 7);
  assert.deepEqual(await lastArgs(), ['upgrade', 'fsm', '/charts/fsm-1.5.1.tgz', '-f', '<tmp>/values.json', '-n', 'fsm-system', '--timeout', '60s', '--no-hooks', '--server-side=false', '--reset-values', '-o', 'json']);
  assert.deepEqual(JSON.parse((await fake.runs()).at(-1)!.values!.text), { fsm: { meshName: 'fsm' } });
});

test('a chart from a repository is named with --repo and an exact --version; --wait waits with the watcher', async () => {
  const helm = new HelmClient(runner, CLUSTER);
  await helm.upgrade(RELEASE, { name: 'fsm', repository: 'http://127.0.0.1:8879', version: '1.6.0' }, {}, { timeoutMs: 30_000, wait: true });
  assert.deepEqual(await lastArgs(), ['upgrade', 'fsm', 'fsm', '--repo', 'http://127.0.0.1:8879', '--version', '1.6.0', '-f', '<tmp>/values.json', '-n', 'fsm-system', '--timeout', '28s', '--wait=watcher', '--reset-values', '-o', 'json']);
});

test('pull fetches the exact version into the run folder and returns its bytes and SHA-256; the folder is gone after', async () => {
  const helm = new HelmClient(runner, undefined);
  const archive = await helm.pull({ name: 'fsm', repository: 'http://127.0.0.1:8879', version: '1.6.0' }, { timeoutMs: 30_000 });
  assert.deepEqual(await lastArgs(), ['pull', 'fsm', '--repo', 'http://127.0.0.1:8879', '--version', '1.6.0', '--destination', '<tmp>/pulled']);
  assert.equal(Buffer.from(archive.bytes).toString(), 'archive of fsm 1.6.0');
  assert.equal(archive.sha256, createHash('sha256').update('archive of fsm 1.6.0').digest('hex'));
  assert.deepEqual([archive.name, archive.repository, archive.version], ['fsm', 'http://127.0.0.1:8879', '1.6.0']);
  await assert.rejects(helm.pull({ name: 'fsm', repository: 'http://127.0.0.1:8879', version: 'two' }, { timeoutMs: 30_000 }), /pull chart fsm two from http:\/\/127\.0\.0\.1:8879: helm wrote 2 chart archives, not one/);
});

test('the dry run renders on the server and returns the manifest; a chart that renders nothing has an empty one', async () => {
  const helm = new HelmClient(runner, CLUSTER, { serverSide: 'false' });
  assert.deepEqual(await helm.upgradeDryRun({ ...RELEASE, name: 'renders-nothing' }, { path: 'c.tgz' }, {}, { timeoutMs: 30_000 }), { manifest: '', revision: 7 });
  assert.deepEqual(await helm.upgradeDryRun(RELEASE, { path: 'c.tgz' }, {}, { timeoutMs: 30_000 }), { manifest: '---\nkind: ConfigMap\n', revision: 7 });
  const args = await lastArgs();
  assert.ok(args.includes('--dry-run=server') && args.includes('--reset-values'), args.join(' '));
});

test('rollback, history, manifest and values read what helm prints', async () => {
  const helm = new HelmClient(runner, CLUSTER, { serverSide: 'false' });
  await helm.rollback(RELEASE, 1, { timeoutMs: 30_000, noHooks: true });
  assert.deepEqual(await lastArgs(), ['rollback', 'fsm', '1', '-n', 'fsm-system', '--timeout', '28s', '--no-hooks', '--server-side=false']);
  const history = await helm.history(RELEASE);
  assert.deepEqual(history.map((r) => [r.revision, r.status, r.chart, r.appVersion]), [[1, 'superseded', 'fsm-1.5.1', 'v1.5.1'], [2, 'deployed', 'fsm-1.5.1', 'v1.5.1']]);
  assert.equal(await helm.manifest(RELEASE, 2), '---\nkind: ConfigMap\n\n');
  assert.deepEqual(await lastArgs(), ['get', 'manifest', 'fsm', '-n', 'fsm-system', '--revision', '2']);
  assert.deepEqual(await helm.values(RELEASE), {}, 'helm prints null for a release given no values');
});

test('FSM_GITOPS_HELM_SERVER_SIDE: true, false or auto; unset leaves helm its default; anything else is an error', () => {
  assert.equal(serverSideFromEnv({ FSM_GITOPS_HELM_SERVER_SIDE: 'false' }), 'false');
  assert.equal(serverSideFromEnv({ FSM_GITOPS_HELM_SERVER_SIDE: ' Auto ' }), 'auto');
  assert.equal(serverSideFromEnv({}), undefined);
  assert.throws(() => serverSideFromEnv({ FSM_GITOPS_HELM_SERVER_SIDE: 'no' }), /must be true, false or auto/);
});
