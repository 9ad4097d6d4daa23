import type { GitHubError } from './github-error.ts';
import type { Octokit } from './octokit.ts';
import { isRateLimited } from './retry-delay.ts';

/** GitHub's message when an installation token lacks the permission a route needs (docs: "Troubleshooting the REST API"). */
const NOT_ACCESSIBLE = /^Resource not accessible by integration/;

/**
 * What app.yml asks for each resource a route starts with (`/repos/{owner}/{repo}/<resource>/...`; docs:
 * "Permissions required for GitHub Apps"), when GitHub does not say. A read needs the same permission's read.
 */
const PERMISSION_BY_RESOURCE: Readonly<Record<string, string>> = {
  deployments: 'deployments: write',
  'check-runs': 'checks: write',
  'check-suites': 'checks: write',
  pulls: 'pull_requests: write',
  issues: 'issues: write',
  contents: 'contents: read',
  git: 'contents: read',
  commits: 'contents: read',
  compare: 'contents: read',
  collaborators: 'metadata: read',
};

/** The permission app.yml asks for the route (`/orgs/{org}/teams/...`: the organization's members), if known. */
function routePermission(route: string): string | undefined {
  if (/^\/orgs\/[^/]+\/teams\//.test(route)) return 'members: read (organization)';
  const resource = /^\/repos\/[^/]+\/[^/]+\/([^/?]+)/.exec(route)?.[1];
  return resource !== undefined && Object.hasOwn(PERMISSION_BY_RESOURCE, resource) ? PERMISSION_BY_RESOURCE[resource] : undefined;
}

/**
 * GitHub refused a request because the app's installation lacks a permission (403 "Resource not accessible by
 * integration"). Another try gets the same answer until someone grants it: app.yml asks for every permission
 * the app uses, but an installation made before one was added must accept it in its settings. Keeps the 403
 * status, which callers test (`error.status`).
 */
export class MissingPermissionError extends Error {
  readonly status = 403;

  /**
   * @param request `POST /repos/{owner}/{repo}/deployments`: the route, without the owner's names.
   * @param needed GitHub's x-accepted-github-permissions (`deployments=write`; sets separated by `;`), else the route's permission from app.yml.
   * @param answer GitHub's own message (`Resource not accessible by integration - https://docs.github.com/...`).
   * @param code How GitHub refused: HTTP `403` (REST), or `FORBIDDEN` (a GraphQL error's type, in a 200).
   */
  constructor(
    readonly request: string,
    readonly needed: string | undefined,
    readonly answer: string,
    code = '403',
  ) {
    super(`GitHub refused ${request} (${code} Resource not accessible by integration): the app's installation lacks the permission ${needed ? `"${needed}"` : 'this request needs'}. app.yml asks for it; an installation made before it was added must accept the new permissions in its settings (Settings → GitHub Apps → Configure)`);
    this.name = 'MissingPermissionError';
  }
}

type RequestOptions = { method?: string; url?: string };

/**
 * Turns GitHub's 403 for a missing permission into a MissingPermissionError naming the request and the
 * permission, through octokit's error hook (https://github.com/octokit/core.js#hooks); other errors pass as
 * they are. A 403 of a rate limit is not one. Returns the same client.
 */
export function nameMissingPermissions(octokit: Octokit): Octokit {
  octokit.hook.error('request', (error, options) => {
    throw missingPermission(error, options as RequestOptions) ?? error;
  });
  // GraphQL answers a missing permission with 200 and errors of type FORBIDDEN, which @octokit/graphql throws
  // after the request hooks (GraphqlResponseError): the queries are wrapped instead.
  const graphql = octokit.graphql;
  const named = async (...args: Parameters<typeof graphql>): Promise<unknown> => {
    try {
      return await graphql(...args);
    } catch (error) {
      throw graphqlMissingPermission(error) ?? error;
    }
  };
  octokit.graphql = Object.assign(named, graphql) as typeof graphql;
  return octokit;
}

type GraphqlError = { name?: string; message?: string; errors?: { type?: string; message?: string; path?: (string | number)[] }[] };

/** A GraphqlResponseError whose errors include a FORBIDDEN "Resource not accessible by integration": the files the app reads (contents: read). */
function graphqlMissingPermission(error: unknown): MissingPermissionError | undefined {
  const e = error as GraphqlError;
  if (e?.name !== 'GraphqlResponseError' || !Array.isArray(e.errors)) return undefined;
  const forbidden = e.errors.find((item) => item.type === 'FORBIDDEN' && NOT_ACCESSIBLE.test(item.message ?? ''));
  if (!forbidden) return undefined;
  const at = forbidden.path?.length ? ` at ${forbidden.path.join('.')}` : '';
  return new MissingPermissionError(`the GraphQL query${at}`, 'contents: read', forbidden.message ?? '', 'FORBIDDEN');
}

function missingPermission(error: unknown, options: RequestOptions): MissingPermissionError | undefined {
  const e = error as GitHubError;
  const message = typeof e.response?.data?.message === 'string' ? e.response.data.message : (e.message ?? '');
  if (e.status !== 403 || isRateLimited(error) || !NOT_ACCESSIBLE.test(message)) return undefined;
  const route = options.url ?? '';
  const accepted = e.response?.headers?.['x-accepted-github-permissions']?.trim();
  const needed = accepted || routePermission(route);
  return new MissingPermissionError(`${options.method ?? 'GET'} ${route}`, needed, e.message ?? message);
}
