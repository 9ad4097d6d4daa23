import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gitCommit } from '../../src/cli/git-commit.ts';

test('the commit of a folder: why git cannot tell (no checkout, no commit yet), the sha, -dirty with changes', async (t) => {
  const folder = await mkdtemp(join(tmpdir(), 'fsm-gitops-git-'));
  t.after(() => rm(folder, { recursive: true, force: true }));
  assert.deepEqual(await gitCommit(folder), { why: 'is not a git checkout' });
  const git = (...args: string[]): string => execFileSync('git', ['-C', folder, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { encoding: 'utf8' });
  git('init', '-q');
  assert.deepEqual(await gitCommit(folder), { why: 'is a git checkout with no commit yet' });
  await writeFile(join(folder, 'a.yaml'), 'a: 1\n');
  git('add', 'a.yaml');
  git('commit', '-q', '-m', 'first');
  const sha = git('rev-parse', 'HEAD').trim();
  assert.deepEqual(await gitCommit(folder), { sha });
  await writeFile(join(folder, 'a.yaml'), 'a: 2\n');
  assert.deepEqual(await gitCommit(folder), { sha: `${sha}-dirty` });
});
