import { setTimeout as sleep } from 'node:timers/promises';
import type { StatusContext } from './app-context.ts';
import type { Octokit, RepoRef } from './octokit.ts';

export interface PullRequestState {
  number: number;
  headSha: string;
  author: string;
  state: 'open' | 'closed';
  merged: boolean;
  fromFork: boolean;
  /** null while GitHub is still computing it. */
  mergeable: boolean | null;
  baseRef: string;
}

/**
 * The pull request as GitHub has it now (GET /repos/{owner}/{repo}/pulls/{n}). `mergeable` is null while
 * GitHub computes it in the background; with `waitForMergeable` it is asked again, a few times, first
 * (https://docs.github.com/rest/guides/using-the-rest-api-to-interact-with-your-git-database#checking-mergeability-of-pull-requests).
 */
export async function fetchPullRequest(ctx: Pick<StatusContext, 'octokit' | 'ref' | 'repository'>, number: number, options: { waitForMergeable?: boolean; delaysMs?: readonly number[] } = {}): Promise<PullRequestState> {
  const delays = options.delaysMs ?? [1_000, 2_000, 3_000, 4_000];
  for (let attempt = 0; ; attempt++) {
    const { data } = await ctx.octokit.rest.pulls.get({ ...ctx.ref, pull_number: number });
    const state: PullRequestState = {
      number,
      headSha: data.head.sha,
      author: data.user?.login ?? '',
      state: data.state === 'closed' ? 'closed' : 'open',
      merged: data.merged === true,
      fromFork: data.head.repo?.full_name !== ctx.repository.fullName,
      mergeable: data.mergeable ?? null,
      baseRef: data.base.ref,
    };
    if (state.mergeable !== null || !options.waitForMergeable || state.state !== 'open' || attempt >= delays.length) return state;
    await sleep(delays[attempt]!);
  }
}

/** GitHub's compare API lists at most this many files. */
const COMPARE_FILE_LIMIT = 300;

/**
 * Files the default branch changed since the pull request branched off it: GET /compare/{head}...{base}
 * lists what `base` changed since the two commits' merge base. A pull request that lacks these changes
 * would apply an old version of them. `baseSha`: a commit or a branch name. `complete` is false when GitHub's
 * list was cut (300 files).
 */
export async function baseChangesMissing(ctx: Pick<StatusContext, 'octokit' | 'ref'>, headSha: string, baseSha: string): Promise<{ files: string[]; complete: boolean }> {
  const { data } = await ctx.octokit.rest.repos.compareCommitsWithBasehead({ ...ctx.ref, basehead: `${headSha}...${baseSha}` });
  const listed = data.files ?? [];
  return { files: listed.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename])), complete: listed.length < COMPARE_FILE_LIMIT };
}

/** Every path a pull request adds, changes, removes or renames (both names of a rename). */
export async function changedPaths(octokit: Octokit, ref: RepoRef, number: number): Promise<string[]> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, { ...ref, pull_number: number, per_page: 100 });
  return files.flatMap((f) => (f.previous_filename ? [f.filename, f.previous_filename] : [f.filename]));
}
