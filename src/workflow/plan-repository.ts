import { plural } from '../core/plural.ts';
import { loadRepoConfig, type EnvironmentConfig, type RepoConfig } from '../config/repo-config.ts';
import { loadEnvironment } from '../desired/load-environment.ts';
import type { RepoFiles } from '../desired/repo-files.ts';
import type { ChartInCluster, LiveStateReader, MeshRef } from '../live/live-state.ts';
import { parseScriptsAhead } from '../fsm/rules/pipyscript.ts';
import { planEnvironment } from '../plan/plan.ts';
import { applySet, type ApplySet } from '../plan/apply-set.ts';
import { buildContext } from '../plan/context.ts';
import { dryRunNeeded } from '../plan/proven-unchanged.ts';
import { serviceNamespacesToList } from '../fsm/rules/destination-refs.ts';
import type { ChartRender, EnvironmentPlan, Plan } from '../plan/plan-types.ts';
import type { DesiredEnvironment } from '../desired/desired-state.ts';
import { helmChartRenderer, type ChartCluster, type ChartRenderer } from '../chart/render-release.ts';
import { nextTurn } from '../core/next-turn.ts';
import { Ahead, meanwhile } from './ahead.ts';
import { LiveRead } from './live-read.ts';
import { UsageError } from './usage-error.ts';
import { rbacRefusal } from '../kube/credential-failure.ts';

export interface PlanRepositoryOptions {
  repo: RepoFiles;
  /** Environment names to plan; all when empty. */
  environments: readonly string[];
  /** Where each environment's live state comes from. */
  liveStateFor(environment: EnvironmentConfig): LiveStateReader;
  progress?(message: string): void;
  /** Ask the API server to dry-run the changes (default true where the live state comes from one). Never for a fork's pull request. */
  serverDryRun?: boolean;
  /** Renders the FSM chart for environments with `chart: { upgrade: true }` (default: the real helm, helmChartRenderer). */
  chart?: ChartRenderer;
  /** Called with the config once it is read, before any environment is: throws to refuse it (the CLI checks its flags against it). */
  checkConfig?(config: RepoConfig): void;
}

/**
 * Reads the repository's config and environments, reads each environment's live state, and plans them.
 * An environment's live state is read while its files are loaded (the read is started first), and the
 * next environment's while this one is planned. On an error the reads started are stopped (no further request
 * or retry: meanwhile()), and it is raised once they have finished; a stopped read's own error is not raised.
 */
export async function planRepository(options: PlanRepositoryOptions): Promise<{ config: RepoConfig; plan: Plan }> {
  const config = await requireRepoConfig(options.repo);
  const selected = selectEnvironments(config, options.environments);
  options.checkConfig?.(config);
  const plan: Plan = { environments: [] };
  const reads: LiveRead[] = [];
  const started: Ahead<unknown>[] = [];
  const readOf = (i: number): LiveRead => {
    if (!reads[i]) started.push((reads[i] = LiveRead.start(options.liveStateFor(selected[i]!), selected[i]!.mesh)).state);
    return reads[i];
  };
  await meanwhile(started, async () => {
    for (const [i, environment] of selected.entries()) {
      options.progress?.(`${environment.name}: reading ${environment.path}/`);
      options.progress?.(`${environment.name}: reading live state`);
      const read = readOf(i);
      const desired = await meanwhile([read.state], () => loadEnvironment(options.repo, environment));
      if (i + 1 < selected.length) readOf(i + 1);
      plan.environments.push((await planAgainst(desired, read, options)).plan);
    }
  });
  return { config, plan };
}

/**
 * Starts reading `environment`'s live state from `reader` (made now, or still to be made), then loads the
 * environment's files meanwhile. Returns the files and the read, for planAgainst(); a loading error stops the
 * read and is raised once it has finished (its own failure, then, is not a second error).
 */
export async function loadWhileReading(
  repo: RepoFiles,
  environment: EnvironmentConfig,
  reader: LiveStateReader | (() => Promise<LiveStateReader>),
): Promise<{ desired: DesiredEnvironment; read: LiveRead }> {
  const read = LiveRead.start(reader, environment.mesh);
  return { desired: await meanwhile([read.state], () => loadEnvironment(repo, environment)), read };
}

/** The repository's config; a repository without one cannot be planned or applied. */
export async function requireRepoConfig(repo: RepoFiles): Promise<RepoConfig> {
  const config = await loadRepoConfig(repo);
  if (!config) {
    const [link] = (await repo.links?.('.github/fsm-gitops.yml')) ?? [];
    if (link) throw new UsageError(`${link} is a symbolic link, and fsm-gitops never follows links (one could point outside the repository): put the real .github/fsm-gitops.yml in the repository`);
    throw new UsageError(`the repository${repo.location ? ` in ${repo.location}` : ''} has no .github/fsm-gitops.yml; see docs/configuration.md for how to write one`);
  }
  return config;
}

/**
 * Reads the environment's live state (or takes a read already started: LiveRead) and plans the desired
 * state against it; where the live state comes from an API server (and it is allowed), the server dry-runs
 * every object first, but those the live state proves unchanged (src/plan/proven-unchanged.ts: what
 * fsm-gitops already applied, as it is). Returns the plan and the objects applying it would send, with the
 * chart upgrade it rendered.
 *
 * Order of work: the Plugins' scripts are parsed while the live state is read and the objects are dry-run;
 * the object dry runs, the chart's render (helm, another process) and the LISTs of the Services PluginConfigs
 * name run at once. Errors are the same as one step after the other: the read's before the dry run's, the dry
 * run's before the chart's, the chart's before the Services'. A failed dry run
 * stops the render (helm killed: ChartRenderer.render's signal) and is raised once it has ended; a failed render
 * stops nothing (the dry runs may still fail with the error to raise).
 */
export async function planAgainst(
  desired: DesiredEnvironment,
  source: LiveStateReader | LiveRead,
  options: {
    serverDryRun?: boolean;
    progress?(message: string): void;
    chart?: ChartRenderer;
    /** CPU work done while the read and the dry runs are answered; default: the Plugins' scripts parsed in turns. */
    meanwhileWork?: (desired: DesiredEnvironment) => Promise<void>;
  } = {},
): Promise<{ plan: EnvironmentPlan; set: ApplySet }> {
  const name = desired.environment.name;
  const read = source instanceof LiveRead ? source : LiveRead.start(source, desired.environment.mesh);
  if (!sameMesh(read.mesh, desired.environment.mesh)) {
    await read.state.stop();
    throw new Error(`the live state read for ${name} is of mesh ${read.mesh.namespace}/${read.mesh.name}, not the environment's`);
  }
  // The scripts are parsed in turns while the read, then the dry runs, are answered (the dry runs wait for
  // the read only; the rule, in planEnvironment, finds the scripts parsed). An error is raised once it stopped.
  const parsing = Ahead.start(() => (options.meanwhileWork ?? parseAllScripts)(desired));
  const started: Ahead<unknown>[] = [parsing];
  return meanwhile(started, async () => {
    const live = await read.state.result();
    const reader = await read.reader();
    const built = buildContext(desired, live);
    const set = applySet(desired, live, built.context);
    const serverSide = options.serverDryRun !== false;
    const dryRunning = Ahead.start(async () => {
      if (!reader.dryRun || !serverSide) return undefined;
      const sent = dryRunNeeded(set.apply, live);
      const proven = set.apply.length - sent.length;
      options.progress?.(`${name}: server-side dry run of ${plural(sent.length, 'object')}${proven > 0 ? ` (${proven} unchanged since fsm-gitops applied them: not sent)` : ''}`);
      return reader.dryRun(sent);
    });
    const rendering = Ahead.start(async (signal) => {
      const cluster: ChartCluster = {
        ...(serverSide && reader.connection ? { connection: reader.connection.bind(reader) } : {}),
        ...(reader.serverVersion ? { serverVersion: reader.serverVersion.bind(reader) } : {}),
      };
      const chart = await (options.chart ?? helmChartRenderer(desired.environment.redactKeys)).render(desired, live, cluster, signal);
      if (chart) options.progress?.(`${name}: rendered chart ${chart.chartVersion}${chart.ok ? ` (${chart.via})` : ': helm refused it'}`);
      if (chart?.ok && reader.checkChart) chart.inCluster = await inClusterOf(reader.checkChart.bind(reader), chart, serverSide, signal);
      return chart;
    });
    // The Services PluginConfigs name, listed by the server (not for a fork's pull request, as the dry run).
    const listingServices = Ahead.start(async (signal) => {
      const namespaces = serviceNamespacesToList(built.context);
      if (!reader.serviceNames || !serverSide || namespaces.length === 0) return undefined;
      return reader.serviceNames(namespaces, signal);
    });
    // Taken in the order of their errors: a dry run that fails stops the render (helm killed), its error being the one
    // raised whatever the render's (meanwhile); a render that fails first waits for the dry run, which may still fail.
    started.push(dryRunning, rendering, listingServices);
    const dryRun = await dryRunning.result();
    const chart = await rendering.result();
    const services = await listingServices.result();
    await parsing.result();
    options.progress?.(`${name}: planning ${plural(desired.resources.length, 'resource')}`);
    if (chart?.ok) set.chart = chart.upgrade;
    return { plan: planEnvironment(desired, live, { dryRun, built, ...(chart ? { chart } : {}), ...(services ? { services } : {}) }), set };
  });
}

/** The chart's objects in the cluster (ChartRender.inCluster), or why they could not be read. */
async function inClusterOf(check: NonNullable<LiveStateReader['checkChart']>, chart: Extract<ChartRender, { ok: true }>, dryRun: boolean, signal: AbortSignal): Promise<ChartInCluster | { unread: string; forbidden?: true }> {
  const objects = new Map([...chart.rendered].map(([key, rendered]) => [key, { deployed: chart.deployed.get(key), rendered }]));
  try {
    return await check(objects, chart.upgrade.release.namespace, dryRun, signal);
  } catch (error) {
    signal.throwIfAborted();
    const refusal = rbacRefusal(error);
    return refusal === undefined ? { unread: (error as Error).message } : { unread: refusal, forbidden: true };
  }
}

const parseAllScripts = (desired: DesiredEnvironment): Promise<void> => parseScriptsAhead(desired, nextTurn);

function sameMesh(a: MeshRef, b: MeshRef): boolean {
  return a.name === b.name && a.namespace === b.namespace;
}

function selectEnvironments(config: RepoConfig, names: readonly string[]): EnvironmentConfig[] {
  return names.length === 0 ? config.environments : names.map((name) => findEnvironment(config, name));
}

export function findEnvironment(config: RepoConfig, name: string): EnvironmentConfig {
  const environment = config.environments.find((e) => e.name === name);
  if (!environment) throw new UsageError(`no environment "${name}" in ${config.file}; it has: ${config.environments.map((e) => e.name).join(', ')}`);
  return environment;
}
