import { handleComment } from '../commands/handle-comment.ts';
import { isFork, type AppEvent } from '../events/app-event.ts';
import type { AppDependencies, EventContext, Logger } from './app-context.ts';
import { onPullRequestClosed } from './merge-deploy.ts';
import type { Octokit } from './octokit.ts';
import { nameMissingPermissions } from './missing-permission.ts';
import { redactWrites } from './redacting-octokit.ts';
import { boundRequestTime } from './request-timeout.ts';
import { refreshDeployStatus } from './refresh-status.ts';
import { reviewPullRequest } from './review-pull-request.ts';

/**
 * How long an event's cluster work may write when the runtime gives no limit (npm start): room for a chart
 * upgrade's rollout wait (chart.wait.timeoutSeconds, default 300 s) after the plan.
 */
export const DEFAULT_WORK_MS = 480_000;

/** Time kept back from a runtime's limit (a Lambda's remaining time): a rollback, the history, the GitHub reports. */
export const REPORTING_RESERVE_MS = 120_000;

/** One try at an event: when its cluster work must stop writing, and whether another try follows a failure. */
export interface Attempt {
  /** Epoch ms (EventContext.deadline); default: DEFAULT_WORK_MS from now. */
  deadline?: number | undefined;
  /** Default true: a caller that retries says which try is its last. */
  final?: boolean;
}

/**
 * The client as every handler gets it: each write through the redaction of credential shapes
 * (redacting-octokit.ts), each try bounded in time (request-timeout.ts), a missing permission named
 * (missing-permission.ts). Returns the same client.
 */
export function guardedClient(octokit: Octokit): Octokit {
  return nameMissingPermissions(redactWrites(boundRequestTime(octokit)));
}

/**
 * Where each event goes: pull requests are reviewed (and deployed on merge, their claims released on
 * close), reviews refresh the approvals shown, comments may be commands, a re-run check plans again.
 * Returns what was done, for the log.
 */
export async function handleEvent(event: AppEvent, octokit: Octokit, deps: AppDependencies, log: Logger, attempt: Attempt = {}): Promise<string> {
  const deadline = attempt.deadline ?? Date.now() + DEFAULT_WORK_MS;
  const ctx: EventContext = {
    deadline,
    finalAttempt: attempt.final ?? true,
    octokit: guardedClient(octokit),
    ref: { owner: event.repository.owner, repo: event.repository.repo },
    repository: event.repository,
    identity: await deps.identity(),
    deps: { ...deps, live: deps.live.withDeadline(deadline) },
    log,
  };
  switch (event.type) {
    case 'pull_request': {
      if (event.action === 'closed') return onPullRequestClosed(ctx, event);
      const pr = event.pullRequest;
      return reviewPullRequest(ctx, { number: pr.number, headSha: pr.headSha, author: pr.author, fromFork: isFork(event), delivery: event.delivery, opened: event.action === 'opened' });
    }
    case 'pull_request_review':
      return (await refreshDeployStatus(ctx, event.pullRequest.number)) ? 'approvals refreshed' : 'no fsm-gitops comment to refresh';
    case 'issue_comment':
      return handleComment(ctx, event);
    case 'check_run':
      return rerunCheck(ctx, event.checkRun, event.delivery);
  }
}

async function rerunCheck(ctx: EventContext, run: { name: string; headSha: string; pullRequests: number[] }, delivery: string): Promise<string> {
  if (!run.name.startsWith('fsm-gitops')) return 'not an fsm-gitops check';
  // check_run.pull_requests is empty for pull requests from forks: look the commit up instead.
  const number =
    run.pullRequests[0] ??
    (await ctx.octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...ctx.ref, commit_sha: run.headSha })).data.find((pr) => pr.state === 'open')?.number;
  if (number === undefined) return 'check run re-requested for a commit with no open pull request';
  const { data: pr } = await ctx.octokit.rest.pulls.get({ ...ctx.ref, pull_number: number });
  if (pr.head.sha !== run.headSha) return 'an older commit: the newer one has its own checks';
  return reviewPullRequest(ctx, { number, headSha: pr.head.sha, author: pr.user?.login ?? '', fromFork: pr.head.repo?.full_name !== ctx.repository.fullName, delivery });
}
