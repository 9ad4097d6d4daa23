import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 };

/** One attempt, no retry: for a request whose failure has a cheaper answer than asking again (a probe, an optional read). */
export const SINGLE_ATTEMPT: RetryPolicy = { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 };

/** The longest a Retry-After header is waited for (ms); a server asking for more is asked again after this. */
export const MAX_RETRY_AFTER_MS = 30_000;

/**
 * Exponential backoff with full jitter; `retryAfterMs` (from a Retry-After header, up to MAX_RETRY_AFTER_MS)
 * wins when longer. No attempt starts after `deadline` (epoch ms): the last error is thrown instead of waiting past it.
 * Once `signal` is aborted no attempt starts and no wait goes on: `signal.reason` is thrown, whatever the attempt
 * in flight then ends with (its caller stopped the work; that attempt's own error would be a second one).
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  run: (attempt: number) => Promise<T>,
  retryable: (error: unknown) => boolean,
  retryAfterMs: (error: unknown) => number | undefined = () => undefined,
  limits: { deadline?: number | undefined; signal?: AbortSignal | undefined } = {},
): Promise<T> {
  const { deadline, signal } = limits;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await run(attempt);
    } catch (error) {
      signal?.throwIfAborted();
      if (attempt >= policy.attempts || !retryable(error)) throw error;
      const backoff = Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const wait = Math.max(backoff, Math.min(retryAfterMs(error) ?? 0, MAX_RETRY_AFTER_MS));
      if (deadline !== undefined && Date.now() + wait >= deadline) throw error;
      await stoppableSleep(wait, signal);
    }
  }
}

/** Waits `ms`, or until `signal` is aborted: then throws its reason (timers/promises' own AbortError hides it). */
export async function stoppableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    signal?.throwIfAborted();
    throw error;
  }
}
