import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { load } from 'js-yaml';
import { HelmNotFoundError } from '../../src/helm/helm-binary.ts';
import { HelmError, headAndTail, helmErrorText, HelmRunner, KILL_GRACE_MS, MAX_STDOUT_BYTES } from '../../src/helm/helm-runner.ts';
import type { ClusterConnection } from '../../src/kube/cluster-connection.ts';
import { Redactor } from '../../src/redact/redactor.ts';
import { fakeHelm } from './fake-helm.ts';

const TOKEN = 'kube-token-0123456789abcdef';
const CLUSTER: ClusterConnection = { server: 'https://127.0.0.1:6443', certificateAuthority: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', insecureSkipTlsVerify: false, token: TOKEN };

let dir: string;
let temp: string;
let fake: Awaited<ReturnType<typeof fakeHelm>>;
let runner: HelmRunner;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'helm-runner-test-'));
  temp = await mkdtemp(join(tmpdir(), 'helm-runner-tmp-'));
  fake = await fakeHelm(dir);
  const env = { PATH: process.env['PATH'], TMPDIR: temp, KUBECONFIG: '/home/user/.kube/config', HELM_DRIVER: 'memory', AWS_SECRET_ACCESS_KEY: 'user-secret', HTTPS_PROXY: 'http://proxy.example:3128' };
  runner = new HelmRunner({ redactor: new Redactor(), locate: fake.locate, env });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(temp, { recursive: true, force: true });
});

async function lastRun() {
  return (await fake.runs()).at(-1)!;
}

test("helm runs with its own homes and a kubeconfig from the connection, none of the user's environment, and the token in no argument", async () => {
  await runner.run({ args: ['list'], cluster: CLUSTER, timeoutMs: 10_000, what: 'list' });
  const run = await lastRun();
  const work = run.env['HELM_CACHE_HOME']!.replace(/\/cache$/, '');
  assert.ok(work.startsWith(join(temp, 'fsm-gitops-helm-')), work);
  assert.deepEqual(
    Object.keys(run.env).filter((k) => !['PWD', 'SHLVL', '_'].includes(k)).sort(),
    ['HELM_CACHE_HOME', 'HELM_CONFIG_HOME', 'HELM_DATA_HOME', 'HELM_NO_PLUGINS', 'HOME', 'HTTPS_PROXY', 'KUBECONFIG', 'PATH', 'TMPDIR'],
  );
  assert.equal(run.env['KUBECONFIG'], join(work, 'kubeconfig'));
  assert.deepEqual(run.args, ['list', '--kubeconfig', join(work, 'kubeconfig')]);
  assert.ok(!run.args.some((arg) => arg.includes(TOKEN)));
  assert.equal(run.kubeconfig!.mode, 0o600);
  const kubeconfig = load(run.kubeconfig!.text) as { users: { user: Record<string, string> }[]; clusters: { cluster: Record<string, string> }[] };
  assert.deepEqual(kubeconfig.users[0]!.user, { token: TOKEN });
  assert.equal(kubeconfig.clusters[0]!.cluster['server'], 'https://127.0.0.1:6443');
  assert.equal(Buffer.from(kubeconfig.clusters[0]!.cluster['certificate-authority-data']!, 'base64').toString(), CLUSTER.certificateAuthority);
  // The temp folder (kubeconfig included) is gone once helm has run.
  assert.deepEqual(await readdir(temp), []);
});

test('without a cluster helm gets a kubeconfig path that does not exist', async () => {
  await runner.run({ args: ['template', 'x'], timeoutMs: 10_000, what: 'template' });
  const run = await lastRun();
  assert.equal(run.kubeconfig, undefined);
  assert.match(run.env['KUBECONFIG']!, /fsm-gitops-helm-.*\/kubeconfig$/);
});

test('files are written 0600 in the temp folder, named by FileArg, and removed after', async () => {
  await runner.run({ args: ['upgrade', 'fsm', '-f', { file: 'values.json' }], files: { 'values.json': '{"a":1}' }, timeoutMs: 10_000, what: 'upgrade' });
  const run = await lastRun();
  assert.equal(run.values!.mode, 0o600);
  assert.equal(run.values!.text, '{"a":1}');
  assert.deepEqual(await readdir(temp), []);
});

test('a failure quotes helm, with the token masked and a hint for refused credentials', async () => {
  await assert.rejects(runner.run({ args: ['fail'], cluster: CLUSTER, timeoutMs: 10_000, what: 'upgrade release fsm-system/fsm' }), (error: Error) => {
    assert.ok(error instanceof HelmError);
    assert.equal(error.exitCode, 1);
    assert.ok(!error.message.includes(TOKEN), error.message);
    assert.match(error.message, /^upgrade release fsm-system\/fsm: helm exited with 1: Error: Kubernetes cluster unreachable: Unauthorized \(token ••••••\)/);
    assert.match(error.message, /the API server refused the cluster's credentials/);
    return true;
  });
});

test("a failure quotes helm's error once: helm 4's structured log line of the same error is left out", async () => {
  await assert.rejects(runner.run({ args: ['fail-rollout'], cluster: CLUSTER, timeoutMs: 10_000, what: 'upgrade release fsm-system/fsm' }), (error: Error) => {
    assert.equal(
      error.message,
      'upgrade release fsm-system/fsm: helm exited with 1: Error: UPGRADE FAILED: resource Deployment/fsm-system/fsm-controller not ready. status: InProgress, message: Replicas: 0/4\ncontext deadline exceeded',
    );
    return true;
  });
});

test('without an Error: line, all of stderr is quoted', () => {
  assert.equal(helmErrorText('level=ERROR msg="cannot load chart"\nno such file\n'), 'level=ERROR msg="cannot load chart"\nno such file\n');
  assert.equal(helmErrorText('Error: first\nError: second\n'), 'Error: second\n');
});

test('a run past its timeout is stopped with its whole process group', async () => {
  const started = Date.now();
  await assert.rejects(runner.run({ args: ['sleep'], timeoutMs: 1_500, what: 'upgrade' }), (error: Error) => error instanceof HelmError && /helm did not finish within 1.5 s and was stopped/.test(error.message));
  assert.ok(Date.now() - started < 1_500 + KILL_GRACE_MS + 2_000);
  const [helm, child] = await fake.pids();
  for (const pid of [helm!, child!]) assert.ok(!(await running(pid)), `process ${pid} still runs`);
  assert.deepEqual(await readdir(temp), []);
});

test('a run whose signal is aborted is stopped with its whole process group, and rejects with the reason once helm has exited', { timeout: 20_000 }, async () => {
  const stopper = new AbortController();
  const reason = new Error('no longer wanted');
  const earlier = String(await fake.pids().catch(() => []));
  const run = runner.run({ args: ['sleep'], timeoutMs: 60_000, what: 'render chart', signal: stopper.signal });
  // Stopped once helm and its child run (the fake writes their PIDs then); without the stop, the run lasts its 60 s timeout.
  while (String(await fake.pids().catch(() => [])) === earlier) await new Promise((resolve) => setTimeout(resolve, 10));
  stopper.abort(reason);
  await assert.rejects(run, (error: unknown) => error === reason);
  const [helm, child] = await fake.pids();
  for (const pid of [helm!, child!]) assert.ok(!(await running(pid)), `process ${pid} still runs`);
  assert.deepEqual(await readdir(temp), []);
});

test('a run whose signal is aborted already does not start helm', async () => {
  const before = (await fake.runs()).length;
  await assert.rejects(runner.run({ args: ['list'], timeoutMs: 10_000, what: 'list', signal: AbortSignal.abort(new Error('stopped')) }), /stopped/);
  assert.equal((await fake.runs()).length, before);
  assert.deepEqual(await readdir(temp), []);
});

test('this process exiting while helm runs (a second Ctrl-C) stops helm and its children, and removes its folder with the kubeconfig', { timeout: 30_000 }, async (t) => {
  const own = await mkdtemp(join(tmpdir(), 'helm-runner-exit-'));
  const work = await mkdtemp(join(tmpdir(), 'helm-runner-exit-tmp-'));
  t.after(() => Promise.all([rm(own, { recursive: true, force: true }), rm(work, { recursive: true, force: true })]));
  // Another process runs helm (the fake's `sleep`, which never ends) and exits once it has started; the exit listeners are what is tested.
  const script = `
    import { HelmRunner } from './src/helm/helm-runner.ts';
    import { Redactor } from './src/redact/redactor.ts';
    import { fakeHelm } from './test/helm/fake-helm.ts';
    import { existsSync } from 'node:fs';
    const fake = await fakeHelm(${JSON.stringify(own)});
    const runner = new HelmRunner({ redactor: new Redactor(), locate: fake.locate, env: { PATH: process.env.PATH, TMPDIR: ${JSON.stringify(work)} } });
    runner.run({ args: ['sleep'], cluster: ${JSON.stringify(CLUSTER)}, timeoutMs: 60_000, what: 'upgrade' }).catch(() => {});
    const started = setInterval(() => { if (existsSync(${JSON.stringify(join(own, 'pids'))})) { clearInterval(started); process.exit(130); } }, 10);
  `;
  const code = await new Promise<number | null>((resolve) => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'inherit' }).on('close', resolve));
  assert.equal(code, 130);
  const [helm, child] = (await readFile(join(own, 'pids'), 'utf8')).split(' ').map(Number);
  for (let i = 0; i < 100 && ((await running(helm!)) || (await running(child!))); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const pid of [helm!, child!]) assert.ok(!(await running(pid)), `process ${pid} still runs`);
  assert.deepEqual(await readdir(work), [], 'the run folder (kubeconfig, values) is gone');
});

/** Whether a process runs: it exists and is not a zombie (a container's PID 1 may never reap orphans). */
async function running(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

test('output past the cap stops helm', async () => {
  await assert.rejects(runner.run({ args: ['flood'], timeoutMs: 20_000, what: 'template' }), (error: Error) => error instanceof HelmError && error.message.includes(`printed more than ${MAX_STDOUT_BYTES} bytes`));
});

test('a missing helm is an error when a run needs it, not before', async () => {
  const missing = new HelmRunner({ redactor: new Redactor(), locate: () => Promise.reject(new HelmNotFoundError('no helm found')) });
  await assert.rejects(missing.run({ args: ['version'], timeoutMs: 1_000, what: 'version' }), HelmNotFoundError);
});

test('a long helm error keeps its start (what failed) and its end (why), the middle cut', () => {
  const text = `Error: UPGRADE FAILED: cannot patch "fsm-controller" with kind Deployment: ${'x'.repeat(5_000)} quantities must match the regular expression`;
  const quoted = headAndTail(text);
  assert.ok(quoted.startsWith('Error: UPGRADE FAILED: cannot patch "fsm-controller"'));
  assert.ok(quoted.endsWith('quantities must match the regular expression'));
  assert.ok(quoted.length < 2_100 && quoted.includes(' … '));
  assert.equal(headAndTail('short'), 'short');
});
