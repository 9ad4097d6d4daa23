import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { appInstance } from './app-instance.ts';
import type { QueuedEvent } from '../queue/queued-event.ts';

/**
 * SQS trigger (batch size 1, partial batch failure reporting): hands each queued delivery to the app.
 * A failure returns the message to the queue; after maxReceiveCount tries SQS moves it to the
 * dead-letter queue, which an alarm watches, and the last try says so in the log.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    let delivery = '?';
    try {
      const queued = JSON.parse(record.body) as QueuedEvent;
      delivery = `${queued.name} ${queued.id}`;
      const { probot } = await appInstance();
      await probot.receive({ id: queued.id, name: queued.name, payload: JSON.parse(queued.payload) } as never);
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
