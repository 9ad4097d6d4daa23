import { LockBusyError } from '../apply/lock.ts';
import { warningsOf } from '../core/error-warnings.ts';
import type { CommentEvent } from '../events/app-event.ts';
import type { EventContext } from '../github/app-context.ts';
import { acknowledge, replyOnce } from '../github/comment-replies.ts';
import { refreshDeployStatus, refreshOthers } from '../github/refresh-status.ts';
import { readConfigs } from '../github/repo-config-at.ts';
import { retryCannotHelp } from '../github/retry-cannot-help.ts';
import { PeopleDirectory } from '../github/reviewer-standing.ts';
import { loggedFor, withLogLine, writeStickyComment } from '../github/sticky-comment.ts';
import { clip } from '../render/github-limits.ts';
import { fence } from '../render/markdown-code.ts';
import { markdownMessage } from '../render/markdown-escape.ts';
import { MESSAGE_SHOWN } from '../render/summary.ts';
import { applyCommand } from './apply-command.ts';
import { CHANGES_CLUSTER, usage, WORKS_ON_ISSUES, type Command } from './command.ts';
import { commentStillSays } from './comment-still-says.ts';
import { CommandRefusal, type CommandContext, type CommandResult } from './command-context.ts';
import { parseComment } from './parse-command.ts';
import { planCommand } from './plan-command.ts';
import { rollbackCommand } from './rollback-command.ts';
import { statusCommand } from './status-command.ts';
import { unlockCommand } from './unlock-command.ts';

export const DOCS_URL = 'https://github.com/fsm-gitops/fsm-gitops/blob/main/docs/github-app.md#commands';

/**
 * A comment that may be a `/fsm` command. Comments by bots (this app included) are never commands. A
 * recognised command gets an `eyes` reaction at once; one that changes a cluster runs only if the comment
 * still says it (comment-still-says.ts); errors, refusals, help and status end in one reply
 * (posted once, however often the event is delivered); what apply, unlock and rollback did goes to the
 * pull request's fsm-gitops comment (on the last try, to a reply when GitHub will not update that comment).
 */
export async function handleComment(ctx: EventContext, event: CommentEvent): Promise<string> {
  if (event.comment.user.type === 'Bot' || event.sender.type === 'Bot') return 'ignored: comments by bots are never commands';
  const parsed = parseComment(event.comment.body);
  if (parsed.kind === 'not-a-command') return 'ignored: not a command';
  // A command whose comment is gone is not run: its author took it back.
  if (!(await acknowledge(ctx, event.comment.id))) return 'ignored: the comment was deleted';
  const reply = (text: string) => replyOnce(ctx, event.issue.number, event.comment.id, text);

  if (parsed.kind === 'error') {
    await reply(`${fence('text', `error: ${parsed.error}\n\n${parsed.usage}`)}\n\nSee [the command reference](${DOCS_URL}).`);
    return `command refused: ${parsed.error}`;
  }
  const command = parsed.command;
  if (!event.issue.isPullRequest && !WORKS_ON_ISSUES.has(command.name)) {
    await reply(fence('text', `/fsm ${command.name} works on a pull request; on an issue only help, status and rollback do.`));
    return `command refused: ${command.name} on an issue`;
  }
  if (CHANGES_CLUSTER.has(command.name)) {
    const still = await commentStillSays(ctx, event, command);
    if (still === 'deleted') return 'ignored: the comment was deleted';
    if (still === 'edited') {
      await reply(fence('text', `/fsm ${command.name} was not run: the comment was edited after it was posted, and edited comments are never commands. Comment the command again to run it.`));
      return `command refused: ${command.name} edited since`;
    }
  }
  let result: CommandResult;
  try {
    result = await run(ctx, event, command);
  } catch (error) {
    // A refusal, a cluster the app has no way to change, an environment someone else is applying, teams
    // GitHub will not list: trying the delivery again would say the same. Anything else is retried, and
    // answered once no try is left: a reply after an earlier try would stand beside what a later one did.
    const warned = warningsOf(error).map((w) => `\nwarning: ${w}`).join('');
    if (!(error instanceof CommandRefusal || error instanceof LockBusyError || retryCannotHelp(error))) {
      if (ctx.finalAttempt) await reply(fence('text', `/fsm ${command.name} stopped: ${(error as Error).message}${warned}\n\nIt is not tried again: once the cause is fixed, comment the command again.`));
      throw error;
    }
    result = { reply: fence('text', `/fsm ${command.name} was not run: ${error.message}${warned}`) };
  }
  if (result.reply) await reply(result.reply);
  if (event.issue.isPullRequest && result.log?.length) {
    const lines = result.log.map((line) => loggedFor(event.comment.id, line));
    try {
      await writeStickyComment(ctx.octokit, ctx.ref, event.issue.number, ctx.identity, (current) => (current === undefined ? undefined : lines.reduce(withLogLine, current)));
    } catch (error) {
      // What was done must reach people: on the last try, a deploy log GitHub will not update is said in a reply.
      if (!ctx.finalAttempt) throw error;
      const why = `The deploy log in this pull request's fsm-gitops comment could not be updated: ${markdownMessage(clip((error as Error).message, MESSAGE_SHOWN))}`;
      await replyOnce(ctx, event.issue.number, `${event.comment.id}:log`, [...lines.map((line) => `- ${line}`), '', why].join('\n'));
    }
  }
  if (event.issue.isPullRequest && result.refreshStatus) await refreshDeployStatus(ctx, event.issue.number);
  if (result.environmentsChanged?.length) await refreshOthers(ctx, event.issue.number, result.environmentsChanged);
  return `command ${command.name} handled`;
}

async function run(ctx: EventContext, event: CommentEvent, command: Command): Promise<CommandResult> {
  if (command.name === 'help') return { reply: `${fence('text', usage(command.topic))}\n\nSee [the command reference](${DOCS_URL}).` };
  const { defaultBranch } = await readConfigs(ctx.octokit, ctx.ref, []);
  if (defaultBranch.error) throw new CommandRefusal(`the default branch's ${defaultBranch.error.message}; fix it first`);
  if (!defaultBranch.config) throw new CommandRefusal(`the default branch (${defaultBranch.branch}) has no .github/fsm-gitops.yml; fsm-gitops deploys nothing until it has one`);
  const cc: CommandContext = { ...ctx, event, policy: defaultBranch.config, policySha: defaultBranch.sha, branch: defaultBranch.branch, people: new PeopleDirectory(ctx.octokit, ctx.ref) };
  switch (command.name) {
    case 'plan':
      return planCommand(cc, command.environments);
    case 'apply':
      return applyCommand(cc, command.environments);
    case 'unlock':
      return unlockCommand(cc, command.environments);
    case 'status':
      return statusCommand(cc);
    case 'rollback':
      return rollbackCommand(cc, command.environment, command.target);
  }
}
