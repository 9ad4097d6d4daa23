import { loadRepoConfig, type EnvironmentConfig, type RepoConfig } from '../config/repo-config.ts';
import { loadEnvironment } from '../desired/load-environment.ts';
import type { RepoFiles } from '../desired/repo-files.ts';
import type { LiveStateReader } from '../live/live-state.ts';
import { planEnvironment } from '../plan/plan.ts';
import { applySet, type ApplySet } from '../plan/apply-set.ts';
import { dryRunNeeded } from '../plan/proven-unchanged.ts';
import type { EnvironmentPlan, Plan } from '../plan/plan-types.ts';
import type { DesiredEnvironment } from '../desired/desired-state.ts';
import { helmChartRenderer, type ChartRenderer } from '../chart/render-release.ts';

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
}

/** Raised for a request that names something the repository does not have. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Reads the repository's config and environments, reads each environment's live state, and plans them. */
export async function planRepository(options: PlanRepositoryOptions): Promise<{ config: RepoConfig; plan: Plan }> {
  const config = await requireRepoConfig(options.repo);
  const selected = selectEnvironments(config, options.environments);
  const plan: Plan = { environments: [] };
  for (const environment of selected) {
    options.progress?.(`${environment.name}: reading ${environment.path}/`);
    const desired = await loadEnvironment(options.repo, environment);
    options.progress?.(`${environment.name}: reading live state`);
    plan.environments.push((await planAgainst(desired, options.liveStateFor(environment), options)).plan);
  }
  return { config, plan };
}

/** The repository's config; a repository without one cannot be planned or applied. */
export async function requireRepoConfig(repo: RepoFiles): Promise<RepoConfig> {
  const config = await loadRepoConfig(repo);
  if (!config) {
    const [link] = (await repo.links?.('.github/fsm-gitops.yml')) ?? [];
    if (link) throw new UsageError(`${link} is a symbolic link, and fsm-gitops never follows links (one could point outside the repository): put the real .github/fsm-gitops.yml in the repository`);
    throw new UsageError('the repository has no .github/fsm-gitops.yml; see docs/configuration.md for how to write one');
  }
  return config;
}

/**
 * Reads the environment's live state and plans the desired state against it; where the live state comes
 * from an API server (and it is allowed), the server dry-runs every object first, but those the live
 * state proves unchanged (src/plan/proven-unchanged.ts: what fsm-gitops already applied, as it is).
 * Returns the plan and the objects applying it would send, with the chart upgrade it rendered.
 */
export async function planAgainst(
  desired: DesiredEnvironment,
  reader: LiveStateReader,
  options: { serverDryRun?: boolean; progress?(message: string): void; chart?: ChartRenderer } = {},
): Promise<{ plan: EnvironmentPlan; set: ApplySet }> {
  const name = desired.environment.name;
  const live = await reader.read(desired.environment.mesh);
  const set = applySet(desired, live);
  let dryRun;
  if (reader.dryRun && options.serverDryRun !== false) {
    const sent = dryRunNeeded(set.apply, live);
    const proven = set.apply.length - sent.length;
    options.progress?.(`${name}: server-side dry run of ${sent.length} objects${proven > 0 ? ` (${proven} unchanged since fsm-gitops applied them: not sent)` : ''}`);
    dryRun = await reader.dryRun(sent);
  }
  const chart = await (options.chart ?? helmChartRenderer(desired.environment.redactKeys)).render(desired, live, options.serverDryRun === false ? undefined : reader.connection?.bind(reader));
  if (chart) options.progress?.(`${name}: rendered chart ${chart.chartVersion}${chart.ok ? ` (${chart.via})` : ': helm refused it'}`);
  options.progress?.(`${name}: planning ${desired.resources.length} resources`);
  if (chart?.ok) set.chart = chart.upgrade;
  return { plan: planEnvironment(desired, live, { dryRun, ...(chart ? { chart } : {}) }), set };
}

function selectEnvironments(config: RepoConfig, names: readonly string[]): EnvironmentConfig[] {
  return names.length === 0 ? config.environments : names.map((name) => findEnvironment(config, name));
}

export function findEnvironment(config: RepoConfig, name: string): EnvironmentConfig {
  const environment = config.environments.find((e) => e.name === name);
  if (!environment) throw new UsageError(`no environment "${name}" in ${config.file}; it has: ${config.environments.map((e) => e.name).join(', ')}`);
  return environment;
}
