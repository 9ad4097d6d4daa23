import { hostname, userInfo } from 'node:os';
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
 * Plans one environment against its cluster under the environment's lock, and applies it if the plan
 * has no errors and is confirmed. Every apply, successful or not, is recorded in the history.
 */
export async function applyEnvironment(options: ApplyEnvironmentOptions): Promise<ApplyOutcome> {
  const environment = findEnvironment(await requireRepoConfig(options.repo), options.environment);
  const { client, progress } = options;
  const namespace = environment.mesh.namespace;

  progress?.(`${environment.name}: taking the apply lock`);
  const lock = await acquireLock(client, namespace, environment.name, {
    holder: options.actor,
    commit: options.commit,
    waitSeconds: options.lockWaitSeconds,
    onWait: (holder, commit) => progress?.(`${environment.name}: waiting for ${holder}${commit ? ` (commit ${commit})` : ''} to finish`),
  });
  try {
    const desired = await loadEnvironment(options.repo, environment);
    progress?.(`${environment.name}: reading live state from ${client.server}`);
    const { plan, set } = await planAgainst(desired, new ClusterReader(client), { progress });
    if (hasErrors(plan.findings)) return { status: 'refused', plan, reason: 'the plan has errors: fix them first' };
    const changed = changedKeys(plan.changes);
    if (changed.size === 0 && set.prune.length === 0) return { status: 'no-changes', plan };
    if (!(await options.confirm(plan))) return { status: 'declined', plan };

    const result = await executeApply(client, set, { commit: options.commit, changed, progress });
    if (result.result === 'applied' && environment.restart === 'rollout' && plan.restarts.length > 0) {
      await restartWorkloads(client, plan.restarts, new Date(), progress);
    }
    await recordApply(client, namespace, environment.name, {
      commit: options.commit,
      time: new Date().toISOString(),
      actor: options.actor,
      result: result.result,
      changes: result.done,
      ...(result.message ? { message: result.message } : {}),
    });
    return { status: 'done', plan, result };
  } finally {
    await lock.release();
  }
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
