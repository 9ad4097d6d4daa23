import type { Octokit } from './octokit.ts';
import { isRateLimited } from './retry-delay.ts';

/** GitHub's message when an installation token lacks the permission a route needs (docs: "Troubleshooting the REST API"). */
const NOT_ACCESSIBLE = /^Resource not accessible by integration/;

/** What each route group needs (app.yml's `default_permissions`; docs: "Permissions required for GitHub Apps"), when GitHub does not say. */
const PERMISSION_BY_ROUTE: readonly [RegExp, string][] = [
  [/\/deployments\b/, 'deployments: write'],
  [/\/check-(?:runs|suites)\b/, 'checks: write'],
  [/\/teams\//, 'members: read (organization)'],
  [/\/pulls\b/, 'pull_requests: write'],
  [/\/issues\b/, 'issues: write'],
  [/\/(?:contents|git|commits|compare)\b/, 'contents: read'],
];

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
   */
  constructor(
    readonly request: string,
    readonly needed: string | undefined,
    readonly answer: string,
  ) {
    super(`GitHub refused ${request} (403 Resource not accessible by integration): the app's installation lacks the permission ${needed ? `"${needed}"` : 'this request needs'}. app.yml asks for it; an installation made before it was added must accept the new permissions in its settings (Settings → GitHub Apps → Configure)`);
    this.name = 'MissingPermissionError';
  }
}

type RequestOptions = { method?: string; url?: string };
type GitHubError = { status?: number; message?: string; response?: { data?: { message?: unknown }; headers?: Record<string, string | undefined> } };

/**
 * Turns GitHub's 403 for a missing permission into a MissingPermissionError naming the request and the
 * permission, through octokit's error hook (https://github.com/octokit/core.js#hooks); other errors pass as
 * they are. A 403 of a rate limit is not one. Returns the same client.
 */
export function nameMissingPermissions(octokit: Octokit): Octokit {
  octokit.hook.error('request', (error, options) => {
    throw missingPermission(error, options as RequestOptions) ?? error;
  });
  return octokit;
}

function missingPermission(error: unknown, options: RequestOptions): MissingPermissionError | undefined {
  const e = error as GitHubError;
  const message = typeof e.response?.data?.message === 'string' ? e.response.data.message : (e.message ?? '');
  if (e.status !== 403 || isRateLimited(error) || !NOT_ACCESSIBLE.test(message)) return undefined;
  const route = options.url ?? '';
  const accepted = e.response?.headers?.['x-accepted-github-permissions']?.trim();
  const needed = accepted || PERMISSION_BY_ROUTE.find(([pattern]) => pattern.test(route))?.[1];
  return new MissingPermissionError(`${options.method ?? 'GET'} ${route}`, needed, e.message ?? message);
}
