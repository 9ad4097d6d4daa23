import { setTimeout as sleep } from 'node:timers/promises';
import { COMMENT_MARKER } from '../render/markdown.ts';
import type { Octokit, RepoRef } from './octokit.ts';

const CREATE_ATTEMPTS = 4;

/**
 * Keeps one plan comment per pull request: edits the comment carrying the marker, or creates it.
 * GitHub can carry out a create and still answer 502; a blind retry would then post a second comment,
 * so every retry looks for the marker again first (octokit's own retry is off for the create).
 */
export async function upsertPlanComment(octokit: Octokit, ref: RepoRef, issueNumber: number, body: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const existing = await findPlanComment(octokit, ref, issueNumber);
    if (existing !== undefined) {
      await octokit.rest.issues.updateComment({ ...ref, comment_id: existing, body });
      return;
    }
    try {
      await octokit.rest.issues.createComment({ ...ref, issue_number: issueNumber, body, request: { retries: 0 } });
      return;
    } catch (error) {
      const wait = retryDelayMs(error, attempt);
      if (wait === undefined || attempt >= CREATE_ATTEMPTS) throw error;
      await sleep(wait);
    }
  }
}

/** The id of this app's plan comment on the pull request, if there is one. */
export async function findPlanComment(octokit: Octokit, ref: RepoRef, issueNumber: number): Promise<number | undefined> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { ...ref, issue_number: issueNumber, per_page: 100 });
  return comments.find((c) => c.user?.type === 'Bot' && c.body?.startsWith(COMMENT_MARKER))?.id;
}

/** How long to wait before trying again after a 5xx or a rate limit, or undefined when the error is final. */
function retryDelayMs(error: unknown, attempt: number): number | undefined {
  const status = (error as { status?: number }).status ?? 0;
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {};
  const retryAfter = Number(headers['retry-after']);
  const rateLimited = status === 429 || (status === 403 && (headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0'));
  if (!rateLimited && status < 500) return undefined;
  if (Number.isFinite(retryAfter) && retryAfter > 0) return Math.min(retryAfter, 60) * 1000;
  return Math.min(1000 * 2 ** (attempt - 1), 8000);
}
