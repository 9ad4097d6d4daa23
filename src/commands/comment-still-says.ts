import type { GitHubError } from '../github/github-error.ts';
import { isDeepStrictEqual } from 'node:util';
import type { CommentEvent } from '../events/app-event.ts';
import type { EventContext } from '../github/app-context.ts';
import type { Command } from './command.ts';
import { parseComment } from './parse-command.ts';

/**
 * Whether the comment still asks for `command` as GitHub has it now, not as the delivery carried it: a
 * command that waited in the queue (behind a long deploy) or came in a redelivery of an old event must not
 * run when its author has edited it into something else, or deleted it, meanwhile (edited comments are never
 * commands: docs/github-app.md). One read (GitHub REST "Get an issue comment"). `deleted` for a 404; an edit
 * that still parses to the same command (a typo fixed around it) is `same`.
 */
export async function commentStillSays(ctx: EventContext, event: CommentEvent, command: Command): Promise<'same' | 'edited' | 'deleted'> {
  let body: string | undefined;
  try {
    ({ data: { body } } = await ctx.octokit.rest.issues.getComment({ ...ctx.ref, comment_id: event.comment.id }));
  } catch (error) {
    if ((error as GitHubError).status === 404) return 'deleted';
    throw error;
  }
  if (body === event.comment.body) return 'same';
  const now = parseComment(body ?? '');
  return now.kind === 'command' && isDeepStrictEqual(now.command, command) ? 'same' : 'edited';
}
