import { awsJsonCall } from './aws-json.ts';

export interface FifoMessage {
  queueUrl: string;
  body: string;
  /** Messages of one group are handled in order, one at a time. */
  groupId: string;
  /** SQS drops a second message with the same id within five minutes. */
  deduplicationId: string;
}

export async function sendFifoMessage(message: FifoMessage, env?: Record<string, string | undefined>): Promise<string> {
  const answer = await awsJsonCall<{ MessageId?: string }>(
    'sqs',
    'AmazonSQS.SendMessage',
    { QueueUrl: message.queueUrl, MessageBody: message.body, MessageGroupId: message.groupId, MessageDeduplicationId: message.deduplicationId },
    env,
  );
  return answer.MessageId ?? '';
}
