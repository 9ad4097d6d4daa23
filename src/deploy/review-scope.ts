import { policyChanges, type PolicyChange } from '../config/policy.ts';
import { type EnvironmentConfig, type RepoConfig } from '../config/repo-config.ts';
import { REPO_CONFIG_PATHS } from '../config/repo-config-files.ts';
import { isUnder } from '../desired/repo-files.ts';

/** Whether any of the paths lies in the environment's folder. */
export function changesFolder(paths: readonly string[], environment: Pick<EnvironmentConfig, 'path'>): boolean {
  return paths.some((p) => isUnder(p, environment.path));
}

/** An environment a review plans. */
export interface ReviewedEnvironment {
  name: string;
  /**
   * The policy the plan obeys: the default branch's; for an environment only the pull request has, its own
   * (then `isNew` is true, and the plan never contacts a cluster).
   */
  policy: EnvironmentConfig;
  isNew: boolean;
  /** How the pull request changes this environment's policy (shown, effective after merge). */
  policyChange: PolicyChange | undefined;
  /**
   * Whether the pull request changes a file in the environment's folder: what a merge deploys (merge-deploy.ts).
   * False for one planned only for its policy change or because `/fsm plan env` named it.
   */
  changesFiles: boolean;
}

export interface ReviewScope {
  environments: ReviewedEnvironment[];
  /** Environments left out: over the per-review limit. */
  skipped: string[];
}

/**
 * Which environments a pull request's review plans: those of the default branch whose folder it changes or
 * whose policy it changes, and those it adds. A change to the config file alone touches only the
 * environments whose policy changes. `only` (from `/fsm plan env...`) narrows the set; at most `limit`
 * are planned, in name order. An environment `only` names is planned even when the pull request does not
 * touch it.
 */
export function reviewScope(base: RepoConfig | undefined, head: RepoConfig | undefined, changedPaths: readonly string[], limit: number, only?: readonly string[]): ReviewScope {
  const changes = new Map(policyChanges(base, head).map((c) => [c.environment, c]));
  const filePaths = changedPaths.filter((p) => !(REPO_CONFIG_PATHS as readonly string[]).includes(p));
  const named = new Set(only ?? []);
  const touched: ReviewedEnvironment[] = [];
  for (const environment of base?.environments ?? []) {
    const policyChange = changes.get(environment.name);
    const changesFiles = changesFolder(filePaths, environment);
    if (policyChange || named.has(environment.name) || changesFiles) {
      touched.push({ name: environment.name, policy: environment, isNew: false, policyChange, changesFiles });
    }
  }
  for (const change of changes.values()) {
    if (change.kind === 'added') touched.push({ name: change.environment, policy: change.head, isNew: true, policyChange: change, changesFiles: changesFolder(filePaths, change.head) });
  }
  const selected = touched.filter((e) => named.size === 0 || named.has(e.name)).sort((a, b) => a.name.localeCompare(b.name));
  return { environments: selected.slice(0, limit), skipped: selected.slice(limit).map((e) => e.name) };
}
