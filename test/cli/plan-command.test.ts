import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { cli, copyExampleRepo, EXAMPLE } from '../support/cli.ts';

test('plans the example: exit 0, the changes and a summary line', async () => {
  const { code, stdout } = await cli(['plan', ...EXAMPLE]);
  assert.equal(code, 0);
  assert.match(stdout, /~ MeshConfig fsm-system\/fsm-mesh-config update/);
  assert.match(stdout, /\+ Plugin cors-policy create/);
  assert.match(stdout, /- Plugin legacy-logger delete/);
  assert.match(stdout, /Plan: 3 to create, 1 to update, 2 to delete, 1 pending · 7 workloads to restart · 0 errors/);
  assert.doesNotMatch(stdout, /\u001b\[/, 'no color when not a terminal');
});

test('--detailed-exitcode exits 2 when there are changes, 0 when there are none', async () => {
  assert.equal((await cli(['plan', ...EXAMPLE, '--detailed-exitcode'])).code, 2);
  const production = ['--repo', 'examples/gitops', '--env', 'production', '--cluster', 'examples/cluster/production.yaml', '--detailed-exitcode'];
  const { code, stdout } = await cli(['plan', ...production]);
  assert.equal(code, 0, stdout);
});

test('color on a terminal, unless NO_COLOR or --no-color', async () => {
  assert.match((await cli(['plan', ...EXAMPLE], { stdoutIsTty: true })).stdout, /\u001b\[/);
  assert.doesNotMatch((await cli(['plan', ...EXAMPLE], { stdoutIsTty: true, env: { NO_COLOR: '1' } })).stdout, /\u001b\[/);
  assert.doesNotMatch((await cli(['plan', ...EXAMPLE, '--no-color'], { stdoutIsTty: true })).stdout, /\u001b\[/);
});

test('json output has the documented shape', async () => {
  const { code, stdout } = await cli(['plan', ...EXAMPLE, '--format', 'json']);
  assert.equal(code, 0);
  const plan = JSON.parse(stdout) as { environments: { name: string; changes: { action: string }[]; findings: Record<string, unknown>[] }[] };
  const [staging] = plan.environments;
  assert.equal(staging!.name, 'staging');
  assert.ok(staging!.changes.some((c) => c.action === 'create'));
  for (const finding of staging!.findings) {
    assert.deepEqual(Object.keys(finding), ['severity', 'code', 'file', 'line', 'column', 'path', 'message']);
  }
});

test('markdown output is the PR comment, with its marker', async () => {
  const { stdout } = await cli(['plan', ...EXAMPLE, '--format', 'markdown']);
  assert.ok(stdout.startsWith('<!-- fsm-gitops:plan -->'));
  assert.match(stdout, /### ✅ `staging`/);
  assert.match(stdout, /<details><summary>\+ <b>Plugin cors-policy<\/b> create/);
});

test('--cluster ENV=FILE plans several environments against their own snapshots', async () => {
  const { code, stdout } = await cli(['plan', '--repo', 'examples/gitops', '--cluster', 'staging=examples/cluster/staging.yaml', '--cluster', 'production=examples/cluster/production.yaml', '--format', 'json']);
  assert.equal(code, 0);
  assert.deepEqual((JSON.parse(stdout) as { environments: { name: string }[] }).environments.map((e) => e.name), ['staging', 'production']);
});

test('a plan with an error finding exits 1 and names file and line', async (t) => {
  const { repo, cleanup } = await copyExampleRepo();
  t.after(cleanup);
  await writeFile(join(repo, 'clusters/staging/meshconfig.yaml'), 'apiVersion: config.flomesh.io/v1alpha3\nkind: MeshConfig\nmetadata:\n  name: fsm-mesh-config\n  namespace: fsm-system\nspec:\n  traffic:\n    enableEgres: true\n');
  const { code, stdout } = await cli(['plan', '--repo', repo, '--env', 'staging', '--cluster', 'examples/cluster/staging.yaml']);
  assert.equal(code, 1);
  assert.match(stdout, /error \[schema-unknown-field\] clusters\/staging\/meshconfig\.yaml:8:5/);
});

test('a bad flag or command is one line and a pointer to --help, not the whole help; exit 3', async () => {
  const unknown = await cli(['plan', '--nope']);
  assert.equal(unknown.code, 3);
  assert.equal(unknown.stderr, "fsm-gitops: Unknown option '--nope'\nRun 'fsm-gitops plan --help' for its options.\n");
  const missing = await cli(['apply', '--env']);
  assert.equal(missing.stderr.split('\n').length, 3, missing.stderr);
  assert.match(missing.stderr, /--env.*argument missing\nRun 'fsm-gitops apply --help'/);
  const command = await cli(['aply']);
  assert.equal(command.code, 3);
  assert.equal(command.stderr, 'fsm-gitops: unknown command "aply": did you mean "apply"?\nRun \'fsm-gitops --help\' for the commands.\n');
  const format = await cli(['plan', ...EXAMPLE, '--format', 'xml']);
  assert.equal(format.code, 3);
  assert.match(format.stderr, /--format must be one of text, markdown, json/);
});

test('--help for the program and for plan', async () => {
  const main = await cli(['--help']);
  assert.equal(main.code, 0);
  assert.match(main.stdout, /Commands:\n  plan/);
  const plan = await cli(['plan', '--help']);
  assert.equal(plan.code, 0);
  assert.match(plan.stdout, /Exit codes:/);
  // `help COMMAND` is `COMMAND --help`; `help` alone, or of no command, the program's.
  for (const command of ['plan', 'apply']) assert.deepEqual(await cli(['help', command]), await cli([command, '--help']));
  assert.deepEqual(await cli(['help', 'nope']), main);
});

test("plan --help names every field of a JSON change the example's plan has", async () => {
  const help = (await cli(['plan', '--help'])).stdout.replace(/\s+/g, ' ');
  const listed = /Each change: ([^.]*?);/.exec(help)?.[1] ?? '';
  const plan = JSON.parse((await cli(['plan', ...EXAMPLE, '--format', 'json'])).stdout) as { environments: { changes: Record<string, unknown>[] }[] };
  const keys = new Set(plan.environments.flatMap((e) => e.changes.flatMap((c) => Object.keys(c))));
  assert.ok(keys.has('rollout') && keys.has('fields'), [...keys].join(', '));
  for (const key of keys) if (key !== 'after' && key !== 'before') assert.match(listed, new RegExp(`\\b${key}\\b`), `${key} is not in: ${listed}`);
});

test('apply with a snapshot says apply needs a live cluster, not "unknown option"', async () => {
  const run = await cli(['apply', '--repo', 'examples/gitops', '--env', 'staging', '--cluster', 'examples/cluster/staging.yaml']);
  assert.equal(run.code, 3);
  assert.match(run.stderr, /^fsm-gitops: apply writes to a live cluster: --kubeconfig PATH \[--context NAME\]; a snapshot \(--cluster\) can only be planned\n/);
});

test('an unknown environment or a missing snapshot is exit 3 with a clear message', async () => {
  const env = await cli(['plan', '--repo', 'examples/gitops', '--env', 'qa', '--cluster', 'examples/cluster/staging.yaml']);
  assert.equal(env.code, 3);
  assert.match(env.stderr, /no environment "qa" in \.github\/fsm-gitops\.yml; it has: staging, production/);
  const snapshot = await cli(['plan', '--repo', 'examples/gitops', '--env', 'staging', '--cluster', 'nope.yaml']);
  assert.equal(snapshot.code, 3);
  assert.match(snapshot.stderr, /cannot read cluster snapshot nope\.yaml/);
});

test('a --repo that is missing or a file says so, in plan and apply; a folder without a config is named', async () => {
  for (const command of [['plan', '--cluster', 'examples/cluster/staging.yaml'], ['apply', '--env', 'staging', '--kubeconfig', 'nope', '--yes']]) {
    const missing = await cli([...command, '--repo', 'no/such/repo']);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /--repo no\/such\/repo: no such folder; pass the repository's root folder/);
    const file = await cli([...command, '--repo', 'README.md']);
    assert.equal(file.code, 3);
    assert.match(file.stderr, /--repo README\.md is a file, not a folder/);
  }
  const bare = await cli(['plan', '--cluster', 'examples/cluster/staging.yaml', '--repo', 'docs']);
  assert.equal(bare.code, 3);
  assert.ok(bare.stderr.includes(`the repository in ${join(process.cwd(), 'docs')} has no .github/fsm-gitops.yml`), bare.stderr);
});

test('the real process sets its exit code (demo command line, with --detailed-exitcode)', async () => {
  const run = promisify(execFile);
  const error = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'plan', ...EXAMPLE, '--detailed-exitcode']).catch((e: { code: number; stdout: string }) => e);
  assert.equal((error as { code: number }).code, 2);
  assert.match((error as { stdout: string }).stdout, /Plan: 3 to create/);
});

test('stderr passes the credential redaction: an error quoting a connection string shows no password', async () => {
  const run = await cli(['plan', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', '/nonexistent/postgres://fsm:hunter2@db/kubeconfig']);
  assert.equal(run.code, 3);
  assert.match(run.stderr, /postgres:\/\/••••••@db/);
  assert.doesNotMatch(run.stderr, /hunter2/);
});

test('a NUL in an environment path is a config error at its line, not an unexpected failure', async (t) => {
  const { repo, cleanup } = await copyExampleRepo();
  t.after(cleanup);
  await writeFile(join(repo, '.github/fsm-gitops.yml'), 'environments:\n  staging:\n    path: "clusters/sta\\0ging"\n    cluster: staging\n');
  const run = await cli(['plan', '--repo', repo, '--cluster', 'examples/cluster/staging.yaml']);
  assert.equal(run.code, 3);
  assert.match(run.stderr, /^fsm-gitops: \.github\/fsm-gitops\.yml:3:5: environments\.staging\.path: "clusters\/sta\\u0000ging" is not a folder of this repository/);
  assert.doesNotMatch(run.stderr, /unexpected failure|bug/);
});
