import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { build, type Metafile } from 'esbuild';
import { buildCli, CLI_OUT_DIR, REQUIRE_BANNER, type CliBuild } from '../../scripts/build-cli.ts';
import { bundlePlugins, LAZY_DIR, LAZY_IMPORTS, OWN_LAZY_IMPORTS } from '../../scripts/esbuild-plugins.cjs';
import { cli, EXAMPLE, writeKubeconfig } from '../support/cli.ts';
import { lazyImportsOf, OWN_LAZY } from '../support/lazy-imports.ts';
import { refusingSocksProxy } from '../support/socks-proxy.ts';

// The bundle the `fsm-gitops` bin runs, built into a temp folder laid out as the repository is
// (package.json two levels above the bundle, as src/cli/version.ts expects), and run as a child process.
let root: string;
let bundle: CliBuild;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'fsm-gitops-bundle-'));
  await copyFile('package.json', join(root, 'package.json'));
  bundle = await buildCli(join(root, CLI_OUT_DIR));
});
after(() => rm(root, { recursive: true, force: true }));

function runBundle(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bundle.main, ...args], { env: { PATH: process.env['PATH'] ?? '' }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test('the bundle prints package.json\'s version', async () => {
  const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  const { code, stdout } = await runBundle(['--version']);
  assert.equal(code, 0);
  assert.equal(stdout, `${version}\n`);
});

test('the bundle plans the example snapshot as the sources do', async () => {
  const fromBundle = await runBundle(['plan', ...EXAMPLE]);
  const fromSources = await cli(['plan', ...EXAMPLE]);
  assert.equal(fromBundle.code, 0, fromBundle.stderr);
  assert.match(fromBundle.stdout, /Plan: 3 to create, 1 to update, 2 to delete, 1 pending/);
  assert.equal(fromBundle.stdout, fromSources.stdout);
});

test('the bundle reads a kubeconfig and calls its cluster with its credentials (client-node, tree-shaken)', async (t) => {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url} ${request.headers.authorization}`);
    response.writeHead(403, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: 'forbidden by the test' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeconfig = await writeKubeconfig(t, { server: url, cluster: 'staging', context: 'staging', insecure: true });
  const { code, stderr } = await runBundle(['plan', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', kubeconfig]);
  assert.equal(code, 3, stderr);
  assert.match(stderr, /forbidden by the test/);
  assert.ok(seen.length > 0 && seen.every((line) => line.endsWith(' Bearer a-token')), seen.join('\n'));
});

test('--version and --help load none of the planning or cluster code; client-node\'s generated models are not bundled', () => {
  const { outputs } = bundle.metafile;
  const main = Object.keys(outputs).find((path) => outputs[path]!.entryPoint === 'src/cli/main.ts');
  assert.ok(main, 'an output for src/cli/main.ts');
  const inputs = [...staticClosure(outputs, main)].flatMap((path) => Object.keys(outputs[path]!.inputs));
  assert.ok(inputs.includes('src/cli/run.ts'));
  const heavy = /node_modules\/(yaml|js-yaml|ajv|acorn|@kubernetes\/client-node|@aws-sdk\/[^/]+)\//;
  assert.deepEqual(inputs.filter((input) => heavy.test(input) || input.startsWith('src/plan/') || input.startsWith('src/kube/')), []);
  const bundled = Object.values(outputs).flatMap((output) => Object.keys(output.inputs));
  assert.ok(bundled.some((input) => input.includes('@kubernetes/client-node/dist/config.js')));
  assert.deepEqual(bundled.filter((input) => input.includes('@kubernetes/client-node/dist/gen/models/')), []);
});

test('a live plan loads none of the planning code (yaml, ajv, acorn, all of semver, the rules, the renderers) before its first request to the API server', () => {
  const { outputs } = bundle.metafile;
  const entry = (source: string) => Object.keys(outputs).find((path) => outputs[path]!.entryPoint === source)!;
  // main.js, then plan-command's chunk and live-state-choice's (which sends the first request), then plan-run's.
  const before = new Set([...staticClosure(outputs, entry('src/cli/plan-command.ts')), ...staticClosure(outputs, entry('src/cli/live-state-choice.ts'))]);
  const inputs = [...before].flatMap((path) => Object.keys(outputs[path]!.inputs));
  assert.ok(inputs.includes('src/kube/cluster-reader.ts') && inputs.includes('src/config/repo-config-peek.ts'));
  // semver's index.js loads all of semver (ranges, comparators): the live read needs only its `valid`.
  const planning = /node_modules\/(yaml|ajv|acorn|yauzl)\/|node_modules\/semver\/index\.js|^src\/(plan|render|fsm\/rules|workflow\/plan-repository|config\/repo-config\.ts)/;
  assert.deepEqual(inputs.filter((input) => planning.test(input)), []);
  assert.ok(Object.keys(outputs[entry('src/cli/plan-run.ts')]!.inputs).includes('src/cli/plan-run.ts'));
});

test('an apply loads none of the apply workflow or planning code before its Lease create and live read', () => {
  const { outputs } = bundle.metafile;
  const entry = (source: string) => Object.keys(outputs).find((path) => outputs[path]!.entryPoint === source)!;
  // main.js, then apply-command's chunk (which sends the Lease's create and the read), then apply-run's.
  const inputs = [...staticClosure(outputs, entry('src/cli/apply-command.ts'))].flatMap((path) => Object.keys(outputs[path]!.inputs));
  assert.ok(inputs.includes('src/cli/apply-head-start.ts') && inputs.includes('src/apply/lease-attempt.ts') && inputs.includes('src/kube/cluster-reader.ts'));
  const workflow = /node_modules\/(yaml|ajv|acorn|yauzl)\/|node_modules\/semver\/index\.js|^src\/(plan|render|fsm\/rules|helm|chart|workflow\/(plan-repository|apply-environment)|apply\/(executor|chart-apply|history)|config\/repo-config\.ts)/;
  assert.deepEqual(inputs.filter((input) => workflow.test(input)), []);
  assert.ok(Object.keys(outputs[entry('src/cli/apply-run.ts')]!.inputs).includes('src/cli/apply-run.ts'));
});

test('client-node\'s node-fetch, socks-proxy-agent and jsonpath-plus are loaded at their first use, not with the kubeconfig code', () => {
  assert.deepEqual(lazyImportsOf(bundle.metafile), { eager: [], unused: [] });
});

test('yaml and ajv, which only a chart upgrade or a values change uses, are loaded at their first use, not with the planning code', () => {
  assert.deepEqual(lazyImportsOf(bundle.metafile, OWN_LAZY), { eager: [], unused: [] });
});

test('the lazy packages are files of their own, beside the chunks: no chunk holds their code, so no run reads it but one that uses it', async () => {
  const lazy = [...Object.keys(LAZY_IMPORTS), ...Object.keys(OWN_LAZY_IMPORTS)];
  assert.deepEqual(bundle.lazy.toSorted(), lazy.map((name) => `${LAZY_DIR}/${name}.cjs`).toSorted());
  const inChunks = Object.values(bundle.metafile.outputs).flatMap((output) => Object.keys(output.inputs));
  const theirCode = new RegExp(`node_modules/(${lazy.join('|')}|tr46|whatwg-url|socks|fast-uri)/`);
  // ajv's run-time helpers are what the precompiled validators (src/schema/compiled) import: a few lines, not ajv.
  assert.deepEqual(inChunks.filter((input) => theirCode.test(input) && !input.startsWith('node_modules/ajv/dist/runtime/')), []);
  for (const file of bundle.lazy) {
    const text = await readFile(join(root, CLI_OUT_DIR, file), 'utf8');
    assert.ok(text.length > 10_000, `${file} holds its package`);
  }
});

test('ajv, loaded at its first use, still checks a values file against the deployed chart\'s schema', async (t) => {
  const repo = await mkdtemp(join(tmpdir(), 'fsm-gitops-bundle-values-'));
  t.after(() => rm(repo, { recursive: true, force: true }));
  await cp('examples/gitops', repo, { recursive: true });
  const values = join(repo, 'clusters', 'staging', 'values.yaml');
  await writeFile(values, (await readFile(values, 'utf8')).replace('replicaCount: 2', 'replicaCount: "two"'));
  const { code, stdout, stderr } = await runBundle(['plan', '--repo', repo, '--env', 'staging', '--cluster', 'examples/cluster/staging.yaml']);
  assert.equal(code, 1, stderr); // exit 1: a finding of severity error
  assert.match(stdout, /error \[schema-type\] clusters\/staging\/values\.yaml:\d+:\d+ fsm\.fsmController\.replicaCount\n\s+expected integer, got string "two"/);
});

test('yaml, loaded at its first use, still parses a chart\'s rendered manifests', async (t) => {
  // The chart upgrade needs helm and a chart: its manifest parser is bundled alone, with the same plugins.
  const outdir = await mkdtemp(join(tmpdir(), 'fsm-gitops-bundle-manifest-'));
  t.after(() => rm(outdir, { recursive: true, force: true }));
  const { metafile } = await build({ entryPoints: ['src/plan/release-changes.ts'], outdir, bundle: true, format: 'esm', platform: 'node', banner: { js: REQUIRE_BANNER }, plugins: bundlePlugins(), metafile: true, logLevel: 'warning' });
  assert.deepEqual(lazyImportsOf(metafile, OWN_LAZY).eager, []);
  const { parseManifest } = (await import(pathToFileURL(join(outdir, 'release-changes.js')).href)) as typeof import('../../src/plan/release-changes.ts');
  const objects = parseManifest('---\n# Source: fsm/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: a, namespace: fsm-system }\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: fsm-controller, namespace: fsm-system }\n', 'the rendered chart');
  assert.deepEqual([...objects.values()].map((o) => `${o.kind} ${o.metadata.name}`), ['ConfigMap a', 'Deployment fsm-controller']);
});

test('a kubeconfig\'s socks5 proxy-url still goes through the proxy (socks-proxy-agent, loaded at first use)', async (t) => {
  const { url, greetings } = await refusingSocksProxy(t);
  const kubeconfig = await writeKubeconfig(t, { server: 'https://192.0.2.1:6443', cluster: 'staging', context: 'staging', insecure: true, proxyUrl: url });
  const { code, stderr } = await runBundle(['plan', '--repo', 'examples/gitops', '--env', 'staging', '--kubeconfig', kubeconfig]);
  assert.equal(code, 3, stderr);
  assert.ok(greetings.length > 0 && greetings.every((version) => version === 0x05), `the proxy saw ${JSON.stringify(greetings)}; stderr: ${stderr}`);
});

/** The outputs Node loads with `entry` before any import(): it and the chunks it imports, transitively. */
function staticClosure(outputs: Metafile['outputs'], entry: string): Set<string> {
  const loaded = new Set<string>();
  const visit = (path: string): void => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const imported of outputs[path]!.imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(entry);
  return loaded;
}
