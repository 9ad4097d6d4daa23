import type { RepositoryRef } from '../events/app-event.ts';
import type { LiveSources } from '../workflow/live-sources.ts';
import type { AppIdentity, AppIdentitySource } from './app-identity.ts';
import type { Octokit, RepoRef } from './octokit.ts';
import type { SharedReads } from './shared-reads.ts';

/** The app's settings (environment variables; .env.example and docs/deploy.md list them). */
export interface AppSettings {
  /** At most this many environments are planned per review; the rest are named and skipped. */
  maxEnvironmentsPerReview: number;
}

export const DEFAULT_SETTINGS: AppSettings = { maxEnvironmentsPerReview: 20 };

export function settingsFromEnv(env: Record<string, string | undefined>): AppSettings {
  const max = Number(env['MAX_ENVIRONMENTS_PER_REVIEW'] ?? DEFAULT_SETTINGS.maxEnvironmentsPerReview);
  if (!Number.isSafeInteger(max) || max < 1) throw new Error(`MAX_ENVIRONMENTS_PER_REVIEW must be a whole number of at least 1, not "${env['MAX_ENVIRONMENTS_PER_REVIEW']}"`);
  return { maxEnvironmentsPerReview: max };
}

/** What the app is built with, once per process. */
export interface AppDependencies {
  live: LiveSources;
  identity: AppIdentitySource;
  settings: AppSettings;
}

export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** What every handler gets for one event: the installation's client, the repository, the app's identity. */
export interface EventContext {
  octokit: Octokit;
  ref: RepoRef;
  repository: RepositoryRef;
  identity: AppIdentity;
  deps: AppDependencies;
  log: Logger;
  /**
   * Epoch ms after which no cluster write starts for this event: undoing and reporting still fit before
   * the worker is stopped (handle-event.ts).
   */
  deadline: number;
  /**
   * No try of this event follows if this one fails (the queue's last attempt, or a delivery handled once):
   * what could not be done must be said on GitHub now, not left to a retry and the log.
   */
  finalAttempt: boolean;
}

/**
 * What recomputing a pull request's status block needs (refresh-status.ts): an event's context has it, and so
 * does the drift schedule, which has no event but releases claims and lifts pins too (drift-run.ts).
 */
export interface StatusContext extends Pick<EventContext, 'octokit' | 'ref' | 'identity' | 'log' | 'deadline'> {
  repository: Pick<RepositoryRef, 'fullName' | 'defaultBranch'>;
  deps: Pick<AppDependencies, 'live'>;
  /** Apply histories shared by the status blocks one refresh recomputes (refreshOthers); none: each block reads its own. */
  shared?: SharedReads;
}
