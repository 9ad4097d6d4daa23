import type { Context, EventBridgeEvent } from 'aws-lambda';
import { checkEveryRepository } from '../github/drift-run.ts';
import { appInstance } from './app-instance.ts';
import { withRedactedErrors } from './redacted-errors.ts';

/** Time kept back from the Lambda's limit (ms) for the last repository's log line and the run's result. */
export const DRIFT_RESERVE_MS = 10_000;

/**
 * Scheduled (rate set in serverless.yml params): one drift run (drift-run.ts checkEveryRepository), ending
 * before the Lambda's remaining time less DRIFT_RESERVE_MS.
 */
export const handler = withRedactedErrors(checkAll);

async function checkAll(_event: EventBridgeEvent<'Scheduled Event', unknown>, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<{ checked: number; failed: number }> {
  const runEnd = context ? Date.now() + context.getRemainingTimeInMillis() - DRIFT_RESERVE_MS : Infinity;
  const { probot, live, deps } = await appInstance();
  return checkEveryRepository(probot, live, await deps.identity(), runEnd);
}
