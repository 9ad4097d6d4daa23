import type { GitHubError } from './github-error.ts';
import type { EnvironmentConfig } from '../config/repo-config.ts';
import type { ReviewerStanding } from '../deploy/approvals.ts';
import type { Octokit, RepoRef } from './octokit.ts';
import { MissingPermissionError } from './missing-permission.ts';
import { isRateLimited } from './retry-delay.ts';

export type RoleName = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

const WRITE_ROLES: ReadonlySet<string> = new Set(['admin', 'maintain', 'write']);

/**
 * A person's standing in the repository, looked up once per login and event: their role
 * (GET /repos/{owner}/{repo}/collaborators/{username}/permission; `role_name` where GitHub gives it, else
 * `permission`) and their membership in `org/team` slugs (GET /orgs/{org}/teams/{team}/memberships/{username},
 * active only; the app needs the `members: read` permission). `author_association` is never used: it says
 * how someone relates to the repository, not what they may do.
 */
export class PeopleDirectory {
  private readonly roles = new Map<string, Promise<RoleName>>();
  private readonly memberships = new Map<string, Promise<boolean>>();

  constructor(
    private readonly octokit: Octokit,
    private readonly ref: RepoRef,
  ) {}

  role(login: string): Promise<RoleName> {
    let role = this.roles.get(login);
    if (!role) {
      role = this.lookUpRole(login);
      this.roles.set(login, role);
    }
    return role;
  }

  async canWrite(login: string): Promise<boolean> {
    return WRITE_ROLES.has(await this.role(login));
  }

  /** Maintain or admin: the roles that may roll an environment back. */
  async canMaintain(login: string): Promise<boolean> {
    const role = await this.role(login);
    return role === 'admin' || role === 'maintain';
  }

  /** True when `teams` is empty, else whether the person is an active member of one of them. */
  async inTeams(login: string, teams: readonly string[]): Promise<boolean> {
    for (const team of teams) if (await this.member(login, team)) return true;
    return teams.length === 0;
  }

  /** The standing approvals need for an environment. */
  async standing(login: string, environment: Pick<EnvironmentConfig, 'teams'>): Promise<ReviewerStanding> {
    const canWrite = await this.canWrite(login);
    return { canWrite, inTeams: canWrite && (await this.inTeams(login, environment.teams)) };
  }

  private async lookUpRole(login: string): Promise<RoleName> {
    try {
      const { data } = await this.octokit.rest.repos.getCollaboratorPermissionLevel({ ...this.ref, username: login });
      const role = (data as { role_name?: string }).role_name ?? data.permission;
      if (role === 'admin' || role === 'maintain' || role === 'write' || role === 'triage' || role === 'read') return role;
      // A custom role: GitHub maps it onto a base permission.
      return data.permission === 'admin' || data.permission === 'write' ? data.permission : 'read';
    } catch (error) {
      if ((error as GitHubError).status === 404) return 'none';
      throw error;
    }
  }

  private member(login: string, team: string): Promise<boolean> {
    const key = `${team}\u0000${login}`;
    let member = this.memberships.get(key);
    if (!member) {
      const [org = '', slug = ''] = team.split('/');
      member = this.octokit.rest.teams
        .getMembershipForUserInOrg({ org, team_slug: slug, username: login })
        .then(({ data }) => data.state === 'active')
        .catch((error: unknown) => {
          const status = (error as GitHubError).status;
          if (status === 404) return false;
          // A refusal, not a rate limit; GitHub's own words (missing-permission.ts has named the request already).
          if (status === 403 && !isRateLimited(error)) throw new TeamsUnreadableError(team, error instanceof MissingPermissionError ? error.answer : (error as Error).message);
          throw error;
        });
      this.memberships.set(key, member);
    }
    return member;
  }
}

/**
 * GitHub refused to say who is in a team (403: the installation lacks the organization permission
 * `members: read`, which app.yml asks for). Asking again would get the same answer.
 */
export class TeamsUnreadableError extends Error {
  constructor(team: string, answer: string) {
    super(`cannot read the members of team ${team}, which the environment's teams name: GitHub answered 403 (${answer}); the app needs the organization permission "members: read" (app.yml asks for it; an installation made before must accept it in its settings)`);
    this.name = 'TeamsUnreadableError';
  }
}
