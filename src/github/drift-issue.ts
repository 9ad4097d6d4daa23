import { loadRepoConfig } from '../config/repo-config.ts';
import { loadEnvironment } from '../desired/load-environment.ts';
import type { EnvironmentPlan } from '../plan/plan-types.ts';
import { renderMarkdown } from '../render/markdown.ts';
import type { LiveSources } from '../workflow/live-sources.ts';
import { planAgainst } from '../workflow/plan-repository.ts';
import { GitHubRepoFiles } from './github-repo-files.ts';
import type { Octokit, RepoRef } from './octokit.ts';

export const DRIFT_LABEL = 'fsm-drift';
const DRIFT_MARKER = '<!-- fsm-gitops:drift -->';

export type DriftOutcome = 'unconfigured' | 'in-sync' | 'opened' | 'updated' | 'closed';

/**
 * Plans a repository's default branch against its clusters. Drift (anything the cluster has that the
 * branch does not say) opens, or updates, one issue labelled fsm-drift with the diff; when the drift is
 * gone the issue is closed.
 */
export async function checkDrift(octokit: Octokit, ref: RepoRef, live: LiveSources): Promise<DriftOutcome> {
  const { data: repository } = await octokit.rest.repos.get({ ...ref });
  const { data: branch } = await octokit.rest.repos.getBranch({ ...ref, branch: repository.default_branch });
  const files = new GitHubRepoFiles(octokit, ref, branch.commit.sha);
  const config = await loadRepoConfig(files);
  if (!config) return 'unconfigured';
  await files.prefetch(config.environments.map((e) => e.path));

  const drifted: EnvironmentPlan[] = [];
  for (const environment of config.environments) {
    const { plan } = await planAgainst(await loadEnvironment(files, environment), await live.reader(environment.cluster));
    if (plan.changes.some((c) => c.action !== 'unchanged')) drifted.push(plan);
  }
  const { data: open } = await octokit.rest.issues.listForRepo({ ...ref, labels: DRIFT_LABEL, state: 'open', per_page: 10 });
  const existing = open.find((issue) => issue.body?.startsWith(DRIFT_MARKER));

  if (drifted.length === 0) {
    if (!existing) return 'in-sync';
    await octokit.rest.issues.createComment({ ...ref, issue_number: existing.number, body: `The clusters match \`${repository.default_branch}\` (${branch.commit.sha.slice(0, 7)}) again. Closing.` });
    await octokit.rest.issues.update({ ...ref, issue_number: existing.number, state: 'closed', state_reason: 'completed' });
    return 'closed';
  }
  const title = `Drift: ${drifted.map((p) => p.name).join(', ')} differ${drifted.length === 1 ? 's' : ''} from ${repository.default_branch}`;
  const intro = `The live cluster state differs from \`${repository.default_branch}\` at ${branch.commit.sha.slice(0, 7)}. Applying the branch would make these changes; if the cluster is right, change the repository.`;
  const body = `${DRIFT_MARKER}\n${renderMarkdown({ environments: drifted }, { notes: [intro], maxLength: 60_000 }).replace(/^<!-- fsm-gitops:plan -->\n/, '')}`;
  if (existing) {
    await octokit.rest.issues.update({ ...ref, issue_number: existing.number, title, body });
    return 'updated';
  }
  await octokit.rest.issues.create({ ...ref, title, body, labels: [DRIFT_LABEL] });
  return 'opened';
}
