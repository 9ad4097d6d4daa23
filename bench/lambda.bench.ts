/**
 * Bundle size and cold import time of the Lambda functions, built with the esbuild options of
 * serverless.yml, side by side with a minimal app on @probot/adapter-aws-lambda-serverless built the
 * same way. Cold import: a fresh Node process importing the bundle (median of several runs).
 * Then the worker as deployed with the helm layer (scripts/build-helm-layer.ts into a temp folder, standing
 * in for /opt): its cold import with FSM_GITOPS_HELM set to the layer's helm (no helm is extracted at start:
 * the bench checks the extraction cache stays empty), and the first `helm version` run from the layer.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';
import { load } from 'js-yaml';
import { buildHelmLayer } from '../scripts/build-helm-layer.ts';
import { findHelm } from '../src/helm/helm-binary.ts';
import { HelmRunner } from '../src/helm/helm-runner.ts';
import { Redactor } from '../src/redact/redactor.ts';
import { PRIVATE_KEY } from '../test/support/fake-github.ts';

const RUNS = 7;
const serverless = load(readFileSync(new URL('../serverless.yml', import.meta.url), 'utf8')) as { custom: { esbuild: BuildOptions } };
const { bundle, minify, target, platform, format, mainFields, banner } = serverless.custom.esbuild;
const options: BuildOptions = { bundle, minify, target, platform, format, mainFields, banner, logLevel: 'error' };

const entries = [
  { name: 'fsm-gitops webhook', entry: 'src/lambda/webhook.ts' },
  { name: 'fsm-gitops worker', entry: 'src/lambda/worker.ts' },
  { name: 'adapter-aws-lambda-serverless app', entry: 'bench/adapter-app.mjs' },
];

const out = mkdtempSync(join(tmpdir(), 'fsm-gitops-lambda-bench-'));
const env = { PATH: process.env['PATH'] ?? '', APP_ID: '1', PRIVATE_KEY: PRIVATE_KEY, WEBHOOK_SECRET: 'x', LOG_LEVEL: 'fatal' as const, AWS_REGION: 'eu-west-1' };
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const bundlePath = (name: string): string => join(out, `${name.replace(/\W+/g, '-')}.mjs`);

/** Median ms a fresh Node process takes to import `bundle` with environment `runEnv`. */
function coldImport(bundle: string, runEnv: Record<string, string>): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const script = `const t = performance.now(); await import(${JSON.stringify(bundle)}); process.stdout.write(String(performance.now() - t));`;
    times.push(Number(execFileSync(process.execPath, ['--no-deprecation', '--input-type=module', '-e', script], { env: runEnv, encoding: 'utf8' })));
  }
  return median(times);
}

/** The worker as Lambda runs it with the helm layer: cold import (no extraction) and a first helm call. */
async function workerWithLayer(): Promise<void> {
  const started = performance.now();
  const { path: helm, bytes } = await buildHelmLayer(join(out, 'opt', 'helm'));
  const built = performance.now() - started;
  const cache = join(out, 'cache');
  mkdirSync(cache);
  const worker = bundlePath('fsm-gitops worker');
  const cold = coldImport(worker, { ...env, FSM_GITOPS_HELM: helm, XDG_CACHE_HOME: cache, HOME: out });
  const extracted = readdirSync(cache, { recursive: true });
  const runner = new HelmRunner({ redactor: new Redactor([]), locate: () => findHelm({ env: { PATH: '' }, lambdaLayerHelm: helm }) });
  const call = async (): Promise<[number, string]> => {
    const t = performance.now();
    const { stdout } = await runner.run({ args: ['version', '--short'], timeoutMs: 30_000, what: 'helm version' });
    return [performance.now() - t, stdout.trim()];
  };
  const [first, version] = await call();
  const [second] = await call();
  console.log(`\nworker with the helm layer (helm ${version}, ${(bytes / 1024 / 1024).toFixed(1)} MiB, at ${helm.replace(out, '<tmp>')}; the layer built in ${built.toFixed(0)} ms, at package time)`);
  console.log(`  cold import, FSM_GITOPS_HELM set to the layer's helm  ${`${cold.toFixed(1)} ms`.padStart(10)}   helm extracted at start: ${extracted.length === 0 ? 'none (import cost only)' : `YES: ${extracted.join(', ')}`}`);
  console.log(`  first helm call from the layer (helm version)          ${`${first.toFixed(1)} ms`.padStart(10)}   (second: ${second.toFixed(1)} ms)`);
}

console.log(`Lambda bundles (esbuild options from serverless.yml: ${format}, ${target}, minify ${minify}); node ${process.version}; cold import = median of ${RUNS} fresh processes`);
console.log(`${'bundle'.padEnd(36)} ${'size'.padStart(10)} ${'gzip'.padStart(10)} ${'cold import'.padStart(12)}`);
try {
  for (const { name, entry } of entries) {
    const outfile = bundlePath(name);
    await build({ ...options, entryPoints: [entry], outfile });
    const size = statSync(outfile).size;
    const gzip = gzipSync(readFileSync(outfile)).byteLength;
    console.log(`${name.padEnd(36)} ${`${(size / 1024).toFixed(0)} KiB`.padStart(10)} ${`${(gzip / 1024).toFixed(0)} KiB`.padStart(10)} ${`${coldImport(outfile, env).toFixed(1)} ms`.padStart(12)}`);
  }
  await workerWithLayer();
} finally {
  rmSync(out, { recursive: true, force: true });
}
