import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type { EnvironmentConfig } from '../../src/config/repo-config.ts';
import { loadEnvironment } from '../../src/desired/load-environment.ts';
import { MemoryRepo } from '../../src/desired/memory-repo.ts';
import { FolderRepo } from '../../src/desired/folder-repo.ts';

const ENV: EnvironmentConfig = {
  name: 'staging', path: 'clusters/staging', cluster: 's', mesh: { name: 'fsm', namespace: 'fsm-system' },
  deploy: 'manual', approvals: 1, namespaces: undefined, teams: [], restart: 'manual', prune: true, production: false,
};

test('reads manifests from every YAML file below the folder, multi-document and List, with lines', async () => {
  const repo = new MemoryRepo({
    'clusters/staging/a.yaml': 'apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\napiVersion: v1\nkind: B\nmetadata: {name: b}\n',
    'clusters/staging/sub/list.yml': 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: C\n    metadata: {name: c}\n',
    'clusters/staging/README.md': '# not read',
    'clusters/other/x.yaml': 'apiVersion: v1\nkind: X\nmetadata: {name: x}\n',
  });
  const env = await loadEnvironment(repo, ENV);
  assert.deepEqual(env.resources.map((r) => [r.object.kind, r.file, r.locate([]).line]), [
    ['A', 'clusters/staging/a.yaml', 1],
    ['B', 'clusters/staging/a.yaml', 5],
    ['C', 'clusters/staging/sub/list.yml', 4],
  ]);
  assert.deepEqual(env.findings, []);
  assert.equal(env.values, undefined);
});

test('values.yaml at the root is the values override; elsewhere it is a manifest file', async () => {
  const repo = new MemoryRepo({
    'clusters/staging/values.yaml': 'fsm:\n  meshName: fsm\n',
    'clusters/staging/sub/values.yaml': 'fsm: {}\n',
  });
  const env = await loadEnvironment(repo, ENV);
  assert.deepEqual(env.values?.values, { fsm: { meshName: 'fsm' } });
  assert.deepEqual(env.values?.locate(['fsm', 'meshName']), { line: 2, column: 3 });
  assert.equal(env.findings[0]?.code, 'manifest-invalid');
  assert.equal(env.findings[0]?.file, 'clusters/staging/sub/values.yaml');
});

test('a values.yaml of more values than any chart has is a yaml-limit error and is not planned; one of the chart\'s size is read', async () => {
  const keys = (n: number) => `fsm:\n${Array.from({ length: n }, (_, i) => `  k${i}: 1\n`).join('')}`;
  const huge = await loadEnvironment(new MemoryRepo({ 'clusters/staging/values.yaml': keys(20_000), 'clusters/staging/a.yaml': 'apiVersion: plugin.flomesh.io/v1alpha1\nkind: Plugin\nmetadata: {name: a}\n' }), ENV);
  assert.equal(huge.values, undefined);
  assert.deepEqual(huge.findings.map((f) => [f.code, f.severity, f.file, f.line]), [['yaml-limit', 'error', 'clusters/staging/values.yaml', 1]]);
  assert.match(huge.findings[0]!.message, /values\.yaml holds more than 10,000 values \(FSM's chart has about 800\): it is not planned/);
  const chartSized = await loadEnvironment(new MemoryRepo({ 'clusters/staging/values.yaml': keys(900) }), ENV);
  assert.equal(Object.keys((chartSized.values?.values['fsm'] ?? {}) as object).length, 900);
  assert.deepEqual(chartSized.findings, []);
});

test('a YAML 1.1 spelling under a credential key, or a name/value pair\'s value, is noticed without its value or either reading', async () => {
  const values = [
    'fsm:',
    '  password: 0123456701234',
    '  auth: {secret: 1_234_567_890}',
    '  sessionBlob: 0777',
    '  passwords:',
    '    - 0111111111111',
    '  apiKeys: [0222222222222]',
    '  password2:',
    '    0444444444444',
    '  token: &tk 0555555555555',
    '  headers: [{name: X-Api-Key, value: 0604713}]',
    '  mode: 0755',
    '',
  ].join('\n');
  const env = await loadEnvironment(new MemoryRepo({ 'clusters/staging/values.yaml': values }), { ...ENV, redactKeys: ['sessionBlob'] });
  const notices = env.findings.filter((f) => f.code === 'yaml11-scalar');
  assert.deepEqual(notices.map((f) => f.line), [2, 3, 4, 6, 7, 9, 10, 11, 12]);
  for (const f of notices.slice(0, -1)) {
    assert.doesNotMatch(f.message, /0123456701234|123456701234|1_234_567_890|1234567890|0777|511|111111111111|222222222222|444444444444|555555555555|604713|201163/, f.message);
    assert.match(f.message, /^a value under fsm\.(password|auth\.secret|sessionBlob|passwords|apiKeys|password2|token|headers\.value) is read as a number, as Helm and kubectl read YAML \(YAML 1\.1\); YAML 1\.2 tools such as yq read (a number|a string)\. Quote it/, f.message);
  }
  assert.match(notices.at(-1)!.message, /^`0755` is read as the number 493/, 'an ordinary key keeps the values');
});

test('manifests without apiVersion, kind or name are findings at their line', async () => {
  const repo = new MemoryRepo({ 'clusters/staging/bad.yaml': 'kind: Plugin\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Plugin\nmetadata: {}\n---\n- a list\n' });
  const env = await loadEnvironment(repo, ENV);
  assert.deepEqual(env.findings.map((f) => [f.code, f.line]), [['manifest-invalid', 1], ['manifest-invalid', 6], ['manifest-invalid', 8]]);
  assert.equal(env.resources.length, 0);
});

test('a folder on disk reads the same, without following links out of the repository', async () => {
  const env = await loadEnvironment(new FolderRepo('examples/gitops'), ENV);
  assert.deepEqual(env.resources.map((r) => r.object.kind).sort(), ['MeshConfig', 'Plugin', 'PluginChain', 'PluginConfig']);
  const plugin = env.resources.find((r) => r.object.kind === 'Plugin')!;
  assert.equal(plugin.scriptFile, 'clusters/staging/plugins/cors-policy.js');
  assert.equal(await new FolderRepo('examples/gitops').read('../../package.json'), undefined);
});

test('the CLI reads only managed files, refuses an oversized YAML by its size, and reads a .js only for the Plugin that names it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'fsm-managed-'));
  const write = (path: string, content: string | Uint8Array) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  write('clusters/staging/plugin.yaml', 'apiVersion: plugin.flomesh.io/v1alpha1\nkind: Plugin\nmetadata: {name: logger}\nspec: {priority: 1}\n');
  write('clusters/staging/logger.js', 'pipy()\n');
  write('clusters/staging/stray.js', '// no Plugin is named stray\n');
  write('clusters/staging/README.md', '# notes\n');
  write('clusters/staging/image.png', new Uint8Array(1024).fill(1));
  write('clusters/staging/huge.yaml', `# ${'x'.repeat(5 * 1024 * 1024)}\n`);
  const reads: string[] = [];
  const repo = new (class extends FolderRepo {
    override async read(path: string): Promise<Uint8Array | undefined> {
      reads.push(path);
      return super.read(path);
    }
  })(root);
  const env = await loadEnvironment(repo, ENV).finally(() => rmSync(root, { recursive: true, force: true }));
  assert.deepEqual(reads.sort(), ['clusters/staging/logger.js', 'clusters/staging/plugin.yaml']);
  // The stray script is not read, nor called unused: huge.yaml, unread, may hold the Plugin that takes it.
  assert.deepEqual(env.findings.map((f) => [f.code, f.file]), [['file-too-large', 'clusters/staging/huge.yaml']]);
  assert.deepEqual(env.resources[0]?.object['spec'], { priority: 1, pipyscript: 'pipy()\n' });
});
