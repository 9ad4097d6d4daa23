import { limitCommentBody } from '../render/github-limits.ts';
import { deployStatusBlock, statusEnvironments } from './deploy-status.ts';
import type { EventContext } from './app-context.ts';
import { fetchPullRequest } from './pull-request-state.ts';
import { readConfigs } from './repo-config-at.ts';
import { environmentsShown, findStickyComment, withSection } from './sticky-comment.ts';

/**
 * Recomputes the status block of a pull request's fsm-gitops comment (approvals, claims, pins) without
 * planning again: after a review is submitted or dismissed, and after a command changed a claim or pin.
 * The environments are those the last review listed; a pull request without the comment is left alone.
 */
export async function refreshDeployStatus(ctx: EventContext, number: number): Promise<boolean> {
  const sticky = await findStickyComment(ctx.octokit, ctx.ref, number, ctx.identity);
  if (!sticky) return false;
  const pr = await fetchPullRequest(ctx, number);
  const { defaultBranch, commits } = await readConfigs(ctx.octokit, ctx.ref, [pr.headSha]);
  const environments = statusEnvironments(environmentsShown(sticky.body), defaultBranch.config, commits[0]?.config);
  const block = await deployStatusBlock(ctx, pr, environments);
  const body = limitCommentBody(withSection(sticky.body, 'status', block));
  if (body !== sticky.body) await ctx.octokit.rest.issues.updateComment({ ...ctx.ref, comment_id: sticky.id, body });
  return true;
}
