import { MAX_RATE_LIMIT_WAIT_S } from './app-octokit.ts';
import type { GitHubError } from './github-error.ts';

const headersOf = (error: unknown): Record<string, string | undefined> => (error as GitHubError).response?.headers ?? {};

/**
 * Whether GitHub refused a request for a rate limit (429, or 403 with Retry-After or no requests left), not for
 * a permission: https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api.
 */
export function isRateLimited(error: unknown): boolean {
  const status = (error as GitHubError).status ?? 0;
  const headers = headersOf(error);
  return status === 429 || (status === 403 && (headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0'));
}

/**
 * How long (ms) to wait before trying a GitHub request again after a 5xx or a rate limit, or undefined when the
 * error is final. A rate limit's wait is its Retry-After, or the time to its x-ratelimit-reset: one longer than
 * MAX_RATE_LIMIT_WAIT_S is final too (a primary limit resetting in an hour is not waited out within a try).
 */
export function retryDelayMs(error: unknown, attempt: number, now = Date.now()): number | undefined {
  const status = (error as GitHubError).status ?? 0;
  const headers = headersOf(error);
  const rateLimited = isRateLimited(error);
  if (!rateLimited && status < 500) return undefined;
  const retryAfter = Number(headers['retry-after']);
  const reset = Number(headers['x-ratelimit-reset']);
  const waitS = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : rateLimited && headers['x-ratelimit-remaining'] === '0' && Number.isFinite(reset) && reset > 0 ? Math.ceil(reset - now / 1000) + 1 : undefined;
  if (waitS !== undefined) return waitS > MAX_RATE_LIMIT_WAIT_S ? undefined : Math.max(waitS, 0) * 1000;
  return Math.min(1000 * 2 ** (attempt - 1), 8000);
}
