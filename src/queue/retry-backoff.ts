/**
 * How long a failed delivery waits before its next try (ms), after try `attempt` (1-based): 2 s, 4 s, 8 s, 16 s,
 * ... at most a minute; with five tries, 30 s of waits in all (each try's own request retries come on top). The in-process queue sleeps it; the Lambda worker
 * makes the SQS message visible again after it.
 */
export function retryBackoffMs(attempt: number): number {
  return Math.min(1000 * 2 ** attempt, 60_000);
}
