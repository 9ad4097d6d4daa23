import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chooseContext, type KubeconfigContexts } from '../../src/cli/kube-flags.ts';
import { cli, copyExampleRepo, writeKubeconfig } from '../support/cli.ts';

const KUBECONFIG: KubeconfigContexts = {
  current: 'kind-staging',
  contexts: [
    { name: 'kind-staging', cluster: 'staging' },
    { name: 'prod-eu-1', cluster: 'arn:aws:eks:eu-west-1:1:cluster/prod' },
    { name: 'laptop', cluster: 'docker-desktop' },
  ],
};
const staging = { name: 'staging', cluster: 'staging' };
const production = { name: 'production', cluster: 'prod-eu-1' };

test('an environment is served by the context named after its cluster:, or the context whose cluster is', () => {
  assert.deepEqual(chooseContext(KUBECONFIG, staging, []), { context: 'kind-staging', cluster: 'staging', how: 'matched' });
  // Not the current-context: the one named after the environment's cluster.
  assert.deepEqual(chooseContext(KUBECONFIG, production, []), { context: 'prod-eu-1', cluster: 'arn:aws:eks:eu-west-1:1:cluster/prod', how: 'matched' });
});

test('a context for another cluster is refused, naming the environment, its cluster and the way out', () => {
  assert.throws(() => chooseContext(KUBECONFIG, production, ['kind-staging']), /environment production deploys to cluster "prod-eu-1".*context "kind-staging" is for cluster "staging".*--context production=CONTEXT/);
  assert.throws(() => chooseContext({ current: 'laptop', contexts: [{ name: 'laptop', cluster: 'docker-desktop' }] }, staging, []), /no context of the kubeconfig is named so.*it has: laptop.*--context staging=CONTEXT/);
  assert.throws(() => chooseContext({ current: 'x', contexts: [{ name: 'a', cluster: 'staging' }, { name: 'b', cluster: 'staging' }] }, staging, []), /"a", "b" all are/);
  assert.throws(() => chooseContext(KUBECONFIG, staging, ['nope']), /no context "nope"; it has: kind-staging, prod-eu-1, laptop/);
  assert.throws(() => chooseContext(KUBECONFIG, staging, ['laptop', 'kind-staging']), /--context given twice/);
});

test('--context ENV=NAME says which context serves which environment, whatever its name', () => {
  assert.deepEqual(chooseContext(KUBECONFIG, staging, ['staging=laptop', 'production=prod-eu-1']), { context: 'laptop', cluster: 'docker-desktop', how: 'mapped' });
  assert.deepEqual(chooseContext(KUBECONFIG, production, ['staging=laptop', 'prod-eu-1']).how, 'matched', 'production not mapped: the plain --context would have to fit');
});

test('plan and apply refuse the staging context for production before reaching any cluster (exit 3)', async (t) => {
  const kubeconfig = await writeKubeconfig(t, { server: 'https://127.0.0.1:1', cluster: 'staging', context: 'kind-staging' });
  const base = ['--repo', 'examples/gitops', '--env', 'production', '--kubeconfig', kubeconfig];
  for (const run of [await cli(['plan', ...base]), await cli(['apply', ...base, '--yes']), await cli(['apply', ...base, '--context', 'kind-staging', '--yes'])]) {
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /^fsm-gitops: environment production deploys to cluster "prod-eu-1"/);
    assert.doesNotMatch(run.stderr, /cannot reach|127\.0\.0\.1/);
  }
});

test('a kubeconfig without contexts says so, not "pass --context ENV=CONTEXT"', () => {
  const empty: KubeconfigContexts = { current: '', contexts: [] };
  assert.throws(() => chooseContext(empty, staging, []), /environment staging deploys to cluster "staging".*the kubeconfig has no contexts: add one/);
  assert.throws(() => chooseContext(empty, staging, ['kind-staging']), /the kubeconfig has no contexts, so none named "kind-staging"/);
});

test('an ENV=VALUE flag naming no environment of the config is refused, not ignored (plan: --cluster, --context; apply: --context)', async (t) => {
  const kubeconfig = await writeKubeconfig(t, { server: 'https://127.0.0.1:1', cluster: 'staging', context: 'kind-staging' });
  const repo = ['--repo', 'examples/gitops'];
  const runs = [
    [await cli(['plan', ...repo, '--cluster', 'examples/cluster/staging.yaml', '--cluster', 'stagin=examples/cluster/staging.yaml']), '--cluster stagin=examples/cluster/staging.yaml'],
    [await cli(['plan', ...repo, '--env', 'staging', '--kubeconfig', kubeconfig, '--context', 'nope=kind-staging']), '--context nope=kind-staging'],
    [await cli(['apply', ...repo, '--env', 'staging', '--kubeconfig', kubeconfig, '--context', 'nope=kind-staging', '--yes']), '--context nope=kind-staging'],
  ] as const;
  for (const [run, given] of runs) {
    assert.equal(run.code, 3, run.stderr);
    assert.ok(run.stderr.includes(`fsm-gitops: ${given} names environment "${given.split(' ')[1]!.split('=')[0]}", which .github/fsm-gitops.yml does not have; it has: staging, production`), run.stderr);
    assert.doesNotMatch(run.stderr, /cannot reach|127\.0\.0\.1/);
  }
  // A form for another environment of the config is no error: it serves that one when it is planned.
  const other = await cli(['plan', ...repo, '--env', 'staging', '--cluster', 'staging=examples/cluster/staging.yaml', '--cluster', 'production=nope.yaml']);
  assert.equal(other.code, 0, other.stderr);
});

test('apply outside a git checkout warns that it records commit "unknown"; not with --commit, nor in a checkout', async (t) => {
  const kubeconfig = await writeKubeconfig(t, { server: 'https://127.0.0.1:1', cluster: 'staging', context: 'kind-staging' });
  const copy = await copyExampleRepo();
  t.after(copy.cleanup);
  const warning = /warning: .* (is not a git checkout|is a git checkout with no commit yet): the objects and the apply history record commit "unknown"; pass --commit/;
  const base = ['apply', '--env', 'staging', '--kubeconfig', kubeconfig, '--yes', '--timeout', '5'];
  // The apply itself then fails (no server there): the warning came before.
  assert.match((await cli([...base, '--repo', copy.repo])).stderr, /warning: \S+ is not a git checkout: the objects/);
  // A folder name cannot forge a line of its own.
  const forged = join(copy.repo, 'r\nfsm-gitops: FAKE');
  await cp('examples/gitops', forged, { recursive: true });
  const forgedRun = await cli([...base, '--repo', forged]);
  assert.match(forgedRun.stderr, /warning: \S+r\\u000afsm-gitops: FAKE is not a git checkout/);
  assert.doesNotMatch(forgedRun.stderr, /^fsm-gitops: FAKE/m);
  execFileSync('git', ['init', '-q', copy.repo]);
  assert.match((await cli([...base, '--repo', copy.repo])).stderr, /warning: \S+ is a git checkout with no commit yet: the objects/);
  assert.doesNotMatch((await cli([...base, '--repo', copy.repo, '--commit', 'abc123'])).stderr, warning);
  assert.doesNotMatch((await cli([...base, '--repo', 'examples/gitops'])).stderr, warning);
});

test('a kubeconfig that is not YAML is named with where it breaks, never with its lines (a token, a binary file\'s bytes)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-gitops-kubeconfig-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'broken'), 'apiVersion: v1\nusers: [\n  { name: me, user: { token: s3cr3t-token-value }\n');
  await writeFile(join(dir, 'binary'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x41]));
  for (const name of ['broken', 'binary']) {
    const run = await cli(['plan', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', join(dir, name)]);
    assert.equal(run.code, 3);
    assert.match(run.stderr, new RegExp(`^fsm-gitops: cannot use kubeconfig .*${name}: the kubeconfig is not valid YAML: .* \\(line \\d+, column \\d+\\)\\n`));
    assert.equal(run.stderr.split('\n').length, 2, run.stderr);
    assert.doesNotMatch(run.stderr, /s3cr3t|PNG|\\u00|�/);
  }
});

test('flag and setting mistakes name themselves: --cluster ENV= with no file, --context ENV= with no name, FSM_GITOPS_KUBE_CONCURRENCY out of range (not the kubeconfig)', async (t) => {
  const cluster = await cli(['plan', '--repo', 'examples/gitops', '--cluster', 'staging=']);
  assert.equal(cluster.code, 3);
  assert.match(cluster.stderr, /^fsm-gitops: --cluster staging= gives environment "staging" no FILE: write --cluster staging=FILE\n/);
  const kubeconfig = await writeKubeconfig(t, { server: 'https://127.0.0.1:1', cluster: 'staging', context: 'staging' });
  const context = await cli(['plan', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', kubeconfig, '--context', 'staging=']);
  assert.match(context.stderr, /--context staging= gives environment "staging" no CONTEXT: write --context staging=CONTEXT/);
  const saved = process.env['FSM_GITOPS_KUBE_CONCURRENCY'];
  process.env['FSM_GITOPS_KUBE_CONCURRENCY'] = '0';
  t.after(() => (saved === undefined ? delete process.env['FSM_GITOPS_KUBE_CONCURRENCY'] : (process.env['FSM_GITOPS_KUBE_CONCURRENCY'] = saved)));
  const concurrency = await cli(['plan', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', kubeconfig]);
  assert.equal(concurrency.code, 3);
  assert.match(concurrency.stderr, /^fsm-gitops: FSM_GITOPS_KUBE_CONCURRENCY is "0": it must be a whole number from 1 to 256\n/);
});
