import type { EnvironmentConfig } from '../config/repo-config.ts';
import { evaluateApprovals, type ApprovalStatus, type Review } from '../deploy/approvals.ts';
import type { Octokit, RepoRef } from './octokit.ts';
import type { PeopleDirectory } from './reviewer-standing.ts';

export interface PullRequestApprovals {
  /** The approval status for one environment's `approvals` and `teams`. */
  forEnvironment(environment: Pick<EnvironmentConfig, 'approvals' | 'teams'>): Promise<ApprovalStatus>;
}

/** Reads a pull request's reviews once (GET /repos/{owner}/{repo}/pulls/{n}/reviews) and counts them per environment. */
export async function pullRequestApprovals(
  octokit: Octokit,
  ref: RepoRef,
  pr: { number: number; headSha: string; author: string },
  people: PeopleDirectory,
): Promise<PullRequestApprovals> {
  const listed = await octokit.paginate(octokit.rest.pulls.listReviews, { ...ref, pull_number: pr.number, per_page: 100 });
  const reviews: Review[] = listed
    .filter((r) => r.user)
    .map((r) => ({ id: r.id, login: r.user!.login, userType: r.user!.type, state: r.state, commitId: r.commit_id ?? null }));
  // Only when someone approved is it worth asking who wrote the commits (GET .../pulls/{n}/commits, at most 250).
  const contributors = reviews.some((r) => r.state === 'APPROVED') ? await commitContributors(octokit, ref, pr.number) : [];
  return {
    forEnvironment: (environment) =>
      evaluateApprovals({ required: environment.approvals, headSha: pr.headSha, author: pr.author, contributors, reviews, standing: (login) => people.standing(login, environment) }),
  };
}

/** GitHub users who authored or committed the pull request's commits (not GitHub's own web-flow committer). */
async function commitContributors(octokit: Octokit, ref: RepoRef, number: number): Promise<string[]> {
  const commits = await octokit.paginate(octokit.rest.pulls.listCommits, { ...ref, pull_number: number, per_page: 100 });
  const logins = commits.flatMap((c) => [c.author?.login, c.committer?.login]).filter((l): l is string => typeof l === 'string' && l !== 'web-flow');
  return [...new Set(logins)];
}
