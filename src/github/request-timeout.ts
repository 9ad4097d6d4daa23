import type { Octokit } from './octokit.ts';

/** How long one try of a GitHub API request may take. */
export const GITHUB_REQUEST_TIMEOUT_MS = 60_000;

type Fetch = typeof globalThis.fetch;

/**
 * Bounds every try of every request the client sends to GitHub in time: the fetch of a try with no answer
 * after `timeoutMs` is aborted, which octokit reports like a 5xx (RequestError, status 500): the retry
 * plugin tries again, and a delivery's retry after it. Each try gets its own bound, so the waits of the
 * retry and throttling plugins between tries are not cut. Without it a hung connection waited for
 * undici's 300 s default, holding the repository's queue. A caller's own signal still aborts. Works
 * through `request.fetch` (https://github.com/octokit/request.js#request), set by octokit's request hook
 * (https://github.com/octokit/core.js#hooks). Returns the same client.
 */
export function boundRequestTime(octokit: Octokit, timeoutMs = GITHUB_REQUEST_TIMEOUT_MS): Octokit {
  octokit.hook.before('request', (options) => {
    const request = (options.request ?? {}) as { fetch?: Fetch };
    const inner: Fetch = request.fetch ?? globalThis.fetch;
    const bounded: Fetch = (input, init) => {
      const timeout = AbortSignal.timeout(timeoutMs);
      return inner(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
    };
    options.request = { ...request, fetch: bounded } as typeof options.request;
  });
  return octokit;
}
