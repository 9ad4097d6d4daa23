import { setTimeout as sleep } from 'node:timers/promises';
import { retryDelayMs } from './retry-delay.ts';

const ATTEMPTS = 4;

/**
 * Creates something on GitHub at most once. GitHub can carry out a create and still answer 5xx (or a
 * secondary rate limit); octokit's retry would then create it twice, so `create` must pass
 * `request: { retries: 0 }` and every try looks with `find` first (but the first, with `knownAbsent`).
 * Returns what was found or made.
 */
export async function createOnce<T>(find: () => Promise<T | undefined>, create: () => Promise<T>, options: { knownAbsent?: boolean } = {}): Promise<{ value: T; created: boolean }> {
  for (let attempt = 1; ; attempt++) {
    // The caller may know there is none yet (it just looked): then the first try skips the lookup.
    const found = attempt === 1 && options.knownAbsent ? undefined : await find();
    if (found !== undefined) return { value: found, created: false };
    try {
      return { value: await create(), created: true };
    } catch (error) {
      const wait = retryDelayMs(error, attempt);
      if (wait === undefined || attempt >= ATTEMPTS) throw error;
      await sleep(wait);
    }
  }
}
