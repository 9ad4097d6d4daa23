/**
 * FolderRepo's prefetch (issue 12): the files the loader is about to read are read at once, and read()
 * hands each out once; the rules on links are those of a read one at a time.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FolderRepo } from '../../src/desired/folder-repo.ts';
import { admitFiles, environmentAllowance } from '../../src/desired/managed-files.ts';
import type { Finding } from '../../src/core/finding.ts';

const base = mkdtempSync(join(tmpdir(), 'fsm-prefetch-'));
after(() => rmSync(base, { recursive: true, force: true }));
const root = join(base, 'repo');
mkdirSync(join(root, 'env/plugins'), { recursive: true });
mkdirSync(join(base, 'outside'), { recursive: true });
writeFileSync(join(base, 'outside/evil.yaml'), 'evil: true\n');
for (let i = 0; i < 40; i++) writeFileSync(join(root, `env/plugins/p${String(i).padStart(2, '0')}.yaml`), `name: p${i}\n`);
symlinkSync(join(base, 'outside/evil.yaml'), join(root, 'env/plugins/linked.yaml'));
symlinkSync(join(base, 'outside'), join(root, 'env/linked-dir'));

const text = (bytes: Uint8Array | undefined): string | undefined => (bytes === undefined ? undefined : new TextDecoder().decode(bytes));

test('prefetched files are read as without the prefetch, links and missing files included', async () => {
  const files = ['env/plugins/p00.yaml', 'env/plugins/p39.yaml', 'env/plugins/linked.yaml', 'env/linked-dir/evil.yaml', 'env/plugins/absent.yaml', '../outside/evil.yaml'];
  const prefetching = new FolderRepo(root);
  await prefetching.prefetch(files);
  const plain = new FolderRepo(root);
  for (const file of files) assert.equal(text(await prefetching.read(file)), text(await plain.read(file)), file);
  assert.equal(text(await prefetching.read('env/plugins/p00.yaml')), 'name: p0\n');
  assert.equal(await prefetching.read('env/plugins/linked.yaml'), undefined, 'a linked file is not read, prefetched or not');
  assert.equal(await prefetching.read('env/linked-dir/evil.yaml'), undefined, 'nor a file in a linked folder');
});

test('a prefetched file is handed out once: a later read sees the file as it is then', async () => {
  const repo = new FolderRepo(root);
  await repo.prefetch(['env/plugins/p01.yaml']);
  writeFileSync(join(root, 'env/plugins/p01.yaml'), 'name: changed\n');
  const first = text(await repo.read('env/plugins/p01.yaml'));
  assert.ok(first === 'name: p1\n' || first === 'name: changed\n', 'the prefetch read the file before or after the change');
  assert.equal(text(await repo.read('./env/plugins/p01.yaml')), 'name: changed\n', 'not served from the prefetch twice');
});

test('admitFiles asks every size at once and still judges the files in order', async () => {
  writeFileSync(join(root, 'env/plugins/huge.yaml'), Buffer.alloc(4 * 1024 * 1024 + 1, 'a'));
  const files = ['env/plugins/p02.yaml', 'env/plugins/huge.yaml', 'env/plugins/p03.yaml', 'env/plugins/linked.yaml'];
  const findings: Finding[] = [];
  const admitted = await admitFiles(new FolderRepo(root), files, environmentAllowance(), findings);
  assert.deepEqual(admitted, ['env/plugins/p02.yaml', 'env/plugins/p03.yaml', 'env/plugins/linked.yaml']);
  assert.deepEqual(
    findings.map((f) => [f.code, f.file]),
    [['file-too-large', 'env/plugins/huge.yaml']],
  );
});
