import assert from 'node:assert/strict';
import { spawnSync, type StdioOptions } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import nock from 'nock';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/run.ts';
import { writeKubeconfig } from '../support/cli.ts';
import { servedExampleCluster, theirLease } from '../support/example-kube.ts';

const SERVER = 'https://apply-yes-order.test:6443';
before(() => nock.disableNetConnect());
after(() => nock.enableNetConnect());
afterEach(() => nock.cleanAll());

test('apply --yes: the output reads plan first, then each step, though the writes start before the plan is printed', async (t) => {
  const fake = servedExampleCluster(SERVER);
  const kubeconfig = await writeKubeconfig(t, { server: SERVER, cluster: 'staging', context: 'staging' });
  const said: string[] = [];
  fake.fault = (request) => {
    if (request.method === 'PATCH' && request.query?.['dryRun'] === undefined) said.push(`write: ${request.path}`);
    return 'pass';
  };
  const io: CliIo = {
    stdout: (text) => void said.push(`stdout: ${text}`),
    stderr: (text) => void said.push(`stderr: ${text}`),
    stdoutIsTty: true,
    stderrIsTty: true,
    env: { NO_COLOR: '1' },
    stdinIsTty: false,
    ask: () => Promise.reject(new Error('--yes asks nothing')),
  };
  const code = await runCli(['apply', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', kubeconfig, '--yes', '--commit', 'abc123'], io);
  assert.equal(code, 0, said.join(''));
  const plan = said.findIndex((line) => line.startsWith('stdout: Environment staging'));
  const steps = said.flatMap((line, i) => (/^stderr: (create|update|delete) /.test(line) ? [i] : []));
  assert.ok(plan >= 0, 'the plan is printed');
  assert.ok(steps.length >= 3, `each step is said: ${said.join('')}`);
  assert.ok(steps.every((i) => i > plan), 'every step is said after the plan');
  const firstWrite = said.findIndex((line) => line.startsWith('write: '));
  assert.ok(firstWrite >= 0 && firstWrite < plan, `the first write reached the server before the plan was printed: ${said.filter((l) => !l.startsWith('stdout')).join('')}`);
  assert.match(said.at(-1)!, /^stdout: Applied \d+ changes to staging\./);
});

test('apply into one log (stdout and stderr the same file, as `> log 2>&1` or a CI job): each step is listed once; into two, stdout lists them too', async (t) => {
  for (const sameOutput of [true, false]) {
    servedExampleCluster(SERVER);
    const kubeconfig = await writeKubeconfig(t, { server: SERVER, cluster: 'staging', context: 'staging' });
    const log: string[] = [];
    const io: CliIo = { stdout: (text) => void log.push(text), stderr: (text) => void log.push(text), stdoutIsTty: false, stderrIsTty: false, sameOutput, env: {}, stdinIsTty: false, ask: () => Promise.reject(new Error('--yes asks nothing')) };
    assert.equal(await runCli(['apply', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', kubeconfig, '--yes', '--commit', 'abc123'], io), 0, log.join(''));
    const lines = log.join('').split('\n');
    const times = lines.filter((line) => line.trim() === 'create Plugin cors-policy').length;
    assert.equal(times, sameOutput ? 1 : 2, lines.join('\n'));
    nock.cleanAll();
  }
});

test('apply -q on a terminal: nothing on stderr but failures and warnings; the steps done are listed on stdout at the end', async (t) => {
  servedExampleCluster(SERVER);
  const kubeconfig = await writeKubeconfig(t, { server: SERVER, cluster: 'staging', context: 'staging' });
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { stdout: (text) => void out.push(text), stderr: (text) => void err.push(text), stdoutIsTty: true, stderrIsTty: true, env: { NO_COLOR: '1' }, stdinIsTty: false, ask: () => Promise.reject(new Error('--yes asks nothing')) };
  assert.equal(await runCli(['apply', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', kubeconfig, '--yes', '-q', '--commit', 'abc123'], io), 0, err.join(''));
  assert.equal(err.join(''), '', 'no context line, no lock, no steps on stderr');
  const lines = out.join('').split('\n');
  assert.equal(lines.filter((line) => line.trim() === 'create Plugin cors-policy').length, 1, lines.join('\n'));
  assert.match(out.join(''), /Applied \d+ changes to staging\.\n$/);
  nock.cleanAll();
});

test("apply -q over a killed apply's expired lock: the takeover is one warning on stderr, said before the plan", async (t) => {
  const fake = servedExampleCluster(SERVER);
  fake.seed('/apis/coordination.k8s.io/v1/namespaces/fsm-system/leases/fsm-gitops-staging', theirLease('crashed@ci', 120));
  const kubeconfig = await writeKubeconfig(t, { server: SERVER, cluster: 'staging', context: 'staging' });
  const said: string[] = [];
  const io: CliIo = { stdout: (text) => void said.push(`stdout: ${text}`), stderr: (text) => void said.push(`stderr: ${text}`), stdoutIsTty: true, stderrIsTty: true, env: { NO_COLOR: '1' }, stdinIsTty: false, ask: () => Promise.reject(new Error('--yes asks nothing')) };
  assert.equal(await runCli(['apply', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', kubeconfig, '--yes', '-q', '--commit', 'abc123'], io), 0, said.join(''));
  const takeovers = said.flatMap((line, i) => (line.includes('took over the apply lock of crashed@ci') ? [i] : []));
  assert.equal(takeovers.length, 1, said.join(''));
  assert.match(said[takeovers[0]!]!, /^stderr: fsm-gitops: warning: staging: took over the apply lock of crashed@ci \(commit abc\)/);
  assert.ok(takeovers[0]! < said.findIndex((line) => line.startsWith('stdout: Environment staging')), said.join(''));
  nock.cleanAll();
});

test('processIo knows when stdout and stderr are one file', () => {
  const probe = "import('./src/cli/io.ts').then((m) => process.stdout.write(String(m.processIo().sameOutput)))";
  const run = (stdio: StdioOptions) => spawnSync(process.execPath, ['--import', 'tsx', '-e', probe], { stdio, encoding: 'utf8' });
  const dir = mkdtempSync(join(tmpdir(), 'fsm-gitops-same-output-'));
  try {
    const file = join(dir, 'log');
    const fd = openSync(file, 'w');
    run(['ignore', fd, fd]);
    closeSync(fd);
    assert.equal(readFileSync(file, 'utf8'), 'true');
    assert.equal(run(['ignore', 'pipe', 'pipe']).stdout, 'false');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
