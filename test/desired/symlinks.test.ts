/** Symbolic links are skipped, with a notice, in the CLI (a folder on disk) and in the app (Git mode 120000): never followed. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { EnvironmentConfig } from '../../src/config/repo-config.ts';
import { FolderRepo } from '../../src/desired/folder-repo.ts';
import { loadEnvironment } from '../../src/desired/load-environment.ts';
import { GitHubRepoFiles } from '../../src/github/github-repo-files.ts';
import type { Octokit } from '../../src/github/octokit.ts';
import { requireRepoConfig } from '../../src/workflow/plan-repository.ts';
import { pluginYaml } from '../support/manifests.ts';

const env = (path: string): EnvironmentConfig => ({
  name: 'staging', path, cluster: 's', mesh: { name: 'fsm', namespace: 'fsm-system' },
  deploy: 'manual', approvals: 1, namespaces: undefined, teams: [], restart: 'manual', prune: true, production: false,
});

const base = mkdtempSync(join(tmpdir(), 'fsm-links-'));
after(() => rmSync(base, { recursive: true, force: true }));
const outside = join(base, 'outside');
const repo = join(base, 'repo');
mkdirSync(join(outside, 'github'), { recursive: true });
mkdirSync(join(repo, 'clusters/staging'), { recursive: true });
writeFileSync(join(outside, 'evil.yaml'), pluginYaml('evil'));
writeFileSync(join(outside, 'github/fsm-gitops.yml'), 'environments:\n  staging:\n    path: clusters/staging\n    cluster: s\n');
writeFileSync(join(repo, 'clusters/staging/real.yaml'), pluginYaml('real'));
symlinkSync(join(outside, 'evil.yaml'), join(repo, 'clusters/staging/linked.yaml'));
symlinkSync(outside, join(repo, 'clusters/staging/linked-dir'));
symlinkSync(outside, join(repo, 'clusters/prod'));
symlinkSync(join(repo, 'clusters'), join(repo, 'mirror'));
symlinkSync(join(outside, 'github'), join(repo, '.github'));

const names = (e: Awaited<ReturnType<typeof loadEnvironment>>) => e.resources.map((r) => r.object.metadata.name);
const notices = (e: Awaited<ReturnType<typeof loadEnvironment>>) => e.findings.filter((f) => f.code === 'symlink-skipped').map((f) => [f.severity, f.file]);

test('the CLI skips a linked file and a linked folder inside the environment, with a notice each', async () => {
  const loaded = await loadEnvironment(new FolderRepo(repo), env('clusters/staging'));
  assert.deepEqual(names(loaded), ['real']);
  assert.deepEqual(notices(loaded), [['notice', 'clusters/staging/linked-dir'], ['notice', 'clusters/staging/linked.yaml']]);
});

test('the CLI reads nothing through an environment folder or a parent that is a link', async () => {
  for (const path of ['clusters/prod', 'mirror/staging']) {
    const loaded = await loadEnvironment(new FolderRepo(repo), env(path));
    assert.deepEqual(names(loaded), [], path);
    assert.deepEqual(notices(loaded), [['notice', path.split('/')[0] === 'mirror' ? 'mirror' : path]], path);
    assert.ok(loaded.findings.some((f) => f.code === 'environment-empty'), `${path}: empty, so nothing is pruned`);
  }
  assert.equal(await new FolderRepo(repo).read('mirror/staging/real.yaml'), undefined);
  assert.equal(await new FolderRepo(repo).read('clusters/prod/evil.yaml'), undefined);
});

test('a linked .github is not read as the config, and the error says why', async () => {
  await assert.rejects(requireRepoConfig(new FolderRepo(repo)), /\.github is a symbolic link/);
});

test('the app skips Git symlinks (mode 120000) the same way', async () => {
  const text = pluginYaml('real');
  const octokit = {
    rest: {
      git: {
        getTree: async () => ({ data: { truncated: false, tree: [
          { path: 'clusters/staging/real.yaml', mode: '100644', type: 'blob', sha: 'a'.repeat(40), size: text.length },
          { path: 'clusters/staging/linked.yaml', mode: '120000', type: 'blob', sha: 'b'.repeat(40), size: 20 },
        ] } }),
        getBlob: async ({ file_sha }: { file_sha: string }) => {
          assert.notEqual(file_sha, 'b'.repeat(40), 'a link is never fetched');
          return { data: { encoding: 'utf8', content: text } };
        },
      },
    },
    graphql: async (query: string) => {
      assert.doesNotMatch(query, /b{40}/, 'a link is never fetched');
      return { repository: { b0: { text, isBinary: false, isTruncated: false } } };
    },
  } as unknown as Octokit;
  const files = new GitHubRepoFiles(octokit, { owner: 'o', repo: 'r' }, 'c'.repeat(40));
  const loaded = await loadEnvironment(files, env('clusters/staging'));
  assert.deepEqual(names(loaded), ['real']);
  assert.deepEqual(notices(loaded), [['notice', 'clusters/staging/linked.yaml']]);
  assert.equal(await files.read('clusters/staging/linked.yaml'), undefined);
});
