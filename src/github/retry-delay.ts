/**
 * How long to wait before trying a GitHub request again after a 5xx or a rate limit (honouring
 * Retry-After, https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api), or undefined
 * when the error is final.
 */
export function retryDelayMs(error: unknown, attempt: number): number | undefined {
  const status = (error as { status?: number }).status ?? 0;
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {};
  const retryAfter = Number(headers['retry-after']);
  const rateLimited = status === 429 || (status === 403 && (headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0'));
  if (!rateLimited && status < 500) return undefined;
  if (Number.isFinite(retryAfter) && retryAfter > 0) return Math.min(retryAfter, 60) * 1000;
  return Math.min(1000 * 2 ** (attempt - 1), 8000);
}
