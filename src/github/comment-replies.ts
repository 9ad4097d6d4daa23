import type { GitHubError } from './github-error.ts';
import { limitCommentBody } from '../render/github-limits.ts';
import type { EventContext } from './app-context.ts';
import { createOnce } from './create-once.ts';

/** The hidden tag that ties a reply to what it answers: a command comment's id, or a merge. */
export function replyTag(about: number | string): string {
  return `<!-- fsm-gitops:reply ${about} -->`;
}

/**
 * Acknowledges a command at once (an `eyes` reaction); GitHub answers 200 instead of 201 when it is there already.
 * Returns false when GitHub answers 404: the comment was deleted before the app got to it.
 */
export async function acknowledge(ctx: EventContext, commentId: number): Promise<boolean> {
  try {
    await ctx.octokit.rest.reactions.createForIssueComment({ ...ctx.ref, comment_id: commentId, content: 'eyes' });
    return true;
  } catch (error) {
    if ((error as GitHubError).status === 404) return false;
    throw error;
  }
}

/**
 * Replies to a command comment (or about a merge) once: a redelivered event, or a create GitHub carried out before
 * answering 5xx, finds the reply it got before (by its tag, posted by this app) and posts nothing more.
 * Mentions in `body` must already be escaped.
 */
export async function replyOnce(ctx: EventContext, issueNumber: number, about: number | string, body: string): Promise<void> {
  const tag = replyTag(about);
  await createOnce(
    async () => {
      const comments = await ctx.octokit.paginate(ctx.octokit.rest.issues.listComments, { ...ctx.ref, issue_number: issueNumber, per_page: 100 });
      return comments.find((c) => c.user?.login === ctx.identity.botLogin && c.body?.includes(tag));
    },
    async () => (await ctx.octokit.rest.issues.createComment({ ...ctx.ref, issue_number: issueNumber, body: limitCommentBody(`${tag}\n${body}`), request: { retries: 0 } })).data,
  );
}
