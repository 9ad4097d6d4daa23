import type { GitHubError } from './github-error.ts';
import type { RepoConfig } from '../config/repo-config.ts';
import { Claims } from '../deploy/claims.ts';
import { Pins } from '../deploy/pins.ts';
import type { LiveSources } from '../workflow/live-sources.ts';
import type { Octokit, RepoRef } from './octokit.ts';
import { DRIFT_BUDGETS, runDeadline, within, type DriftPartTime } from './drift-time.ts';

export interface Swept {
  /** One line per change, for the log: `staging: released the claim of #13 (closed)`. */
  done: string[];
  /** The environments whose claim or pin changed, each once: the other pull requests' status blocks name them (refreshOthers). */
  environments: string[];
  /** One line per environment whose claim or pin could not be read or changed: `staging: <why>`; the others are still swept. */
  failed: string[];
}

/**
 * The drift schedule's housekeeping of claims and pins: a claim whose pull request is closed (a close event
 * lost, or the app down when it came) is released; a pin is removed once the default branch matches the
 * cluster again (a pin set after the clusters were read stays). A cluster that cannot be reached is skipped; a
 * claim or pin that cannot be read or changed is said in `failed`, and the other environments are still swept.
 * `time.deadline` (epoch ms): no request runs past it; each environment has at most `time.environmentMs` of it.
 */
export async function sweepLocks(octokit: Octokit, ref: RepoRef, repository: string, live: LiveSources, drift: { config: RepoConfig; inSync: readonly string[]; readAt: Date }, time: DriftPartTime = { deadline: runDeadline(), environmentMs: DRIFT_BUDGETS.sweepEnvironmentMs }): Promise<Swept> {
  const { config, inSync } = drift;
  const done: string[] = [];
  const environments = new Set<string>();
  const failed: string[] = [];
  for (const environment of config.environments) {
    try {
      // A few small reads and writes each: a cluster that never answers costs its environment's time, not the others' sweep.
      const deadline = within(time.deadline, time.environmentMs, `the sweep's time for one environment (${time.environmentMs / 1000} s)`);
      const bounded = live.withDeadline(deadline.at, deadline.name);
      const client = await bounded.client(environment.cluster).catch(() => undefined);
      if (!client) continue;
      const claims = new Claims(client, environment.mesh.namespace);
      const claim = await claims.read(environment.name);
      if (claim && claim.repository === repository && !(await isOpen(octokit, ref, claim.pr))) {
        if (await claims.release(environment.name, claim)) {
          done.push(`${environment.name}: released the claim of #${claim.pr} (closed)`);
          environments.add(environment.name);
        }
      }
      if (inSync.includes(environment.name) && (await new Pins(client, environment.mesh.namespace).unpin(environment.name, drift.readAt))) {
        done.push(`${environment.name}: the default branch matches the cluster again; deploys resume`);
        environments.add(environment.name);
      }
    } catch (error) {
      failed.push(`${environment.name}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return { done, environments: [...environments], failed };
}

async function isOpen(octokit: Octokit, ref: RepoRef, number: number): Promise<boolean> {
  try {
    const { data } = await octokit.rest.pulls.get({ ...ref, pull_number: number });
    return data.state === 'open';
  } catch (error) {
    if ((error as GitHubError).status === 404) return false;
    throw error;
  }
}
