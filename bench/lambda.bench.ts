/**
 * Bundle size and cold import time of the Lambda functions, built with the esbuild options of
 * serverless.yml, side by side with a minimal app on @probot/adapter-aws-lambda-serverless built the
 * same way. Cold import: a fresh Node process importing the bundle (median of several runs).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions } from 'esbuild';
import { load } from 'js-yaml';
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

console.log(`Lambda bundles (esbuild options from serverless.yml: ${format}, ${target}, minify ${minify}); node ${process.version}; cold import = median of ${RUNS} fresh processes`);
console.log(`${'bundle'.padEnd(36)} ${'size'.padStart(10)} ${'gzip'.padStart(10)} ${'cold import'.padStart(12)}`);
try {
  for (const { name, entry } of entries) {
    const outfile = join(out, `${name.replace(/\W+/g, '-')}.mjs`);
    await build({ ...options, entryPoints: [entry], outfile });
    const size = statSync(outfile).size;
    const gzip = gzipSync(readFileSync(outfile)).byteLength;
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const script = `const t = performance.now(); await import(${JSON.stringify(outfile)}); process.stdout.write(String(performance.now() - t));`;
      times.push(Number(execFileSync(process.execPath, ['--no-deprecation', '--input-type=module', '-e', script], { env, encoding: 'utf8' })));
    }
    console.log(`${name.padEnd(36)} ${`${(size / 1024).toFixed(0)} KiB`.padStart(10)} ${`${(gzip / 1024).toFixed(0)} KiB`.padStart(10)} ${`${median(times).toFixed(1)} ms`.padStart(12)}`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
