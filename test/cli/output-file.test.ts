import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, EXAMPLE } from '../support/cli.ts';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fsm-gitops-output-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('--output FILE.json writes the JSON plan there; stdout keeps the summary line', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'plan.json');
  const run = await cli(['plan', ...EXAMPLE, '--output', file, '--detailed-exitcode']);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, `staging: 3 to create, 1 to update, 2 to delete, 1 pending · 7 workloads to restart · 0 errors, 1 warning, 1 notice\nPlan written to ${file} (json).\n`);
  const plan = JSON.parse(await readFile(file, 'utf8')) as { summary: { exitCode: number; exitMeaning: string; changes: Record<string, number> } };
  assert.deepEqual([plan.summary.exitCode, plan.summary.changes['create']], [2, 3]);
  assert.match(plan.summary.exitMeaning, /valid with changes/);
  assert.deepEqual(await readdir(dir), ['plan.json'], 'no temporary file left');
});

test('--output chooses the format by extension (.md Markdown, other text), and --format wins over it', async (t) => {
  const dir = await tempDir(t);
  await cli(['plan', ...EXAMPLE, '-o', join(dir, 'plan.md')]);
  assert.ok((await readFile(join(dir, 'plan.md'), 'utf8')).startsWith('<!-- fsm-gitops:plan -->'));
  await cli(['plan', ...EXAMPLE, '-o', join(dir, 'plan.txt')], { stdoutIsTty: true });
  const text = await readFile(join(dir, 'plan.txt'), 'utf8');
  assert.match(text, /^Environment staging/);
  assert.doesNotMatch(text, /\u001b\[/, 'a file gets no colours');
  await cli(['plan', ...EXAMPLE, '--format', 'json', '-o', join(dir, 'plan.md')]);
  const json = await readFile(join(dir, 'plan.md'), 'utf8');
  assert.doesNotThrow(() => JSON.parse(json));
});

test('an --output that cannot be written is exit 3 naming it; what was there stays, no temporary file is left', async (t) => {
  const dir = await tempDir(t);
  const missing = await cli(['plan', ...EXAMPLE, '-o', join(dir, 'no-such-folder', 'plan.json')]);
  assert.equal(missing.code, 3);
  assert.ok(missing.stderr.startsWith(`fsm-gitops: cannot write --output ${join(dir, 'no-such-folder', 'plan.json')}: no such folder ${join(dir, 'no-such-folder')}\n`), missing.stderr);
  assert.doesNotMatch(missing.stderr, /\.tmp/, 'the temporary file is ours: not named');
  // A folder in the way: the rename fails after the temporary file was written in full.
  await mkdir(join(dir, 'taken.json'));
  await mkdir(join(dir, 'taken.json', 'inside'));
  const taken = await cli(['plan', ...EXAMPLE, '-o', join(dir, 'taken.json')]);
  assert.equal(taken.code, 3);
  assert.match(taken.stderr, /taken\.json: (it is a folder|ENOTEMPTY|EEXIST)/);
  assert.deepEqual((await readdir(dir)).sort(), ['taken.json']);
  assert.deepEqual(await readdir(join(dir, 'taken.json')), ['inside']);
});
