import { ProbotOctokit } from 'probot';

/** The longest Retry-After (seconds) one request waits out within a try of an event; a longer wait ends the try. */
export const MAX_RATE_LIMIT_WAIT_S = 60;
/** How many times one request is sent again after a rate limit within a try of an event. */
export const RATE_LIMIT_RETRIES = 2;

type Kind = 'primary' | 'secondary';
type Handler = (retryAfter: number, options: { method: string; url: string; request?: { retries?: number } }, octokit: { log: { warn: (message: string) => void } }, retryCount: number) => boolean;

/**
 * Whether a request GitHub rate-limited is sent again after `retryAfterS` seconds: at most RATE_LIMIT_RETRIES
 * times, and only when the wait is at most MAX_RATE_LIMIT_WAIT_S. GitHub asks clients to wait Retry-After
 * (or until x-ratelimit-reset) and then retry, REST and GraphQL alike
 * (https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit).
 * A longer wait fails the request, so the event's try ends while the runtime has time to report it; its
 * next try (the queue's backoff, GitHub's Redeliver) comes later. A create sent with `request: { retries: 0 }`
 * is never sent again here: create-once.ts looks for it first (GitHub may have made it and still limited it).
 */
export function waitsOutRateLimit(retryAfterS: number, retryCount: number): boolean {
  return retryCount < RATE_LIMIT_RETRIES && retryAfterS <= MAX_RATE_LIMIT_WAIT_S;
}

const handler =
  (kind: Kind): Handler =>
  (retryAfter, options, octokit, retryCount) => {
    // A create sent with `retries: 0` is create-once.ts's: GitHub may have carried it out before limiting it, so
    // only that caller, which looks for it first, may send it again.
    if (options.request?.retries === 0) {
      octokit.log.warn(`GitHub ${kind} rate limit on ${options.method} ${options.url}: left to its caller (it may have been carried out)`);
      return false;
    }
    const retry = waitsOutRateLimit(retryAfter, retryCount);
    octokit.log.warn(`GitHub ${kind} rate limit on ${options.method} ${options.url}: ${retry ? `sending it again in ${retryAfter} s at the earliest (octokit also spaces writes: a comment 3 s after the last)` : `not waiting ${retryAfter} s (try ${retryCount + 1})`}`);
    return retry;
  };

/**
 * Probot's client with the rate-limit policy above for both kinds of limit (throttling plugin,
 * https://github.com/octokit/plugin-throttling.js). Probot's own handlers never retry a secondary rate limit
 * (a GraphQL read under one failed the whole try, and the queue's 30 s of backoff is shorter than GitHub's
 * usual 60 s), and retry a primary one twice whatever the wait (up to an hour, past a Lambda's timeout).
 * A function default, so it applies over the throttle options Probot sets on each client.
 */
export const AppOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  throttle: { ...(options['throttle'] as object | undefined), onRateLimit: handler('primary'), onSecondaryRateLimit: handler('secondary') },
}));
