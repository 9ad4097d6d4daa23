import type { EnvironmentConfig, RepoConfig } from '../config/repo-config.ts';
import type { CommentEvent } from '../events/app-event.ts';
import type { EventContext } from '../github/app-context.ts';
import type { PeopleDirectory } from '../github/reviewer-standing.ts';
import { didYouMean } from '../core/did-you-mean.ts';

/** What a command handler works with: the event, the default branch's policy, and who is who. */
export interface CommandContext extends EventContext {
  event: CommentEvent;
  /** `.github/fsm-gitops.yml` of the default branch: the only policy commands obey. */
  policy: RepoConfig;
  /** The default branch's head when the command arrived, and its name. */
  policySha: string;
  branch: string;
  people: PeopleDirectory;
}

/** How a command ends: one reply (errors, refusals, help, status), lines for the PR comment's deploy log, or both. */
export interface CommandResult {
  reply?: string;
  log?: string[];
  /** The PR comment's status block changed (claims, pins): recompute it. */
  refreshStatus?: boolean;
  /** Environments whose claim, pin or cluster the command changed: other pull requests showing them are refreshed too. */
  environmentsChanged?: string[];
}

/** A refusal or error from a handler: becomes the reply. */
export class CommandRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandRefusal';
  }
}

/** The named environments of the default branch's config; an unknown name is a refusal with a "did you mean". */
export function namedEnvironments(cc: CommandContext, names: readonly string[]): EnvironmentConfig[] {
  return names.map((name) => {
    const environment = cc.policy.environments.find((e) => e.name === name);
    if (environment) return environment;
    const known = cc.policy.environments.map((e) => e.name);
    const suggestion = didYouMean(name, known);
    throw new CommandRefusal(
      `no environment "${name}" in ${cc.policy.file} on the default branch${suggestion ? `: did you mean "${suggestion}"?` : ''} (it has: ${known.join(', ')})`,
    );
  });
}

/** Write, maintain or admin, and (when the environment names teams) a member of one of them. */
export async function requireWrite(cc: CommandContext, environment: EnvironmentConfig, what: string): Promise<void> {
  const login = cc.event.comment.user.login;
  if (!(await cc.people.canWrite(login))) throw new CommandRefusal(`${what} needs write permission on the repository; ${login} has ${await cc.people.role(login)}`);
  if (!(await cc.people.inTeams(login, environment.teams))) throw new CommandRefusal(`${what} on ${environment.name} is for members of ${environment.teams.join(', ')}`);
}
