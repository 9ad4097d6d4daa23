import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { changeMessageVisibility, queueUrlOf } from '../aws/sqs.ts';
import { handleEvent, REPORTING_RESERVE_MS } from '../github/handle-event.ts';
import type { Octokit } from '../github/octokit.ts';
import { failureText, logDelivery, type DeliveryNames } from '../queue/delivery-log.ts';
import type { QueuedEvent } from '../queue/queued-event.ts';
import { retryBackoffMs } from '../queue/retry-backoff.ts';
import { appInstance } from './app-instance.ts';

/**
 * SQS trigger (batch size 1, partial batch failure reporting): hands each queued event to the app with
 * its installation's client. A failure returns the message to the queue, visible again after the retry
 * backoff (retryBackoffMs); after maxReceiveCount tries SQS moves it to the dead-letter queue, which an
 * alarm watches, and the last try says so in the log.
 */
export async function handler(event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const started = Date.now();
    const attempt = Number(record.attributes.ApproximateReceiveCount ?? '1');
    let names: DeliveryNames = { id: '?', event: '?' };
    try {
      const queued = JSON.parse(record.body) as QueuedEvent;
      names = { id: queued.delivery, event: `${queued.type}.${queued.action}`, repository: queued.repository.fullName };
      const { probot, deps } = await appInstance();
      // No cluster write starts so late that the Lambda could be stopped before it is undone and reported.
      const deadline = context ? Date.now() + context.getRemainingTimeInMillis() - REPORTING_RESERVE_MS : undefined;
      const outcome = await handleEvent(queued, (await probot.auth(queued.installation)) as Octokit, deps, probot.log, { deadline, final: attempt >= maxReceiveCount() });
      logDelivery({ level: 'info', ...names, outcome, ms: Date.now() - started, attempt });
    } catch (error) {
      const max = maxReceiveCount();
      const next = attempt >= max ? 'giving up: SQS moves it to the dead-letter queue' : `will be retried (attempt ${attempt} of ${max}) ${await retryAfterBackoff(record, attempt)}`;
      logDelivery({ level: 'error', ...names, outcome: `failed, ${next}: ${failureText(error)}`, ms: Date.now() - started, attempt });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}

/**
 * Makes a failed message visible again after the retry backoff: otherwise SQS hands it out again only after
 * the queue's visibility timeout (serverless.yml: 6 times the worker's timeout), and being FIFO, holds the
 * repository's later deliveries behind it until then. Returns when the next try comes, for the log.
 */
async function retryAfterBackoff(record: SQSRecord, attempt: number): Promise<string> {
  const seconds = Math.round(retryBackoffMs(attempt) / 1000);
  try {
    await changeMessageVisibility(queueUrlOf(record.eventSourceARN), record.receiptHandle, seconds);
    return `in ${seconds} s`;
  } catch (error) {
    return `after the queue's visibility timeout (making it visible sooner failed: ${failureText(error)})`;
  }
}

/** SQS's maxReceiveCount for the queue (serverless.yml passes it): the try after which a message goes to the dead-letter queue. */
function maxReceiveCount(): number {
  return Number(process.env['MAX_RECEIVE_COUNT'] ?? '5');
}
