import { limitCommentBody } from '../render/github-limits.ts';
import { deployStatusBlock, statusEnvironments } from './deploy-status.ts';
import type { StatusContext } from './app-context.ts';
import { fetchPullRequest } from './pull-request-state.ts';
import { readConfigs } from './repo-config-at.ts';
import { SharedReads } from './shared-reads.ts';
import { environmentsFilesUnchanged, environmentsShown, findStickyComment, withSection, type StickyComment } from './sticky-comment.ts';

/**
 * Recomputes the status block of a pull request's fsm-gitops comment (approvals, claims, pins) without
 * planning again: after a review is submitted or dismissed, and after a command, a merge or the drift run changed
 * a claim or pin. The environments are those the last review listed; a pull request without the comment is left
 * alone. The comment is read again before it is written: one rewritten meanwhile (a review of the pull request,
 * which the drift run does not wait for) is left as it is, its status block being as new, not overwritten with
 * the plan read first. Returns whether the block was written or already said the same.
 */
export async function refreshDeployStatus(ctx: StatusContext, number: number, found?: StickyComment): Promise<boolean> {
  const sticky = found ?? (await findStickyComment(ctx.octokit, ctx.ref, number, ctx.identity));
  if (!sticky) return false;
  const pr = await fetchPullRequest(ctx, number);
  const { defaultBranch, commits } = await readConfigs(ctx.octokit, ctx.ref, [pr.headSha]);
  const environments = statusEnvironments(environmentsShown(sticky.body), defaultBranch.config, commits[0]?.config, environmentsFilesUnchanged(sticky.body));
  const block = await deployStatusBlock(ctx, pr, environments);
  const body = limitCommentBody(withSection(sticky.body, 'status', block));
  if (body === sticky.body) return true;
  const now = await findStickyComment(ctx.octokit, ctx.ref, number, ctx.identity);
  if (now?.id !== sticky.id || now.body !== sticky.body) return false;
  await ctx.octokit.rest.issues.updateComment({ ...ctx.ref, comment_id: sticky.id, body });
  return true;
}

/** Other open pull requests looked at, at most, the most recently updated first: each costs a few requests. */
export const OTHERS_LOOKED_AT = 20;
/** Time left (ms) below which no further pull request is refreshed: the event's own work must end in time. */
const RESERVE_MS = 15_000;

/**
 * After a claim, pin or cluster of `environments` changed (an apply took one or wrote, a merge deployed, a
 * merge, close or `/fsm unlock` released it, a rollback pinned it, the drift schedule released or lifted it):
 * the status blocks of the open pull requests but `except` (the one whose event it was; undefined: none) whose
 * comment shows one of them, so they say who holds it now and whether their plan predates an apply
 * (refreshDeployStatus), not what stood at their last event. At most OTHERS_LOOKED_AT of
 * them, while time is left (ctx.deadline); one that cannot be refreshed is logged and skipped (the work is
 * done, and the pull request's own next event refreshes it). Each environment's apply history is read once for
 * all of them (SharedReads). Returns how many were refreshed.
 */
export async function refreshOthers(event: StatusContext, except: number | undefined, environments: readonly string[]): Promise<number> {
  if (environments.length === 0) return 0;
  const ctx: StatusContext = { ...event, shared: new SharedReads() };
  const wanted = new Set(environments);
  let refreshed = 0;
  try {
    // One more than looked at: the list may hold the pull request itself.
    const { data: open } = await ctx.octokit.rest.pulls.list({ ...ctx.ref, state: 'open', sort: 'updated', direction: 'desc', per_page: OTHERS_LOOKED_AT + 1 });
    for (const pr of open.filter((p) => p.number !== except).slice(0, OTHERS_LOOKED_AT)) {
      if (Date.now() > ctx.deadline - RESERVE_MS) break;
      try {
        const sticky = await findStickyComment(ctx.octokit, ctx.ref, pr.number, ctx.identity);
        if (!sticky || !environmentsShown(sticky.body).some((e) => wanted.has(e))) continue;
        if (await refreshDeployStatus(ctx, pr.number, sticky)) refreshed++;
      } catch (error) {
        ctx.log.warn({ pr: pr.number, error: (error as Error).message }, 'deploy status of another pull request not refreshed');
      }
    }
  } catch (error) {
    ctx.log.warn({ error: (error as Error).message }, 'open pull requests not listed: their deploy status is refreshed at their next event');
  }
  return refreshed;
}
