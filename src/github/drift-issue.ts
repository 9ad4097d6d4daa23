import type { RepoConfig } from '../config/repo-config.ts';
import type { EnvironmentPlan } from '../plan/plan-types.ts';
import { renderMarkdown } from '../render/markdown.ts';
import type { LiveSources } from '../workflow/live-sources.ts';
import { hasWork } from '../workflow/apply-environment.ts';
import { loadWhileReading, planAgainst } from '../workflow/plan-repository.ts';
import type { AppIdentity } from './app-identity.ts';
import { GitHubRepoFiles } from './github-repo-files.ts';
import { findOwnIssue, type OwnIssue } from './own-issue.ts';
import type { Octokit, RepoRef } from './octokit.ts';
import { readConfigs } from './repo-config-at.ts';
import { markdownCode, markdownMessage } from '../render/markdown-escape.ts';
import { clip, limitCommentBody, limitIssueTitle } from '../render/github-limits.ts';
import { MESSAGE_SHOWN } from '../render/summary.ts';
import { DRIFT_BUDGETS, runDeadline, within, type DriftPartTime } from './drift-time.ts';
import { gaveNoAnswer, NO_ANSWER_REASON, uncheckedReason } from './unchecked-reason.ts';

export const DRIFT_LABEL = 'fsm-drift';
const DRIFT_MARKER = '<!-- fsm-gitops:drift -->';
/** The most of an unchecked environment's error the log line keeps (characters): an exec plugin's output can be long. */
const LOGGED_ERROR_CHARS = 4_000;

/**
 * `unchanged`: the open drift issue already says this drift (it is not edited again). `incomplete`: no drift in the
 * environments read, but some could not be read (`unchecked`): an open drift issue is left open, as it may be theirs.
 */
export type DriftOutcome = 'unconfigured' | 'in-sync' | 'opened' | 'updated' | 'unchanged' | 'closed' | 'incomplete';

export interface DriftCheck {
  outcome: DriftOutcome;
  config: RepoConfig | undefined;
  /** Environments where applying the default branch would change nothing (chart values, not applied yet, aside). */
  inSync: string[];
  /** When the clusters were read: `inSync` says nothing about what changed after. */
  readAt: Date;
  /** Environments that could not be planned (a cluster without credentials or not answering): the others are still checked. */
  unchecked: UncheckedEnvironment[];
  /** Clusters that gave no answer in their environment's time: the housekeeping after the check does not wait on them again. */
  unanswered: string[];
}

export interface UncheckedEnvironment {
  environment: string;
  /** What the issue says (uncheckedReason): the same words for the same cause each run. */
  reason: string;
  /** The error, for the app's log only (it may name hosts, paths, timings, a login tool's output): at most LOGGED_ERROR_CHARS. */
  error: string;
}

/**
 * Plans a repository's default branch against its clusters. Drift (anything the cluster has that the
 * branch does not say) opens, or updates, one issue labelled fsm-drift with the diff; when the drift is
 * gone the issue is closed. Only an issue this app opened is ever edited or closed (own-issue.ts). An
 * environment whose cluster cannot be used is said (`unchecked`, and in the issue), and the others are checked.
 * `time.deadline`: the repository's (or the run's, when sooner); no cluster request of the check runs past it; each environment has at most
 * `time.environmentMs` of it, and a cluster that gave no answer in that time is not read again for another.
 */
export async function checkDrift(octokit: Octokit, ref: RepoRef, live: LiveSources, identity: AppIdentity, time: DriftPartTime = { deadline: runDeadline(), environmentMs: DRIFT_BUDGETS.environmentMs }): Promise<DriftCheck> {
  const readAt = new Date();
  const { defaultBranch } = await readConfigs(octokit, ref, []);
  const config = defaultBranch.config;
  if (!config) return { outcome: 'unconfigured', config, inSync: [], readAt, unchecked: [], unanswered: [] };
  const files = new GitHubRepoFiles(octokit, ref, defaultBranch.sha);
  const branch = defaultBranch.branch;
  const short = defaultBranch.sha.slice(0, 7);

  const drifted: EnvironmentPlan[] = [];
  const inSync: string[] = [];
  const unchecked: UncheckedEnvironment[] = [];
  // Clusters that gave no answer in their environment's time: another environment on one is not waited for again.
  const unanswered = new Set<string>();
  for (const environment of config.environments) {
    if (unanswered.has(environment.cluster)) {
      unchecked.push({ environment: environment.name, reason: NO_ANSWER_REASON, error: `not read: cluster "${environment.cluster}" gave no answer for an environment before it` });
      continue;
    }
    // Each environment's reads have time of their own within the repository's: one cluster that never answers leaves the next its time.
    const deadline = within(time.deadline, time.environmentMs, `the drift check's time for one environment (${time.environmentMs / 1000} s)`);
    const bounded = live.withDeadline(deadline.at, deadline.name);
    // GitHub failing to give the files fails the check (the next run tries again); the cluster failing, the environment's.
    const { desired, read } = await loadWhileReading(files, environment, () => bounded.reader(environment.cluster));
    try {
      const { plan, set } = await planAgainst(desired, read);
      if (plan.changes.some((c) => c.action !== 'unchanged')) drifted.push(plan);
      if (!hasWork(plan, set)) inSync.push(environment.name);
    } catch (error) {
      // One cluster the app cannot use (no credentials, not answering) does not keep the others unchecked.
      const ranOut = gaveNoAnswer(error);
      if (ranOut && deadline !== time.deadline) unanswered.add(environment.cluster);
      // The repository's (or the run's) time was up: this cluster was not slow, it was not given any.
      const reason = ranOut && deadline === time.deadline ? `not read: ${time.deadline.name} ran out before it` : uncheckedReason(error);
      unchecked.push({ environment: environment.name, reason, error: clip((error as Error).message, LOGGED_ERROR_CHARS) });
    }
  }
  const existing = await findOwnIssue(octokit, ref, identity.botLogin, DRIFT_MARKER, DRIFT_LABEL);
  const done = { config, inSync, readAt, unchecked, unanswered: [...unanswered] };

  // The log has more only where the reason is not the error itself (the app's own advice about its settings is).
  const notChecked = unchecked.map((u) => `⚠️ Not checked: ${markdownMessage(clip(`${u.environment}: ${u.reason}`, MESSAGE_SHOWN))}${u.reason === u.error ? '' : " (the app's log has the error)"}`);
  if (drifted.length === 0) {
    if (unchecked.length > 0) {
      // What the issue showed may be fixed, or be an unchecked environment's: it says what stands now, and stays open.
      if (existing) {
        const body = limitCommentBody([DRIFT_MARKER, `The environments that could be read match ${markdownCode(branch)} at ${short}; these could not be, and may still differ:`, '', notChecked.map((n) => `> ${n}`).join('\n>\n')].join('\n'));
        const title = limitIssueTitle(`Drift: ${unchecked.map((u) => u.environment).join(', ')} not checked`);
        await rewrite(octokit, ref, existing, { title, body });
      }
      return { outcome: 'incomplete', ...done };
    }
    if (!existing) return { outcome: 'in-sync', ...done };
    await octokit.rest.issues.createComment({ ...ref, issue_number: existing.number, body: `The clusters match ${markdownCode(branch)} (${short}) again. Closing.` });
    await octokit.rest.issues.update({ ...ref, issue_number: existing.number, state: 'closed', state_reason: 'completed' });
    return { outcome: 'closed', ...done };
  }
  const title = limitIssueTitle(`Drift: ${drifted.map((p) => p.name).join(', ')} differ${drifted.length === 1 ? 's' : ''} from ${branch}`);
  const intro = `The live cluster state differs from ${markdownCode(branch)} at ${short}. Applying the branch would make these changes; if the cluster is right, change the repository.`;
  const body = limitCommentBody(`${DRIFT_MARKER}\n${renderMarkdown({ environments: drifted }, { notes: [intro, ...notChecked], maxLength: 60_000 }).replace(/^<!-- fsm-gitops:plan -->\n/, '')}`);
  if (existing) {
    return { outcome: (await rewrite(octokit, ref, existing, { title, body })) ? 'updated' : 'unchanged', ...done };
  }
  await octokit.rest.issues.create({ ...ref, title, body, labels: [DRIFT_LABEL] });
  return { outcome: 'opened', ...done };
}

/** Sets the drift issue's title and body unless it says them already (it is not edited again); returns whether it wrote. */
async function rewrite(octokit: Octokit, ref: RepoRef, existing: OwnIssue, to: { title: string; body: string }): Promise<boolean> {
  if (existing.title === to.title && existing.body === to.body) return false;
  await octokit.rest.issues.update({ ...ref, issue_number: existing.number, ...to });
  return true;
}
