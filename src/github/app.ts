import type { ApplicationFunction, Context } from 'probot';
import { reviewPullRequest, type ReviewDependencies } from './review-pull-request.ts';

/**
 * The GitHub App: reviews pull requests that touch a managed environment. Chat-ops commands and
 * deploys (issue_comment, pull_request.closed) arrive in later releases, as more handlers here.
 */
export function fsmGitopsApp(deps: ReviewDependencies): ApplicationFunction {
  return (app) => {
    app.on(['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened'], async (context) => {
      const pr = context.payload.pull_request;
      const outcome = await reviewPullRequest(
        context.octokit,
        { ref: context.repo(), number: pr.number, headSha: pr.head.sha, fromFork: pr.head.repo?.full_name !== context.payload.repository.full_name },
        deps,
      );
      context.log.info({ pr: pr.number, outcome }, 'pull request reviewed');
    });

    app.on('check_run.rerequested', async (context) => {
      const run = context.payload.check_run;
      if (!run.name.startsWith('fsm-gitops')) return;
      const number = run.pull_requests[0]?.number ?? (await pullRequestForCommit(context, run.head_sha));
      if (number === undefined) {
        context.log.info({ sha: run.head_sha }, 'check run re-requested for a commit with no open pull request');
        return;
      }
      const { data: pr } = await context.octokit.rest.pulls.get({ ...context.repo(), pull_number: number });
      if (pr.head.sha !== run.head_sha) return; // an older commit: the newer one has its own checks
      await reviewPullRequest(context.octokit, { ref: context.repo(), number, headSha: pr.head.sha, fromFork: pr.head.repo?.full_name !== pr.base.repo.full_name }, deps);
    });
  };
}

/** check_run.pull_requests is empty for pull requests from forks: look the commit up instead. */
async function pullRequestForCommit(context: Context<'check_run.rerequested'>, sha: string): Promise<number | undefined> {
  const { data } = await context.octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...context.repo(), commit_sha: sha });
  return data.find((pr) => pr.state === 'open')?.number;
}
