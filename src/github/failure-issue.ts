import { COMMENT_BODY_LIMIT, limitCommentBody, limitIssueTitle } from '../render/github-limits.ts';
import { cutMarkdown } from '../render/markdown-cut.ts';
import { escapeMarkdown } from '../render/markdown.ts';
import type { EventContext } from './app-context.ts';
import { findOwnIssue } from './own-issue.ts';

export const DEPLOY_FAILED_LABEL = 'fsm-deploy-failed';
const marker = (environment: string) => `<!-- fsm-gitops:deploy-failed ${environment} -->`;

/**
 * A failed deploy must reach people even when nobody watches the pull request: one open issue labelled
 * fsm-deploy-failed per environment, commented on by each further failure, closed by the next success.
 * `details` is Markdown that is already escaped.
 */
export async function reportDeployFailure(ctx: EventContext, environment: string, details: string): Promise<number> {
  const existing = await openFailureIssue(ctx, environment);
  if (existing !== undefined) {
    await ctx.octokit.rest.issues.createComment({ ...ctx.ref, issue_number: existing, body: limitCommentBody(details) });
    return existing;
  }
  const { data } = await ctx.octokit.rest.issues.create({
    ...ctx.ref,
    title: limitIssueTitle(`Deploy to ${environment} failed`),
    body: `${marker(environment)}\n${cutMarkdown(details, COMMENT_BODY_LIMIT - 500)}\n\nThis issue stays open until a deploy to \`${environment}\` succeeds.`,
    labels: [DEPLOY_FAILED_LABEL],
  });
  return data.number;
}

/** Closes the environment's failure issue after a successful deploy, saying which. */
export async function clearDeployFailure(ctx: EventContext, environment: string, what: string): Promise<void> {
  const existing = await openFailureIssue(ctx, environment);
  if (existing === undefined) return;
  await ctx.octokit.rest.issues.createComment({ ...ctx.ref, issue_number: existing, body: `${escapeMarkdown(what)}: \`${environment}\` deployed successfully. Closing.` });
  await ctx.octokit.rest.issues.update({ ...ctx.ref, issue_number: existing, state: 'closed', state_reason: 'completed' });
}

async function openFailureIssue(ctx: EventContext, environment: string): Promise<number | undefined> {
  return (await findOwnIssue(ctx.octokit, ctx.ref, ctx.identity.botLogin, marker(environment), DEPLOY_FAILED_LABEL))?.number;
}
