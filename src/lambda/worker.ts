import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { handleEvent, REPORTING_RESERVE_MS } from '../github/handle-event.ts';
import type { Octokit } from '../github/octokit.ts';
import type { QueuedEvent } from '../queue/queued-event.ts';
import { appInstance } from './app-instance.ts';

/**
 * SQS trigger (batch size 1, partial batch failure reporting): hands each queued event to the app with
 * its installation's client. A failure returns the message to the queue; after maxReceiveCount tries SQS
 * moves it to the dead-letter queue, which an alarm watches, and the last try says so in the log.
 */
export async function handler(event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    let delivery = '?';
    try {
      const queued = JSON.parse(record.body) as QueuedEvent;
      delivery = `${queued.type}.${queued.action} ${queued.delivery}`;
      const { probot, deps } = await appInstance();
      // No cluster write starts so late that the Lambda could be stopped before it is undone and reported.
      const deadline = context ? Date.now() + context.getRemainingTimeInMillis() - REPORTING_RESERVE_MS : undefined;
      const outcome = await handleEvent(queued, (await probot.auth(queued.installation)) as Octokit, deps, probot.log, deadline);
      console.log(JSON.stringify({ level: 'info', msg: `delivery ${delivery} handled`, outcome, messageId: record.messageId }));
    } catch (error) {
      const attempt = Number(record.attributes.ApproximateReceiveCount ?? '1');
      const max = Number(process.env['MAX_RECEIVE_COUNT'] ?? '5');
      const next = attempt >= max ? 'giving up: SQS moves it to the dead-letter queue' : `will be retried (attempt ${attempt} of ${max})`;
      console.error(JSON.stringify({ level: 'error', msg: `delivery ${delivery} failed; ${next}`, error: (error as Error).message, messageId: record.messageId }));
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
