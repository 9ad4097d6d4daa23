import { hostname, userInfo } from 'node:os';
import type { EnvironmentConfig } from '../config/repo-config.ts';
import { hasErrors } from '../core/finding.ts';
import { keyOf } from '../core/kube.ts';
import { loadEnvironment } from '../desired/load-environment.ts';
import type { RepoFiles } from '../desired/repo-files.ts';
import { executeApply, type ExecuteResult } from '../apply/executor.ts';
import { recordApply } from '../apply/history.ts';
import { acquireLock } from '../apply/lock.ts';
import { restartWorkloads } from '../apply/restart.ts';
import { ClusterReader } from '../kube/cluster-reader.ts';
import type { KubeClient } from '../kube/kube-client.ts';
import type { ApplySet } from '../plan/apply-set.ts';
import type { EnvironmentPlan, ResourceChange } from '../plan/plan-types.ts';
import { findEnvironment, planAgainst, requireRepoConfig } from './plan-repository.ts';

export interface ApplyEnvironmentOptions {
  repo: RepoFiles;
  environment: string;
  client: KubeClient;
  commit: string;
  actor: string;
  /** Shown the plan; answers whether to go ahead. Not asked when there is nothing to do or the plan has errors. */
  confirm(plan: EnvironmentPlan): Promise<boolean>;
  progress?(message: string): void;
  lockWaitSeconds?: number;
}

export type ApplyOutcome =
  | { status: 'refused'; plan: EnvironmentPlan; reason: string }
  | { status: 'no-changes'; plan: EnvironmentPlan }
  | { status: 'declined'; plan: EnvironmentPlan }
  | { status: 'done'; plan: EnvironmentPlan; result: ExecuteResult };

/**
 * The CLI's apply: plans one environment of a folder against its cluster under the environment's lock,
 * and applies it if the plan has no errors and is confirmed. Every apply, successful or not, is recorded in
 * the history.
 */
export async function applyEnvironment(options: ApplyEnvironmentOptions): Promise<ApplyOutcome> {
  const environment = findEnvironment(await requireRepoConfig(options.repo), options.environment);
  const { client, progress } = options;
  return underLease(client, environment, { holder: options.actor, commit: options.commit, waitSeconds: options.lockWaitSeconds, progress }, async () => {
    const { plan, set } = await planLive(client, options.repo, environment, progress);
    if (hasErrors(plan.findings)) return { status: 'refused', plan, reason: 'the plan has errors: fix them first' };
    if (!hasWork(plan, set)) return { status: 'no-changes', plan };
    if (!(await options.confirm(plan))) return { status: 'declined', plan };
    const result = await carryOut(client, environment, plan, set, options.commit, progress);
    await recordApply(client, environment.mesh.namespace, environment.name, {
      commit: options.commit,
      time: new Date().toISOString(),
      actor: options.actor,
      result: result.result,
      changes: result.done,
      ...(result.message ? { message: result.message } : {}),
    });
    return { status: 'done', plan, result };
  });
}

/** Runs `work` holding the environment's Lease (one apply at a time), and releases it whatever happens. */
export async function underLease<T>(
  client: KubeClient,
  environment: EnvironmentConfig,
  lease: { holder: string; commit: string; waitSeconds?: number | undefined; progress?: ((message: string) => void) | undefined },
  work: () => Promise<T>,
): Promise<T> {
  lease.progress?.(`${environment.name}: taking the apply lock`);
  const lock = await acquireLock(client, environment.mesh.namespace, environment.name, {
    holder: lease.holder,
    commit: lease.commit,
    waitSeconds: lease.waitSeconds,
    onWait: (holder, commit) => lease.progress?.(`${environment.name}: waiting for ${holder}${commit ? ` (commit ${commit})` : ''} to finish`),
  });
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

/** The environment's files planned against its cluster, with the server's dry run. */
export async function planLive(client: KubeClient, repo: RepoFiles, environment: EnvironmentConfig, progress?: (message: string) => void): Promise<{ plan: EnvironmentPlan; set: ApplySet }> {
  const desired = await loadEnvironment(repo, environment);
  progress?.(`${environment.name}: reading live state from ${client.server}`);
  return planAgainst(desired, new ClusterReader(client), { progress });
}

/** Whether applying the plan would change anything in the cluster. */
export function hasWork(plan: EnvironmentPlan, set: ApplySet): boolean {
  return changedKeys(plan.changes).size > 0 || set.prune.length > 0;
}

/** Applies a planned environment (creates and updates, then prunes) and, when its policy says so, restarts the workloads. */
export async function carryOut(client: KubeClient, environment: EnvironmentConfig, plan: EnvironmentPlan, set: ApplySet, commit: string, progress?: (message: string) => void): Promise<ExecuteResult> {
  const result = await executeApply(client, set, { commit, changed: changedKeys(plan.changes), progress });
  if (result.result === 'applied' && environment.restart === 'rollout' && plan.restarts.length > 0) {
    await restartWorkloads(client, plan.restarts, new Date(), progress);
  }
  return result;
}

/** objectKeys of the plan's creates and updates (HelmValues excluded: chart upgrades are not run). */
function changedKeys(changes: readonly ResourceChange[]): Set<string> {
  return new Set(
    changes
      .filter((c) => (c.action === 'create' || c.action === 'update') && c.kind !== 'HelmValues')
      .map((c) => keyOf(c.apiVersion, c.kind, c.namespace, c.name)),
  );
}

export function defaultActor(): string {
  return `${userInfo().username}@${hostname()}`;
}
