import { fetchPullRequest } from '../github/pull-request-state.ts';
import { readConfigs } from '../github/repo-config-at.ts';
import { reviewPullRequest } from '../github/review-pull-request.ts';
import { fence } from '../render/markdown-code.ts';
import { CommandRefusal, type CommandContext, type CommandResult } from './command-context.ts';
import { didYouMean } from '../core/did-you-mean.ts';

/**
 * `/fsm plan [env...]`: the review again, on the pull request's current head, for the environments it
 * touches or those named (an environment the pull request adds may be named too). The plan goes to the
 * check runs and the PR comment, as on every push.
 */
export async function planCommand(cc: CommandContext, names: readonly string[]): Promise<CommandResult> {
  const pr = await fetchPullRequest(cc, cc.event.issue.number);
  if (pr.state === 'closed') throw new CommandRefusal(`#${pr.number} is closed; plans are for open pull requests`);
  if (names.length > 0) {
    const head = (await readConfigs(cc.octokit, cc.ref, [pr.headSha])).commits[0]?.config;
    const known = [...new Set([...cc.policy.environments, ...(head?.environments ?? [])].map((e) => e.name))];
    for (const name of names) {
      if (known.includes(name)) continue;
      const suggestion = didYouMean(name, known);
      throw new CommandRefusal(`no environment "${name}" on the default branch or in this pull request${suggestion ? `: did you mean "${suggestion}"?` : ''} (known: ${known.join(', ')})`);
    }
  }
  const outcome = await reviewPullRequest(cc, { number: pr.number, headSha: pr.headSha, author: pr.author, fromFork: pr.fromFork, delivery: `comment:${cc.event.comment.id}`, only: names });
  if (outcome !== 'reviewed') return { reply: fence('text', 'Nothing to plan: this pull request touches no managed environment (name one: /fsm plan <env>).') };
  return {};
}
