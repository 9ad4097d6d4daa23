/**
 * Bundle size and cold import time of the Lambda functions, each built as `osls package` builds it
 * (scripts/build-lambda.ts: serverless.yml's esbuild options and plugins), side by side with a minimal app on
 * @probot/adapter-aws-lambda-serverless built with the same options. Cold import: a fresh Node process importing
 * the bundle (median of several runs; wall time and the process's CPU time during the import, which the
 * machine's other load disturbs less).
 * Then the worker as deployed with the helm layer (scripts/build-helm-layer.ts into a temp folder, standing
 * in for /opt): its cold import with FSM_GITOPS_HELM set to the layer's helm (no helm is extracted at start:
 * the bench checks the extraction cache stays empty), and the first `helm version` run from the layer.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { buildHelmLayer } from '../scripts/build-helm-layer.ts';
import { buildLambda, lambdaBuildOptions, lambdaFunctions } from '../scripts/build-lambda.ts';
import { findHelm } from '../src/helm/helm-binary.ts';
import { HelmRunner } from '../src/helm/helm-runner.ts';
import { Redactor } from '../src/redact/redactor.ts';
import { PRIVATE_KEY } from '../test/support/fake-github.ts';

const RUNS = 7;
const options = lambdaBuildOptions();
/** No source map: the bench measures the code Lambda loads. */
const NO_MAP = { sourcemap: false } as const;
const ADAPTER_APP = 'bench/adapter-app.mjs';

const out = mkdtempSync(join(tmpdir(), 'fsm-gitops-lambda-bench-'));
const env = { PATH: process.env['PATH'] ?? '', APP_ID: '1', PRIVATE_KEY: PRIVATE_KEY, WEBHOOK_SECRET: 'x', LOG_LEVEL: 'fatal' as const, AWS_REGION: 'eu-west-1' };
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const bundles = new Map<string, string>();

/** Median wall and CPU ms a fresh Node process takes to import `bundle` with environment `runEnv`. */
function coldImport(bundle: string, runEnv: Record<string, string>): { wall: number; cpu: number } {
  const runs: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const script = `const t = performance.now(), c = process.cpuUsage(); await import(${JSON.stringify(bundle)}); const u = process.cpuUsage(c); process.stdout.write(JSON.stringify({ wall: performance.now() - t, cpu: (u.user + u.system) / 1000 }));`;
    runs.push(JSON.parse(execFileSync(process.execPath, ['--no-deprecation', '--input-type=module', '-e', script], { env: runEnv, encoding: 'utf8' })) as { wall: number; cpu: number });
  }
  return { wall: median(runs.map((run) => run.wall)), cpu: median(runs.map((run) => run.cpu)) };
}

const ms = (value: number, width: number): string => `${value.toFixed(1)} ms`.padStart(width);

/** The worker as Lambda runs it with the helm layer: cold import (no extraction) and a first helm call. */
async function workerWithLayer(): Promise<void> {
  const started = performance.now();
  const { path: helm, bytes } = await buildHelmLayer(join(out, 'opt', 'helm'));
  const built = performance.now() - started;
  const cache = join(out, 'cache');
  mkdirSync(cache);
  const worker = bundles.get('worker')!;
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
  console.log(`  cold import, FSM_GITOPS_HELM set to the layer's helm  ${ms(cold.wall, 10)} (CPU ${cold.cpu.toFixed(1)} ms)   helm extracted at start: ${extracted.length === 0 ? 'none (import cost only)' : `YES: ${extracted.join(', ')}`}`);
  console.log(`  first helm call from the layer (helm version)          ${`${first.toFixed(1)} ms`.padStart(10)}   (second: ${second.toFixed(1)} ms)`);
}

console.log(`Lambda bundles (as osls packages them, scripts/build-lambda.ts: ${options.format}, ${options.target}, minify ${options.minify}, plugins ${options.plugins!.map((plugin) => plugin.name).join(', ') || 'none'}); node ${process.version}; cold import = median of ${RUNS} fresh processes`);
console.log(`${'bundle'.padEnd(36)} ${'size'.padStart(10)} ${'gzip'.padStart(10)} ${'cold import'.padStart(12)} ${'(CPU)'.padStart(12)}`);
try {
  for (const name of lambdaFunctions()) bundles.set(name, (await buildLambda(name, join(out, name), NO_MAP)).bundle);
  const adapter = join(out, 'adapter', `app${options.outExtension!['.js']}`);
  await build({ ...options, ...NO_MAP, logLevel: 'error', entryPoints: { app: ADAPTER_APP }, outdir: join(out, 'adapter') });
  const rows = [...[...bundles].map(([name, bundle]) => [`fsm-gitops ${name}`, bundle] as const), ['adapter-aws-lambda-serverless app', adapter] as const];
  for (const [name, bundle] of rows) {
    const size = statSync(bundle).size;
    const gzip = gzipSync(readFileSync(bundle)).byteLength;
    const cold = coldImport(bundle, env);
    console.log(`${name.padEnd(36)} ${`${(size / 1024).toFixed(0)} KiB`.padStart(10)} ${`${(gzip / 1024).toFixed(0)} KiB`.padStart(10)} ${ms(cold.wall, 12)} ${ms(cold.cpu, 12)}`);
  }
  await workerWithLayer();
} finally {
  rmSync(out, { recursive: true, force: true });
}
