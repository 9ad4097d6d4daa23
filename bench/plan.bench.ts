/**
 * Plans 1,000 plugin resources (Plugins, PluginChains, PluginConfigs) from a repository against a snapshot
 * holding their live versions, and prints how long each phase takes and the memory it needs.
 * Target: the whole plan well under a second on a 2-core machine. Then the live plan's proven-unchanged check
 * (which objects need no server dry run) of 1,000 applied objects read back with their managedFields.
 *
 * Then the YAML parse of 5,000 Plugins in one file, as the environment loader reads it (in turns; the plan then asks
 * each document for its start, not for paths).
 *
 * Then linearity: the snapshot plan and the PR comment (Markdown) and check run renders for 1,000, 5,000
 * and 10,000 new Plugins in process, per 1,000; the plan and the text apply prints before its first write for
 * 1,000 creates and for a prune of 500 of 1,000 applied Plugins; the built CLI's snapshot plan of 5,000 (target under 2 s)
 * and its start-up (`--version`): bin/fsm-gitops.js and the bundle it runs, rebuilt first when stale.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { dump } from 'js-yaml';
import { parseRepoConfig } from '../src/config/repo-config.ts';
import type { KubeObject } from '../src/core/kube.ts';
import { loadEnvironment } from '../src/desired/load-environment.ts';
import { MemoryRepo } from '../src/desired/memory-repo.ts';
import { liveStateFromObjects, parseSnapshot } from '../src/live/snapshot.ts';
import { planEnvironment } from '../src/plan/plan.ts';
import { dryRunNeeded } from '../src/plan/proven-unchanged.ts';
import { isObject, type JsonObject, type JsonValue } from '../src/core/json.ts';
import { COMMIT_ANNOTATION, FIELD_MANAGER } from '../src/core/ownership.ts';
import { renderJson } from '../src/render/json.ts';
import { renderMarkdown } from '../src/render/markdown.ts';
import { renderText } from '../src/render/text.ts';
import { renderCheckRun } from '../src/render/check-run.ts';
import { parseYamlFileInTurns } from '../src/desired/yaml-file-in-turns.ts';
import { ensureBuiltCli } from './live/built-cli.ts';
import { pluginsYaml } from './live/workload.ts';

const RESOURCES = 1_000;
const ROUNDS = 5;
const MESH = { name: 'fsm', namespace: 'fsm-system' };
const ENV = { env: 'bench' };
const LABELS = { 'app.kubernetes.io/managed-by': 'fsm-gitops', 'fsm-gitops.io/environment': ENV.env };

function pluginObjects(count: number, version: 'live' | 'desired'): KubeObject[] {
  const objects: KubeObject[] = [];
  const groups = Math.ceil(count / 3);
  for (let i = 0; i < groups && objects.length < count; i++) {
    const name = `plugin-${i}`;
    const priority = version === 'desired' && i % 10 === 0 ? 200 : 100; // one in ten changes
    objects.push({ apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name, labels: LABELS }, spec: { priority, pipyscript: `pipy().pipeline().handleMessageStart(msg => msg.head.headers['x-plugin'] = '${name}')\n` } });
    if (objects.length < count) {
      objects.push({
        apiVersion: 'plugin.flomesh.io/v1alpha1',
        kind: 'PluginChain',
        metadata: { name: `chain-${i}`, namespace: 'bookinfo', labels: LABELS },
        spec: { chains: [{ name: 'inbound-http', plugins: [name] }], selectors: { podSelector: { matchLabels: { app: `app-${i}` } }, namespaceSelector: { matchExpressions: [{ key: 'flomesh.io/monitored-by', operator: 'In', values: ['fsm'] }] } } },
      });
    }
    if (objects.length < count) {
      objects.push({
        apiVersion: 'plugin.flomesh.io/v1alpha1',
        kind: 'PluginConfig',
        metadata: { name: `config-${i}`, namespace: 'bookinfo', labels: LABELS },
        spec: { plugin: name, destinationRefs: [{ kind: 'Service', name: `svc-${i}`, namespace: 'bookinfo' }], config: { allowOrigins: [{ exact: `http://app-${i}.example.com` }], apiToken: `t-${i}` } },
      });
    }
  }
  return objects;
}

const example = readFileSync(new URL('../examples/cluster/production.yaml', import.meta.url), 'utf8');
const snapshotText = `${example}\n---\n${pluginObjects(RESOURCES, 'live').map((o) => dump(o)).join('---\n')}`;
const repo = new MemoryRepo({
  '.github/fsm-gitops.yml': `environments:\n  ${ENV.env}:\n    path: clusters/bench\n    cluster: bench\n`,
});
pluginObjects(RESOURCES, 'desired').forEach((object, i) => repo.set(`clusters/bench/plugins/${String(i).padStart(4, '0')}.yaml`, dump(object)));
const config = parseRepoConfig('.github/fsm-gitops.yml', (await repo.read('.github/fsm-gitops.yml'))!);
const environment = config.environments[0]!;

const timings: Record<string, number[]> = { 'parse snapshot': [], 'read repository': [], plan: [], 'render text': [], 'render markdown': [], 'render json': [], total: [] };
let changes = 0;
let findings = 0;
for (let round = 0; round < ROUNDS; round++) {
  const t0 = performance.now();
  const objects = parseSnapshot('bench-snapshot.yaml', new TextEncoder().encode(snapshotText));
  const live = liveStateFromObjects('bench-snapshot.yaml', objects, MESH);
  const t1 = performance.now();
  const desired = await loadEnvironment(repo, environment);
  const t2 = performance.now();
  const plan = planEnvironment(desired, live);
  const t3 = performance.now();
  renderText({ environments: [plan] }, { color: false });
  const t4 = performance.now();
  renderMarkdown({ environments: [plan] });
  const t5 = performance.now();
  renderJson({ environments: [plan] });
  const t6 = performance.now();
  timings['parse snapshot']!.push(t1 - t0);
  timings['read repository']!.push(t2 - t1);
  timings['plan']!.push(t3 - t2);
  timings['render text']!.push(t4 - t3);
  timings['render markdown']!.push(t5 - t4);
  timings['render json']!.push(t6 - t5);
  timings['total']!.push(t3 - t0);
  changes = plan.changes.filter((c) => c.action !== 'unchanged').length;
  findings = plan.findings.length;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`fsm-gitops plan benchmark: ${RESOURCES} plugin resources, snapshot ${(snapshotText.length / 1024 / 1024).toFixed(1)} MiB, ${ROUNDS} rounds (median; first round in brackets)`);
console.log(`  changes planned: ${changes}, findings: ${findings}`);
for (const [phase, values] of Object.entries(timings)) {
  console.log(`  ${phase.padEnd(16)} ${median(values).toFixed(1).padStart(8)} ms   [${values[0]!.toFixed(1)} ms]`);
}
const memory = process.memoryUsage();
console.log(`  heap used        ${(memory.heapUsed / 1024 / 1024).toFixed(1).padStart(8)} MiB`);
console.log(`  rss              ${(memory.rss / 1024 / 1024).toFixed(1).padStart(8)} MiB`);
console.log(`  plan (snapshot + repository + rules + diff): ${median(timings['total']!) < 1000 ? 'under' : 'OVER'} one second`);

// The live plan's proven-unchanged check (src/plan/proven-unchanged.ts): objects as fsm-gitops applied them, read
// back with their managedFields, need no server dry run; the check runs on each before the dry runs are sent.
const fieldsV1 = (value: JsonValue): JsonObject =>
  isObject(value) && Object.keys(value).length > 0 ? Object.fromEntries([['.', {}], ...Object.entries(value).map(([k, v]) => [`f:${k}`, fieldsV1(v)])]) : {};
const applied = pluginObjects(RESOURCES, 'live');
const appliedLive = applied.map((object): KubeObject => {
  const owned = { 'f:metadata': { 'f:labels': fieldsV1(object.metadata['labels'] ?? {}), 'f:annotations': { '.': {}, [`f:${COMMIT_ANNOTATION}`]: {} } }, 'f:spec': fieldsV1(object['spec'] ?? {}) };
  const managedFields = [{ manager: FIELD_MANAGER, operation: 'Apply', apiVersion: object.apiVersion, fieldsType: 'FieldsV1', fieldsV1: owned, time: '2026-12-01T00:00:00Z' }];
  return { ...object, metadata: { ...object.metadata, annotations: { [COMMIT_ANNOTATION]: 'c0ffee' }, managedFields, resourceVersion: '1' } };
});
const exampleObjects = parseSnapshot('production.yaml', new TextEncoder().encode(example));
const provenLive = liveStateFromObjects('production.yaml', [...exampleObjects, ...appliedLive], MESH);
const proofTimes: number[] = [];
let sent = 0;
for (let round = 0; round < ROUNDS; round++) {
  const t0 = performance.now();
  sent = dryRunNeeded(applied, provenLive).length;
  proofTimes.push(performance.now() - t0);
}
console.log(`  proven unchanged ${median(proofTimes).toFixed(1).padStart(8)} ms   [${proofTimes[0]!.toFixed(1)} ms]  ${RESOURCES - sent} of ${RESOURCES} applied objects need no server dry run`);

// The YAML parse of one large file (src/desired/yaml-file-in-turns.ts): values, documents' starts, YAML 1.1 spellings.
const bigFile = pluginsYaml('fsm-gitops', 5_000);
const parseTimes: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const t0 = performance.now();
  const parsed = await parseYamlFileInTurns(bigFile, 'plugins.yaml');
  if (!parsed.ok) throw new Error(`bench YAML does not parse: ${parsed.message}`);
  for (const document of parsed.documents) document.locate([]);
  parseTimes.push(performance.now() - t0);
}
console.log(`  YAML parse       ${median(parseTimes).toFixed(1).padStart(8)} ms   [${parseTimes[0]!.toFixed(1)} ms]  5,000 Plugins in one file (${(bigFile.length / 1024 / 1024).toFixed(1)} MiB), in turns`);

// Linearity: N new Plugins, ten to a file (an environment reads at most 2,000 files).
const SCALES = [1_000, 5_000, 10_000];
const PER_FILE = 10;

function* newPluginObjects(count: number): Generator<KubeObject> {
  for (let i = 0; i < count; i++) {
    yield { apiVersion: 'plugin.flomesh.io/v1alpha1', kind: 'Plugin', metadata: { name: `plugin-${i}`, labels: LABELS }, spec: { priority: 100, pipyscript: `pipy().pipeline().handleMessageStart(msg => msg.head.headers['x-plugin'] = 'plugin-${i}')\n` } };
  }
}

function newPlugins(count: number): Map<string, string> {
  const files = new Map<string, string>();
  const objects = [...newPluginObjects(count)];
  for (let f = 0; f * PER_FILE < count; f++) files.set(`clusters/bench/plugins/${String(f).padStart(5, '0')}.yaml`, objects.slice(f * PER_FILE, (f + 1) * PER_FILE).map((o) => dump(o)).join('---\n'));
  return files;
}

const per1000 = (ms: number, count: number): string => `${ms.toFixed(0).padStart(6)} ms (${((ms / count) * 1000).toFixed(0).padStart(4)} ms per 1,000)`;
console.log('\nlinearity, in process (new Plugins against the production example snapshot):');
const exampleLive = liveStateFromObjects('production.yaml', parseSnapshot('production.yaml', new TextEncoder().encode(example)), MESH);
for (const count of SCALES) {
  const scaleRepo = new MemoryRepo({ '.github/fsm-gitops.yml': `environments:\n  ${ENV.env}:\n    path: clusters/bench\n    cluster: bench\n` });
  for (const [path, text] of newPlugins(count)) scaleRepo.set(path, text);
  const t0 = performance.now();
  const plan = planEnvironment(await loadEnvironment(scaleRepo, environment), exampleLive);
  const t1 = performance.now();
  renderMarkdown({ environments: [plan] });
  const t2 = performance.now();
  renderCheckRun(plan);
  const t3 = performance.now();
  console.log(`  ${String(count).padStart(6)} Plugins: plan ${per1000(t1 - t0, count)}, PR comment ${per1000(t2 - t1, count)}, check run ${per1000(t3 - t2, count)}`);
}

// The text apply prints before its first write (its confirmation): 1,000 creates, and a prune of 500 of 1,000 applied
// Plugins (a delete shows the whole live object). Planned and rendered in process, best of ROUNDS.
console.log('\napply\'s plan text, in process (best of 5):');
const owned = (objects: KubeObject[]): KubeObject[] => objects.map((o) => ({ ...o, metadata: { ...o.metadata, uid: `uid-${o.metadata.name}`, resourceVersion: '1' } }));
const applyCases = [
  { work: 'create 1,000', plugins: 1_000, live: exampleLive },
  { work: 'prune 500 of 1,000', plugins: 500, live: liveStateFromObjects('production.yaml', [...exampleObjects, ...owned([...newPluginObjects(1_000)])], MESH) },
];
for (const { work, plugins, live } of applyCases) {
  const applyRepo = new MemoryRepo({ '.github/fsm-gitops.yml': `environments:\n  ${ENV.env}:\n    path: clusters/bench\n    cluster: bench\n` });
  for (const [path, text] of newPlugins(plugins)) applyRepo.set(path, text);
  const desired = await loadEnvironment(applyRepo, environment);
  const plans: number[] = [];
  const texts: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    const plan = planEnvironment(desired, live);
    const t1 = performance.now();
    renderText({ environments: [plan] }, { color: false });
    plans.push(t1 - t0);
    texts.push(performance.now() - t1);
  }
  console.log(`  ${work.padEnd(20)} plan ${Math.min(...plans).toFixed(0).padStart(5)} ms, text ${Math.min(...texts).toFixed(0).padStart(5)} ms`);
}

const cli = await ensureBuiltCli((line) => console.log(line));
const timed = (args: string[]): number => {
  const t0 = performance.now();
  try {
    execFileSync(process.execPath, [cli, ...args], { stdio: 'ignore' });
  } catch (error) {
    if ((error as { status?: number }).status !== 2) throw error; // 2: the plan has changes
  }
  return performance.now() - t0;
};
const dir = mkdtempSync(join(tmpdir(), 'fsm-gitops-bench-'));
try {
  writeFileSync(join(dir, 'snapshot.yaml'), example);
  mkdirSync(join(dir, 'repo/.github'), { recursive: true });
  writeFileSync(join(dir, 'repo/.github/fsm-gitops.yml'), `environments:\n  ${ENV.env}:\n    path: clusters/bench\n    cluster: bench\n`);
  for (const [path, text] of newPlugins(5_000)) {
    mkdirSync(join(dir, 'repo', path, '..'), { recursive: true });
    writeFileSync(join(dir, 'repo', path), text);
  }
  const startUp = median([0, 1, 2].map(() => timed(['--version'])));
  const plan5000 = median([0, 1, 2].map(() => timed(['plan', '--repo', join(dir, 'repo'), '--cluster', join(dir, 'snapshot.yaml'), '--format', 'markdown'])));
  console.log(`\nbuilt CLI (${relative(process.cwd(), cli)}, median of 3):`);
  console.log(`  start-up (--version)          ${startUp.toFixed(0).padStart(6)} ms`);
  console.log(`  snapshot plan, 5,000 Plugins  ${per1000(plan5000, 5_000)}  ${plan5000 < 2_000 ? 'under' : 'OVER'} 2 s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
