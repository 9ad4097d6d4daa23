import { loadRepoConfig, RepoConfigError, REPO_CONFIG_PATHS, type EnvironmentConfig, type RepoConfig } from '../config/repo-config.ts';
import { loadEnvironment } from '../desired/load-environment.ts';
import { isUnder } from '../desired/repo-files.ts';
import type { EnvironmentPlan } from '../plan/plan-types.ts';
import { renderCheckRun } from '../render/check-run.ts';
import { escapeMarkdown, renderMarkdown } from '../render/markdown.ts';
import type { LiveSources } from '../workflow/live-sources.ts';
import { planAgainst } from '../workflow/plan-repository.ts';
import { checkRunName, completeCheckRun, failedCheckRun, startCheckRun } from './check-runs.ts';
import { GitHubRepoFiles } from './github-repo-files.ts';
import type { Octokit, RepoRef } from './octokit.ts';
import { upsertPlanComment } from './pr-comment.ts';

export interface PullRequestRef {
  ref: RepoRef;
  number: number;
  headSha: string;
  /** Opened from a fork: planned without a server-side dry run, so fork content never reaches the cluster. */
  fromFork: boolean;
}

export interface ReviewDependencies {
  live: LiveSources;
}

export type ReviewOutcome = 'unconfigured' | 'config-invalid' | 'untouched' | 'reviewed';

const FORK_NOTE = 'This pull request comes from a fork: it was planned from its files and the live state only. The cluster did not dry-run it, and fsm-gitops will not apply it.';

/**
 * Reviews a pull request: for each environment it touches, a check run `fsm-gitops/<env>` with the plan
 * and an annotation per finding, and one PR comment for all of them, edited in place on every push.
 */
export async function reviewPullRequest(octokit: Octokit, pr: PullRequestRef, deps: ReviewDependencies): Promise<ReviewOutcome> {
  const files = new GitHubRepoFiles(octokit, pr.ref, pr.headSha);
  let config: RepoConfig | undefined;
  try {
    config = await loadRepoConfig(files);
  } catch (error) {
    if (!(error instanceof RepoConfigError)) throw error;
    const problem = error.message.slice(error.message.indexOf(': ') + 2);
    await failedCheckRun(octokit, pr.ref, pr.headSha, 'fsm-gitops', `${error.file} is not valid`, `\`${error.file}\` line ${error.line}: ${escapeMarkdown(problem)}`, {
      path: error.file,
      line: error.line,
      message: problem,
    });
    return 'config-invalid';
  }
  if (!config) return 'unconfigured';

  const touched = touchedEnvironments(config, await changedPaths(octokit, pr));
  if (touched.length === 0) return 'untouched';

  const checkRuns = new Map<string, number>();
  for (const environment of touched) checkRuns.set(environment.name, await startCheckRun(octokit, pr.ref, pr.headSha, checkRunName(environment.name)));
  try {
    await planAndPublish(octokit, pr, deps, files, touched, checkRuns);
  } catch (error) {
    // Never leave a check run in progress: say what stopped the review, then let the event fail (and be retried).
    const message = escapeMarkdown((error as Error).message);
    for (const checkRunId of checkRuns.values()) {
      await completeCheckRun(octokit, pr.ref, checkRunId, { conclusion: 'failure', title: 'Review failed', summary: `fsm-gitops could not finish this review: ${message}`, text: '', annotations: [] }).catch(() => {});
    }
    throw error;
  }
  return 'reviewed';
}

async function planAndPublish(
  octokit: Octokit,
  pr: PullRequestRef,
  deps: ReviewDependencies,
  files: GitHubRepoFiles,
  touched: readonly EnvironmentConfig[],
  checkRuns: ReadonlyMap<string, number>,
): Promise<void> {
  await files.prefetch(touched.map((e) => e.path));
  const notes = pr.fromFork ? [FORK_NOTE] : [];
  const plans: EnvironmentPlan[] = [];
  for (const environment of touched) {
    const checkRunId = checkRuns.get(environment.name)!;
    try {
      const desired = await loadEnvironment(files, environment);
      const { plan } = await planAgainst(desired, await deps.live.reader(environment.cluster), { serverDryRun: !pr.fromFork });
      await completeCheckRun(octokit, pr.ref, checkRunId, renderCheckRun(plan, notes));
      plans.push(plan);
    } catch (error) {
      const message = (error as Error).message;
      notes.push(`❌ \`${environment.name}\` could not be planned: ${escapeMarkdown(message)}`);
      await completeCheckRun(octokit, pr.ref, checkRunId, {
        conclusion: 'failure',
        title: `Could not plan ${environment.name}`,
        summary: `fsm-gitops could not plan environment \`${environment.name}\` (cluster \`${environment.cluster}\`): ${escapeMarkdown(message)}\n\nRe-run this check once the cause is fixed.`,
        text: '',
        annotations: [],
      });
    }
  }
  const hint = `See the ${touched.map((e) => `\`${checkRunName(e.name)}\``).join(', ')} check runs for the full diff.`;
  await upsertPlanComment(octokit, pr.ref, pr.number, renderMarkdown({ environments: plans }, { notes, fullPlanHint: hint }));
}

/** Every path the pull request adds, changes, removes or renames (both names of a rename). */
async function changedPaths(octokit: Octokit, pr: PullRequestRef): Promise<string[]> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, { ...pr.ref, pull_number: pr.number, per_page: 100 });
  return files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]));
}

/** Environments whose folder the change touches; a change to the config itself touches them all. */
function touchedEnvironments(config: RepoConfig, paths: readonly string[]): EnvironmentConfig[] {
  if (paths.some((p) => (REPO_CONFIG_PATHS as readonly string[]).includes(p))) return config.environments;
  return config.environments.filter((env) => paths.some((p) => isUnder(p, env.path)));
}
